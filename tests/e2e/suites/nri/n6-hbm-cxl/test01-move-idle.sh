# e2e-kernel: custom
# e2e-timeout: 500
# nri-plugins' own memtierd test (test/e2e/memory.test-suite/memtierd/
# n6-hbm-cxl/test01-move-idle), replayed on its topology: a pod of three
# busybox containers each holding 10 MB of base64 text (about 3,400 pages),
# two managed by the class move-idle-to-node2 (its ConfigMap, verbatim:
# age policy, idlepage tracker, idle for 3 s to node 2), one not. The
# plugin's pass criteria: each managed container's PID 1 has at least 2,500
# pages on node 2 within 25 s, the unmanaged one at most 200, from
# numa_maps. Counted from memtierd's launch, on a node where it never ran:
# its cache folder is new, so its first start unpacks the runtime.
#
# The pages and the unmanaged container are asserted; the time is a figure
# (the line "figures: ..." and the plugin's verdict), not an assertion,
# because under TCG on a shared machine it measures the machine's load
# (a host at load 23 on 2 cores kept both memtierds from starting within
# 90 s). The pages must come within E2E_NRI_DEADLINE_S seconds (default
# 180); E2E_NRI_DEADLINE_S=25 makes the plugin's bar the assertion on a
# machine of one's own.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/nri.bash"

nri-setup
for c in c0-managed c1-managed c2-unmanaged; do nri-ctr-start default pod0 "$c"; done
for c in c0-managed c1-managed; do nri-prepare e2e-move-idle.yaml move-idle-to-node2 default pod0 "$c"; done
vm-command-ok "cat ${NRI_CTRDIR[c0-managed]}/memtierd.config.yaml"

deadline=${E2E_NRI_DEADLINE_S:-180}
step "both memtierds started as the plugin starts them; node-2 pages of each PID 1 every 0.5 s"
p0=${NRI_PID[c0-managed]} p1=${NRI_PID[c1-managed]} p2=${NRI_PID[c2-unmanaged]}
vm-command-ok --timeout $((deadline + 60)) "export MEMTIERD_CACHE_DIR=/tmp/nri-fresh-cache; rm -rf \$MEMTIERD_CACHE_DIR
  t0=\$(nri-replay uptime)
  nri-replay memtierd-start ${NRI_CTRDIR[c0-managed]} > /dev/null
  nri-replay memtierd-start ${NRI_CTRDIR[c1-managed]} > /dev/null
  nri-replay started-at \$t0 ${NRI_CTRDIR[c0-managed]} > /tmp/nri-started-c0 2> /dev/null &
  nri-replay started-at \$t0 ${NRI_CTRDIR[c1-managed]} > /tmp/nri-started-c1 2> /dev/null &
  nri-replay watch-n2 \$t0 $deadline 2500 $p0 $p1"
watch=$COMMAND_OUTPUT
vm-command-ok "cat /tmp/nri-started-c0 /tmp/nri-started-c1"
read -r -d '' started0 started1 <<< "$COMMAND_OUTPUT" || true
first0=$(nri-first-at "$watch" 1 1) first1=$(nri-first-at "$watch" 2 1)
at0=$(nri-first-at "$watch" 1 2500) at1=$(nri-first-at "$watch" 2 2500)
echo "figures: started (its first output line) at c0 ${started0}s, c1 ${started1}s; first page on node 2 at c0 ${first0}s, c1 ${first1}s; 2500 pages at c0 ${at0}s, c1 ${at1}s"
vm-command-ok "nri-replay n2-pages $p2"
unmanaged=$COMMAND_OUTPUT
for c in c0-managed c1-managed; do nri-output "$c"; done
vm-command "for p in \$(cat ${NRI_CTRDIR[c0-managed]}/memtierd.pid ${NRI_CTRDIR[c1-managed]}/memtierd.pid); do grep -E 'VmRSS|RssAnon' /proc/\$p/status; awk '/^Pss:/ {print \"Pss:\", \$2, \"kB\"}' /proc/\$p/smaps_rollup; done"

within() { [ "$1" != never ] && awk -v t="$1" -v s="$2" 'BEGIN { exit !(t <= s) }'; }
if within "$at0" 25 && within "$at1" 25; then
  echo "figures: the plugin's bar (2,500 pages within 25 s of launch): met"
else
  echo "figures: the plugin's bar (2,500 pages within 25 s of launch): missed (c0 ${at0}s, c1 ${at1}s)"
fi
within "$at0" "$deadline" || fail "c0-managed: 2500 pages on node 2 at ${at0}s, wanted within ${deadline} s"
within "$at1" "$deadline" || fail "c1-managed: 2500 pages on node 2 at ${at1}s, wanted within ${deadline} s"
expect-range "c2-unmanaged: pages on node 2" 0 200 "$unmanaged"

step "the plugin stops the containers: SIGKILL, CTRDIR removed; nothing of memtierd is left"
vm-command-ok "cat ${NRI_CTRDIR[c0-managed]}/memtierd.pid ${NRI_CTRDIR[c1-managed]}/memtierd.pid"
mpids=$(echo $COMMAND_OUTPUT)
nri-stop-all pod0 "$mpids" c0-managed c1-managed
for c in c0-managed c1-managed c2-unmanaged; do nri-ctr-stop default pod0 "$c"; done
