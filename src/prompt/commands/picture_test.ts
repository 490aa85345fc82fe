import { assertEquals, assertIncludes, assertOk } from "../../testing/assert.ts";
import { BASE, type Harness, harness, PID } from "../_harness.ts";

/**
 * `n` sleeps of `ms` on the test's clock: the turns in which the session's
 * loops on that clock (a recorder's among them) run, with no real time.
 */
async function sleeps(h: Harness, n: number, ms: number): Promise<void> {
  for (let i = 0; i < n; i++) await h.clock.sleep(ms);
}

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
  // Running, it samples while the test's clock goes on.
  const first = await h.run("picture");
  await sleeps(h, 20, 1000);
  assertOk(await h.run("picture") !== first);
  await h.session.close();
  const closed = await h.run("picture");
  await sleeps(h, 20, 1000);
  assertEquals(await h.run("picture"), closed);
});

const HEAT_POLICY =
  `policy -create heat -config '{"PidWatcher":{"name":"pidlist","config":{"Pids":[${PID}]}},` +
  `"Tracker":{"name":"softdirty","Config":{"ScanIntervalMs":50,"PagesInRegion":256,` +
  `"MaxCountPerRegion":0}},"IntervalMs":100,` +
  `"Heatmap":{"HeatMax":0.01,"HeatRetention":0,"HeatClasses":2},"HeatNumas":{"1":[0]}}'`;

/** pid 500 writes its first 256 anon pages (BASE) between sleeps of the test's clock for `ms`. */
async function writeHot(h: Harness, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 50) {
    h.sys.access(PID, BASE, BASE + 256 * 4096, true);
    await h.clock.sleep(50);
  }
}

Deno.test("picture -heat -record -pid P samples the heat policy's heatmap; picture -heat shows it as blocks, -svg as a chart", async () => {
  using h = harness();
  const dir = Deno.makeTempDirSync({ prefix: "memtierd-picture-" });
  try {
    await h.run(HEAT_POLICY, "policy -start");
    await writeHot(h, 1000);
    assertEquals(
      await h.run(`picture -heat -record -pid ${PID} -interval-ms 500 -svg ${dir}/heat.svg`),
      `picture: recording the heat of pid ${PID} every 500 ms\n`,
    );
    await writeHot(h, 1000);
    await h.run("policy -stop");
    assertEquals(await h.run("picture -stop"), "picture: recording stopped\n");
    // 8 rows of 130 of the 1040 pages: the heap (16) and the written 256
    // (hot) fill the first two and 12 of the third (░); the other 768 are
    // cold. The recorder's sleeps move the test's clock too, so between two
    // writes the written pages can have cooled in an early sample; the last
    // ones, under steady writes, show them hot.
    const out = await h.run("picture -heat");
    assertOk(
      /^0x00000ff00000 [█ ]*█{3}\n0x000010072000 [█ ]*█{3}\n0x0000100f4000 [░ ]*░{3}\n(0x[0-9a-f]{12} {3,}\n){5}$/
        .test(out),
      out,
    );
    const live = Deno.readTextFileSync(`${dir}/heat.svg`);
    assertIncludes(live, `>heat of pid ${PID}: address space (top: low) over time (`);
    assertIncludes(live, ">heat max 0.01, 2 classes</text>");
    const written = await h.run(`picture -heat -pid ${PID} -svg ${dir}/once.svg`);
    assertOk(
      /^picture: \d+ heat samples of pid 500 written to .*once\.svg\n$/.test(written),
      written,
    );
    // The hot class's red (#e53935) and the cold one's blue (#304ffe).
    const once = Deno.readTextFileSync(`${dir}/once.svg`);
    assertOk(once.includes('fill="#e53935"') && once.includes('fill="#304ffe"'), once);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("picture -heat -pid P without a recording shows the heatmap now, one column", async () => {
  using h = harness();
  await h.run(HEAT_POLICY, "policy -start");
  await writeHot(h, 1000);
  await h.run("policy -stop");
  assertEquals(
    await h.run(`picture -heat -pid ${PID}`),
    "0x00000ff00000 █\n0x000010072000 █\n0x0000100f4000 ░\n0x000010176000  \n" +
      "0x0000101f8000  \n0x00001027a000  \n0x0000102fc000  \n0x00001037e000  \n",
  );
});

Deno.test("picture -heat says what it needs: policy heat, a -pid it watches", async () => {
  using h = harness();
  assertEquals(
    await h.run(`picture -heat -pid ${PID}`),
    "memtierd: picture: Cannot picture heat: no policy (-heat needs policy heat: policy -create heat -config ...)\n",
  );
  await h.run("policy -create stub");
  assertEquals(
    await h.run(`picture -heat -record -pid ${PID}`),
    "memtierd: picture: Cannot picture heat: policy stub keeps no heatmap (-heat needs policy heat)\n",
  );
  await h.run(HEAT_POLICY);
  // Created, not started: its pidwatcher has not given it the process yet.
  assertEquals(
    await h.run(`picture -heat -pid ${PID}`),
    "memtierd: picture: Cannot picture heat: pid 500 is not watched by the policy (watched: none)\n",
  );
  await h.run("policy -start");
  await h.clock.sleep(100);
  assertEquals(
    await h.run("picture -heat -record -pid 999"),
    "memtierd: picture: Cannot picture heat: pid 999 is not watched by the policy (watched: 500)\n",
  );
  assertEquals(
    await h.run("picture -heat", "picture -heat -record", `picture -heat -pids ${PID}`),
    "memtierd: picture: Flag -heat needs -pid PID\n" +
      "memtierd: picture: Flag -heat -record needs -pid PID\n" +
      "memtierd: picture: Flag -heat takes one process as -pid PID, not -pids\n",
  );
  assertEquals(
    await h.run(`picture -record -pid ${PID}`),
    "memtierd: picture: Flag -pid goes with -heat (pages per node take -pids PID[,PID...])\n",
  );
  await h.run("policy -stop");
});

Deno.test("picture -record -svg into a folder that went away logs the error and stops recording", async () => {
  using h = harness();
  const dir = Deno.makeTempDirSync({ prefix: "memtierd-picture-" });
  await h.run(`picture -record -pids ${PID} -interval-ms 1000 -svg ${dir}/live.svg`);
  Deno.removeSync(dir, { recursive: true });
  // The recorder's next sample, one interval later, cannot write.
  await sleeps(h, 20, 1000);
  assertIncludes(h.log(), `ERROR: picture: Cannot write picture "${dir}/live.svg": `);
  const before = await h.run("picture");
  await sleeps(h, 20, 1000);
  assertEquals(await h.run("picture"), before);
});
