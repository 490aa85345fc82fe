/**
 * Test support, beside main.ts and above every registry it loads (under
 * src/testing it pointed up at them). For tests that parse configs
 * synchronously (`parseDaemonConfig`, a factory's `parse` that names
 * nested components): the registries load each component's module on
 * first use (lifecycle/lazy.ts), which only the asynchronous entry points
 * (`loadDaemonConfig`, the prompt's commands) wait for.
 *
 * @module
 */
import { loadAll } from "./lifecycle/lazy.ts";
import { pidWatcherRegistry } from "./pidwatchers/mod.ts";
import { policyRegistry } from "./policies/mod.ts";
import { routines } from "./routines/mod.ts";
import { trackerRegistry } from "./trackers/mod.ts";

/** Loads the module of every policy, tracker, pidwatcher and routine. */
export async function loadAllComponents(): Promise<void> {
  await Promise.all([
    loadAll(policyRegistry),
    loadAll(trackerRegistry),
    loadAll(pidWatcherRegistry),
    loadAll(routines.registry),
  ]);
}
