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
  /** Lines dropped since the last note (more than 0: an outage goes on). */
  #dropped = 0;
  #reason = "";
  /** The last write ended inside a line: the next starts with a newline. */
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
    const ok = (!this.#cutShort || this.#tryWrite("\n")) && this.#tryNote() &&
      this.#tryWrite(text);
    if (ok) return;
    if (this.#dropped === 0) {
      this.#warn(
        `memtierd: WARN: Cannot write log file ${JSON.stringify(this.path)}: ${this.#reason}; ` +
          "dropping log lines until it can be written again\n",
      );
    }
    this.#dropped++;
  };

  /** Writes the note of the lines dropped, if any; it ends an outage. */
  #tryNote(): boolean {
    if (this.#dropped === 0) return true;
    const n = this.#dropped;
    if (!this.#tryWrite(`WARN: log: ${n} line${n === 1 ? "" : "s"} dropped (${this.#reason})\n`)) {
      return false;
    }
    this.#dropped = 0;
    return true;
  }

  /**
   * Writes `text`; false when the file would not take it. Text written but
   * for its final newline counts as written: the next write ends it.
   */
  #tryWrite(text: string): boolean {
    const bytes = encoder.encode(text);
    let off = 0;
    try {
      while (off < bytes.length) off += this.#sink.writeSync(bytes.subarray(off));
      this.#cutShort = false;
      return true;
    } catch (e) {
      this.#reason = new FileWriteError("log file", this.path, e).reason;
      if (off > 0) this.#cutShort = true;
      return off === bytes.length - 1 && text.endsWith("\n");
    }
  }

  #writeAll(text: string): void {
    const bytes = encoder.encode(text);
    for (let off = 0; off < bytes.length;) off += this.#sink.writeSync(bytes.subarray(off));
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
