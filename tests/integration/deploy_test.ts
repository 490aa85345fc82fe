/**
 * Tests of the deployment files (deploy/): `make install` and its systemd
 * unit (checked by `systemd-analyze verify`), the Kubernetes manifests
 * (validated against the Kubernetes API's schemas by npm kubernetes-models,
 * and their config accepted by memtierd), and the container image that
 * deploy/container/build-image.sh builds with buildah from scratch (its
 * memtierd started in a chroot of the image's files).
 *
 * Needs bin/memtierd (`make integration` builds it), systemd-analyze and
 * buildah (tools/setup-debian.sh installs them), and root (the chroot).
 */
import { parseAllDocuments } from "yaml";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { assertEquals, assertIncludes, assertOk } from "../../src/testing/assert.ts";
import { errorText } from "../../src/common/error_text.ts";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const BIN = `${ROOT}/bin/memtierd`;
const dec = new TextDecoder();

async function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, {
    args,
    env,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  return { code: out.code, out: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

/** Every file under `dir` with its mode, as `path mode`, sorted. */
function tree(dir: string, under = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(`${dir}${under}`)) {
    const path = `${under}/${e.name}`;
    if (e.isDirectory) out.push(...tree(dir, path));
    else out.push(`${path} ${(Deno.statSync(`${dir}${path}`).mode! & 0o7777).toString(8)}`);
  }
  return out.sort();
}

function unitLines(text: string, key: string): string[] {
  return text.split("\n").filter((l) => l.startsWith(`${key}=`));
}

Deno.test("make install puts the binary, the unit, the docs and the configs under PREFIX and DESTDIR", async () => {
  const dest = Deno.makeTempDirSync({ prefix: "memtierd-install-" });
  try {
    const r = await run("make", [
      "-s",
      "--no-print-directory",
      "install",
      `DESTDIR=${dest}`,
      "PREFIX=/usr",
    ]);
    assertEquals(r.code, 0, r.out);
    assertEquals(tree(dest), [
      "/etc/default/memtierd 644",
      "/etc/memtierd/memtierd.yaml 644",
      "/usr/bin/memtierd 755",
      "/usr/lib/systemd/system/memtierd.service 644",
      "/usr/share/doc/memtierd/README.md 644",
      "/usr/share/doc/memtierd/examples/memtierd.yaml 644",
    ]);
    const unit = Deno.readTextFileSync(`${dest}/usr/lib/systemd/system/memtierd.service`);
    assertEquals(unitLines(unit, "ExecStart"), [
      "ExecStart=/usr/bin/memtierd -config /etc/memtierd/memtierd.yaml $MEMTIERD_OPTS",
    ]);
    assertEquals(unitLines(unit, "ExecStartPre"), [
      "ExecStartPre=/usr/bin/memtierd -config /etc/memtierd/memtierd.yaml -check",
    ]);
    assertEquals(unitLines(unit, "ExecReload"), ["ExecReload=/bin/kill -HUP $MAINPID"]);
    assertEquals(unitLines(unit, "Restart"), ["Restart=on-failure"]);
    assertEquals(unitLines(unit, "CapabilityBoundingSet"), [
      "CapabilityBoundingSet=CAP_SYS_PTRACE CAP_SYS_NICE CAP_SYS_ADMIN CAP_DAC_OVERRIDE",
    ]);
    assertEquals(unitLines(unit, "EnvironmentFile"), ["EnvironmentFile=-/etc/default/memtierd"]);
    assertEquals(unitLines(unit, "LimitNOFILE"), ["LimitNOFILE=65536"]);
    assertOk(!unit.includes("@"), "a placeholder left in the unit");
    // A second install keeps a config the operator edited.
    Deno.writeTextFileSync(`${dest}/etc/memtierd/memtierd.yaml`, "policy: {name: stub}\n");
    assertEquals(
      (await run("make", [
        "-s",
        "--no-print-directory",
        "install",
        `DESTDIR=${dest}`,
        "PREFIX=/usr",
      ])).code,
      0,
    );
    assertEquals(
      Deno.readTextFileSync(`${dest}/etc/memtierd/memtierd.yaml`),
      "policy: {name: stub}\n",
    );
  } finally {
    Deno.removeSync(dest, { recursive: true });
  }
});

Deno.test("systemd-analyze verify accepts the installed unit without a warning, and flags a broken one", async () => {
  const prefix = Deno.makeTempDirSync({ prefix: "memtierd-unit-" });
  try {
    // Installed for real under a temporary prefix, so that every path the
    // unit names exists on this machine.
    const r = await run("make", [
      "-s",
      "--no-print-directory",
      "install",
      `PREFIX=${prefix}/usr`,
      `SYSCONFDIR=${prefix}/etc`,
    ]);
    assertEquals(r.code, 0, r.out);
    const unit = `${prefix}/usr/lib/systemd/system/memtierd.service`;
    assertEquals(await run("systemd-analyze", ["verify", unit]), { code: 0, out: "" });
    // The check can fail: a misspelt restart rule and a bad time are reported.
    const broken = `${prefix}/broken/memtierd.service`;
    Deno.mkdirSync(`${prefix}/broken`);
    Deno.writeTextFileSync(
      broken,
      Deno.readTextFileSync(unit).replace("Restart=on-failure", "Restart=on-failur").replace(
        "RestartSec=5s",
        "RestartSec=5q",
      ),
    );
    const b = await run("systemd-analyze", ["verify", broken]);
    assertIncludes(b.out, "Failed to parse service restart specifier, ignoring: on-failur\n");
    assertIncludes(b.out, "Failed to parse sec value, ignoring: 5q\n");
  } finally {
    Deno.removeSync(prefix, { recursive: true });
  }
});

/** The documents of deploy/kubernetes/*.yaml, by kind. */
function manifests(): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  const dir = `${ROOT}/deploy/kubernetes`;
  for (const e of [...Deno.readDirSync(dir)].sort((a, b) => a.name < b.name ? -1 : 1)) {
    if (!e.name.endsWith(".yaml")) continue;
    for (const doc of parseAllDocuments(Deno.readTextFileSync(`${dir}/${e.name}`))) {
      assertEquals(doc.errors.length, 0, `${e.name}: ${doc.errors.join("; ")}`);
      const o = doc.toJS() as Record<string, unknown>;
      out.set(String(o.kind), o);
    }
  }
  return out;
}

