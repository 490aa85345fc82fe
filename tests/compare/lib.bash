# The tiering comparison (issue 17), sourced by the scripts under
# tests/compare and by its e2e test: the same workload (`meme hotset`) under
# each contender, one after the other in one VM, each from the same starting
# placement (cold pages filling the fast nodes, the hot set on the slow
# ones). Per contender the host keeps, in $COMPARE_RUNS/VARIANT-NAME.*, the
# workload's output (.out), the kernel's counters when the accesses started
# and when they ended (.before, .after) and a line about the run (.meta);
# report.ts turns them into `compare:` lines and a chart.
#
# Settings (environment): COMPARE_WS working set (default 1G: the fast nodes
# cannot hold it), COMPARE_TTL accesses in s (80), COMPARE_SHIFT hot-set
# shift in s (40), COMPARE_VARIANTS (write read), COMPARE_PROMOTE_MBPS the
# kernel's promote rate limit (256), COMPARE_FAST_RESERVE what the starting
# placement leaves free on each fast node (64M), COMPARE_HOT_ACCESS the share
# of the accesses that go to the hot set (90), COMPARE_DEBUG=1 runs our memtierd with
# -debug. Our memtierd's log is kept as VARIANT-NAME.log. A contender that cannot run (its daemon
# exits, DAMON refuses the schemes) gets a "not run" line; the others go on.

COMPARE_WS=${COMPARE_WS:-1G}
COMPARE_TTL=${COMPARE_TTL:-80}
COMPARE_SHIFT=${COMPARE_SHIFT:-40}
COMPARE_VARIANTS=${COMPARE_VARIANTS:-write read}
COMPARE_PROMOTE_MBPS=${COMPARE_PROMOTE_MBPS:-256}
COMPARE_FAST_RESERVE=${COMPARE_FAST_RESERVE:-64M}
COMPARE_HOT_ACCESS=${COMPARE_HOT_ACCESS:-90}
COMPARE_DEBUG=${COMPARE_DEBUG:-0}
COMPARE_RUNS=${COMPARE_RUNS:-${E2E_OUTPUT:-$E2E_DIR/output}/compare/runs}
COMPARE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# A daemon is up before the workload starts: the accesses begin once our
# memtierd logged that it started its policy (its start takes 10-70 s under
# TCG, depending on the host's load) and COMPARE_SETTLE s more; for the Go
# memtierd, which logs nothing then, after COMPARE_GO_SETTLE s.
COMPARE_SETTLE=${COMPARE_SETTLE:-3}
COMPARE_GO_SETTLE=${COMPARE_GO_SETTLE:-15}
E2E_COMMAND_TIMEOUT=600

# compare-emit LINE: a `compare:` line, also kept in $COMPARE_RUNS/compare.log.
compare-emit() {
  echo "compare: $1"
  echo "compare: $1" >> "$COMPARE_RUNS/compare.log"
}

# compare-prepare: the guest helpers, the counters script, a clean run folder.
compare-prepare() {
  mkdir -p "$COMPARE_RUNS"
  vm-pipe-to-file /usr/local/bin/compare-counters < "$COMPARE_DIR/guest-counters.sh"
  vm-pipe-to-file /usr/local/bin/compare-damos < "$COMPARE_DIR/guest-damos.sh"
  vm-command-ok "chmod 755 /usr/local/bin/compare-counters /usr/local/bin/compare-damos"
  vm-command-ok "cat /sys/devices/virtual/memory_tiering/memory_tier*/nodelist; cat /sys/devices/system/node/has_cpu"
}

# compare-kernel-off: no kernel tiering (numa_balancing 0, no demotion, DAMON off).
compare-kernel-off() {
  vm-command-ok "echo 0 > /proc/sys/kernel/numa_balancing; echo 0 > /sys/kernel/mm/numa/demotion_enabled; compare-damos off"
}

# compare-memtierd-yaml POLICY TRACKER PID: our daemon's config for a contender.
compare-memtierd-yaml() {
  local tracker
  case "$2" in
    softdirty | idlepage) tracker="{name: $2, config: {pagesinregion: 256, maxcountperregion: 1, scanintervalms: 2000}}" ;;
    damon) tracker="{name: damon, config: {SysfsRegionsManager: 1, MinTargetRegions: 100}}" ;;
  esac
  case "$1" in
    age)
      cat <<YAML
policy:
  name: age
  config:
    intervalms: 2000
    pidwatcher: {name: pidlist, config: {pids: [$3]}}
    tracker: $tracker
    idledurationms: 10000
    idlenumas: [2, 3]
    activedurationms: 2000
    activenumas: [0, 1]
    mover: {intervalms: 20, bandwidth: 200}
