/**
 * The daemon: the policy and routines of a -config file, running.
 *
 * `start` reads the file, builds the component tree (every config parsed
 * and every component created before anything starts) and starts the
 * policy, then the routines with the policy attached (the Go order).
 * `reload` (SIGHUP) builds a whole new tree from the file first; only when
 * that works does it stop the old tree and start the new one, and an
 * invalid file is one `ERROR:` log line while the old tree keeps running.
 * `stop` (SIGTERM, SIGINT) stops the routines, then the policy, and
 * resolves when every loop has ended. Calls are serialized.
 *
 * @module
 */
import { ConfigError } from "../config/config_error.ts";
import { UsageError } from "../errors.ts";
import { ReadStoppedError } from "../common/bounded_read.ts";
import type { ComponentDeps } from "../lifecycle/deps.ts";
import type { Policy } from "../policies/policy.ts";
import type { Routine, RoutineDeps } from "../routines/routine.ts";
import { type DaemonConfig, loadDaemonConfig } from "./config_file.ts";
import { errorText } from "../common/error_text.ts";

/** A running (or ready) set of components. */
export interface ComponentTree {
  policy: { name: string; config: unknown; instance: Policy } | null;
  routines: { name: string; config: unknown; instance: Routine }[];
}

/** What the daemon is given. */
export interface DaemonOptions {
  /** The -config path, as the user gave it (errors name it so). */
  file: string;
  /** Reads the file (main.ts: bounded); gives up with ReadStoppedError when `signal` aborts. */
  readTextFile(path: string, signal?: AbortSignal): string | Promise<string>;
  /** The stop signal (SIGTERM, SIGINT): it ends a read that blocks (a FIFO). */
  stop?: AbortSignal;
  deps: RoutineDeps;
  /** Called with each tree that starts (the prompt adopts its policy and routines). */
  onStarted?: (tree: ComponentTree) => void;
}

/** Creates every component of a parsed config; starts nothing. */
function buildTree(config: DaemonConfig, deps: RoutineDeps): ComponentTree {
  const componentDeps: ComponentDeps = deps;
  const policy = config.policy
    ? {
      name: config.policy.name,
      config: config.policy.config,
      instance: config.policy.factory.create(config.policy.config, componentDeps),
    }
    : null;
  const routines = config.routines.map((r) => ({
    name: r.name,
    config: r.config,
    instance: r.factory.create(r.config, deps),
  }));
  return { policy, routines };
}

async function startTree(tree: ComponentTree): Promise<void> {
  await tree.policy?.instance.start();
  for (const r of tree.routines) {
    r.instance.setPolicy(tree.policy?.instance ?? null);
    await r.instance.start();
  }
}

async function stopTree(tree: ComponentTree): Promise<void> {
  const results = await Promise.allSettled([
    ...tree.routines.map((r) => r.instance.stop()),
  ]);
  const policyStop = await Promise.allSettled([tree.policy?.instance.stop()]);
  const failed = [...results, ...policyStop].find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/** The components of a -config file, started, reloaded and stopped as one. */
export class Daemon {
  #opts: DaemonOptions;
  #tree: ComponentTree | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: DaemonOptions) {
    this.#opts = options;
  }

  /** The running tree, or null before start and after stop. */
  get tree(): ComponentTree | null {
    return this.#tree;
  }

  #serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(f, f);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Reads and checks the file, and builds its tree; throws on a bad file. */
  async #load(): Promise<ComponentTree> {
    const { file, stop } = this.#opts;
    let text: string;
    try {
      text = await this.#opts.readTextFile(file, stop);
    } catch (e) {
      if (e instanceof ReadStoppedError) throw e;
      throw new UsageError(`Cannot read config file ${JSON.stringify(file)}: ${errorText(e)}`);
    }
    return buildTree(await loadDaemonConfig(text, file), this.#opts.deps);
  }

  /** Loads the file and starts its components; throws (nothing started) on a bad file. */
  start(): Promise<void> {
    return this.#serial(async () => {
      if (this.#tree) throw new Error("Cannot start the daemon: it runs already");
      const tree = await this.#load();
      try {
        await startTree(tree);
      } catch (e) {
        await stopTree(tree).catch(() => {});
        throw e;
      }
      this.#tree = tree;
      this.#opts.deps.logger.info(`started ${describe(tree)} from ${this.#opts.file}`);
      this.#opts.onStarted?.(tree);
    });
  }

  /**
   * Re-reads the file; resolves to whether the new tree runs now. A bad
   * file is logged and the old tree keeps running. Before a start has
   * succeeded, and after a stop, it does nothing and resolves to false.
   */
  reload(): Promise<boolean> {
    return this.#serial(async () => {
      if (!this.#tree) return false;
      const { logger } = this.#opts.deps;
      let next: ComponentTree;
      try {
        next = await this.#load();
      } catch (e) {
        if (e instanceof ReadStoppedError) return false;
        if (!(e instanceof ConfigError || e instanceof UsageError)) throw e;
        logger.error(`reload: ${errorText(e)}; the running configuration stays`);
        return false;
      }
      const old = this.#tree;
      if (old) await stopTree(old);
      try {
        await startTree(next);
      } catch (e) {
        await stopTree(next).catch(() => {});
        logger.error(
          `reload: cannot start the new configuration: ${errorText(e)}; restarting the old one`,
        );
        if (old) await startTree(old);
        return false;
      }
      this.#tree = next;
      logger.info(`reloaded ${this.#opts.file}: running ${describe(next)}`);
      this.#opts.onStarted?.(next);
      return true;
    });
  }

  /** Stops every component; resolves when all their loops have ended. */
  stop(): Promise<void> {
    return this.#serial(async () => {
      const tree = this.#tree;
      if (!tree) return;
      this.#tree = null;
      await stopTree(tree);
      this.#opts.deps.logger.info("stopped policy and routines");
    });
  }
}

function describe(tree: ComponentTree): string {
  const policy = tree.policy ? `policy ${tree.policy.name}` : "no policy";
  const names = tree.routines.map((r) => r.name).join(", ");
  return `${policy} and ${tree.routines.length} routine(s)${names ? ` (${names})` : ""}`;
}
