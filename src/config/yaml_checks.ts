/**
 * Checks of a parsed YAML document that the yaml package leaves to us: the
 * line where an unclosed `[` or `{` opened (the package reports where the
 * text ended, a line after a one-line file), and keys that are lists or
 * maps (which the package would turn into strings, with a warning of its
 * own on stderr).
 *
 * @module
 */
import { type Document, isCollection, type LineCounter, visit, type YAMLError } from "yaml";

/**
 * For an error about a flow sequence or map that is not closed, the line
 * where it opened (the innermost one still open where the error is);
 * undefined for other errors.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import YAML, { LineCounter } from "yaml";
 * import { unclosedFlowLine } from "./yaml_checks.ts";
 * const lc = new LineCounter();
 * const doc = YAML.parseDocument("policy: [unclosed\n", { lineCounter: lc });
 * strictEqual(unclosedFlowLine(doc, lc, doc.errors[0]!), 1);
 * ```
 */
export function unclosedFlowLine(
  doc: Document.Parsed,
  lc: LineCounter,
  error: YAMLError,
): number | undefined {
  if (!/^Flow (sequence|map)\b/.test(error.message)) return undefined;
  const at = error.pos[0];
  let start: number | undefined;
  visit(doc, {
    Node(_key, node) {
      if (!isCollection(node) || !node.flow || !node.range) return;
      const [from, , end] = node.range;
      if (from <= at && end >= at && (start === undefined || from > start)) start = from;
    },
  });
  return start === undefined ? undefined : lc.linePos(start).line;
}

/**
 * The line of the first key that is a list or a map (`? [a, b]`), which no
 * config accepts; undefined when every key is a scalar.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import YAML, { LineCounter } from "yaml";
 * import { collectionKeyLine } from "./yaml_checks.ts";
 * const lc = new LineCounter();
 * const doc = YAML.parseDocument("policy: {}\n? [a, b]\n: 1\n", { lineCounter: lc });
 * strictEqual(collectionKeyLine(doc, lc), 2);
 * ```
 */
export function collectionKeyLine(doc: Document.Parsed, lc: LineCounter): number | undefined {
  let line: number | undefined;
  visit(doc, {
    Pair(_key, pair) {
      if (!isCollection(pair.key)) return;
      line = lc.linePos(pair.key.range?.[0] ?? 0).line;
      return visit.BREAK;
    },
  });
  return line;
}
