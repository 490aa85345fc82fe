#!/bin/sh
# Runs `make unit` RUNS times (default 3) while two busy loops load two
# cores, as CI's background kernel build does: a test that depends on the
# machine's speed (real time read under a fake clock, a real sleep racing
# a loop) fails here. Fails when any run fails; says which.
#
#   tools/unit_loaded.sh [RUNS]      (or: make unit-loaded)
set -u
runs=${1:-3}
make=${MAKE:-make}

busy_pids=""
run_pid=""
stop_busy() {
  # Exactly the processes this script started, by their ids.
  for pid in $busy_pids; do kill "$pid" 2>/dev/null; done
  # The run is a process group of its own (make and its deno): all of it.
  [ -n "$run_pid" ] && kill -- "-$run_pid" 2>/dev/null
  busy_pids=""
  run_pid=""
}
trap stop_busy EXIT
trap 'exit 130' INT TERM

for _ in 1 2; do
  sh -c 'while :; do :; done' &
  busy_pids="$busy_pids $!"
done

failed=""
i=1
while [ "$i" -le "$runs" ]; do
  echo "unit-loaded: run $i of $runs (busy loops:$busy_pids)"
  # In the background and waited for, so that an interrupt ends it too.
  setsid $make --no-print-directory unit &
  run_pid=$!
  if ! wait "$run_pid"; then
    failed="$failed $i"
  fi
  run_pid=""
  i=$((i + 1))
done

if [ -n "$failed" ]; then
  echo "unit-loaded: FAILED in run(s)$failed of $runs" >&2
  exit 1
fi
echo "unit-loaded: $runs of $runs runs passed under two busy loops"
