/**
 * The metrics source of a command-mode or daemon session: its statistics,
 * its mover (the prompt's, or the policy's once adopted), the processes its
 * pidwatchers report, and the process selected at the prompt or queued on
 * the mover. Each scrape reads them as they are then.
 *
 * @module
 */
import type { ProcFs } from "../procfs/proc_fs.ts";
import type { PidWatcher } from "../pidwatchers/pidwatcher.ts";
import type { Session } from "../prompt/session.ts";
import { buildId, VERSION } from "../version.ts";
import type { MetricsSource } from "./collect.ts";

function reported(...watchers: (PidWatcher | null | undefined)[]): number[] {
  const pids = new Set<number>();
  for (const w of watchers) for (const p of w?.watchedPids?.() ?? []) pids.add(p.pid);
  return [...pids].sort((a, b) => a - b);
}

/** What `/metrics` reads of `session`. */
export function sessionMetricsSource(session: Session, procfs: ProcFs): MetricsSource {
  return {
    stats: session.stats,
    numaMaps: (pid) => procfs.numaMaps(pid),
    mover: () => session.components.mover,
    watchedPids: () =>
      reported(
        session.components.policy?.instance?.pidWatcher(),
        session.components.pidWatcher?.instance,
      ),
    activePids: () => {
      const pids = session.components.mover.tasks().map((t) => t.pid);
      if (session.aranges) pids.push(session.aranges.pid);
      if (session.pages) pids.push(session.pages.pid);
      return pids;
    },
    version: VERSION,
    build: buildId(),
  };
}
