import { FileWriteError } from "../common/safe_write.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { LogFileWriter, openLogFile } from "./log_file.ts";

/** A log device that takes `room` more bytes, then fails with ENOSPC until given more room. */
function fillingSink(room: number) {
  let text = "";
  const dec = new TextDecoder();
  return {
    room,
    text: () => text,
    writeSync(bytes: Uint8Array): number {
      if (this.room === 0) throw new Error("No space left on device (os error 28)");
      const n = Math.min(bytes.length, this.room);
      text += dec.decode(bytes.subarray(0, n));
      this.room -= n;
      return n;
    },
  };
}

Deno.test("LogFileWriter drops the lines a full disk cannot take, says so once, and notes the count once there is room", () => {
  const sink = fillingSink(20);
  const warnings: string[] = [];
  const w = new LogFileWriter("/var/log/m.log", sink, (line) => warnings.push(line));
  w.write("INFO: one\n");
  w.write("INFO: two is long\n");
  w.write("INFO: three\n");
  w.write("INFO: four\n");
  assertEquals(sink.text(), "INFO: one\nINFO: two ");
  assertEquals(warnings, [
    'memtierd: WARN: Cannot write log file "/var/log/m.log": no space left on device; ' +
    "dropping log lines until it can be written again\n",
  ]);
  sink.room = 1000;
  w.write("INFO: five\n");
  assertEquals(
    sink.text(),
    "INFO: one\nINFO: two \nWARN: log: 3 lines dropped (no space left on device)\nINFO: five\n",
  );
  assertEquals(warnings.length, 1);
});

Deno.test("LogFileWriter.writeOrThrow() throws FileWriteError for the first line a log cannot take", () => {
  const w = new LogFileWriter("/dev/full", fillingSink(0), () => {});
  assertThrows(
    () => w.writeOrThrow("INFO: started\n"),
    FileWriteError,
    'Cannot write log file "/dev/full": no space left on device',
  );
});

Deno.test("openLogFile() of /dev/full throws at once; of a file, writes the first line and appends", () => {
  assertThrows(
    () => openLogFile("/dev/full", "INFO: started\n", () => {}),
    FileWriteError,
    'Cannot write log file "/dev/full": no space left on device',
  );
  const dir = Deno.makeTempDirSync({ prefix: "memtierd-log-" });
  try {
    const write = openLogFile(`${dir}/m.log`, "INFO: started\n", () => {});
    write("INFO: more\n");
    assertEquals(Deno.readTextFileSync(`${dir}/m.log`), "INFO: started\nINFO: more\n");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
