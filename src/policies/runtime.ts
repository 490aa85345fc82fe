/**
 * The one life cycle of every policy. A policy is its logic (a round, its
 * dumps, its config, what it does when the pidwatcher reports processes);
 * `PolicyRuntime` builds and runs what the logic needs, from the policy's
 * parsed config: its pidwatcher, tracker and heat forecaster (each
 * optional), a `Placement` on the shared mover, and the `Loop` of rounds,
 * with the heartbeat `policy NAME`.
 *
 * Start, in this order (a failure leaves nothing running): the logic's
 * checks (`prepare`), the pidwatcher (reporting to the runtime, which
 * tells the logic first and then the tracker), the tracker, the mover's
 * config and the mover, the rounds (the first at once, unless the policy
 * waits an interval). Stop, in reverse: the rounds, the pidwatcher, the
 * tracker, the forecaster, and the mover if this policy started it.
 *
 * The mover is shared (the prompt's, the daemon's): the `mover` command
 * and other components queue on it too, so it belongs to nobody's policy.
 * The rule is that a policy leaves it as it found it: it starts the mover
 * when it starts (moves need it), and on stop it stops the mover only if
 * the mover was not running before. So `policy -stop` stops the moves that
 * the policy set going, as the Go memtierd's policies did (each stopped
 * its own mover), while a mover the person started keeps working for them;
 * queued tasks stay queued either way. Before, avoid-oom and demote-idle
 * always stopped it and age, ratio and heat never did.
 *
 * @module
 */
import type { ComponentSpec } from "../lifecycle/components.ts";
import type { ComponentDeps } from "../lifecycle/deps.ts";
import { Loop } from "../loop/loop.ts";
import type { Mover } from "../mover/mover.ts";
import type { PidListener, PidWatcher, WatchedPid } from "../pidwatchers/pidwatcher.ts";
import type { Tracker } from "../trackers/tracker.ts";
import type { TrackingConfig } from "./config.ts";
import { Placement, type PlacementConfig } from "./placement.ts";
import type { HeatForecaster, Policy, PolicyHeats } from "./policy.ts";

/** What a policy decides; a `PolicyRuntime` runs it. */
export interface PolicyLogic {
  /** Checks and warnings before anything starts; throwing stops the start. */
  prepare?(): void;
  /** One round (the runtime counts it in the stats when it ends). */
  round(): void | Promise<void>;
  /** Text for `policy -dump ARGS`. */
  dump(args: readonly string[]): string;
  configJson(): string;
  /** Processes the pidwatcher reports, before the tracker gets them. */
  addPids?(pids: readonly WatchedPid[]): void;
  removePids?(pids: readonly WatchedPid[]): void;
  /** The heatmap now, for pictures (heat only). */
  heats?(): PolicyHeats | null;
}

/** What a runtime builds for a policy, from its parsed config. */
export interface RuntimeSpec {
  /** The policy's registry name (`age`, `avoid-oom`). */
  name: string;
  /** Rounds every `intervalMs`; without, the policy has no rounds (stub). */
  intervalMs?: number;
  /** The first round one interval after start, not at once (avoid-oom). */
  firstRoundLater?: boolean;
  pidWatcher?: ComponentSpec<PidWatcher> | null | undefined;
  tracker?: ComponentSpec<Tracker> | null | undefined;
  forecaster?: ComponentSpec<HeatForecaster> | null | undefined;
  /** The policy's Mover and DryRun; without, it has no mover, components or rounds (stub). */
  placement?: PlacementConfig;
  /** Fewest pages worth a mover task (placement.ts). */
  minPages?: number;
}

/** What the logic is given: the parts the runtime owns for it. */
export interface PolicyParts {
  readonly name: string;
  readonly deps: ComponentDeps;
  readonly placement: Placement;
  readonly pidWatcher: PidWatcher | null;
  readonly tracker: Tracker | null;
  readonly forecaster: HeatForecaster | null;
  /** Whether the rounds run. */
  readonly running: boolean;
}

/** The tracker of a policy whose config names one (age, ratio, heat). */
export function trackerOf(parts: PolicyParts): Tracker {
  if (!parts.tracker) throw new TypeError(`Cannot run policy ${parts.name}: it has no tracker`);
  return parts.tracker;
}

/** Runs one policy's logic: its components, the shared mover and its rounds. */
export class PolicyRuntime<L extends PolicyLogic = PolicyLogic> implements Policy, PidListener {
  readonly logic: L;
  readonly #spec: RuntimeSpec;
  readonly #deps: ComponentDeps | undefined;
  readonly #parts: PolicyParts | undefined;
  #loop: Loop | undefined;
  /** Whether this policy started the shared mover (then it stops it). */
  #startedMover = false;

