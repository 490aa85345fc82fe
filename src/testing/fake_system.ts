/**
 * A FakeKernel together with fixture folders that describe it, and the
 * readers pointed at them.
 *
 * @module
 */
import { ProcFs } from "../procfs/proc_fs.ts";
import { SysFs } from "../sysfs/sys_fs.ts";
import type { FakeKernel } from "./fake_kernel.ts";

/** Fixture folders of a fake kernel. */
export interface FakeSystem extends Disposable {
  kernel: FakeKernel;
  procfs: ProcFs;
  sysfs: SysFs;
  /** Rewrites the folders from the kernel's current state. */
  sync(): void;
}

/** Writes `kernel`'s /proc and /sys into a temporary folder; `using` removes it. */
export function fakeSystem(kernel: FakeKernel): FakeSystem {
  const dir = Deno.makeTempDirSync({ prefix: "memtierd-fake-" });
  const procRoot = `${dir}/proc`;
  const sysRoot = `${dir}/sys`;
  const sync = () => kernel.writeTrees(procRoot, sysRoot);
  sync();
  return {
    kernel,
    procfs: new ProcFs({ root: procRoot }),
    sysfs: new SysFs({ root: sysRoot }),
    sync,
    [Symbol.dispose]() {
      Deno.removeSync(dir, { recursive: true });
    },
  };
}
