import fc from "fast-check";
import { assertEquals, assertOk } from "../testing/assert.ts";
import { LogFileWriter } from "./log_file.ts";

/**
 * A disk that fills and empties at random: log lines of random lengths,
 * with room given back (or taken away) between them, and a device that
 * sometimes writes only part of what it is given. Whatever happens the
 * writer never throws, and at the end (room again, one last line) every
 * line is in the log whole or counted in a "lines dropped" note, each run
 * of failures gave one warning and one note, and a line cut short is ended
 * before the next.
 */
const step = fc.oneof(
  fc.record({ line: fc.string({ minLength: 0, maxLength: 80 }).map((s) => s.replace(/\n/g, " ")) }),
  fc.record({ room: fc.integer({ min: 0, max: 300 }) }),
);

Deno.test("LogFileWriter on a disk that fills and empties at random: every line whole or counted, one warning per outage (2,000 runs)", () => {
  fc.assert(
    fc.property(
      fc.array(step, { maxLength: 60 }),
      fc.integer({ min: 1, max: 50 }),
      (steps, chunk) => {
        let room = 0;
        let text = "";
        const dec = new TextDecoder();
        const sink = {
          writeSync(bytes: Uint8Array): number {
            if (room === 0) throw new Error("No space left on device (os error 28)");
            const n = Math.min(bytes.length, room, chunk);
            text += dec.decode(bytes.subarray(0, n));
            room -= n;
            return n;
          },
        };
        const warnings: string[] = [];
        const w = new LogFileWriter("/var/log/m.log", sink, (l) => warnings.push(l));
        const written: string[] = [];
        let cutAtNewline = 0;
        for (const s of steps) {
          if ("room" in s) room = s.room;
          else {
            const line = `INFO: ${written.length} ${s.line}`;
            written.push(line);
            w.write(`${line}\n`);
            // Cut just before its newline: in the log whole (the next write
            // ends it) and counted as dropped too.
            if (text.endsWith(line)) cutAtNewline++;
          }
        }
        room = Infinity;
        w.write("INFO: end\n");
        assertOk(text.endsWith("\nINFO: end\n") || text === "INFO: end\n", text);
        let whole = 0;
        let noted = 0;
        let notes = 0;
        for (const l of text.split("\n").slice(0, -2)) {
          const note = /^WARN: log: (\d+) lines? dropped \(no space left on device\)$/.exec(l);
          if (note) {
            noted += Number(note[1]);
            notes++;
          } else if (written.includes(l)) whole++;
          else {
            // Cut short where the disk filled: a line's start, or a note's.
            const notes = written.map((_, i) =>
              `WARN: log: ${i + 1} line${i === 0 ? "" : "s"} dropped (no space left on device)`
            );
            const cut = [...written, ...notes].some((x) => x.startsWith(l));
            assertOk(cut, `not a line written: ${JSON.stringify(l)}`);
          }
        }
        assertEquals(whole + noted, written.length);
        assertEquals(warnings.length, notes);
      },
    ),
    { numRuns: 2000 },
  );
});
