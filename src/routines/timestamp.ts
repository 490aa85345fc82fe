/**
 * statactions' `Timestamp` / `TimestampAfter` templates, as the Go
 * memtierd expands them, in three passes:
 *
 * 1. the lowercase names `ansic`, `unixdate`, `rfc822`, `rfc822z`,
 *    `rfc850`, `rfc1123`, `rfc3339`, `rfc3339nano` become Go layouts;
 * 2. the text is formatted with Go's reference-time layout rules: the
 *    pieces of `Mon Jan 2 15:04:05 MST 2006` (`2006`, `01`, `Jan`, `15`,
 *    `.000`, `-0700`, ...) become the parts of the local time, anything
 *    else stays as it is;
 * 3. `unix`, `unix.s`, `unix.milli`, `unix.micro`, `unix.nano` become the
 *    seconds since the epoch with 0, 0, 3, 6, 9 decimals, and `duration...`
 *    the seconds since the routine started.
 *
 * @module
 */

const NAMED_LAYOUTS: readonly [string, string][] = [
  // Longest first where one name starts another (rfc3339nano, rfc822z).
  ["unixdate", "Mon Jan _2 15:04:05 MST 2006"],
  ["rfc850", "Monday, 02-Jan-06 15:04:05 MST"],
  ["rfc822z", "02 Jan 06 15:04 -0700"],
  ["rfc822", "02 Jan 06 15:04 MST"],
  ["rfc3339nano", "2006-01-02T15:04:05.999999999Z07:00"],
  ["rfc3339", "2006-01-02T15:04:05Z07:00"],
  ["rfc1123", "Mon, 02 Jan 2006 15:04:05 MST"],
  ["ansic", "Mon Jan _2 15:04:05 2006"],
];

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** The parts of a local time that layouts print. */
export interface TimeParts {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  /** 0 = Sunday */
  weekday: number;
  yearDay: number;
  hour: number;
  minute: number;
  second: number;
  nanosecond: number;
  /** Seconds east of UTC. */
  offsetSeconds: number;
  /** Zone abbreviation (`UTC`, `CET`), or "" when there is none. */
  zone: string;
}

/** The local time parts of an epoch time in milliseconds. */
function localParts(epochMs: number): TimeParts {
  const d = new Date(Math.floor(epochMs));
  const start = new Date(d.getFullYear(), 0, 1);
  const yearDay = Math.round(
    (new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime() -
      start.getTime()) / 86_400_000,
  ) + 1;
  const zonePart = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" })
    .formatToParts(d).find((p) => p.type === "timeZoneName")?.value ?? "";
  return {
    year: d.getFullYear(),
    month: d.getMonth() + 1,
    day: d.getDate(),
    weekday: d.getDay(),
    yearDay,
    hour: d.getHours(),
    minute: d.getMinutes(),
    second: d.getSeconds(),
    nanosecond: Math.round((epochMs - Math.floor(epochMs / 1000) * 1000) * 1e6),
    offsetSeconds: -d.getTimezoneOffset() * 60,
    // "GMT+2" is no abbreviation: Go prints the numeric offset then.
    zone: /^(GMT|UTC)[+-]/.test(zonePart) ? "" : zonePart,
  };
}

const pad = (n: number, width: number, fill = "0") => String(n).padStart(width, fill);
const startsLower = (s: string) => s.length > 0 && s[0]! >= "a" && s[0]! <= "z";
const isDigit = (s: string, i: number) => i < s.length && s[i]! >= "0" && s[i]! <= "9";

function zoneOffset(p: TimeParts, colon: boolean, seconds: boolean, short: boolean, z: boolean) {
  if (z && p.offsetSeconds === 0) return "Z";
  const off = Math.abs(p.offsetSeconds);
  const sign = p.offsetSeconds < 0 ? "-" : "+";
  const h = pad(Math.floor(off / 3600), 2);
  const m = pad(Math.floor(off / 60) % 60, 2);
  const s = pad(off % 60, 2);
  if (short) return `${sign}${h}`;
  const sep = colon ? ":" : "";
  return `${sign}${h}${sep}${m}${seconds ? `${sep}${s}` : ""}`;
}

const ZONE_LAYOUTS: readonly [string, boolean, boolean, boolean][] = [
  // layout after the sign character, colon, seconds, short
  ["070000", false, true, false],
  ["07:00:00", true, true, false],
  ["0700", false, false, false],
  ["07:00", true, false, false],
  ["07", false, false, true],
];

/**
 * The length of the layout element at `layout[i]` and its text, or
 * undefined when `layout[i]` starts none (Go's nextStdChunk rules).
 */
