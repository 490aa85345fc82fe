/**
 * Assertions for tests, on top of node:assert (the @std/assert package is
 * out of reach: JSR is not reachable from our build machines).
 *
 * @module
 */
import assert from "node:assert/strict";

/** Deep equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}

/** A truthy value. */
export function assertOk(value: unknown, message?: string): asserts value {
  assert.ok(value, message);
}

/** `text` contains `part`. */
export function assertIncludes(text: string, part: string): void {
  if (!text.includes(part)) {
    throw new assert.AssertionError({
      message: `expected ${JSON.stringify(text)} to include ${JSON.stringify(part)}`,
    });
  }
}

/** Runs `fn`, expects it to throw an instance of `type` whose message includes `part`. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  type: new (...args: any[]) => E,
  part?: string,
): E {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof type)) {
      throw new assert.AssertionError({
        message: `expected ${type.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : e}`,
      });
    }
    if (part !== undefined) assertIncludes(e.message, part);
    return e;
  }
  throw new assert.AssertionError({ message: `expected ${type.name} to be thrown` });
}

/** Awaits `fn()`, expects it to reject with an instance of `type`; returns the error. */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  // deno-lint-ignore no-explicit-any
  type: new (...args: any[]) => E,
): Promise<E> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof type) return e;
    throw new assert.AssertionError({
      message: `expected ${type.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : e}`,
    });
  }
  throw new assert.AssertionError({ message: `expected ${type.name} to be thrown` });
}
