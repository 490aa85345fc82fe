import { assertEquals } from "../testing/assert.ts";
import { KdamondRecords } from "./kdamond_records.ts";

/** A /proc with processes of the given start times (state S, or Z), a boot id, a records folder. */
function tree(procs: Record<number, [number, string?]>, bootId = "b-1") {
  const root = Deno.makeTempDirSync({ prefix: "memtierd-records-" });
  Deno.mkdirSync(`${root}/proc/sys/kernel/random`, { recursive: true });
  Deno.writeTextFileSync(`${root}/proc/sys/kernel/random/boot_id`, `${bootId}\n`);
  for (const [pid, [ticks, state]] of Object.entries(procs)) {
    Deno.mkdirSync(`${root}/proc/${pid}`);
    Deno.writeTextFileSync(
      `${root}/proc/${pid}/stat`,
      `${pid} (mem tierd) ${state ?? "S"} 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 ${ticks} 0 0\n`,
    );
  }
  const records = (pid: number) =>
    new KdamondRecords({ dir: `${root}/run/k`, procRoot: `${root}/proc`, pid });
  return {
    root,
    records,
    setBootId: (id: string) =>
      Deno.writeTextFileSync(`${root}/proc/sys/kernel/random/boot_id`, `${id}\n`),
    [Symbol.dispose]: () => Deno.removeSync(root, { recursive: true }),
  };
}

Deno.test("kdamond records: what one memtierd writes, the next reads, and tells whether its taker is gone", () => {
  using t = tree({ 10: [500], 11: [600], 12: [700, "Z"] });
  const first = t.records(10);
  assertEquals(first.open(), undefined);
  first.write(3, 4242, 9001);
  const next = t.records(11);
  assertEquals(next.open(), undefined);
  const rec = next.read(3)!;
  assertEquals(rec, {
    kdamond: 3,
    pid: 10,
    startTicks: 500,
    bootId: "b-1",
    target: 4242,
    thread: 9001,
  });
  assertEquals(next.takerGone(rec), undefined);
  assertEquals(next.heldByAnother(3), 10);
  assertEquals(first.heldByAnother(3), undefined);
  assertEquals(next.takerGone({ ...rec, pid: 99 }), "is gone");
  assertEquals(
    next.takerGone({ ...rec, startTicks: 499 }),
    "now runs another process (pid reused)",
  );
  assertEquals(next.takerGone({ ...rec, pid: 12, startTicks: 700 }), "is a zombie (killed)");
  // Its own record is never a dead taker's.
  assertEquals(first.takerGone(rec), undefined);
  first.remove(3);
  assertEquals(next.read(3), undefined);
  first.remove(3);
});

Deno.test("kdamond records: a record of another boot proves nothing, a malformed one is none", () => {
  using t = tree({ 10: [5], 11: [600] });
  const before = t.records(10);
  assertEquals(before.open(), undefined);
  before.write(0, 7);
  // A reboot that left /run as it was: pid 10 is gone, but so is the kdamond it took.
  t.setBootId("b-2");
  Deno.removeSync(`${t.root}/proc/10`, { recursive: true });
  const r = t.records(11);
  assertEquals(r.open(), undefined);
  assertEquals(r.read(0)?.bootId, "b-1");
  assertEquals(r.takerGone(r.read(0)!), undefined);
  assertEquals(r.heldByAnother(0), undefined);
  for (
    const text of [
      "not json",
      '{"kdamond":1,"pid":10,"startTicks":5,"bootId":"b-1","target":7}',
      '{"kdamond":0,"pid":-1,"startTicks":5,"bootId":"b-1","target":7}',
      '{"kdamond":0,"pid":10,"startTicks":5,"bootId":"b-1"}',
      `{"kdamond":0,"pid":10,"startTicks":5,"bootId":"${"x".repeat(5000)}","target":7}`,
    ]
  ) {
    Deno.writeTextFileSync(`${t.root}/run/k/kdamond-0`, text);
    assertEquals(r.read(0), undefined, text);
  }
});

Deno.test("kdamond records: a symlink planted as a record is neither read nor written through", () => {
  using t = tree({ 11: [600] });
  const r = t.records(11);
  assertEquals(r.open(), undefined);
  Deno.writeTextFileSync(
    `${t.root}/victim`,
    '{"kdamond":0,"pid":10,"startTicks":5,"bootId":"b-1","target":7}',
  );
  Deno.symlinkSync(`${t.root}/victim`, `${t.root}/run/k/kdamond-0`);
  assertEquals(r.read(0), undefined);
  r.write(0, 8);
  assertEquals(
    Deno.readTextFileSync(`${t.root}/victim`),
    '{"kdamond":0,"pid":10,"startTicks":5,"bootId":"b-1","target":7}',
  );
  assertEquals(Deno.lstatSync(`${t.root}/run/k/kdamond-0`).isSymlink, false);
  assertEquals(r.read(0)?.target, 8);
});

Deno.test("kdamond records: a folder that is a symlink, or writable by others, is refused with the reason", () => {
  using t = tree({ 11: [600] });
  Deno.mkdirSync(`${t.root}/elsewhere`);
  Deno.mkdirSync(`${t.root}/run`);
  Deno.symlinkSync(`${t.root}/elsewhere`, `${t.root}/run/k`);
  assertEquals(t.records(11).open(), `${t.root}/run/k is no folder`);
  Deno.removeSync(`${t.root}/run/k`);
  Deno.mkdirSync(`${t.root}/run/k`);
  Deno.chmodSync(`${t.root}/run/k`, 0o757);
  assertEquals(t.records(11).open(), `${t.root}/run/k may be written by others (mode 757)`);
  Deno.chmodSync(`${t.root}/run/k`, 0o700);
  assertEquals(t.records(12).open(), `cannot read ${t.root}/proc/12/stat`);
});
