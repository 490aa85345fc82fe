# e2e-kernel: custom
# e2e-timeout: 720
# Start, SIGKILL, start again, for each tracker, as the plugin does it: the
# plugin stops a memtierd with SIGKILL (it has no chance to clean up) and
# removes CTRDIR; the next memtierd for the container is started the same
# way. Nothing the killed one left may stop or mislead the next one.
#
# Three containers of the test pod (busybox shells holding 10 MB of base64
# text, about 3,414 pages), each managed by the plugin's test class
# move-idle-to-node2 with one tracker (lib/tracker-classes.yaml: softdirty,
# idlepage (the class verbatim), damon). Round 1: the three memtierds start
# at once and each moves its shell's text to node 2 (numa_maps: at least
# 2,500 pages, the plugin's bar). Then SIGKILL and CTRDIR removed; the
# text is put back on node 0 with numactl's migratepages; round 2: the
# next three memtierds start as the plugin starts them and each moves the
# text to node 2 again (numa_maps).
#
# DAMON: before round 1 somebody else (this test, by hand) runs kdamond 1
# of 3 on a sleep process of its own. The damon memtierd takes kdamond 0
# and leaves kdamond 1 alone. Killed, it leaves kdamond 0 on with its
# context, its ownership record (/run/memtierd/kdamonds/kdamond-0) and
# its tracefs instance. The next memtierd reclaims kdamond 0 (its INFO
# line names the killed memtierd), starts it again (a new kdamond thread)
# on its shell, leaves kdamond 2 off (no second kdamond on), removes the
# dead one's tracefs instance, and kdamond 1 is exactly as it was (on, the
# same target pid, the same thread). At the end no memtierd process is
# left, and DAMON is put back as it was.
#
# Times are printed ("figures:"), not asserted; the pages must come within
# E2E_NRI_DEADLINE_S seconds (default 180) of each round's launch.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/nri.bash"

# shellcheck source=../../../lib/damon.bash
source "$E2E_DIR/lib/damon.bash"
RECORDS=/run/memtierd/kdamonds
CLASSES=$NRI_LIB/tracker-classes.yaml
TRACKERS=(softdirty idlepage damon)
deadline=${E2E_NRI_DEADLINE_S:-180}

[ "$("$(e2e_deno)" run --quiet -R -E "$NRI_LIB/render_class.ts" "$CLASSES" move-idle-to-node2-idlepage CG DIR)" = \
  "$("$(e2e_deno)" run --quiet -R -E "$NRI_LIB/render_class.ts" "$NRI_FIXTURES/e2e-move-idle.yaml" move-idle-to-node2 CG DIR)" ] ||
  fail "move-idle-to-node2-idlepage of $CLASSES is not the plugin's class move-idle-to-node2 verbatim"

nri-setup
vm-command-ok "grep -q ' /sys/kernel/tracing ' /proc/mounts || mount -t tracefs nodev /sys/kernel/tracing"
damon-kdamonds
before=$COMMAND_OUTPUT
[[ "$before" =~ ^nr=([0-9]+)( [0-9]+:off:0)*$ ]] || fail "kdamonds in use before the test: $before"
nr_before=${BASH_REMATCH[1]}
vm-command-ok "ls -A /sys/kernel/tracing/instances | grep '^memtierd-' || true; ls -A $RECORDS 2> /dev/null || true"
expect-eq "memtierd's tracefs instances and kdamond records before the test" "" "$COMMAND_OUTPUT"

damon-other-start

declare -A P=() M1=() M2=()
for t in "${TRACKERS[@]}"; do
  nri-ctr-start default pod4 "c-$t"
  P[$t]=${NRI_PID[c-$t]}
  nri-prepare "$CLASSES" "move-idle-to-node2-$t" default pod4 "c-$t"
done
pids="${P[softdirty]} ${P[idlepage]} ${P[damon]}"