Deno.test("the Kubernetes manifests are valid against the API schemas: Namespace, ConfigMap, DaemonSet, NetworkPolicy", () => {
  const m = manifests();
  assertEquals([...m.keys()].sort(), ["ConfigMap", "DaemonSet", "Namespace", "NetworkPolicy"]);
  new NetworkPolicy(m.get("NetworkPolicy") as never).validate();
  // validate() throws with the JSON path of the first schema violation.
  new Namespace(m.get("Namespace") as never).validate();
  new ConfigMap(m.get("ConfigMap") as never).validate();
  new DaemonSet(m.get("DaemonSet") as never).validate();
  // The validation can fail: a string where the schema wants a boolean.
  const bad = structuredClone(m.get("DaemonSet")) as {
    spec: { template: { spec: Record<string, unknown> } };
  };
  bad.spec.template.spec.hostPID = "yes";
  let message = "";
  try {
    new DaemonSet(bad as never).validate();
  } catch (e) {
    message = errorText(e);
  }
  assertIncludes(message, "hostPID must be boolean");
});

Deno.test("the DaemonSet runs on tiered nodes with host PIDs, /sys/kernel/mm and the unit's capabilities", () => {
  const m = manifests();
  const ds = new DaemonSet(m.get("DaemonSet") as never);
  const pod = ds.spec!.template.spec!;
  assertEquals(pod.nodeSelector, { "kubernetes.io/os": "linux", "memtierd/tiered": "true" });
  assertEquals(pod.hostPID, true);
  // The pod's own network namespace: 0.0.0.0 is the pod's address, not the node's.
  assertEquals(pod.hostNetwork, undefined);
  assertEquals(pod.automountServiceAccountToken, false);
  const c = pod.containers[0]!;
  assertEquals(c.args, ["-config", "/etc/memtierd/memtierd.yaml", "-metrics", "0.0.0.0:9101"]);
  const unit = Deno.readTextFileSync(`${ROOT}/deploy/systemd/memtierd.service.in`);
  const unitCaps = unitLines(unit, "CapabilityBoundingSet")[0]!.split("=")[1]!.split(" ");
  assertEquals(c.securityContext?.capabilities, {
    drop: ["ALL"],
    add: unitCaps.map((cap) => cap.replace(/^CAP_/, "")),
  });
  assertEquals(c.securityContext?.privileged, false);
  assertEquals(
    c.volumeMounts?.map((v) => `${v.mountPath} ${v.readOnly ? "ro" : "rw"}`),
    ["/etc/memtierd ro", "/cache rw", "/run/memtierd rw", "/sys/kernel/mm rw", "/sys/fs/cgroup ro"],
  );
  const volumes = new Map(pod.volumes?.map((v) => [v.name, v]));
  assertEquals(
    volumes.get("config")?.configMap?.name,
    (m.get("ConfigMap")!.metadata as { name: string }).name,
  );
  assertEquals(volumes.get("sys-kernel-mm")?.hostPath?.path, "/sys/kernel/mm");
  assertEquals(volumes.get("run")?.hostPath, { path: "/run/memtierd", type: "DirectoryOrCreate" });
  assertEquals(ds.metadata!.namespace, (m.get("Namespace")!.metadata as { name: string }).name);
});