  /**
   * Builds the components of `spec` and the logic (`logic` gets them). A
   * policy with no mover, components or rounds (stub) gives its logic as
   * it is, and may leave `deps` out.
   */
  constructor(
    spec: RuntimeSpec,
    deps: ComponentDeps | undefined,
    logic: L | ((parts: PolicyParts) => L),
  ) {
    this.#spec = spec;
    this.#deps = deps;
    if (typeof logic !== "function") {
      if (spec.intervalMs !== undefined || spec.placement || spec.pidWatcher || spec.tracker) {
        throw new TypeError(`Cannot build policy ${spec.name}: its logic needs its parts`);
      }
      this.logic = logic;
      return;
    }
    if (!deps || !spec.placement) {
      throw new TypeError(`Cannot build policy ${spec.name}: it needs its deps and a placement`);
    }
    const build = <T>(s: ComponentSpec<T> | null | undefined) =>
      s ? s.factory.create(s.config, deps) : null;
    const pidWatcher = build(spec.pidWatcher);
    const tracker = build(spec.tracker);
    const forecaster = build(spec.forecaster);
    const placement = new Placement({
      deps,
      policy: spec.name,
      config: spec.placement,
      ...(spec.minPages === undefined ? {} : { minPages: spec.minPages }),
    });
    const running = () => this.running;
    this.#parts = {
      name: spec.name,
      deps,
      placement,
      pidWatcher,
      tracker,
      forecaster,
      get running() {
        return running();
      },
    };
    this.logic = logic(this.#parts);
  }

  /** Whether the rounds run. */
  get running(): boolean {
    return this.#loop?.running ?? false;
  }

  async start(): Promise<void> {
    const name = this.#spec.name;
    if (this.running) throw new Error(`Cannot start policy ${name}: it runs already`);
    this.logic.prepare?.();
    const parts = this.#parts;
    const deps = this.#deps;
    if (!parts || !deps) return;
    // The pidwatcher's first poll comes before the tracker's first scan,
    // which then primes the processes at once (the other way round that
    // scan found none, and priming waited a whole ScanIntervalMs).
    if (parts.pidWatcher) {
      parts.pidWatcher.setPidListener(this);
      await parts.pidWatcher.start();
    }
    try {
      await parts.tracker?.start();
    } catch (e) {
      await parts.pidWatcher?.stop();
      throw e;
    }
    parts.placement.applyMoverConfig();
    this.#startedMover = deps.mover.status === "NotRunning";
    deps.mover.start();
    if (this.#spec.intervalMs === undefined) return;
    this.#loop = new Loop({
      name: `policy ${name}`,
      clock: deps.clock,
      intervalMs: this.#spec.intervalMs,
      immediate: !this.#spec.firstRoundLater,
      round: () => this.round(),
      stats: deps.stats,
      logger: deps.logger,
    });
    this.#loop.start();
  }

  async stop(): Promise<void> {
    await this.#loop?.stop();
    this.#loop = undefined;
    const parts = this.#parts;
    if (!parts) return;
    await parts.pidWatcher?.stop();
    await parts.tracker?.stop();
    await parts.forecaster?.stop?.();
    if (this.#startedMover) {
      this.#startedMover = false;
      await this.#deps?.mover.stop();
    }
  }

  /** One round of the logic (what the loop runs), counted in the stats when it ends. */
  round(): void | Promise<void> {
    const done = () => this.#parts?.placement.roundDone();
    const r = this.logic.round();
    if (r instanceof Promise) return r.then(done);
    done();
  }

  /** The pidwatcher's new processes: to the logic, then to the tracker. */
  addPids(pids: readonly WatchedPid[]): void {
    this.logic.addPids?.(pids);
    this.#parts?.tracker?.addPids(pids);
  }

  /** The pidwatcher's processes gone: from the logic, then from the tracker. */
  removePids(pids: readonly WatchedPid[]): void {
    this.logic.removePids?.(pids);
    this.#parts?.tracker?.removePids(pids);
  }

  dump(args: readonly string[]): string {
    return this.logic.dump(args);
  }

  configJson(): string {
    return this.logic.configJson();
  }

  mover(): Mover | null {
    return this.#parts ? this.#parts.deps.mover : null;
  }

  tracker(): Tracker | null {
    return this.#parts?.tracker ?? null;
  }

  pidWatcher(): PidWatcher | null {
    return this.#parts?.pidWatcher ?? null;
  }

  heats(): PolicyHeats | null {
    return this.logic.heats?.() ?? null;
  }
}

/**
 * The runtime of a policy that owns a pidwatcher and a tracker (age,
 * ratio, heat), with `extra` parts (heat's forecaster).
 */
export function trackingRuntime<L extends PolicyLogic>(
  name: string,
  config: TrackingConfig,
  deps: ComponentDeps,
  logic: (parts: PolicyParts) => L,
  extra: Pick<RuntimeSpec, "forecaster"> = {},
): PolicyRuntime<L> {
  const spec: RuntimeSpec = {
    name,
    intervalMs: config.IntervalMs,
    pidWatcher: config.pidWatcher,
    tracker: config.tracker,
    placement: config,
    ...extra,
  };
  return new PolicyRuntime(spec, deps, logic);
}
