/**
 * Reader of cgroup folders under an injectable root: expanding path globs
 * (`/sys/fs/cgroup/app*`) and collecting the pids in every `cgroup.procs`
 * of a cgroup and the cgroups below it.
 *
 * Paths are given and shown as on the host (`/sys/fs/cgroup/app`); the
 * reader reads them under its root, so `new CgroupFs({ root: "fixture" })`
 * reads `fixture/sys/fs/cgroup/app` exactly as `new CgroupFs()` reads the
 * live one.
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

/** Options of `CgroupFs`. */
export interface CgroupFsOptions {
  /** Folder that stands for `/` (a fixture tree in tests). Default: the host's `/`. */
  root?: string;
}

/** Pids found under some cgroups, and the given paths that are not cgroups. */
export interface CgroupPids {
  /** Ascending, each once. */
  pids: number[];
  /** Paths that do not exist or hold no `cgroup.procs`, as given. */
  notCgroups: string[];
}

/** Reads cgroup folders under a root folder. */
export class CgroupFs {
  readonly root: string;

  constructor(options: CgroupFsOptions = {}) {
    this.root = (options.root ?? "").replace(/\/+$/, "");
  }

  /** Where a host path is read from. */
  realPath(path: string): string {
    if (this.root === "") return path;
    return `${this.root}${path.startsWith("/") ? "" : "/"}${path}`;
  }

  /**
   * The existing paths that match a glob, sorted, as host paths. Wildcards
   * (`*`, `?`, `[...]`) work within one path component, as in a shell.
   *
   * @example
   * ```ts
   * import { CgroupFs } from "./cgroup_pids.ts";
   * import assert from "node:assert";
   * const cgroups = new CgroupFs({ root: "tests/fixtures/pidwatch" });
   * assert.deepStrictEqual(cgroups.expandGlob("/sys/fs/cgroup/app*.slice"), [
   *   "/sys/fs/cgroup/app.slice",
   * ]);
   * ```
   */
  expandGlob(pattern: string): string[] {
    const absolute = pattern.startsWith("/");
    const parts = pattern.split("/").filter((p) => p !== "");
    let paths = [absolute ? "" : "."];
    for (const part of parts) {
      const next: string[] = [];
      for (const base of paths) {
        const dir = this.realPath(base === "" ? "/" : base);
        if (!WILD.test(part)) {
          const p = `${base}/${part}`;
          try {
            Deno.statSync(this.realPath(p));
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
   * A cgroup removed during the walk is skipped.
   *
   * @example
   * ```ts
   * import { CgroupFs } from "./cgroup_pids.ts";
   * import assert from "node:assert";
   * const cgroups = new CgroupFs({ root: "tests/fixtures/pidwatch" });
   * assert.deepStrictEqual(cgroups.pids(["/sys/fs/cgroup/app.slice", "/nowhere"]), {
   *   pids: [1001, 1002, 1003],
   *   notCgroups: ["/nowhere"],
   * });
   * ```
   */
  pids(paths: readonly string[]): CgroupPids {
    const pids = new Set<number>();
    const notCgroups: string[] = [];
    const walk = (dir: string): boolean => {
      const own = parseProcs(readText(`${dir}/cgroup.procs`));
      if (own === null) return false;
      for (const pid of own) pids.add(pid);
      let entries: Deno.DirEntry[] = [];
      try {
        entries = [...Deno.readDirSync(dir)];
      } catch {
        return true;
      }
      for (const e of entries) if (e.isDirectory) walk(`${dir}/${e.name}`);
      return true;
    };
    for (const p of paths) if (!walk(this.realPath(p))) notCgroups.push(p);
    return { pids: [...pids].sort((a, b) => a - b), notCgroups };
  }

  /**
   * The folders right below the cgroup at `path`, by name, as host paths;
   * null when `path` is not a folder that can be read.
   */
  subfolders(path: string): string[] | null {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(this.realPath(path))];
    } catch {
      return null;
    }
    const base = path.replace(/\/+$/, "");
    return entries.filter((e) => e.isDirectory).map((e) => e.name)
      .sort((a, b) => a.localeCompare(b)).map((name) => `${base}/${name}`);
  }

  /** The text of the file `name` of the cgroup at `path`, or null when it cannot be read. */
  readFile(path: string, name: string): string | null {
    return readText(`${this.realPath(path).replace(/\/+$/, "")}/${name}`);
  }

  /**
   * The pids in the cgroup's own `cgroup.procs` (not those below it), or
   * null when the file cannot be read.
   */
  procs(path: string): number[] | null {
    return parseProcs(this.readFile(path, "cgroup.procs"));
  }
}

function readText(file: string): string | null {
  try {
    return Deno.readTextFileSync(file);
  } catch {
    return null;
  }
}

function parseProcs(text: string | null): number[] | null {
  if (text === null) return null;
  return text.split("\n").filter((l) => /^\d+$/.test(l.trim())).map(Number);
}
