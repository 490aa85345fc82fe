#!/usr/bin/env bash
# The native part of `make bench`, on this host (one NUMA node here, so status
# only): each figure the median of $BENCH_REPS runs (default 7), the tools
# alternated run by run, timed by benchhelp (monotonic clock, wait4 peak RSS).
#  1. start-up: bin/memtierd --version against `deno eval 1`; and the first
#     start on a fresh cache folder (the launcher unpacks the runtime), alone
#     and two at once (as nri-plugins starts one memtierd per container);
#  2. status of a 1 GiB and an 8 GiB process (benchhelp hold): memtierd --pid
#     (start-up subtracted) against `numastat -p`, and memtierd's peak RSS;
#     for 8 GiB also a move to the node the pages are already on.
#  3. memory per daemon (issue 18): ten memtierd daemons side by side (age
#     policy, softdirty tracker, one idle process watched), ten Deno runtimes
#     idling on a timer, and with $GO_MEMTIERD ten Go memtierds with the same
#     config: the mean PSS and RSS of each after $BENCH_PSS_WAIT s (default
#     30); goal: memtierd's PSS at most 1.3x the runtime's. With
#     $BENCH_BEFORE (another memtierd binary, e.g. main's) that binary too,
#     alternated with ours and the runtime, $BENCH_PSS_ROUNDS times (default
#     1), each round printed. Then one daemon watching 100 sleeping processes
#     (pidlist, softdirty): its VmRSS and VmHWM after the same wait, goal
#     VmRSS at most 64 MB (and the same for $BENCH_BEFORE).
# BENCH_PARTS picks sections (default "startup status memory").
# Prints "bench:" lines as it goes; also writes them to build/bench/native.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=lib.bash
source tests/bench/lib.bash
mkdir -p build/bench
export BENCH_LOG=$PWD/build/bench/native.log
: > "$BENCH_LOG"
REPS=${BENCH_REPS:-7}
PARTS=" ${BENCH_PARTS:-startup status memory} "
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
if [ -n "${BENCH_BEFORE:-}" ]; then
  "$BENCH_BEFORE" --version > /dev/null
  "$BENCH_BEFORE" --version > /dev/null
fi

if [[ $PARTS == *" startup "* ]]; then
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

  # A fresh cache folder each time; the page cache keeps the file itself.
  echo "native bench: first start on a fresh cache" >&2
  f_one=() f_two=()
  for ((i = 0; i < REPS; i++)); do
    rm -rf "$cache/fresh" && mkdir -m 700 "$cache/fresh"
    MEMTIERD_CACHE_DIR=$cache/fresh timed "$memtierd" --version
    f_one+=("$T")
    rm -rf "$cache/fresh" && mkdir -m 700 "$cache/fresh"
    MEMTIERD_CACHE_DIR=$cache/fresh "$memtierd" --version > /dev/null &
    MEMTIERD_CACHE_DIR=$cache/fresh timed "$memtierd" --version
    wait
    f_two+=("$T")
  done
  rm -rf "$cache/fresh"
  note "host: first start, fresh cache" "$(printf '%8.3f s (extraction included)' "$(median "${f_one[@]}")")"
  note "host: first start, fresh cache, two at once" \
    "$(printf '%8.3f s (the second of two started together)' "$(median "${f_two[@]}")")"
fi

if [[ $PARTS == *" status "* ]]; then
  [ -n "${S:-}" ] ||
    { echo "native bench: the status part needs the startup part (its time is subtracted)" >&2; exit 2; }
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
fi

# pss-of-ten CMD...: starts ten copies side by side, waits, sets PSS and RSS
# (KiB, the mean of the ten from smaps_rollup), stops them.
pss-of-ten() {
  local pids=() p ps rs tp=0 tr=0 k=0
  for ((i = 0; i < 10; i++)); do
    "$@" > /dev/null 2>&1 &
    pids+=($!)
  done
  sleep "${BENCH_PSS_WAIT:-30}"
  for p in "${pids[@]}"; do
    read -r ps rs < <(awk '/^Pss:/ { p = $2 } /^Rss:/ { r = $2 } END { print p, r }' \
      "/proc/$p/smaps_rollup" 2> /dev/null) || true
    [ -n "$ps" ] || { echo "native bench: $* exited early" >&2; exit 1; }
    tp=$((tp + ps)) tr=$((tr + rs)) k=$((k + 1))
  done
  kill "${pids[@]}"
  wait "${pids[@]}" 2> /dev/null || true
  PSS=$((tp / k)) RSS=$((tr / k))
}

if [[ $PARTS == *" memory "* ]]; then
  echo "native bench: memory per daemon, ten side by side" >&2
  "$helper" hold 64 > "$cache/hold.out" &
  holders+=($!)
  until grep -q ready "$cache/hold.out" 2> /dev/null; do sleep 0.2; done
  pid=$(awk '{ print $2 }' "$cache/hold.out")
  # The Go memtierd's form (JSON in YAML; its mover has no defaults and its
  # softdirty tracker panics on a zero ScanIntervalMs), which ours reads too.
  cat > "$cache/age.yaml" << YAML
