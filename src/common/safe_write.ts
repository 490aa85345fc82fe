/**
 * Writing files as root in folders other users may write to. memtierd runs
 * as root, and the files it is told to write (`picture -svg`, a heat trace,
 * a forecaster's stderr file, the `-l` log) may lie in a shared folder: a
 * user who can write there must not make root write through a symlink of
 * theirs (`ln -s /etc/shadow /shared/chart.svg.tmp`).
 *
 * - `replaceFile()` writes a whole file: into a new file created
 *   exclusively (O_CREAT|O_EXCL, which never follows a symlink) under an
 *   unpredictable name in the target's folder, then renamed over the target
 *   (rename replaces a symlink, it does not follow it). A reader never sees
 *   half a file.
 * - `openAppend()` opens a file to append to: created exclusively if
 *   missing; if present it must be a regular file or a character device
 *   (`/dev/null`) and no symlink, and the file opened must be the one
 *   looked at (same device and inode), else nothing is written.
 *
 * - `whyNotAppendable()` says, without opening or creating anything, why
 *   `openAppend()` would refuse a path: for a config's checks at load.
 *
 * Failures throw `FileWriteError`, a failed system call: exit 1.
 *
 * @module
 */
import { SyscallError } from "../ffi/syscall_error.ts";

/** The errno in a Deno file error ("Is a directory (os error 21)"), or EIO. */
function errnoOf(e: unknown): number {
  const m = e instanceof Error ? /\(os error (\d+)\)/.exec(e.message) : null;
  return m ? Number(m[1]) : 5;
}

/** The reason in a Deno file error, without errno and path: "is a directory". */
function reasonOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const reason = text.replace(/\s*\(os error \d+\)[\s\S]*$/, "");
  return reason.charAt(0).toLowerCase() + reason.slice(1);
}

/**
 * A file memtierd was told to write could not be written.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { FileWriteError } from "./safe_write.ts";
 * const e = new FileWriteError("picture", "/x/a.svg", new Error("Is a directory (os error 21)"));
 * strictEqual(e.message, 'Cannot write picture "/x/a.svg": is a directory');
 * strictEqual(e.errno, 21);
 * ```
 */
export class FileWriteError extends SyscallError {
  override name = "FileWriteError";
  readonly path: string;
  /** What went wrong, without the path: "no space left on device". */
  readonly reason: string;
  /** `cause`: the error thrown by the file operation, or the reason as text. */
  constructor(what: string, path: string, cause: unknown) {
    super("write", typeof cause === "string" ? 5 : errnoOf(cause));
    this.path = path;
    this.reason = typeof cause === "string" ? cause : reasonOf(cause);
    this.message = `Cannot write ${what} ${JSON.stringify(path)}: ${this.reason}`;
  }
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
}

function randomName(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length;) off += file.writeSync(bytes.subarray(off));
}

/**
 * Writes `data` as the whole of `path` (`what` names it in errors), through
 * a new file of an unpredictable name in the same folder, renamed into
 * place. Throws `FileWriteError`; nothing but `path` is ever written.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { replaceFile } from "./safe_write.ts";
 * const dir = Deno.makeTempDirSync();
 * replaceFile("chart", `${dir}/a.svg`, "<svg/>\n");
 * strictEqual(Deno.readTextFileSync(`${dir}/a.svg`), "<svg/>\n");
 * strictEqual([...Deno.readDirSync(dir)].length, 1);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function replaceFile(what: string, path: string, data: string | Uint8Array): void {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const tmp = `${folderOf(path)}/.${base}.${randomName()}.tmp`;
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(tmp, { write: true, createNew: true, mode: 0o644 });
  } catch (e) {
    throw new FileWriteError(what, path, e);
  }
  try {
    try {
      writeAll(file, typeof data === "string" ? new TextEncoder().encode(data) : data);
    } finally {
      file.close();
    }
    Deno.renameSync(tmp, path);
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch {
      // Gone already: unlink never follows a symlink, so nothing else is lost.
    }
    throw new FileWriteError(what, path, e);
  }
}

/**
 * Opens `path` to append to (`what` names it in errors): created
 * exclusively when missing; otherwise it must be a regular file, a
 * character device or a pipe, and stay the file looked at. A symlink is
 * followed only when it and every link after it belong to the user
 * memtierd runs as (as the kernel's fs.protected_symlinks rule does), so
 * `-l /dev/stderr` works and a link another user planted does not. Throws
 * `FileWriteError`.
 */
export function openAppend(what: string, path: string): Deno.FsFile {
  try {
    return Deno.openSync(path, { append: true, createNew: true, mode: 0o644 });
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw new FileWriteError(what, path, e);
  }
  let seen: Deno.FileInfo;
  let openFile: boolean;
  try {
    [seen, openFile] = endOfOwnLinks(path);
  } catch (e) {
    throw new FileWriteError(what, path, e instanceof LinkRefused ? e.message : e);
  }
  // A pipe only as one already open (a named FIFO's open waits for a reader).
  if (!seen.isFile && !seen.isCharDevice && !(openFile && seen.isFifo)) {
    throw new FileWriteError(what, path, "it is no regular file");
  }
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { append: true });
  } catch (e) {
    throw new FileWriteError(what, path, e);
  }
  const opened = file.statSync();
  if (opened.dev !== seen.dev || opened.ino !== seen.ino) {
    file.close();
    throw new FileWriteError(what, path, "it was replaced while memtierd opened it");
  }
  return file;
}

