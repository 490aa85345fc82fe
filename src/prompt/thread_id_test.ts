import { assertEquals } from "../testing/assert.ts";
import { BASE, fourNodeKernel, harness, PID } from "./_harness.ts";

/** The harness's kernel plus thread 501 of process 500 (in /proc as /proc/501). */
function kernelWithThread() {
  const kernel = fourNodeKernel();
  kernel.addProcess(501, "meme", [{ startAddr: BASE, pages: 1024, kind: "anon" }]).tgid = PID;
  return kernel;
}

Deno.test("pages -pid and arange -pid refuse a thread id in one line naming its process, exit 2", async () => {
  using h = harness(kernelWithThread());
  const refused = "Cannot use pid 501: it is a thread of process 500, not a process (give 500)\n";
  assertEquals(
    await h.run("pages -pid 501"),
    `searching for address ranges of pid 501\nmemtierd: pages: ${refused}`,
  );
  assertEquals(await h.run("arange -pid 501"), `memtierd: arange: ${refused}`);
  assertEquals(h.prompt.firstErrorCode, 2);
  assertEquals(await h.run("arange -pid 500"), "selected address ranges: 2\n");
});

Deno.test("tracker -start refuses a thread id in one line naming its process", async () => {
  using h = harness(kernelWithThread());
  await h.run("tracker -create softdirty");
  assertEquals(
    await h.run("tracker -start 500,501"),
    "memtierd: tracker: Cannot use pid 501: it is a thread of process 500, not a process " +
      "(give 500)\n",
  );
});
