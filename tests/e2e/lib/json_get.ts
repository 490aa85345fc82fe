/**
 * Reads JSON on stdin and prints the values at the given paths, one a line,
 * for e2e tests in bash (busybox and a fresh Debian have no jq):
 *
 *   echo "$COMMAND_OUTPUT" | deno run tests/e2e/lib/json_get.ts movedPages 'after.nodes[node=2].movablePages'
 *
 * A path is dot-separated keys or list indexes; `list[KEY=VALUE]` picks the
 * element of a list whose KEY is VALUE. Strings print bare, other values as
 * JSON. Exits 1 when a path is missing, 2 when stdin is not JSON.
 *
 * @module
 */

/** The value at `path` in `value`, or undefined. */
export function jsonGet(value: unknown, path: string): unknown {
  let v = value;
  for (const segment of path.split(".")) {
    const m = /^([^[\]]*)(?:\[([^=\]]+)=([^\]]*)\])?$/.exec(segment);
    if (!m) return undefined;
    const [, key, selKey, selValue] = m;
    if (key !== "") {
      if (typeof v !== "object" || v === null) return undefined;
      v = (v as Record<string, unknown>)[key!];
    }
    if (selKey !== undefined) {
      if (!Array.isArray(v)) return undefined;
      v = v.find((e) =>
        typeof e === "object" && e !== null &&
        String((e as Record<string, unknown>)[selKey]) === selValue
      );
    }
  }
  return v;
}

async function main(paths: string[]): Promise<number> {
  const text = await new Response(Deno.stdin.readable).text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    console.error(`json_get: stdin is not JSON: ${(e as Error).message}`);
    return 2;
  }
  let rc = 0;
  for (const p of paths) {
    const v = jsonGet(value, p);
    if (v === undefined) {
      console.error(`json_get: no ${p}`);
      rc = 1;
      console.log("");
    } else {
      console.log(typeof v === "string" ? v : JSON.stringify(v));
    }
  }
  return rc;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
