/**
 * Whether a program memtierd is configured to run (a routine's `exec`
 * command, the stdio heat forecaster's child) can be started, checked when
 * the config is loaded (and not once per round, when it is too late to say
 * so clearly): the program is looked up as execvp(3) does, without running
 * it. A name with a slash is a path; a bare name is searched in the
 * folders of PATH (glibc's default `/bin:/usr/bin` when PATH is unset).
 * What is found must be a regular file (symlinks followed) with an
 * execute bit that applies to the user memtierd runs as (root: any).
 *
 * @module
 */

/** What the lookup reads of the system; tests give fakes. */
export interface ProgramHost {
  /** PATH, or undefined when unset. */
  path: string | undefined;
  uid: number;
  gid: number;
  /** stat(2), symlinks followed; throws when there is nothing there. */
  stat(path: string): Deno.FileInfo;
}

/** The host memtierd runs on. */
export const realProgramHost: ProgramHost = {
  get path() {
    return Deno.env.get("PATH");
  },
  get uid() {
    return Deno.uid() ?? 0;
  },
  get gid() {
    return Deno.gid() ?? 0;
  },
  stat: (path) => Deno.statSync(path),
};

const DEFAULT_PATH = "/bin:/usr/bin";

/** Why the file at `path` cannot be executed, or undefined when it can. */
function notExecutable(info: Deno.FileInfo, host: ProgramHost): string | undefined {
  if (info.isDirectory) return "is a directory";
  if (!info.isFile) return "is no regular file";
  const mode = (info.mode ?? 0) & 0o777;
  let bits: number;
  if (host.uid === 0) bits = 0o111;
  else if (info.uid === host.uid) bits = 0o100;
  // Another group may be one of our supplementary groups: its bit counts.
  else bits = info.gid === host.gid ? 0o010 : 0o011;
  return (mode & bits) === 0
    ? `is not executable (mode ${mode.toString(8).padStart(3, "0")})`
    : undefined;
}

/**
 * Why `program` cannot be started, or undefined when it can.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { whyNotRunnable } from "./find_program.ts";
 * strictEqual(whyNotRunnable("no-such-program-here", { path: "/nonexistent", uid: 0, gid: 0, stat: Deno.statSync }),
 *   "not found in PATH");
 * ```
 */
export function whyNotRunnable(program: string, host: ProgramHost): string | undefined {
  if (program.includes("/")) {
    let info: Deno.FileInfo;
    try {
      info = host.stat(program);
    } catch (e) {
      return e instanceof Deno.errors.NotFound ? "no such file" : "cannot be looked at";
    }
    return notExecutable(info, host);
  }
  let firstReason: string | undefined;
  for (const dir of (host.path ?? DEFAULT_PATH).split(":")) {
    let info: Deno.FileInfo;
    try {
      // An empty entry is the current folder, as for execvp.
      info = host.stat(`${dir === "" ? "." : dir}/${program}`);
    } catch {
      continue;
    }
    const reason = notExecutable(info, host);
    if (reason === undefined) return undefined;
    firstReason ??= `${dir === "" ? "." : dir}/${program} ${reason}`;
  }
  return firstReason ?? "not found in PATH";
}
