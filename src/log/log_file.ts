/**
 * The `-l FILE` log: lines appended to a file that may fill up. A log that
 * cannot be written when memtierd starts (`/dev/full`, a full file system,
 * `/proc/version`) is an error, one line and exit 1; once running, a line
 * that cannot be written is dropped (or ends cut short), memtierd says so
 * once on stderr and keeps running, and the first line written afterwards
 * is a note of how many were lost. A full disk must not stop the daemon
 * that is moving production memory.
 *
 * @module
 */
import { FileWriteError, openAppend } from "../common/safe_write.ts";

/** What a log file is written through (a Deno.FsFile; a fake in tests). */
export interface LogSink {
  writeSync(bytes: Uint8Array): number;
}

const encoder = new TextEncoder();

/** A log file's writer: strict for the first line, forgiving after. */
export class LogFileWriter {
  readonly path: string;
  #sink: LogSink;
  #warn: (line: string) => void;
  #dropped = 0;
  #reason = "";
  #cutShort = false;

  /** `warn` gets the one line saying that lines are being dropped (memtierd: stderr). */
  constructor(path: string, sink: LogSink, warn: (line: string) => void) {
    this.path = path;
    this.#sink = sink;
    this.#warn = warn;
  }

  /** Writes `text` whole, or throws `FileWriteError` (exit 1). */
  writeOrThrow(text: string): void {
    try {
      this.#writeAll(text);
    } catch (e) {
      throw new FileWriteError("log file", this.path, e);
    }
  }

  /** Writes `text`, or drops it; never throws. */
  readonly write = (text: string): void => {
    try {
      if (this.#cutShort) this.#writeAll("\n");
      this.#cutShort = false;
      if (this.#dropped > 0) {
        this.#writeAll(
          `WARN: log: ${this.#dropped} line${this.#dropped === 1 ? "" : "s"} ` +
            `dropped (${this.#reason})\n`,
        );
        this.#dropped = 0;
      }
      this.#writeAll(text);
    } catch (e) {
      if (this.#dropped === 0) {
        this.#reason = new FileWriteError("log file", this.path, e).reason;
        this.#warn(
          `memtierd: WARN: Cannot write log file ${JSON.stringify(this.path)}: ${this.#reason}; ` +
            "dropping log lines until it can be written again\n",
        );
      }
      this.#dropped++;
    }
  };

  #writeAll(text: string): void {
    const bytes = encoder.encode(text);
    for (let off = 0; off < bytes.length;) {
      const n = this.#sink.writeSync(bytes.subarray(off));
      off += n;
      // A line partly written: the next write ends it first.
      if (off < bytes.length) this.#cutShort = true;
    }
    this.#cutShort = false;
  }
}

/**
 * Opens `path` for `-l` (appending, never through a symlink, see
 * common/safe_write.ts) and writes `firstLine`: a log that cannot take it
 * throws `FileWriteError`. The writer returned drops what it cannot write,
 * telling `warn` once per run of failures.
 */
export function openLogFile(
  path: string,
  firstLine: string,
  warn: (line: string) => void,
): (text: string) => void {
  const file = openAppend("log file", path);
  const writer = new LogFileWriter(path, file, warn);
  try {
    writer.writeOrThrow(firstLine);
  } catch (e) {
    file.close();
    throw e;
  }
  return writer.write;
}