YAML
      ;;
    agerank)
      # Age with DemoteToMakeRoom: on the full fast nodes the least accessed
      # memory goes down to make room for the most accessed. It ranks by the
      # share of a region's pages written, so every written page counts.
      [ "$2" = damon ] || tracker="{name: $2, config: {pagesinregion: 256, maxcountperregion: 0, scanintervalms: 2000}}"
      cat <<YAML
policy:
  name: age
  config:
    intervalms: 2000
    pidwatcher: {name: pidlist, config: {pids: [$3]}}
    tracker: $tracker
    idledurationms: 10000
    idlenumas: [2, 3]
    activedurationms: 2000
    activenumas: [0, 1]
    demotetomakeroom: true
    mover: {intervalms: 20, bandwidth: 200}
YAML
      ;;
    heat)
      # Heat needs how much of a region was written, not only whether: every
      # written page counts (maxcountperregion 0), so a hot region scores 1
      # a scan and a cold one the share of its pages touched in 2 s. The
      # class bounds are shares of the heat the hottest 1 % of the pages
      # reach (heatclassbounds hottest; heatmax only caps), not of a fixed
      # heatmax: the fifth run's heatmax 2 was calibrated for 256 MB and put
      # the 1 GB run's hot set in class 0. 0.8 of the heat is left after a second: a region written
      # in every 2 s scan stays near 2.8, one the workload's cold sweep wrote
      # once near 1 (class 1 of 3: stays where it is, no ping-pong), and
      # below a third of the hottest within seconds (class 0: slow tier).
      # DAMON's count of a region (nr_accesses: in how many samples it was
      # accessed) holds for each of its pages (countperpage false): divided
      # by the pages, DAMON's few large hot regions ranked below small cold
      # ones.
      local perpage=""
      [ "$2" = damon ] && perpage=", countperpage: false"
      [ "$2" = damon ] || tracker="{name: $2, config: {pagesinregion: 256, maxcountperregion: 0, scanintervalms: 2000}}"
      cat <<YAML
policy:
  name: heat
  config:
    intervalms: 2000
    pidwatcher: {name: pidlist, config: {pids: [$3]}}
    tracker: $tracker
    heatmap: {heatmax: 1000000, heatretention: 0.8, heatclasses: 3, heatclassbounds: hottest$perpage}
    heatnumas: {0: [2, 3], 2: [0, 1]}
    mover: {intervalms: 20, bandwidth: 200}
YAML
      ;;
  esac
}

# compare-go-yaml TRACKER PID: the Go memtierd's age policy, the same settings.
compare-go-yaml() {
  cat <<YAML
policy:
  name: age
  config: |
    intervalms: 2000
    pidwatcher:
      name: pidlist
      config: |
        pids:
          - $2
    tracker:
      name: $1
      config: |
        pagesinregion: 256
        maxcountperregion: 1
        scanintervalms: 2000
    idledurationms: 10000
    idlenumas: [2, 3]
    activedurationms: 2000
    activenumas: [0, 1]
    mover:
      intervalms: 20
      bandwidth: 200
YAML
}

# compare-skip "VARIANT CONTENDER" WHY WORKLOAD_PID MEMTIERD_PID: a "not run"
# line with the daemon's last log lines; ends the workload and the daemon.
compare-skip() {
  vm-command --quiet "tail -3 /tmp/c.log 2> /dev/null | tr '\\n' ' '"
  compare-emit "$1: not run: $2: $COMMAND_OUTPUT"
  vm-command "kill $3 $4; touch /tmp/c.go; rm -f /tmp/c.mpid"
  compare-kernel-off
}

