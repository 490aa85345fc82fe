/**
 * A fake ProgramHost (see common/find_program.ts): PATH, the user, and the
 * only files there are, for tests of the checks made when a config that
 * names a program is loaded.
 *
 * @module
 */
import type { ProgramHost } from "../common/find_program.ts";

/** A file in a fake ProgramHost: its kind, permission bits and owner. */
export interface FakeFile {
  kind: "file" | "dir" | "fifo";
  mode: number;
  uid?: number;
  gid?: number;
}

/** A ProgramHost whose only files are `files` (stat follows no symlinks: there are none). */
export function fakeProgramHost(
  path: string | undefined,
  files: Record<string, FakeFile>,
  uid = 0,
  gid = 0,
): ProgramHost {
  return {
    path,
    uid,
    gid,
    stat(p) {
      const f = files[p];
      if (f === undefined) throw new Deno.errors.NotFound(`No such file or directory: ${p}`);
      return {
        isFile: f.kind === "file",
        isDirectory: f.kind === "dir",
        isSymlink: false,
        isFifo: f.kind === "fifo",
        mode: f.mode,
        uid: f.uid ?? 0,
        gid: f.gid ?? 0,
      } as Deno.FileInfo;
    },
  };
}
