# e2e-timeout: 240
# The ratio policy at Ratio 1.0 with the finder tracker (RegionsUpdateMs
# 500) and the cgroups pidwatcher, from -config (the Go test's second
# half): every page of the idle memes a and b, each in a cgroup under
# ratiocg, goes to swap (no page of their arrays is left in memory:
# pagemap/numa_maps); meme c, started in ratiocg/c while the daemon runs, is
# found by the pidwatcher and its array is swapped out whole too; d,
# outside ratiocg, keeps every page in memory. The data of all is intact.
# shellcheck source=../../policy-age/n4-cpuless/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/../../policy-age/n4-cpuless/lib.bash"

# in-memory NAME: pages of meme NAME's array in memory, on any node.
in-memory() {
  vm-command --quiet "numa-pages -r ${MEME_RANGES[$1]} ${MEME_PIDS[$1]} | awk '{ s += \$2 } END { print s + 0 }'" ||
    fail "in-memory $1: $COMMAND_ERROR"
  echo "$COMMAND_OUTPUT"
}

# wait-swapped NAME: waits until no page of meme NAME's array is in memory.
wait-swapped() {
  local t0=$SECONDS
  vm-run-until --timeout 60 --poll 0.5 "[ \$(numa-pages -r ${MEME_RANGES[$1]} ${MEME_PIDS[$1]} | awk '{ s += \$2 } END { print s + 0 }') -eq 0 ]" ||
    fail "meme $1: $(in-memory "$1") pages of its array still in memory after 60 s"
  echo "meme $1: its whole array in swap after $((SECONDS - t0)) s (VmSwap $(pa-swap-kb "${MEME_PIDS[$1]}") kB)"
}

vm-command-ok "zram-swap 256M"
meme-start --name a --cgroup ratiocg/a -bs 24M -brc 0 -bwc 0 -pattern 1
meme-start --name b --cgroup ratiocg/b -bs 24M -brc 0 -bwc 0 -pattern 2
meme-start --name d -bs 8M -brc 0 -bwc 0 -pattern 4

pa-daemon-start <<'YAML'
policy:
  name: ratio
  config:
    intervalms: 1000
    pidwatcher: {name: cgroups, config: {cgroups: [/sys/fs/cgroup/ratiocg], intervalms: 500}}
    tracker: {name: finder, config: {regionsupdatems: 500}}
    ratio: 1.0
    mover: {intervalms: 10, bandwidth: 200}
YAML

step "a and b, in ratiocg when the daemon starts: swapped out whole"
wait-swapped a
wait-swapped b

step "c, started in ratiocg/c while the daemon runs: swapped out whole"
meme-start --name c --cgroup ratiocg/c -bs 24M -brc 0 -bwc 0 -pattern 3
wait-swapped c

step "d, outside ratiocg: every page of its array stays in memory"
expect-eq "pages of d's 8M array in memory" 2049 "$(in-memory d)"
expect-eq "d's VmSwap, kB" 0 "$(pa-swap-kb "${MEME_PIDS[d]}")"

pa-daemon-stop
for m in a b c d; do meme-verify "$m"; done
