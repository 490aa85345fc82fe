/**
 * routines: what runs beside the policy on its own interval, and may run
 * prompt commands against it.
 *
 *   routine.ts      the Routine interface; RoutineDeps (ComponentDeps plus a
 *                   PromptRunner, exec and standard output)
 *   statactions.ts  `statactions`: commands every IntervalMs or after
 *                   PageOutMB paged out, through the exec, memtier and
 *                   memtier-prompt runners, on a lifecycle Loop
 *   timestamp.ts    its Timestamp templates (Go layouts, unix, duration)
 *   stub.ts         `stub`: does nothing
 *
 * Adding a routine is one file exporting a ComponentFactory plus one line in
 * `routineRegistry`; its module is imported when a config first names it
 * (lifecycle/lazy.ts). Routines do not import the prompt: the daemon and the
 * prompt's `routines` command give them a PromptRunner.
 *
 *   daemon/, prompt/ ──> routines/ ──> policies/ (types), lifecycle/, config/
 *
 * @module
 */
import type { ComponentKind } from "../lifecycle/components.ts";
import type { ComponentFactory, Registry } from "../lifecycle/deps.ts";
import { lazyFactory } from "../lifecycle/lazy.ts";
import type { Routine, RoutineDeps } from "./routine.ts";

export type { ExecResult, PromptResult, PromptRunner, Routine, RoutineDeps } from "./routine.ts";

/** Routines by name. */
const routineRegistry: Registry<Routine, RoutineDeps> = new Map<
  string,
  ComponentFactory<unknown, Routine, RoutineDeps>
>([
  ["statactions", lazyFactory(() => import("./statactions.ts").then((m) => m.statActionsFactory))],
  ["stub", lazyFactory(() => import("./stub.ts").then((m) => m.stubRoutineFactory))],
]);

/** The routine kind. */
export const routines: ComponentKind<Routine, RoutineDeps> = {
  kind: "routine",
  registry: routineRegistry,
};
