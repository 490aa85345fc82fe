import { ConfigError } from "../config/config_error.ts";
import { UsageError } from "../errors.ts";
import { PromptSyntaxError } from "../prompt/tokenize.ts";
import { assertEquals } from "../testing/assert.ts";
import { ExitCode, exitCodeFor } from "./exit_codes.ts";

Deno.test("exitCodeFor() gives 2 for a usage error, a bad config and a bad prompt line", () => {
  assertEquals(exitCodeFor(new UsageError("x")), 2);
  assertEquals(exitCodeFor(new ConfigError({ reason: "x" })), 2);
  assertEquals(exitCodeFor(new PromptSyntaxError("x")), 2);
});

Deno.test("exitCodeFor() gives 1 for a kernel file it could not parse, 70 for a bug", () => {
  assertEquals(exitCodeFor(new SyntaxError("Cannot parse maps line 3")), ExitCode.FAILURE);
  assertEquals(exitCodeFor(new TypeError("x is undefined")), ExitCode.INTERNAL);
});
