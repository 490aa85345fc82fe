#!/usr/bin/env bash
# The native part of `make bench`, on this host (one NUMA node here, so status
# only): each figure the median of $BENCH_REPS runs (default 7), the tools
# alternated run by run, timed by benchhelp (monotonic clock, wait4 peak RSS).
#  1. start-up: bin/memtierd --version against `deno eval 1`;
#  2. status of a 1 GiB and an 8 GiB process (benchhelp hold): memtierd --pid
#     (start-up subtracted) against `numastat -p`, and memtierd's peak RSS;
#     for 8 GiB also a move to the node the pages are already on.
# Prints "bench:" lines as it goes; also writes them to build/bench/native.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=lib.bash
source tests/bench/lib.bash
mkdir -p build/bench
export BENCH_LOG=$PWD/build/bench/native.log
: > "$BENCH_LOG"
REPS=${BENCH_REPS:-7}
helper=$PWD/build/bench/benchhelp
memtierd=${memtierd_bin:-$PWD/bin/memtierd}
deno=${DENO:-deno}
holders=()
cache=$(mktemp -d /tmp/memtierd-bench-cache.XXXXXX)
cleanup() {
  for p in "${holders[@]}"; do kill "$p" 2> /dev/null || true; done
  rm -rf "$cache"
}
trap cleanup EXIT
export MEMTIERD_CACHE_DIR=$cache

# timed CMD...: sets T (seconds) and RSS (KiB) of CMD, its stdout discarded.
timed() {
  local rc
  read -r T RSS rc < <("$helper" run -q "$@")
  [ "$rc" = 0 ] || [ "$rc" = 8 ] || { echo "native bench: $* exited $rc" >&2; exit 1; }
}

"$memtierd" --version > /dev/null # extracts into the fresh cache
"$memtierd" --version > /dev/null # and fills Deno's code cache

echo "native bench: start-up" >&2
s_ours=() s_deno=()
for ((i = 0; i < 3 * REPS; i++)); do
  timed "$memtierd" --version
  s_ours+=("$T")
  timed "$deno" eval 1
  s_deno+=("$T")
done
S=$(median "${s_ours[@]}")
figure "host: memtierd --version" "$S" "$(median "${s_deno[@]}")" "deno eval 1" 1.3

for mib in 1024 8192; do
  echo "native bench: status of a $mib MiB process" >&2
  "$helper" hold $mib > "$cache/hold.out" &
  holders+=($!)
  until grep -q ready "$cache/hold.out" 2> /dev/null; do sleep 0.2; done
  pid=$(awk '{ print $2 }' "$cache/hold.out")
  st_ours=() st_numastat=() rss=()
  for ((i = 0; i < REPS; i++)); do
    timed "$memtierd" --pid="$pid"
    st_ours+=("$(minus "$T" "$S")")
    rss+=("$RSS")
    timed numastat -p "$pid"
    st_numastat+=("$T")
  done
  figure "host: status of $((mib / 1024)) GiB, start-up subtracted" "$(median "${st_ours[@]}")" \
    "$(median "${st_numastat[@]}")" "numastat -p" 1.2
  rss-figure "host: memtierd status of $((mib / 1024)) GiB" "$(median "${st_ours[@]}")" \
    "$(median "${rss[@]}" | cut -d. -f1)" 64
  if [ $mib = 8192 ]; then
    timed "$memtierd" --pid="$pid" --move-to=0
    rss-figure "host: move of 8 GiB, all already on node 0" "$T" "$RSS" 64
  fi
  kill "$pid"
done