class LinkRefused extends Error {}

/** What is looked at of the file system, and as whom; tests give fakes. */
export interface FileLookup {
  /** The user and group memtierd runs as. */
  uid: number | null;
  gid: number | null;
  lstat(path: string): Deno.FileInfo;
  stat(path: string): Deno.FileInfo;
  readLink(path: string): string;
}

/** The real file system, as the process's user. */
export const realFileLookup: FileLookup = {
  get uid() {
    return Deno.uid();
  },
  get gid() {
    return Deno.gid();
  },
  lstat: (path) => Deno.lstatSync(path),
  stat: (path) => Deno.statSync(path),
  readLink: (path) => Deno.readLinkSync(path),
};

/**
 * The file at the end of `path`'s symlinks (lstat of `path` when it is
 * none), refusing a link that belongs to another user; and whether it is a
 * file the process has open. A link under /proc (`/proc/self/fd/2`, where
 * `/dev/stderr` leads) names such a file, not a path: it is the kernel's,
 * and is stat'ed through.
 */
function endOfOwnLinks(path: string, fs: FileLookup = realFileLookup): [Deno.FileInfo, boolean] {
  const uid = fs.uid;
  let at = path;
  for (let hops = 0; hops < 16; hops++) {
    const info = fs.lstat(at);
    if (!info.isSymlink) return [info, false];
    if (info.uid !== uid) {
      throw new LinkRefused(
        `it is a symbolic link of user ${info.uid} (memtierd follows only its own user's)`,
      );
    }
    if (at.startsWith("/proc/")) return [fs.stat(at), true];
    const target = fs.readLink(at);
    at = target.startsWith("/") ? target : `${folderOf(at)}/${target}`;
  }
  throw new LinkRefused("too many levels of symbolic links");
}

/**
 * Whether the permission bits of `info` give `bits` (0o2 write, 0o1 search)
 * to `fs`'s user: root always; the owner, the group or others by their
 * bits. A group other than memtierd's own may be one of its supplementary
 * groups: its bits count too, so that nothing that may work is refused.
 */
function permits(info: Deno.FileInfo, bits: number, fs: FileLookup): boolean {
  if (fs.uid === 0 || fs.uid === null) return true;
  const mode = info.mode ?? 0;
  if (info.uid === fs.uid) return (mode & (bits << 6)) === bits << 6;
  const group = (mode & (bits << 3)) === bits << 3;
  if (info.gid === fs.gid) return group;
  return group || (mode & bits) === bits;
}

/**
 * Why `openAppend(path)` would refuse `path` or fail for want of
 * permission, or undefined when it should work; found with stat and
 * readlink only: nothing is opened, created or truncated. A missing file
 * needs a folder memtierd may create files in; a present one must be a
 * regular file or a character device, reached through no other user's
 * symlink, and writable. (A full disk or a read-only mount shows only
 * when written.)
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { whyNotAppendable } from "./safe_write.ts";
 * strictEqual(whyNotAppendable("/nonexistent/trace.txt"), 'folder "/nonexistent" does not exist');
 * strictEqual(whyNotAppendable("/"), "it is no regular file");
 * ```
 */
export function whyNotAppendable(
  path: string,
  fs: FileLookup = realFileLookup,
): string | undefined {
  let seen: Deno.FileInfo;
  let openFile: boolean;
  try {
    fs.lstat(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) return reasonOf(e);
    const folder = folderOf(path);
    let info: Deno.FileInfo;
    try {
      info = fs.stat(folder);
    } catch (e) {
      return e instanceof Deno.errors.NotFound
        ? `folder ${JSON.stringify(folder)} does not exist`
        : `folder ${JSON.stringify(folder)}: ${reasonOf(e)}`;
    }
    if (!info.isDirectory) return `${JSON.stringify(folder)} is no folder`;
    return permits(info, 0o3, fs)
      ? undefined
      : `no permission to create files in folder ${JSON.stringify(folder)}`;
  }
  try {
    [seen, openFile] = endOfOwnLinks(path, fs);
  } catch (e) {
    if (e instanceof LinkRefused) return e.message;
    if (e instanceof Deno.errors.NotFound) return "it is a symbolic link to a missing file";
    return reasonOf(e);
  }
  if (!seen.isFile && !seen.isCharDevice && !(openFile && seen.isFifo)) {
    return "it is no regular file";
  }
  return permits(seen, 0o2, fs)
    ? undefined
    : `no permission to write to it (mode ${
      ((seen.mode ?? 0) & 0o777).toString(8)
    }, user ${seen.uid})`;
}
