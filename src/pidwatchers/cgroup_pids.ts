/**
 * Processes in cgroups: expanding path globs (`/sys/fs/cgroup/app*`) and
 * collecting the pids in every `cgroup.procs` below the matches.
 *
 * @module
 */

function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        let set = glob.slice(i + 1, end);
        if (set.startsWith("!")) set = `^${set.slice(1)}`;
        re += `[${set.replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

const WILD = /[*?[]/;

/**
 * The existing paths that match a glob, sorted. Wildcards (`*`, `?`, `[...]`)
 * work within one path component, as in a shell.
 *
 * @example
 * ```ts ignore
 * import { expandGlob } from "./cgroup_pids.ts";
 * expandGlob("/sys/fs/cgroup/*.slice");
 * ```
 */
export function expandGlob(pattern: string): string[] {
  const absolute = pattern.startsWith("/");
  const parts = pattern.split("/").filter((p) => p !== "");
  let paths = [absolute ? "" : "."];
  for (const part of parts) {
    const next: string[] = [];
    for (const base of paths) {
      const dir = base === "" ? "/" : base;
      if (!WILD.test(part)) {
        const p = `${base}/${part}`;
        try {
          Deno.statSync(p);
          next.push(p);
        } catch {
          // no such path
        }
        continue;
      }
      const re = globToRegExp(part);
      try {
        for (const e of Deno.readDirSync(dir)) {
          if (re.test(e.name) && (part.startsWith(".") || !e.name.startsWith("."))) {
            next.push(`${base}/${e.name}`);
          }
        }
      } catch {
        // not a readable folder
      }
    }
    paths = next;
  }
  return paths.map((p) => (absolute ? p : p.replace(/^\.\//, ""))).sort();
}

/**
 * Pids listed in `cgroup.procs` of the cgroups at `paths` and every cgroup
 * below them. A folder without `cgroup.procs` is not a cgroup and is not
 * searched, so a stray path like `/` does not walk the whole file system.
 */
export function cgroupPids(paths: readonly string[]): number[] {
  const pids = new Set<number>();
  const walk = (dir: string) => {
    let text: string;
    try {
      text = Deno.readTextFileSync(`${dir}/cgroup.procs`);
    } catch {
      return;
    }
    for (const line of text.split("\n")) if (/^\d+$/.test(line.trim())) pids.add(Number(line));
    let entries: Deno.DirEntry[] = [];
    try {
      entries = [...Deno.readDirSync(dir)];
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory) walk(`${dir}/${e.name}`);
  };
  for (const p of paths) walk(p);
  return [...pids].sort((a, b) => a - b);
}
