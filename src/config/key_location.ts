/**
 * Where a key path of a config leads in its YAML (or JSON) text: the line,
 * and the keys as the user spelled them. Config strings inside the text
 * (`config: |` blocks, one-line strings) are followed too, as documents of
 * their own, so that a path running into a nested component's config still
 * finds its line.
 *
 * @module
 */
import YAML, { isMap, isScalar, isSeq, LineCounter, type Node, Scalar } from "yaml";

/** Where a key path leads in a document: the line, and the keys as the user spelled them. */
export interface KeyLocation {
  /** 1-based line in the outermost text. */
  line: number;
  /** The keys as spelled in the document (the given ones where it has none). */
  shownPath: string[];
}

function lineOf(
  node: { range?: [number, number, number] | null } | null | undefined,
  lc: LineCounter,
) {
  return node?.range ? lc.linePos(node.range[0]).line : undefined;
}

function parseInner(text: string): { doc: YAML.Document.Parsed; lc: LineCounter } | undefined {
  const lc = new LineCounter();
  try {
    const doc = YAML.parseDocument(text, { lineCounter: lc, uniqueKeys: false, strict: false });
    return doc.errors.length === 0 ? { doc, lc } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Follows `keyPath` (keys matched in any case, list indices as numbers or
 * digit strings) from the root of `text`, into config strings where the
 * path goes on inside one. Returns the line of the deepest key or item
 * found.
 */
export function locateKeyPath(text: string, keyPath: readonly (string | number)[]): KeyLocation {
  const shownPath = keyPath.map(String);
  const top = parseInner(text);
  if (!top) return { line: 1, shownPath };
  let lc = top.lc;
  let base = 0; // line offset of the current document in the outer text
  let node: unknown = top.doc.contents;
  let line = (lineOf(node as Node, lc) ?? 1) + base;
  for (let i = 0; i < keyPath.length; i++) {
    const key = String(keyPath[i]);
    if (isScalar(node) && typeof node.value === "string") {
      // A config string: read it as a document of its own.
      const inner = parseInner(node.value);
      if (!inner) break;
      const single = !node.value.trimEnd().includes("\n");
      const literal = node.type === Scalar.BLOCK_LITERAL;
      if (!single && !literal) break; // folded or multi-line quoted: lines do not map
      // A block's text starts on the line after its `|`; a one-line string
      // is on the line of the scalar itself.
      const scalarLine = lineOf(node, lc)! + base;
      base = literal ? scalarLine : scalarLine - 1;
      lc = inner.lc;
      node = inner.doc.contents;
    }
    if (isMap(node)) {
      const spelled = (p: { key: unknown }) => isScalar(p.key) ? String(p.key.value) : undefined;
      const pair = node.items.find((p) => spelled(p) === key) ??
        node.items.find((p) => spelled(p)?.toLowerCase() === key.toLowerCase());
      if (!pair) break;
      shownPath[i] = String((pair.key as Scalar).value);
      line = (lineOf(pair.key as Node, lc) ?? line - base) + base;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(key)];
      if (!/^\d+$/.test(key) || item === undefined) break;
      line = (lineOf(item as Node, lc) ?? line - base) + base;
      node = item;
    } else break;
  }
  return { line, shownPath };
}