function element(layout: string, i: number, p: TimeParts): [number, string] | undefined {
  const at = (s: string) => layout.startsWith(s, i);
  const hour12 = p.hour % 12 === 0 ? 12 : p.hour % 12;
  switch (layout[i]) {
    case "J":
      if (at("January")) return [7, MONTHS[p.month - 1]!];
      if (at("Jan") && !startsLower(layout.slice(i + 3))) {
        return [3, MONTHS[p.month - 1]!.slice(0, 3)];
      }
      return undefined;
    case "M":
      if (at("Monday")) return [6, DAYS[p.weekday]!];
      if (at("Mon") && !startsLower(layout.slice(i + 3))) return [3, DAYS[p.weekday]!.slice(0, 3)];
      if (at("MST")) return [3, p.zone || zoneOffset(p, false, false, false, false)];
      return undefined;
    case "0": {
      const next = layout[i + 1];
      if (next !== undefined && next >= "1" && next <= "6") {
        const v = [p.month, p.day, hour12, p.minute, p.second, p.year % 100][Number(next) - 1]!;
        return [2, pad(v, 2)];
      }
      if (at("002")) return [3, pad(p.yearDay, 3)];
      return undefined;
    }
    case "1":
      if (at("15")) return [2, pad(p.hour, 2)];
      return [1, String(p.month)];
    case "2":
      if (at("2006")) return [4, pad(p.year, 4)];
      return [1, String(p.day)];
    case "_":
      if (at("_2006")) return [5, `_${pad(p.year, 4)}`];
      if (at("_2")) return [2, pad(p.day, 2, " ")];
      if (at("__2")) return [3, pad(p.yearDay, 3, " ")];
      return undefined;
    case "3":
      return [1, String(hour12)];
    case "4":
      return [1, String(p.minute)];
    case "5":
      return [1, String(p.second)];
    case "P":
      return at("PM") ? [2, p.hour >= 12 ? "PM" : "AM"] : undefined;
    case "p":
      return at("pm") ? [2, p.hour >= 12 ? "pm" : "am"] : undefined;
    case "-":
    case "Z":
      for (const [rest, colon, seconds, short] of ZONE_LAYOUTS) {
        if (at(`${layout[i]}${rest}`)) {
          return [1 + rest.length, zoneOffset(p, colon, seconds, short, layout[i] === "Z")];
        }
      }
      return undefined;
    case ".":
    case ",": {
      const digit = layout[i + 1];
      if (digit !== "0" && digit !== "9") return undefined;
      let j = i + 1;
      while (layout[j] === digit) j++;
      if (isDigit(layout, j)) return undefined;
      const n = j - i - 1;
      let frac = pad(p.nanosecond, 9).slice(0, n);
      if (digit === "9") {
        frac = frac.replace(/0+$/, "");
        return [j - i, frac === "" ? "" : `${layout[i]}${frac}`];
      }
      return [j - i, `${layout[i]}${frac}`];
    }
  }
  return undefined;
}

/** Formats `layout` with Go's reference-time rules (`2006-01-02T15:04:05Z07:00`). */
export function goFormat(layout: string, p: TimeParts): string {
  let out = "";
  for (let i = 0; i < layout.length;) {
    const e = element(layout, i, p);
    if (e) {
      out += e[1];
      i += e[0];
    } else {
      out += layout[i];
      i++;
    }
  }
  return out;
}

function replaceEpochWords(s: string, word: string, seconds: number): string {
  while (s.includes(word)) {
    let token = word;
    let decimals = 0;
    for (const [suffix, d] of [[".s", 0], [".milli", 3], [".micro", 6], [".nano", 9]] as const) {
      if (s.includes(`${word}${suffix}`)) {
        token = `${word}${suffix}`;
        decimals = d;
        break;
      }
    }
    s = s.replaceAll(token, seconds.toFixed(decimals));
  }
  return s;
}

/**
 * Expands a statactions timestamp template at epoch time `nowMs`, for a
 * routine started at `startedMs` (both milliseconds since the epoch).
 *
 * @example
 * ```ts
 * import { expandTimestamp } from "./timestamp.ts";
 * import assert from "node:assert";
 * assert.equal(expandTimestamp("t=unix.milli d=duration\n", 1_700_000_000_250, 1_700_000_000_000),
 *   "t=1700000000.250 d=0\n");
 * ```
 */
export function expandTimestamp(
  template: string,
  nowMs: number,
  startedMs: number,
  parts: TimeParts = localParts(nowMs),
): string {
  let layout = template;
  for (const [name, goLayout] of NAMED_LAYOUTS) layout = layout.replaceAll(name, goLayout);
  let s = goFormat(layout, parts);
  s = replaceEpochWords(s, "unix", nowMs / 1000);
  s = replaceEpochWords(s, "duration", (nowMs - startedMs) / 1000);
  return s;
}
