import { assertEquals, assertOk } from "../../testing/assert.ts";
import { harness, PID } from "../_harness.ts";

Deno.test("picture -record samples a process's pages per node; picture shows them as blocks", async () => {
  using h = harness();
  assertEquals(
    await h.run(`picture -record -pids ${PID} -interval-ms 1000`),
    `picture: recording pid ${PID} every 1000 ms\n`,
  );
  assertEquals(await h.run("picture -stop"), "picture: recording stopped\n");
  // pid 500 has 1040 anonymous pages (4.1 MB), all on node 0.
  const out = await h.run("picture");
  assertOk(/^node 0 █{1,60} 4\.1 MB\n$/.test(out), out);
});

Deno.test("picture -svg FILE writes the chart of what was recorded", async () => {
  using h = harness();
  const dir = Deno.makeTempDirSync({ prefix: "memtierd-picture-" });
  try {
    await h.run(
      `picture -record -pids ${PID} -interval-ms 1000 -svg ${dir}/live.svg`,
      "picture -stop",
    );
    assertOk(Deno.readTextFileSync(`${dir}/live.svg`).includes(">node 0: 4.1 MB</text>"));
    const written = await h.run(`picture -svg ${dir}/once.svg`);
    assertOk(/^picture: \d+ samples written to .*once\.svg\n$/.test(written), written);
    assertOk(Deno.readTextFileSync(`${dir}/once.svg`).startsWith("<svg "));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("picture without a recording, or -record without -pids, says what to do", async () => {
  using h = harness();
  assertEquals(
    await h.run("picture"),
    "memtierd: picture: Nothing recorded: start with picture -record -pids PID\n",
  );
  assertEquals(
    await h.run("picture -record"),
    "memtierd: picture: Flag -record needs -pids PID[,PID...]\n",
  );
  assertEquals(
    await h.run("picture -record -pids 999"),
    "memtierd: picture: Cannot record: none of pids 999 exists\n",
  );
});

Deno.test("picture -svg takes only a .svg file name; closing the session stops the recorder", async () => {
  using h = harness();
  assertEquals(
    await h.run("picture -record -pids 500 -svg 1023"),
    'memtierd: picture: Invalid -svg "1023": expected a file name ending in .svg\n',
  );
  await h.run(`picture -record -pids ${PID}`);
  await h.session.close();
  // With the test's clock a running recorder samples every 5 ms of real time.
  const before = await h.run("picture");
  await new Promise((resolve) => setTimeout(resolve, 40));
  assertEquals(await h.run("picture"), before);
});
