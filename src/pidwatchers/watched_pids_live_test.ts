import { libcSyscalls } from "../ffi/libc.ts";
import { silentLogger } from "../log/logger.ts";
import { ProcFs } from "../procfs/proc_fs.ts";
import { assertEquals } from "../testing/assert.ts";
import { WatchedPids } from "./watched_pids.ts";

Deno.test("on this kernel, a held process that is killed is removed while still a zombie", async () => {
  const child = new Deno.Command("sleep", { args: ["60"] }).spawn();
  const watched = new WatchedPids({
    procfs: new ProcFs(),
    syscalls: libcSyscalls,
    logger: silentLogger(),
    name: "test",
  });
  try {
    const [w] = watched.add([child.pid]);
    assertEquals(w?.pid, child.pid);
    assertEquals(watched.update([child.pid]).removed, []);
    child.kill("SIGKILL");
    // Not reaped yet: /proc still lists the zombie with the same start time.
    for (let i = 0; i < 100 && watched.isAlive(w!); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const { removed } = watched.update([child.pid]);
    watched.release(removed);
    assertEquals(removed.map((x) => x.pid), [child.pid]);
  } finally {
    watched.clear();
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
  }
});
