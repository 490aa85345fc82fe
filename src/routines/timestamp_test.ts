import { assertEquals } from "../testing/assert.ts";
import { expandTimestamp, goFormat, type TimeParts } from "./timestamp.ts";

// 2023-11-14 22:13:20.123456789 UTC, a Tuesday, day 318 of the year.
const UTC: TimeParts = {
  year: 2023,
  month: 11,
  day: 14,
  weekday: 2,
  yearDay: 318,
  hour: 22,
  minute: 13,
  second: 20,
  nanosecond: 123_456_789,
  offsetSeconds: 0,
  zone: "UTC",
};
const CET: TimeParts = { ...UTC, hour: 9, day: 5, month: 3, offsetSeconds: 3600, zone: "" };

Deno.test("goFormat() prints the pieces of Go's reference time", () => {
  assertEquals(goFormat("2006-01-02T15:04:05", UTC), "2023-11-14T22:13:20");
  assertEquals(goFormat("Mon Jan _2 3:4:5 PM MST 06", UTC), "Tue Nov 14 10:13:20 PM UTC 23");
  assertEquals(goFormat("Monday January 2 1 002 __2 pm", CET), "Tuesday March 5 3 318 318 am");
  assertEquals(goFormat("_2|_2006", CET), " 5|_2023");
});

Deno.test("goFormat() prints fractions of a second: .000 fixed, .999 without trailing zeros", () => {
  assertEquals(goFormat("05.000 05.000000000 05,00", UTC), "20.123 20.123456789 20,12");
  assertEquals(goFormat("05.999", { ...UTC, nanosecond: 100_000_000 }), "20.1");
  assertEquals(goFormat("05.999", { ...UTC, nanosecond: 0 }), "20");
  assertEquals(goFormat("v1.0001", UTC), "v11.0011", "a run followed by a digit is no fraction");
});

Deno.test("goFormat() prints zones: Z for UTC only with Z layouts, -0700 forms", () => {
  assertEquals(goFormat("Z07:00 -07:00 -0700 -07", UTC), "Z +00:00 +0000 +00");
  assertEquals(goFormat("Z07:00 -070000 MST", CET), "+01:00 +010000 +0100");
});

Deno.test("goFormat() keeps words that are not layout pieces", () => {
  assertEquals(
    goFormat("before: epochs: unix.milli duration\n", UTC),
    "before: epochs: unix.milli duration\n",
  );
  assertEquals(goFormat("Janet Monica", UTC), "Janet Monica");
});

Deno.test("expandTimestamp() replaces the named layouts, longest names first", () => {
  const at = 1_700_000_000_123;
  assertEquals(expandTimestamp("rfc3339nano", at, at, UTC), "2023-11-14T22:13:20.123456789Z");
  assertEquals(expandTimestamp("rfc3339", at, at, UTC), "2023-11-14T22:13:20Z");
  assertEquals(
    expandTimestamp("rfc822z|rfc822", at, at, UTC),
    "14 Nov 23 22:13 +0000|14 Nov 23 22:13 UTC",
  );
  assertEquals(expandTimestamp("unixdate", at, at, UTC), "Tue Nov 14 22:13:20 UTC 2023");
  assertEquals(expandTimestamp("ansic", at, at, UTC), "Tue Nov 14 22:13:20 2023");
  assertEquals(expandTimestamp("rfc850", at, at, UTC), "Tuesday, 14-Nov-23 22:13:20 UTC");
  assertEquals(expandTimestamp("rfc1123", at, at, UTC), "Tue, 14 Nov 2023 22:13:20 UTC");
});

Deno.test("expandTimestamp() turns unix and duration words into seconds with 0, 3, 6 or 9 decimals", () => {
  const started = 1_700_000_000_000;
  const now = started + 2_250;
  assertEquals(
    expandTimestamp("unix unix.s unix.milli unix.micro unix.nano\n", now, started, UTC),
    "1700000002 1700000002 1700000002.250 1700000002.250000 1700000002.250000000\n",
  );
  assertEquals(
    expandTimestamp("duration|duration.s|duration.milli|duration.micro", now, started, UTC),
    "2|2|2.250|2.250000",
  );
});
