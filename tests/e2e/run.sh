#!/usr/bin/env bash
# memtierd's e2e VM: a QEMU VM with any NUMA topology, interactive or scripted.
# Run `tests/e2e/run.sh help` for the modes and variables.

set -u
# (readlink: the seed's path test/e2e/run.sh is a link to this file.)
E2E_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
# shellcheck source=lib/api.bash
source "$E2E_DIR/lib/api.bash"

usage() {
  cat << EOF
Usage: [VAR=VALUE...] tests/e2e/run.sh MODE

Boots a QEMU VM with the NUMA topology you ask for, with bin/memtierd,
bin/meme, numactl's tools (numactl, numastat, migratepages), python3 and sudo
in it, and an sshd on a port of this host's 127.0.0.1 (the VM reaches no
network). The VM lives as long as this command: it is powered off (QEMU
killed if need be) when the mode ends, on errors and on Ctrl-C.

Modes:
  interactive    a root shell in the VM on this terminal; exit (or Ctrl-D)
                 powers it off, Ctrl-A x kills it, Ctrl-A c is QEMU's monitor.
                 With stdin not a terminal, runs stdin's lines in the VM.
  test [SCRIPT]  runs SCRIPT (or \$code) with the script API (help script),
                 prints "Test verdict: PASS" or "FAIL", exits 0 or 1.
  command CMD    runs CMD in the VM named \$vm that another run.sh is running.
  ssh [ARGS]     ssh into the VM named \$vm that another run.sh is running
                 (ARGS: a command, or ssh's options before it).
  scp ARGS       scp with the VM's ssh config: the VM is the host \$vm
                 (vm=NAME run.sh scp bin/memtierd NAME:).
  check-tools    says which Debian packages the host lacks.
  help [script]  this text, or the functions test scripts can call.

Variables:
  topology   NUMA topology, a JSON list of node groups (default: 2 nodes):
             '[{"cores": 2, "mem": "4G", "nodes": 2}, {"cores": 0, "mem": "2G", "nodes": 2}]'
             keys: mem, cores (0: no CPUs), threads (2), nodes (1), dies (1),
             packages (1), node-dist {"NODE": DIST}, dist-all [[...]],
             dist-same-die (11), dist-same-package (21), dist-other-package (21)
  vm         the VM's name (hostname, state folder; default from the topology)
  on_vm_online  bash run on the host once the VM is up, with the script API
             (vm-command ...), in a subshell: its exit ends only the hook
  code       the test of mode test, when no SCRIPT is given
  distro     debian-12, the only VM there is: an initramfs of busybox with
             Debian 12's glibc, numactl, python3 and dropbear packages, booted
             straight from Debian's kernel 6.12. Another name (the seed's
             opensuse-tumbleweed) gets that VM, with a line saying so.
  kernel     debian (default: Debian's newest linux-image-6.12.*+deb12-amd64),
             custom (built by make vm-kernel: + idle page tracking, zram), or a
             path to a bzImage
  accel      auto (default: KVM if it works here, else TCG), kvm or tcg
  memtierd_bin, meme_bin   the files copied into the VM (default bin/memtierd, bin/meme)
  outdir     state and logs (default tests/e2e/output/vms/\$vm): console.log, ...
  qemu_extra more QEMU options

Examples:
  topology='[{"cores": 2, "mem": "4G", "nodes": 2}, {"cores":0, "mem":"2G", "nodes": 2}]' \\
    vm=opensuse-4422 on_vm_online='exit' tests/e2e/run.sh interactive
  vm=opensuse-4422 tests/e2e/run.sh scp bin/memtierd opensuse-4422:   # from another terminal
  vm=opensuse-4422 tests/e2e/run.sh ssh "sudo mv memtierd /usr/local/bin"
  code='meme-start -bs 256M -pattern 1; vm-command "memtierd --pid=\$MEME_PID --move-to=1"; meme-verify' \\
    tests/e2e/run.sh test
EOF
}

help_script() {
  local want=${1:-all}
  awk -v want="$want" '
    /^# script API$/ { api = 1; first = 1; next }
    api && /^# / {
      line = substr($0, 3)
      if (first) { split(line, w, " "); show = (want == "all" || w[1] == want); first = 0 }
      if (show) { print line; printed = 1 }
      next
    }
    { if (printed) print ""; api = 0; show = 0; printed = 0 }
  ' "$E2E_DIR/lib/api.bash"
}

mode=${1:-help}
[ $# -gt 0 ] && shift

case "$mode" in
  help | -h | --help)
    if [ "${1:-}" = script ]; then help_script "${2:-all}"; else usage; fi
    exit 0
    ;;
  check-tools)
    e2e_need_tools
    echo "e2e: host tools present"
    exit 0
    ;;
  interactive | test | command | ssh | scp) ;;
  *)
    echo "run.sh: unknown mode '$mode'" >&2
    usage >&2
    exit 2
    ;;
esac

case "${distro:-debian-12}" in
  debian-12 | debian) ;;
  *)
    [ "$mode" = interactive ] || [ "$mode" = test ] &&
      e2e_log "distro=$distro: this VM is Debian 12's userland (busybox, glibc, numactl, python3, dropbear) on Debian's kernel 6.12, the only one there is; booting that"
    ;;
