/**
 * The -config file: the Go memtierd's format,
 *
 * ```yaml
 * policy:
 *   name: stub
 *   config: |            # a string of JSON or YAML, or (ours too) a map
 *     ...
 * routines:
 *   - name: statactions
 *     config: |
 *       intervalms: 1000
 *       intervalcommand: [sh, -c, date >> /tmp/log]
 * ```
 *
 * Keys match in any case; unknown keys are errors; omitted fields take
 * their defaults. `policy` may be left out when routines are given (the Go
 * one needs `policy: {name: stub}` then).
 *
 * A class template of nri-plugins' memtierd plugin whose variables were not
 * replaced (a literal `$CGROUP2_ABS_PATH`) is an error of its own: read
 * as written it would watch a cgroup named `$CGROUP2_ABS_PATH`, which does
 * not exist, and so manage nothing without a word.
 *
 * Every error is one line: `FILE:LINE: KEY.PATH: REASON`. The line is that
 * of the offending key or item; inside a `config: |` block (or a one-line
 * config string) it is found by reading the string as a YAML document of
 * its own, so that `policy.config.pidwatcher.config.intervalms` points at
 * the line of `intervalms` however deep the nesting.
 *
 * @module
 */
import YAML, { LineCounter } from "yaml";
import { collectionKeyLine, unclosedFlowLine } from "../config/yaml_checks.ts";
import { ConfigError, inConfigFile } from "../config/config_error.ts";
import { locateKeyPath } from "../config/key_location.ts";
import * as v from "valibot";
import { atMostItems, componentRef, parseWithSchema } from "../config/schema.ts";
import { MAX_ROUTINES } from "../common/limits.ts";
import { type ComponentSpec, parseComponent } from "../lifecycle/components.ts";
import { withComponentsLoaded } from "../lifecycle/lazy.ts";
import { policies } from "../policies/mod.ts";
import type { Policy } from "../policies/policy.ts";
import { routines as routineKind } from "../routines/mod.ts";
import type { Routine, RoutineDeps } from "../routines/routine.ts";
import { errorText } from "../common/error_text.ts";

/** What a config file asks for, parsed and checked, not yet created. */
export interface DaemonConfig {
  policy: ComponentSpec<Policy> | null;
  routines: ComponentSpec<Routine, RoutineDeps>[];
}

const topSchema = v.strictObject({
  policy: v.optional(componentRef()),
  routines: v.optional(
    v.pipe(
      v.array(componentRef(), "must be a list of {name, config}"),
      atMostItems(MAX_ROUTINES, "routines"),
    ),
    [],
  ),
});

/** An error of the whole file, at `line`. */
function fileError(file: string, line: number, reason: string): ConfigError {
  return new ConfigError({ reason, file: { name: file, line } });
}

function yamlProblem(doc: YAML.Document.Parsed, lc: LineCounter): [number, string] | undefined {
  const e = doc.errors[0];
  if (!e) return undefined;
  const line = unclosedFlowLine(doc, lc, e) ?? e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line;
  // The yaml package's messages end with a source excerpt after the first line.
  const message = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  return [line, message];
}

/**
 * The variables nri-plugins' memtierd plugin replaces in a class template
 * before it starts memtierd, and what it writes in their place.
 */
const PLUGIN_TEMPLATE_VARIABLES = [
  ["$CGROUP2_ABS_PATH", "the container's cgroup v2 folder"],
  ["$MEMTIERD_SWAP_STATS_PATH", "the path of a stats file"],
] as const;

/** The first line (outside comments) holding a template variable, as an error. */
function unreplacedVariable(text: string, file: string): ConfigError | undefined {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trimStart().startsWith("#")) continue;
    for (const [name, what] of PLUGIN_TEMPLATE_VARIABLES) {
      if (!line.includes(name)) continue;
      return fileError(
        file,
        i + 1,
        `${name} is a variable of an nri-memtierd class template and was not replaced: ` +
          `write ${what} there`,
      );
    }
  }
  return undefined;
}

