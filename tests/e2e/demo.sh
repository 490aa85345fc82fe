#!/usr/bin/env bash
# make demo: the seed README's walk-through, non-interactively, in a VM with
# its topology (2 nodes with 4 CPUs and 4G each, 2 nodes with 2G and no CPUs):
# a process holding 1 GiB, its status, --move-to=2 --count=100000,
# --move-from=1 --move-to=3 --count=100000, and the status after, with the
# kernel's numa_maps counts before and after each step. Then powers off.
set -u
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/api.bash
source "$E2E_DIR/lib/api.bash"

export topology='[{"cores": 2, "mem": "4G", "nodes": 2}, {"cores": 0, "mem": "2G", "nodes": 2}]'
export vm=demo E2E_MODE=test E2E_GUEST_DIR=/run/e2e/demo
export E2E_VMDIR=${outdir:-$E2E_DIR/output/vms/demo}
export DENO=${DENO:-$(e2e_deno)}
export memtierd_bin=${memtierd_bin:-$E2E_REPO/bin/memtierd}
export meme_bin=${meme_bin:-$E2E_REPO/bin/meme}
trap e2e_vm_stop EXIT
trap 'echo; e2e_log "interrupted"; exit 130' INT TERM HUP

started=$(e2e_now)
bold=
plain=
if [ -t 1 ]; then
  bold=$'\033[1m'
  plain=$'\033[0m'
fi
say() {
  printf '\n%s%s%s\n' "$bold" "$*" "$plain"
}
run() {
  printf '%svm#%s %s\n' "$bold" "$plain" "$1"
  vm-command --quiet --timeout 300 "$1"
  printf '%s\n' "$COMMAND_OUTPUT"
  [ -n "$COMMAND_ERROR" ] && printf '%s\n' "$COMMAND_ERROR"
  [ "$COMMAND_STATUS" = 0 ] || echo "(exit status $COMMAND_STATUS)"
}
pages() {
  printf '%snuma_maps%s of pid %s, anonymous 4 KiB pages per node:' "$bold" "$plain" "$MEME_PID"
  vm-command --quiet "numa-pages $MEME_PID"
  awk '{ printf "  node %s: %7d", $1, $2 }' <<< "$COMMAND_OUTPUT"
  echo
}

say "Booting a VM with the seed README's topology: $topology"
e2e_vm_start || exit 1
echo "up in $E2E_BOOT_SECONDS s ($(sed -n 's/^accel: //p' "$E2E_VMDIR/vm.txt"))"
run "numactl -H"

say "1. A process that holds 1 GiB (meme, the memory exerciser; on node 1)"
meme-start --numactl "--cpunodebind=1 --membind=1" -bs 1G -brc 0 -bwc 0 -pattern 7 > /dev/null
echo "meme: pid $MEME_PID, array ${MEME_RANGES[meme]}"
pages

say "2. The memory status of the process"
run "memtierd --pid=$MEME_PID"

say "3. Move 100,000 pages from any NUMA node to node 2"
run "memtierd --pid=$MEME_PID --move-to=2 --count=100000"
pages

say "4. Move 100,000 pages from NUMA node 1 to node 3"
run "memtierd --pid=$MEME_PID --move-from=1 --move-to=3 --count=100000"
pages

say "5. The status after"
run "memtierd --pid=$MEME_PID"
run "numastat -p $MEME_PID"

say "6. The process's data is what it wrote (meme checks every page)"
meme-verify | tail -n 1

say "Done in $(e2e_elapsed "$started") s; powering the VM off."
