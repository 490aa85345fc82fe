/**
 * memtierd's version, and the build it came from (set by tools/build.ts).
 *
 * @module
 */

/** The release version. */
export const VERSION = "0.1.0";

/** The build id: `git describe` of the tree it was built from, or "source" when run from source. */
export function buildId(): string {
  return (globalThis as { __MEMTIERD_BUILD__?: string }).__MEMTIERD_BUILD__ ?? "source";
}

/** The `-version` text, as the Go memtierd prints it. */
export function versionText(program: string): string {
  return `${program} version information:\n  - version: ${VERSION}\n  - build:   ${buildId()}\n`;
}