# compare-run VARIANT CONTENDER: one run of the workload under CONTENDER
# (none, kernel, damos, ours-POLICY-TRACKER with POLICY age, agerank (age
# with DemoteToMakeRoom) or heat, go-age-TRACKER, ours-age-softdirty+kernel).
compare-run() {
  local variant=$1 name=$2 write=false mpid="" tag="$1-$2" started
  [ "$variant" = write ] && write=true
  started=$(date +%s)
  step "$tag"
  compare-kernel-off
  vm-command-ok "rm -f /tmp/c.go /tmp/c.out /tmp/c.log; (while [ ! -e /tmp/c.go ]; do sleep 0.2; done; echo start) | meme hotset -ws $COMPARE_WS -ttl ${COMPARE_TTL}s -shift ${COMPARE_SHIFT}s -write=$write -fast-reserve $COMPARE_FAST_RESERVE -hot-access $COMPARE_HOT_ACCESS -wait-start > /tmp/c.out 2>&1 & echo \$! > /tmp/c.pid"
  vm-run-until --timeout 900 --poll 1 "grep -q '^ready:' /tmp/c.out" || {
    vm-command "cat /tmp/c.out"
    fail "$tag: the workload did not get ready"
  }
  vm-command --quiet "cat /tmp/c.pid"
  local wpid=$COMMAND_OUTPUT
  case "$name" in
    none) ;;
    kernel | *+kernel)
      vm-command-ok "echo 1 > /sys/kernel/mm/numa/demotion_enabled; echo $COMPARE_PROMOTE_MBPS > /proc/sys/kernel/numa_balancing_promote_rate_limit_MBps; echo 2 > /proc/sys/kernel/numa_balancing"
      ;;&
    damos)
      if ! vm-command "compare-damos on"; then
        compare-emit "$variant damos: not run: $COMMAND_ERROR"
        vm-command "kill $wpid; compare-damos off"
        return 0
      fi
      ;;
    ours-*)
      local p=${name#ours-} policy tracker
      p=${p%+kernel}
      policy=${p%%-*} tracker=${p#*-}
      compare-memtierd-yaml "$policy" "$tracker" "$wpid" | vm-pipe-to-file /tmp/c.yaml
      local debug=""
      [ "$COMPARE_DEBUG" = 1 ] && debug=-debug
      vm-command-ok "(memtierd -config /tmp/c.yaml $debug -l /tmp/c.log & echo \$! > /tmp/c.mpid) > /dev/null 2>&1"
      ;;
    go-age-*)
      compare-go-yaml "${name#go-age-}" "$wpid" | vm-pipe-to-file /tmp/c.yaml
      vm-command-ok "(gomemtierd -config /tmp/c.yaml > /tmp/c.log 2>&1 & echo \$! > /tmp/c.mpid) > /dev/null 2>&1"
      ;;
  esac
  if vm-command --quiet "cat /tmp/c.mpid 2> /dev/null" && [ -n "$COMMAND_OUTPUT" ]; then mpid=$COMMAND_OUTPUT; fi
  case "$name" in
    ours-*)
      vm-run-until --timeout 300 --poll 1 "grep -q 'started ' /tmp/c.log" || {
        compare-skip "$variant $name" "memtierd did not start its policy" "$wpid" "$mpid"
        return 0
      }
      vm-command-ok "sleep $COMPARE_SETTLE"
      ;;
    go-*) vm-command-ok "sleep $COMPARE_GO_SETTLE" ;;
  esac
  if [ -n "$mpid" ] && ! vm-command "kill -0 $mpid"; then
    compare-skip "$variant $name" "memtierd exited" "$wpid" ""
    return 0
  fi
  vm-command-ok "compare-counters $mpid > /tmp/c.before; touch /tmp/c.go"
  vm-run-until --timeout $((COMPARE_TTL * 4 + 300)) --poll 2 "! kill -0 $wpid 2> /dev/null" || fail "$tag: the workload did not end"
  vm-command-ok "compare-counters $mpid > /tmp/c.after"
  [ "$name" != damos ] || vm-command "compare-damos stats"
  [ -z "$mpid" ] || vm-command "kill $mpid; sleep 1; grep -c 'WARN\|ERROR' /tmp/c.log; tail -3 /tmp/c.log"
  vm-command "rm -f /tmp/c.mpid"
  compare-kernel-off
  for f in out before after; do
    vm-command --quiet "cat /tmp/c.$f"
    printf '%s\n' "$COMMAND_OUTPUT" > "$COMPARE_RUNS/$tag.$f"
  done
  if [[ "$name" == ours-* ]]; then
    vm-command --quiet "cat /tmp/c.log"
    printf '%s\n' "$COMMAND_OUTPUT" > "$COMPARE_RUNS/$tag.log"
  fi
  echo "variant=$variant contender=$name ws=$COMPARE_WS ttl=$COMPARE_TTL shift=$COMPARE_SHIFT promote_mbps=$COMPARE_PROMOTE_MBPS seconds=$(($(date +%s) - started))" > "$COMPARE_RUNS/$tag.meta"
  expect-match "$tag: the workload's data" "^verify: OK" "$(grep '^verify:' "$COMPARE_RUNS/$tag.out")"
}

# compare-report: compare: lines and the chart of every run in
# $COMPARE_RUNS, also kept in $COMPARE_RUNS/report.txt (rewritten each time).
compare-report() {
  "${DENO:-deno}" run --allow-read --allow-write "$COMPARE_DIR/report.ts" "$COMPARE_RUNS" > "$COMPARE_RUNS/report.txt"
  cat "$COMPARE_RUNS/report.txt"
}