# round N: the three memtierds started at once as the plugin starts them,
# node-2 pages of each shell every 0.5 s until each has 2,500; asserts that,
# prints the times, sets M$N[tracker] to each memtierd's pid.
round() {
  local n=$1 starts="" t
  for t in "${TRACKERS[@]}"; do starts+="nri-replay memtierd-start ${NRI_CTRDIR[c-$t]} > /dev/null; "; done
  vm-command-ok --timeout $((deadline + 60)) "t0=\$(nri-replay uptime); $starts nri-replay watch-n2 \$t0 $deadline 2500 $pids"
  local watch=$COMMAND_OUTPUT col=0 at line="figures: round $n, 2500 pages on node 2 after launch:"
  for t in "${TRACKERS[@]}"; do
    col=$((col + 1))
    at=$(nri-first-at "$watch" $col 2500)
    line+=" $t ${at}s"
    [ "$at" != never ] || fail "round $n, $t: fewer than 2500 pages on node 2 within $deadline s: $(tail -n 1 <<< "$watch")"
  done
  echo "$line"
  for t in "${TRACKERS[@]}"; do
    vm-command-ok "cat ${NRI_CTRDIR[c-$t]}/memtierd.pid"
    eval "M$n[$t]=\$COMMAND_OUTPUT"
    vm-command-ok "nri-replay n2-pages ${P[$t]}"
    expect-range "round $n, $t: pages of its shell on node 2 (numa_maps)" 2500 5000 "$COMMAND_OUTPUT"
  done
}

step "round 1: three memtierds, one per tracker, started as the plugin starts them"
round 1
damon-kdamonds
expect-eq "kdamonds: the damon memtierd took 0, left 1 and 2" "nr=3 0:on:1 1:on:1 2:off:0" "$COMMAND_OUTPUT"
damon-kdamond 0
read -r state0 target0 thread1 <<< "$COMMAND_OUTPUT"
expect-eq "kdamond 0's target" "${P[damon]}" "$target0"
damon-other-untouched "while memtierd runs"

step "SIGKILL, CTRDIR removed, as the plugin stops memtierd; what the killed one leaves"
m1="${M1[softdirty]} ${M1[idlepage]} ${M1[damon]}"
nri-stop-all pod4 "$m1" "${TRACKERS[@]/#/c-}"
damon-kdamonds
expect-eq "kdamonds after SIGKILL: 0 still on" "nr=3 0:on:1 1:on:1 2:off:0" "$COMMAND_OUTPUT"
damon-kdamond 0
expect-eq "kdamond 0 after SIGKILL (state, target, thread)" "on ${P[damon]} $thread1" "$COMMAND_OUTPUT"
vm-command-ok "ls $RECORDS"
expect-eq "kdamond records after SIGKILL" "kdamond-0" "$COMMAND_OUTPUT"
vm-command-ok "cat $RECORDS/kdamond-0"
expect-match "the killed memtierd's record of kdamond 0" "^\{\"kdamond\":0,\"pid\":${M1[damon]},.*\"target\":${P[damon]},\"thread\":$thread1\}$" "$COMMAND_OUTPUT"
instances() { vm-command-ok "echo \$(ls -A /sys/kernel/tracing/instances | sed -n 's/^\(memtierd-[0-9]*\)-[0-9]*$/\1/p')"; }
instances
expect-eq "memtierd's tracefs instances after SIGKILL: the killed one's" "memtierd-${M1[damon]}" "$COMMAND_OUTPUT"

step "the text put back on node 0 (migratepages)"
for p in $pids; do
  vm-command-ok "migratepages $p 2 0 && nri-replay n2-pages $p"
  expect-range "pages of $p on node 2 after migratepages" 0 200 "$COMMAND_OUTPUT"
done

