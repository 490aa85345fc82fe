import { assertEquals } from "../../testing/assert.ts";
import { harness } from "../_harness.ts";

Deno.test("pages -pk beyond the last page frame is one usage line and exit 2", async () => {
  using h = harness();
  const flags = new Uint32Array(2 * 8); // frames 0 to 7
  Deno.writeFileSync(`${h.session.opts.procfs.root}/kpageflags`, new Uint8Array(flags.buffer));
  assertEquals(
    await h.run("pages -pk 999999999999"),
    "memtierd: pages: Invalid -pk 999999999999: beyond the last page frame of this machine " +
      "(accepted: a page frame number within /proc/kpageflags)\n",
  );
  assertEquals(h.prompt.firstErrorCode, 2);
  assertEquals((await h.run("pages -pk 7")).split("\n")[0], "LOCKED        0");
});
