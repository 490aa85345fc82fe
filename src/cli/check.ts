/**
 * `memtierd -config FILE -check`: reads FILE and checks all of it (every
 * component's config, nested ones too) as the daemon would before it
 * builds anything, then stops there: no component is created, so no
 * system call is made, no file but FILE is read (the programs a routine
 * would exec and the files a component would write are only looked at:
 * stat, never opened) and no loop is started.
 * Like `nginx -t`, for an ExecStartPre or a ConfigMap test.
 *
 * @module
 */
import { errorText } from "../common/error_text.ts";
import { UsageError } from "../errors.ts";
import { loadDaemonConfig } from "../daemon/config_file.ts";

/**
 * Checks the config file `file`, read with `readTextFile`, and returns the
 * line to print (`FILE: ok`). A bad file throws the daemon's own one-line
 * error (a ConfigError, exit 2); an unreadable one a UsageError.
 *
 * @example
 * ```ts
 * import { checkConfigFile } from "./check.ts";
 * import { assertEquals } from "../testing/assert.ts";
 *
 * const line = await checkConfigFile("m.yaml", () => "policy: {name: stub}\n");
 * assertEquals(line, "m.yaml: ok\n");
 * ```
 */
export async function checkConfigFile(
  file: string,
  readTextFile: (path: string) => string | Promise<string>,
): Promise<string> {
  let text: string;
  try {
    text = await readTextFile(file);
  } catch (e) {
    throw new UsageError(
      `Cannot read config file ${JSON.stringify(file)}: ${errorText(e)}`,
    );
  }
  await loadDaemonConfig(text, file);
  return `${file}: ok\n`;
}