step "round 2: the next three memtierds, for the same containers, as the plugin starts them"
for t in "${TRACKERS[@]}"; do nri-prepare "$CLASSES" "move-idle-to-node2-$t" default pod4 "c-$t"; done
round 2
# What each memtierd costs once its text has moved (it keeps scanning): clock
# ticks over the time the VM's clock says passed.
m2="${M2[softdirty]} ${M2[idlepage]} ${M2[damon]}"
vm-command-ok "sample() { read -r up _ < /proc/uptime; echo \$up \$(for p in $m2; do echo \$(cut -d' ' -f14,15 /proc/\$p/stat); done); }
  sample; sleep 10; sample"
echo "figures: round 2, CPU of each memtierd after its move: $(awk -v names="${TRACKERS[*]}" '
  { for (i = 1; i <= NF; i++) v[NR, i] = $i } END {
    split(names, n, " "); dt = v[2, 1] - v[1, 1]
    for (i = 1; i <= 3; i++) {
      d = v[2, 2 * i] + v[2, 2 * i + 1] - v[1, 2 * i] - v[1, 2 * i + 1]
      printf "%s%s %.0f %%", (i > 1 ? ", " : ""), n[i], d / dt
    }
    printf " of a CPU (over %.1f s)", dt }' <<< "$COMMAND_OUTPUT")"
for t in "${TRACKERS[@]}"; do
  nri-output "c-$t"
  if grep -qE '^(ERROR|WARN)' <<< "$COMMAND_OUTPUT"; then fail "round 2, $t: $(grep -E '^(ERROR|WARN)' <<< "$COMMAND_OUTPUT")"; fi
done
nri-output c-damon
expect-match "the damon memtierd's reclaim line" "^INFO: tracker damon: kdamond 0 \(on, monitoring pid ${P[damon]}\) was taken by memtierd pid ${M1[damon]}, which is gone: reclaimed$" "$COMMAND_OUTPUT"
damon-kdamonds
expect-eq "kdamonds in round 2: 0 reclaimed and on, 2 off (no second kdamond)" "nr=3 0:on:1 1:on:1 2:off:0" "$COMMAND_OUTPUT"
damon-kdamond 0
read -r state0 target0 thread2 <<< "$COMMAND_OUTPUT"
expect-eq "kdamond 0's target in round 2" "${P[damon]}" "$target0"
[ "$thread2" != "$thread1" ] || fail "kdamond 0's thread is the killed memtierd's ($thread1): it was not started again"
vm-command-ok "cat $RECORDS/kdamond-0"
expect-match "the record of kdamond 0 names the new memtierd" "^\{\"kdamond\":0,\"pid\":${M2[damon]},.*\"target\":${P[damon]},\"thread\":$thread2\}$" "$COMMAND_OUTPUT"
instances
expect-eq "memtierd's tracefs instances in round 2: the new one's only" "memtierd-${M2[damon]}" "$COMMAND_OUTPUT"
damon-other-untouched "after round 2"
# The check of no memtierd left below: while they run, it sees the three.
vm-command-ok "grep -l '[n]ri-memtierd/default/pod4' /proc/[0-9]*/cmdline 2> /dev/null | wc -l"
expect-eq "processes with a config of the pod on their command line, round 2" 3 "$COMMAND_OUTPUT"

step "the plugin stops the containers: SIGKILL, CTRDIR removed; no memtierd left"
nri-stop-all pod4 "$m1 $m2" "${TRACKERS[@]/#/c-}"
vm-command-ok "grep -l '[n]ri-memtierd/default/pod4' /proc/[0-9]*/cmdline 2> /dev/null || true"
expect-eq "processes with a config of the pod on their command line" "" "$COMMAND_OUTPUT"
for t in "${TRACKERS[@]}"; do nri-ctr-stop default pod4 "c-$t"; done

step "DAMON put back as it was before the test"
damon-restore "$nr_before"
vm-command-ok "rm -f $RECORDS/kdamond-*; for i in /sys/kernel/tracing/instances/memtierd-*; do [ ! -d \$i ] || rmdir \$i; done"
damon-kdamonds
expect-eq "kdamonds at the end" "$before" "$COMMAND_OUTPUT"