policy:
  name: age
  config: |
    {"PidWatcher": {"Name": "pidlist", "Config": "{\\"Pids\\": [$pid]}"},
     "Tracker": {"Name": "softdirty",
       "Config": "{\\"PagesInRegion\\": 512, \\"MaxCountPerRegion\\": 1, \\"ScanIntervalMs\\": 5000, \\"RegionsUpdateMs\\": 10000}"},
     "Mover": {"IntervalMs": 20, "Bandwidth": 200},
     "IntervalMs": 5000, "IdleDurationMs": 60000, "IdleNumas": [0]}
YAML
  echo 'setInterval(() => {}, 5000);' > "$cache/idle.js"
  mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1000 }'; }
  for ((round = 1; round <= ${BENCH_PSS_ROUNDS:-1}; round++)); do
    if [ -n "${BENCH_BEFORE:-}" ]; then
      pss-of-ten "$BENCH_BEFORE" -config "$cache/age.yaml"
      before_pss=$PSS before_rss=$RSS
    fi
    pss-of-ten "$memtierd" -config "$cache/age.yaml"
    ours_pss=$PSS ours_rss=$RSS
    pss-of-ten "$deno" run --no-config "$cache/idle.js"
    deno_pss=$PSS deno_rss=$RSS
    load=$(cut -d' ' -f1 /proc/loadavg)
    for who in before ours; do
      [ $who = ours ] || [ -n "${BENCH_BEFORE:-}" ] || continue
      pss_var=${who}_pss rss_var=${who}_rss
      ratio=$(awk -v a="${!pss_var}" -v b="$deno_pss" 'BEGIN { printf "%.2f", a / b }')
      verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 1.3) ? "met" : "NOT met" }')
      label="host: memtierd daemon, PSS of ten side by side"
      [ $who = ours ] || label="host: before: daemon, PSS of ten side by side"
      note "$label" \
        "$(printf '%6.1f MB (RSS %5.1f MB) vs Deno idling %6.1f MB (RSS %5.1f MB) = %5.2fx  target <= 1.3x: %s  (load %s)' \
          "$(mb "${!pss_var}")" "$(mb "${!rss_var}")" "$(mb "$deno_pss")" "$(mb "$deno_rss")" \
          "$ratio" "$verdict" "$load")"
    done
  done
  if [ -n "${GO_MEMTIERD:-}" ]; then
    pss-of-ten "$GO_MEMTIERD" -config "$cache/age.yaml"
    note "host: Go memtierd daemon, PSS of ten side by side" \
      "$(printf '%6.1f MB (RSS %5.1f MB)' "$(awk -v k="$PSS" 'BEGIN { print k / 1000 }')" \
        "$(awk -v k="$RSS" 'BEGIN { print k / 1000 }')")"
  fi
  kill "$pid"

  # One daemon watching 100 sleeping processes (issue 18: VmRSS <= 64 MB).
  sleepers=()
  for ((i = 0; i < 100; i++)); do
    sleep 3600 &
    sleepers+=($!)
    holders+=($!)
  done
  cat > "$cache/age100.yaml" << YAML
policy:
  name: age
  config: |
    {"PidWatcher": {"Name": "pidlist", "Config": "{\\"Pids\\": [$(IFS=,; echo "${sleepers[*]}")]}"},
     "Tracker": {"Name": "softdirty",
       "Config": "{\\"PagesInRegion\\": 512, \\"MaxCountPerRegion\\": 1, \\"ScanIntervalMs\\": 5000, \\"RegionsUpdateMs\\": 10000}"},
     "Mover": {"IntervalMs": 20, "Bandwidth": 200},
     "IntervalMs": 5000, "IdleDurationMs": 60000, "IdleNumas": [0]}
YAML
  for bin in ${BENCH_BEFORE:+"$BENCH_BEFORE"} "$memtierd"; do
    "$bin" -config "$cache/age100.yaml" > /dev/null 2>&1 &
    d=$!
    sleep "${BENCH_PSS_WAIT:-30}"
    read -r rss hwm < <(awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { print r, h }' \
      "/proc/$d/status" 2> /dev/null) || true
    [ -n "$rss" ] || { echo "native bench: $bin -config age100.yaml exited early" >&2; exit 1; }
    kill "$d"
    wait "$d" 2> /dev/null || true
    label="host: memtierd daemon watching 100 processes"
    [ "$bin" = "$memtierd" ] || label="host: before: daemon watching 100 processes"
    note "$label" "$(printf 'VmRSS %5.1f MB (peak %5.1f MB)  target <= 64 MB: %s  (load %s)' \
      "$(mb "$rss")" "$(mb "$hwm")" "$([ "$rss" -le 64000 ] && echo met || echo "NOT met")" \
      "$(cut -d' ' -f1 /proc/loadavg)")"
  done
  kill "${sleepers[@]}"
fi