Deno.test("the DaemonSet serves /metrics on the pod's addresses, port 9101, and admits scrapes only from the monitoring namespace", () => {
  const m = manifests();
  const pod = new DaemonSet(m.get("DaemonSet") as never).spec!.template;
  const c = pod.spec!.containers[0]!;
  const metricsArg = c.args![c.args!.indexOf("-metrics") + 1];
  assertEquals(metricsArg, "0.0.0.0:9101");
  assertEquals(c.ports, [{ name: "metrics", containerPort: 9101, protocol: "TCP" }]);
  assertEquals(pod.metadata!.annotations, {
    "prometheus.io/scrape": "true",
    "prometheus.io/port": "9101",
    "prometheus.io/path": "/metrics",
  });
  assertEquals(c.readinessProbe?.httpGet, { path: "/metrics", port: "metrics" });
  const np = new NetworkPolicy(m.get("NetworkPolicy") as never);
  assertEquals(np.metadata!.namespace, "memtierd");
  assertEquals(np.spec!.podSelector?.matchLabels, pod.metadata!.labels);
  assertEquals(np.spec!.policyTypes, ["Ingress"]);
  assertEquals(np.spec!.ingress, [{
    from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
    ports: [{ port: 9101, protocol: "TCP" }],
  }]);
});

