/**
 * Reading files that people name (-config, -f, -config-file): at most a
 * limit of bytes, so that /dev/zero or a huge file is one error line and
 * not a process growing by a gigabyte a second; and without blocking the
 * event loop, so that SIGTERM and SIGINT are obeyed while a FIFO with no
 * writer holds the open or the read (the pending call is abandoned: the
 * process exits, or closes the file once the call returns).
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { errorText } from "./error_text.ts";
import { MAX_INPUT_FILE_BYTES } from "./limits.ts";

/** The read was given up because `signal` aborted (a stop signal came). */
export class ReadStoppedError extends Error {
  override name = "ReadStoppedError";
  constructor(path: string) {
    super(`Stopped while reading ${JSON.stringify(path)}`);
  }
}

/** A file beyond the limit; its message says the limit. */
export class InputTooLargeError extends UsageError {
  override name = "InputTooLargeError";
  constructor(readonly limitBytes: number) {
    super(`it is larger than ${limitBytes / 1024} KiB, the most memtierd reads of such a file`);
  }
}

/** `p`, or a rejection with ReadStoppedError as soon as `signal` aborts. */
function unlessStopped<T>(p: Promise<T>, path: string, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new ReadStoppedError(path));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ReadStoppedError(path));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * The text of `path`, if it holds at most `maxBytes` bytes; throws
 * InputTooLargeError beyond that (having read only `maxBytes + 1`), the
 * file's own error (NotFound, PermissionDenied, ...) if it cannot be read,
 * and ReadStoppedError when `stop` aborts first while the open or a read of
 * what is not a regular file (a FIFO) is waiting.
 *
 * @example
 * ```ts
 * import { rejects, strictEqual } from "node:assert";
 * import { InputTooLargeError, readTextFileBounded } from "./bounded_read.ts";
 * const path = Deno.makeTempFileSync();
 * Deno.writeTextFileSync(path, "policy: {name: stub}\n");
 * strictEqual(await readTextFileBounded(path, 1024), "policy: {name: stub}\n");
 * await rejects(readTextFileBounded("/dev/zero", 1024), InputTooLargeError);
 * Deno.removeSync(path);
 * ```
 */
export async function readTextFileBounded(
  path: string,
  maxBytes: number,
  stop?: AbortSignal,
): Promise<string> {
  // A regular file never blocks: it is read whole even after a stop came,
  // so that a stop during a start stops what started, in order. Only what
  // can block for ever (a FIFO, a device, a socket) gives way to the stop.
  const info = await Deno.stat(path).catch(() => undefined);
  const signal = info?.isFile ? undefined : stop;
  const opening = Deno.open(path, { read: true });
  let file: Deno.FsFile;
  try {
    file = await unlessStopped(opening, path, signal);
  } catch (e) {
    // An open still blocked (a FIFO) closes its file once it returns.
    if (e instanceof ReadStoppedError) opening.then((f) => f.close(), () => {});
    throw e;
  }
  let pending = false;
  try {
    const buf = new Uint8Array(maxBytes + 1);
    let n = 0;
    while (n < buf.length) {
      pending = true;
      const got = await unlessStopped(file.read(buf.subarray(n)), path, signal);
      pending = false;
      if (got === null) break;
      n += got;
    }
    if (n > maxBytes) throw new InputTooLargeError(maxBytes);
    return new TextDecoder().decode(buf.subarray(0, n));
  } finally {
    // A read still pending keeps the file busy; it ends with the process.
    if (!pending) file.close();
  }
}

/**
 * A component's -config-file at the prompt (policy, routines, tracker,
 * pidwatcher): at most MAX_INPUT_FILE_BYTES, and a failure as the one
 * UsageError line `reading file "PATH" failed: WHY`.
 */
export async function readConfigFile(path: string, signal?: AbortSignal): Promise<string> {
  try {
    return await readTextFileBounded(path, MAX_INPUT_FILE_BYTES, signal);
  } catch (e) {
    if (e instanceof ReadStoppedError) throw e;
    throw new UsageError(
      `reading file ${JSON.stringify(path)} failed: ${errorText(e)}`,
    );
  }
}
