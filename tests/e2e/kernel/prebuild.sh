#!/usr/bin/env bash
# The test kernel built beside `make check`, for `make test` (see ../README.md,
# "Kernels"):
#
#   prebuild.sh start OWNER   when E2E_BUILD_KERNEL=1 and the kernel of
#                             `make vm-kernel` is missing or out of date, runs
#                             build.sh in the background at nice 19, so that it
#                             takes only the CPU that `make check` leaves idle.
#                             OWNER is the pid of the make that asked: if that
#                             make ends before the build does (a failed check,
#                             Ctrl-C), the build is killed.
#   prebuild.sh wait OWNER    waits for the build OWNER started, if any, and
#                             says how it went; exits 1 if it failed (its log's
#                             tail printed).
#
# The build's log and outcome are in $E2E_CACHE/prebuild/OWNER.{log,status}.
set -uo pipefail
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../lib/vm.bash
source "$E2E_DIR/lib/vm.bash"

[ $# -eq 2 ] && [[ "$2" =~ ^[0-9]+$ ]] || e2e_die "usage: prebuild.sh start|wait OWNER_PID"
action=$1 owner=$2
state=$E2E_CACHE/prebuild/$owner

case "$action" in
  start)
    [ "${E2E_BUILD_KERNEL:-0}" = 1 ] || exit 0
    if e2e_custom_kernel_current; then
      echo "vm-kernel: $(e2e_custom_kernel_dir)/bzImage is up to date"
      exit 0
    fi
    mkdir -p "$E2E_CACHE/prebuild"
    # States of makes that are gone.
    for f in "$E2E_CACHE"/prebuild/*.started; do
      [ -e "$f" ] || continue
      p=$(basename "$f" .started)
      kill -0 "$p" 2> /dev/null || rm -f "$E2E_CACHE/prebuild/$p".*
    done
    rm -f "$state".*
    date +%s > "$state.started"
    echo "vm-kernel: building the test kernel in the background (log: $state.log)"
    # Detached from make's output (a pipe to tee would stay open until the
    # build ends); the build in a process group of its own, to be killed whole.
    (
      set -m
      nice -n 19 "$E2E_DIR/kernel/build.sh" > "$state.log" 2>&1 < /dev/null &
      build=$!
      set +m
      while kill -0 "$build" 2> /dev/null; do
        if ! kill -0 "$owner" 2> /dev/null; then
          kill -TERM -- "-$build" 2> /dev/null
          echo "vm-kernel: killed: make (pid $owner) ended first" >> "$state.log"
          break
        fi
        sleep 2
      done
      wait "$build"
      echo $? > "$state.status.tmp"
      mv "$state.status.tmp" "$state.status"
    ) > /dev/null 2>&1 < /dev/null &
    ;;
  wait)
    [ -f "$state.started" ] || exit 0
    waited=$(date +%s)
    [ -f "$state.status" ] || echo "vm-kernel: waiting for the test kernel's build ($(($(date +%s) - $(cat "$state.started"))) s in so far)"
    while [ ! -f "$state.status" ]; do
      sleep 2
    done
    now=$(date +%s)
    took="$((now - $(cat "$state.started"))) s, of which $((now - waited)) s waited for"
    if [ "$(cat "$state.status")" = 0 ]; then
      echo "vm-kernel: built in the background in $took"
      rm -f "$state".*
      exit 0
    fi
    echo "vm-kernel: the test kernel's build failed after $took; its log's tail ($state.log):"
    tail -n 20 "$state.log" | sed 's/^/  | /'
    rm -f "$state.started" "$state.status"
    exit 1
    ;;
  *)
    e2e_die "usage: prebuild.sh start|wait OWNER_PID"
    ;;
esac