esac

topology=${topology:-'[{"cores": 1, "threads": 1, "mem": "1G", "nodes": 2}]'}
if [ -z "${vm:-}" ]; then
  vm=vm-$(printf '%s' "$topology" | tr -d ' \n\t' | cksum | cut -c1-8)
fi
export topology vm
export E2E_VMDIR=${outdir:-$E2E_DIR/output/vms/$vm}

if [ "$mode" = ssh ] || [ "$mode" = scp ]; then
  E2E_QEMU_PID=$(cat "$E2E_VMDIR/qemu.pid" 2> /dev/null) && kill -0 "$E2E_QEMU_PID" 2> /dev/null ||
    e2e_die "no VM named $vm is running (vm=NAME picks it: the name run.sh printed)"
  [ -f "$E2E_VMDIR/ssh/ssh_config" ] || e2e_die "VM $vm has no ssh (no $E2E_VMDIR/ssh/ssh_config)"
  if [ "$mode" = ssh ]; then
    exec ssh -F "$E2E_VMDIR/ssh/ssh_config" "$vm" "$@"
  fi
  [ $# -gt 0 ] || e2e_die "usage: vm=NAME run.sh scp FILE... NAME:[DEST] (or NAME:FILE... DEST)"
  exec scp -F "$E2E_VMDIR/ssh/ssh_config" "$@"
fi

if [ "$mode" = command ]; then
  [ $# -gt 0 ] || e2e_die "usage: vm=NAME run.sh command CMD"
  E2E_QEMU_PID=$(cat "$E2E_VMDIR/qemu.pid" 2> /dev/null) || e2e_die "no VM named $vm is running"
  e2e_vm_call "${timeout:-600}" "$*"
  rc=$?
  cat "$E2E_CALL_OUT"
  cat "$E2E_CALL_ERR" >&2
  [ -n "$E2E_CALL_FAILURE" ] && e2e_log "$E2E_CALL_FAILURE"
  exit $rc
fi

if [ -f "$E2E_VMDIR/qemu.pid" ] && kill -0 "$(cat "$E2E_VMDIR/qemu.pid")" 2> /dev/null; then
  e2e_die "VM $vm is running already (pid $(cat "$E2E_VMDIR/qemu.pid")): pick another vm=NAME"
fi
export DENO=${DENO:-$(e2e_deno)}
export memtierd_bin=${memtierd_bin:-$E2E_REPO/bin/memtierd}
export meme_bin=${meme_bin:-$E2E_REPO/bin/meme}
for b in "$memtierd_bin" "$meme_bin"; do
  [ -x "$b" ] || e2e_die "no $b: run make bin/memtierd bin/meme"
done

export E2E_MODE=test
[ "$mode" = interactive ] && [ -t 0 ] && E2E_MODE=interactive
stty_saved=
[ "$E2E_MODE" = interactive ] && stty_saved=$(stty -g 2> /dev/null)
finish() {
  e2e_vm_stop
  [ -n "$stty_saved" ] && stty "$stty_saved" 2> /dev/null
}
trap finish EXIT
trap 'echo; e2e_log "interrupted"; exit 130' INT TERM HUP

e2e_log "booting VM $vm: $("$DENO" run --quiet "$E2E_DIR/lib/topology_cli.ts" totals "$topology" |
  awk '{ printf "%d nodes, %d cpus, %d MiB", $1, $2, $3 }') (state in $E2E_VMDIR)"
e2e_vm_start || exit 1
# In interactive mode the console owns the terminal now: /init greets the
# user, with the ssh lines.
if [ "$E2E_MODE" != interactive ]; then
  e2e_log "VM $vm is up in $E2E_BOOT_SECONDS s ($(sed -n 's/^accel: //p' "$E2E_VMDIR/vm.txt"), $(sed -n 's/^kernel: \([^ ]*\).*/\1/p' "$E2E_VMDIR/vm.txt"))"
  e2e_ssh_lines | sed 's/^/e2e: /' >&2
fi
export E2E_GUEST_DIR=/run/e2e/$mode

if [ -n "${on_vm_online:-}" ]; then
  (eval "$on_vm_online")
fi

case "$mode" in
  interactive)
    if [ "$E2E_MODE" = interactive ]; then
      # The console is this terminal: wait until its shell powers the VM off.
      wait "$E2E_QEMU_PID"
    else
      e2e_log "stdin is not a terminal: running its lines in the VM"
      e2e_vm_call "${timeout:-3600}" "$(cat)"
      rc=$?
      cat "$E2E_CALL_OUT"
      cat "$E2E_CALL_ERR" >&2
      exit $rc
    fi
    ;;
  test)
    script=${1:-}
    if [ -n "$script" ]; then
      [ -f "$script" ] || e2e_die "no test script $script"
      # shellcheck disable=SC1090 # the test script the user names
      (source "$script")
    else
      [ -n "${code:-}" ] || e2e_die "mode test needs a SCRIPT or code='...'"
      (eval "$code")
    fi
    rc=$?
    if [ $rc = 0 ]; then
      echo "Test verdict: PASS"
    else
      echo "Test verdict: FAIL (exit status $rc); VM console: $E2E_VMDIR/console.log"
      vm-console-tail 20
      exit 1
    fi
    ;;
esac
