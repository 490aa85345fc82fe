/**
 * pidwatchers: finding the processes memtierd acts on. For now the part the
 * prompt's `swap -pid-cgroups` needs; the watchers (cgroups, proc, pidlist,
 * filter) of the Go memtierd come with the daemon mode.
 *
 *   cgroup_pids.ts  expandGlob (cgroup path globs), cgroupPids (pids in
 *                   cgroup.procs of a cgroup and every cgroup below it)
 *
 * @module
 */
export * from "./cgroup_pids.ts";
