import fc from "fast-check";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { FileWriteError, openAppend } from "./safe_write.ts";

/**
 * Chains of symlinks in a folder any user may write, each link root's or
 * another user's (nobody, 65534), absolute or relative, ending at root's
 * file or at nothing. openAppend() appends only through a chain of root's
 * own links to a file that exists; anything else throws FileWriteError and
 * leaves every file as it was, creating none. Needs root (chown -h).
 */
const chain = fc.record({
  links: fc.array(fc.record({ theirs: fc.boolean(), relative: fc.boolean() }), { maxLength: 4 }),
  endExists: fc.boolean(),
});

function listing(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

Deno.test("openAppend() through random chains of root's and another user's symlinks writes only through root's own (100 runs)", () => {
  fc.assert(
    fc.property(chain, ({ links, endExists }) => {
      const dir = Deno.makeTempDirSync({ prefix: "memtierd-links-" });
      try {
        Deno.chmodSync(dir, 0o777);
        const end = `${dir}/end`;
        if (endExists) Deno.writeTextFileSync(end, "root's secret\n");
        // link0 -> link1 -> ... -> end
        let target = end;
        const theirs: string[] = [];
        for (let i = links.length - 1; i >= 0; i--) {
          const path = `${dir}/link${i}`;
          Deno.symlinkSync(links[i]!.relative ? target.slice(dir.length + 1) : target, path);
          if (links[i]!.theirs) theirs.push(path);
          target = path;
        }
        if (theirs.length > 0) {
          const r = new Deno.Command("chown", { args: ["-h", "65534", ...theirs] }).outputSync();
          assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
        }
        const before = listing(dir);
        const opened = target;
        const mayWrite = theirs.length === 0 && (endExists || links.length === 0);
        if (mayWrite) {
          const f = openAppend("log file", opened);
          f.writeSync(new TextEncoder().encode("appended\n"));
          f.close();
          assertEquals(
            Deno.readTextFileSync(end),
            endExists ? "root's secret\nappended\n" : "appended\n",
          );
          assertEquals(
            listing(dir),
            links.length === 0 && !endExists ? [...before, "end"] : before,
          );
        } else {
          assertThrows(() => openAppend("log file", opened), FileWriteError);
          assertEquals(listing(dir), before);
          if (endExists) assertEquals(Deno.readTextFileSync(end), "root's secret\n");
        }
      } finally {
        Deno.removeSync(dir, { recursive: true });
      }
    }),
    { numRuns: 100 },
  );
});
