import { assertEquals } from "../testing/assert.ts";
import { fakeSystem } from "../testing/fake_system.ts";
import { FakeKernel } from "../testing/fake_kernel.ts";
import { testEnv } from "./_test_env.ts";
import { helpText, plainAnswer } from "./help.ts";
import { runCli } from "./run.ts";

async function cliOutput(args: string[]): Promise<{ code: number; out: string }> {
  using sys = fakeSystem(new FakeKernel().addNode(0, 1000, [0]));
  const env = testEnv(sys);
  const code = await runCli(args, env);
  return { code, out: env.stdout() };
}

Deno.test("plainAnswer() gives what runCli prints for each plain --help, -h and --version", async () => {
  for (const arg of ["--help", "-help", "-h", "--h", "--version", "-version"]) {
    const answer = plainAnswer([arg], "memtierd");
    assertEquals({ code: 0, out: answer }, await cliOutput([arg]), arg);
  }
  assertEquals(plainAnswer(["-h"], "memtierd"), helpText());
});

Deno.test("plainAnswer() leaves every other command line to runCli", () => {
  for (
    const args of [
      [],
      ["--version", "--help"],
      ["--version=true"],
      ["---version"],
      ["version"],
      ["-v"],
      ["--pid=1"],
    ]
  ) {
    assertEquals(plainAnswer(args, "memtierd"), undefined, args.join(" "));
  }
});