Deno.test("memtierd accepts the ConfigMap's config and the example config: an age policy in a dry run", async () => {
  const data = (manifests().get("ConfigMap")!.data as Record<string, string>)["memtierd.yaml"]!;
  const dir = Deno.makeTempDirSync({ prefix: "memtierd-cm-" });
  try {
    Deno.writeTextFileSync(`${dir}/memtierd.yaml`, data);
    for (const file of [`${dir}/memtierd.yaml`, `${ROOT}/deploy/config/memtierd.yaml`]) {
      const check = await run(BIN, ["-config", file, "-check"], {
        MEMTIERD_CACHE_DIR: `${dir}/cache`,
      });
      assertEquals(check, { code: 0, out: `${file}: ok\n` });
      const r = await run(BIN, ["-config", file, "-c", "policy -config-dump\nq"], {
        MEMTIERD_CACHE_DIR: `${dir}/cache`,
      });
      assertEquals(r.code, 0, r.out);
      assertIncludes(r.out, "INFO: started policy age and 1 routine(s) (statactions)");
      assertIncludes(r.out, '"DryRun":true');
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("memtierd -check on the ConfigMap's config with one key misspelt: exit 2, its line on stderr", async () => {
  const data = (manifests().get("ConfigMap")!.data as Record<string, string>)["memtierd.yaml"]!;
  const dir = Deno.makeTempDirSync({ prefix: "memtierd-cm-" });
  try {
    const file = `${dir}/memtierd.yaml`;
    Deno.writeTextFileSync(file, data.replace("IdleDurationMs:", "IdleDurationMS2:"));
    const check = await run(BIN, ["-config", file, "-check"], {
      MEMTIERD_CACHE_DIR: `${dir}/cache`,
    });
    assertEquals(check, {
      code: 2,
      out: `memtierd: ${file}:15: policy.config.IdleDurationMS2: unknown key (accepted: ` +
        "PidWatcher, IntervalMs, Mover, DryRun, Cgroups, Pids, Tracker, SwapOutMs, " +
        "IdleDurationMs, IdleNumas, ActiveDurationMs, ActiveNumas, DemoteToMakeRoom)\n",
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("build-image.sh builds an image from scratch whose memtierd runs in a chroot of its files", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "memtierd-image-" });
  try {
    const b = await run(`${ROOT}/deploy/container/build-image.sh`, [`${dir}/image.tar`]);
    assertEquals(b.code, 0, b.out);
    assertIncludes(b.out, "(localhost/memtierd:0.1.0, ");
    const oci = `${dir}/oci`;
    Deno.mkdirSync(oci);
    assertEquals((await run("tar", ["-xf", `${dir}/image.tar`, "-C", oci])).code, 0);
    const blob = (digest: string) => `${oci}/blobs/sha256/${digest.split(":")[1]}`;
    const index = JSON.parse(Deno.readTextFileSync(`${oci}/index.json`));
    const manifest = JSON.parse(Deno.readTextFileSync(blob(index.manifests[0].digest)));
    const config = JSON.parse(Deno.readTextFileSync(blob(manifest.config.digest)));
    assertEquals(config.config.Entrypoint, ["/usr/bin/memtierd"]);
    assertEquals(config.config.Cmd, ["-config", "/etc/memtierd/memtierd.yaml"]);
    assertEquals(manifest.layers.length, 1); // from scratch: no base layers
    const rootfs = `${dir}/rootfs`;
    Deno.mkdirSync(rootfs);
    assertEquals(
      (await run("tar", ["-xzf", blob(manifest.layers[0].digest), "-C", rootfs])).code,
      0,
    );
    // Only memtierd (it carries its loader and libraries), its config, /tmp
    // and /var/cache: no libc.
    assertEquals(tree(rootfs).map((f) => f.split(" ")[0]!), [
      "/etc/memtierd/memtierd.yaml",
      "/usr/bin/memtierd",
    ]);
    Deno.mkdirSync(`${rootfs}/proc`);
    // A private mount namespace: /proc is mounted for the chroot only.
    const r = await run("unshare", [
      "-m",
      "--propagation",
      "private",
      "sh",
      "-c",
      `mount -t proc proc ${rootfs}/proc && exec env -i MEMTIERD_CACHE_DIR=/var/cache/memtierd /usr/sbin/chroot ${rootfs} /usr/bin/memtierd --version`,
    ]);
    assertEquals(r.code, 0, r.out);
    assertIncludes(r.out, "memtierd version information:\n  - version: 0.1.0\n");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

function hasCommand(name: string): boolean {
  return ["/usr/bin", "/usr/sbin", "/bin", "/sbin"].some((d) => {
    try {
      return Deno.statSync(`${d}/${name}`).isFile;
    } catch {
      return false;
    }
  });
}

// Debian 12's podman 4.3 with runc: its default runtime, crun, refuses this
// machine's cgroup layout ("cgroups in hybrid mode not supported, drop all
// controllers from cgroupv2"). The limits podman asks for by default
// (nofile 1048576) are above the hard limits here, and raising them needs
// CAP_SYS_RESOURCE, which this machine's root lacks: the run sets lower ones.
const podmanSkip = Deno.uid() !== 0
  ? "not root"
  : !hasCommand("podman")
  ? "no podman (tools/setup-debian.sh installs it)"
  : !hasCommand("runc")
  ? "no runc (tools/setup-debian.sh installs it)"
  : "";
if (podmanSkip) console.log(`deploy_test: the podman test is skipped: ${podmanSkip}`);

Deno.test({
  name: "podman runs the image as root with the host's pids: --version and a host process's status",
  ignore: podmanSkip !== "",
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "memtierd-podman-" });
    const sleeper = new Deno.Command("sleep", { args: ["120"], stdout: "null" }).spawn();
    const podman = (args: string[]) =>
      run("podman", [
        "--root",
        `${dir}/store/root`,
        "--runroot",
        `${dir}/store/run`,
        "--tmpdir",
        `${dir}/store/tmp`,
        "--storage-driver",
        "vfs",
        "--runtime",
        "runc",
        "--events-backend",
        "none",
        ...args,
      ]);
    const inContainer = (args: string[]) =>
      podman([
        "run",
        "--rm",
        "--pid=host",
        "--network=none",
        "--cap-add=SYS_PTRACE",
        "--ulimit=nofile=1024:1024",
        "--ulimit=nproc=1024:1024",
        "localhost/memtierd:0.1.0",
        ...args,
      ]);
    try {
      const b = await run(`${ROOT}/deploy/container/build-image.sh`, [`${dir}/image.tar`]);
      assertEquals(b.code, 0, b.out);
      const load = await podman(["load", "-i", `${dir}/image.tar`]);
      assertEquals(load.code, 0, load.out);
      const v = await inContainer(["--version"]);
      assertEquals(v.code, 0, v.out);
      assertIncludes(v.out, "memtierd version information:\n  - version: 0.1.0\n");
      const s = await inContainer([`--pid=${sleeper.pid}`]);
      assertEquals(s.code, 0, s.out);
      const head = new RegExp(`^pid ${sleeper.pid} \\(sleep\\): [\\d,]+ movable pages \\(`);
      assertOk(head.test(s.out), s.out);
    } finally {
      sleeper.kill("SIGKILL");
      await sleeper.status;
      await podman(["rmi", "--all", "--force"]);
      const mounted = Deno.readTextFileSync("/proc/self/mountinfo").split("\n")
        .map((line) => line.split(" ")[4] ?? "").filter((m) => m.startsWith(`${dir}/`));
      for (const m of mounted.reverse()) await run("umount", [m]);
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