const TOP_KEYS = new Set(["policy", "routines"]);
/** Text an error line may show whole: one word of at most 40 characters. */
const PLAIN_WORD = /^[\w.-]{1,40}$/;

/** A top-level value that is not a map: a word is shown, other text only by its length. */
function shownIfWord(value: unknown): string {
  if (typeof value !== "string") return JSON.stringify(value);
  if (PLAIN_WORD.test(value)) return JSON.stringify(value);
  return `text of ${value.length} characters, not shown`;
}

/**
 * `parseDaemonConfig` once the modules of every component the config names
 * are loaded (lifecycle/lazy.ts): what the daemon and `-check` call.
 */
export function loadDaemonConfig(text: string, file: string): Promise<DaemonConfig> {
  return withComponentsLoaded(() => parseDaemonConfig(text, file));
}

/**
 * Parses and checks a config file's text; `file` names it in errors. Throws
 * a ConfigError whose message is the one line to print; throws
 * ComponentNotLoaded while a component it names is not loaded yet (see
 * `loadDaemonConfig`).
 */
export function parseDaemonConfig(text: string, file: string): DaemonConfig {
  const lc = new LineCounter();
  let doc: YAML.Document.Parsed;
  try {
    doc = YAML.parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: true });
  } catch (e) {
    throw fileError(file, 1, `cannot read YAML: ${errorText(e)}`);
  }
  const problem = yamlProblem(doc, lc);
  if (problem) {
    throw fileError(file, problem[0], `cannot read YAML: ${problem[1]}`);
  }
  const complexKey = collectionKeyLine(doc, lc);
  if (complexKey !== undefined) {
    throw fileError(file, complexKey, "a key must be a word, not a list or a map");
  }
  const unreplaced = unreplacedVariable(text, file);
  if (unreplaced) throw unreplaced;
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw fileError(file, 1, `cannot read YAML: ${errorText(e)}`);
  }
  if (raw === null || raw === undefined) {
    throw fileError(
      file,
      1,
      "nothing configured: expected policy: {name, config} and/or routines: [{name, config}]",
    );
  }
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw fileError(
      file,
      1,
      `expected a map with policy: {name, config} and/or routines: [{name, config}] (got ${
        Array.isArray(raw) ? "a list" : shownIfWord(raw)
      })`,
    );
  }
  // A file that is no config at all (/etc/shadow given as -config) is not
  // copied into the error line and the log: a key that is no word is not shown.
  const strange = Object.keys(raw).find((k) => !TOP_KEYS.has(k) && !PLAIN_WORD.test(k));
  if (strange !== undefined) {
    throw fileError(
      file,
      locateKeyPath(text, [strange]).line,
      `not a memtierd config: a key is neither policy nor routines, nor a word (${strange.length} characters, not shown)`,
    );
  }
  const fail = (e: unknown, prefix: readonly (string | number)[]): never => {
    if (!(e instanceof ConfigError)) throw e;
    throw new ConfigError(inConfigFile(e, file, text, prefix));
  };
  let top: v.InferOutput<typeof topSchema>;
  try {
    top = parseWithSchema(topSchema, raw, file);
  } catch (e) {
    return fail(e, []);
  }
  if (top.policy === undefined && top.routines.length === 0) {
    throw fileError(
      file,
      1,
      "nothing configured: expected policy: {name, config} and/or routines: [{name, config}]",
    );
  }
  let policy: ComponentSpec<Policy> | null = null;
  if (top.policy) {
    try {
      policy = parseComponent(policies, top.policy);
    } catch (e) {
      fail(e, ["policy"]);
    }
  }
  const routineSpecs = top.routines.map((ref, i) => {
    try {
      return parseComponent(routineKind, ref);
    } catch (e) {
      return fail(e, ["routines", i]);
    }
  });
  return { policy, routines: routineSpecs };
}
