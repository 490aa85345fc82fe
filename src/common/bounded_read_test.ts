import { assertEquals, assertOk, assertRejects } from "../testing/assert.ts";
import { InputTooLargeError, ReadStoppedError, readTextFileBounded } from "./bounded_read.ts";

Deno.test("readTextFileBounded() refuses /dev/zero after reading just beyond the limit", async () => {
  const e = await assertRejects(() => readTextFileBounded("/dev/zero", 4096), InputTooLargeError);
  assertEquals(e.message, "it is larger than 4 KiB, the most memtierd reads of such a file");
});

Deno.test("readTextFileBounded() reads a file of exactly the limit whole", async () => {
  const path = Deno.makeTempFileSync();
  try {
    Deno.writeTextFileSync(path, "x".repeat(4096));
    assertEquals((await readTextFileBounded(path, 4096)).length, 4096);
    Deno.writeTextFileSync(path, "x".repeat(4097));
    await assertRejects(() => readTextFileBounded(path, 4096), InputTooLargeError);
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("readTextFileBounded() on a FIFO with no writer gives up when the signal aborts", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const fifo = `${dir}/fifo`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assertOk(made.success, "mkfifo failed");
    const stop = new AbortController();
    const reading = readTextFileBounded(fifo, 4096, stop.signal);
    setTimeout(() => stop.abort(), 20);
    await assertRejects(() => reading, ReadStoppedError);
    // Unblock the abandoned open so that the test leaves no thread waiting.
    using _writer = Deno.openSync(fifo, { write: true });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("readTextFileBounded() reads a regular file whole even after the stop came", async () => {
  const path = Deno.makeTempFileSync();
  try {
    Deno.writeTextFileSync(path, "policy: {name: stub}\n");
    const stop = new AbortController();
    stop.abort();
    assertEquals(await readTextFileBounded(path, 4096, stop.signal), "policy: {name: stub}\n");
  } finally {
    Deno.removeSync(path);
  }
});
