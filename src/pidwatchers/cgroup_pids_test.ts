import { assertEquals } from "../testing/assert.ts";
import { FIXTURE } from "./_test_deps.ts";
import { CgroupFs } from "./cgroup_pids.ts";

const cgroups = new CgroupFs({ root: FIXTURE });

Deno.test("CgroupFs.pids() reads cgroup.procs of a cgroup and every cgroup below it", () => {
  assertEquals(cgroups.pids(["/sys/fs/cgroup/app.slice"]), {
    pids: [1001, 1002, 1003],
    notCgroups: [],
  });
  assertEquals(cgroups.pids(["/sys/fs/cgroup/app.slice/meme-b"]).pids, [1002]);
});

Deno.test("CgroupFs.pids() lists each pid once and names the paths that are not cgroups", () => {
  assertEquals(
    cgroups.pids([
      "/sys/fs/cgroup/user.slice",
      "/sys/fs/cgroup/app.slice/meme-a",
      "/sys/fs/cgroup/notacgroup",
      "/sys/fs/cgroup/nosuch",
      "/sys/fs/cgroup/app.slice",
    ]),
    {
      pids: [1001, 1002, 1003, 1004],
      notCgroups: ["/sys/fs/cgroup/notacgroup", "/sys/fs/cgroup/nosuch"],
    },
  );
});

Deno.test("CgroupFs.expandGlob() matches within one path component, as a shell", () => {
  assertEquals(cgroups.expandGlob("/sys/fs/cgroup/*.slice"), [
    "/sys/fs/cgroup/app.slice",
    "/sys/fs/cgroup/user.slice",
  ]);
  assertEquals(cgroups.expandGlob("/sys/fs/cgroup/app.slice/meme-?"), [
    "/sys/fs/cgroup/app.slice/meme-a",
    "/sys/fs/cgroup/app.slice/meme-b",
  ]);
  assertEquals(cgroups.expandGlob("/sys/fs/cgroup/app.slice/meme-[!a]/w*"), [
    "/sys/fs/cgroup/app.slice/meme-b/worker",
  ]);
  assertEquals(cgroups.expandGlob("/sys/fs/cgroup/none*"), []);
});

Deno.test("CgroupFs reads one cgroup: its own pids, the folders below it by name, a file", () => {
  assertEquals(cgroups.procs("/sys/fs/cgroup/app.slice"), [1003]);
  assertEquals(cgroups.procs("/sys/fs/cgroup/app.slice/meme-b"), []);
  assertEquals(cgroups.procs("/sys/fs/cgroup/nowhere"), null);
  assertEquals(cgroups.subfolders("/sys/fs/cgroup/app.slice/"), [
    "/sys/fs/cgroup/app.slice/meme-a",
    "/sys/fs/cgroup/app.slice/meme-b",
  ]);
  assertEquals(cgroups.subfolders("/sys/fs/cgroup/app.slice/cgroup.procs"), null);
  assertEquals(cgroups.readFile("/sys/fs/cgroup/user.slice", "cgroup.procs"), "1004\n");
  assertEquals(cgroups.readFile("/sys/fs/cgroup/user.slice", "cpuset.mems.effective"), null);
});
