# e2e-kernel: custom
# e2e-timeout: 1800
# Many managed containers at once, one memtierd each, as the plugin runs
# them: one memtierd per managed container, so what one costs is multiplied
# by the pods on a node. N containers of the test pod (busybox shells
# holding 10 MB of base64 text, about 3,414 pages each), each managed by the
# plugin's test class move-idle-to-node2 verbatim (idlepage tracker, idle
# for 3 s to node 2), the N memtierds started at once as the plugin starts
# them. N is E2E_NRI_COUNT: 6 by default, 20 for the twenty of issue 19.
#
# Why six by default: under TCG twenty do not fit the ~3 minutes of a CI
# test. Twenty Deno start-ups at once saturate the VM's 8 emulated CPUs (a
# host of 2 cores runs them): on the build host (other VMs beside it)
# twenty passed in 395 s at load 8 to 12 (the last shell at 2,500 pages
# 194 s after launch), and at load 25 the last shell got there at 549 s
# and the test ran out of 1,200 s; ten took 358 s at load 20; six 188 s at
# load 15 and 100 s at load 8. Memory is not the limit (below).
#
# Asserted from the kernel's view: every shell (the container's PID 1) has
# at least 2,500 pages on node 2 in numa_maps, the plugin's own bar for its
# test (the text is 3,414 pages, so a memtierd that moved part of it only
# does not pass), every memtierd still runs then and wrote no ERROR or WARN
# line. Printed: when the shells reached 2,500 pages; the PSS of the N
# memtierds (total and per instance, from /proc/PID/smaps_rollup): the
# runtime is one file shared by all, mapped from the cache folder, so each
# one's PSS falls as they grow in number; their CPU once the text moved.
#
# The VM fits twenty: twenty shells take 20 x 14 MB = 280 MB (and about as
# much again for a moment while each fills its variable), twenty memtierds
# 1.2 GB of RSS (measured; 540 MB of PSS), on nodes 0 and 1 (2G each, the
# nodes with CPUs); the text that moves takes 20 x 13.3 MB = 267 MB of
# node 2's 1G. The nodes' free memory is printed before and after.
#
# Times are printed ("figures:"), not asserted: the pages must come within
# E2E_NRI_TWENTY_DEADLINE_S seconds (default 600) of the launch.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/nri.bash"

n=${E2E_NRI_COUNT:-6}
# While twenty memtierds fill the VM's CPUs a round trip can take minutes.
export E2E_COMMAND_TIMEOUT=${E2E_COMMAND_TIMEOUT:-600}
deadline=${E2E_NRI_TWENTY_DEADLINE_S:-600}
ctrs=()
for i in $(seq -w 1 "$n"); do ctrs+=("c$i"); done

nri-setup
vm-command-ok "awk '/MemFree/ {printf \"%s%s:%d\", s, \$2, \$4 / 1024; s = \" \"}' /sys/devices/system/node/node*/meminfo"
echo "figures: free MB per node before the containers: $COMMAND_OUTPUT"

step "$n containers of the test pod"
t_start=$SECONDS
nri-pod-start e2e-move-idle.yaml move-idle-to-node2 default pod5 "${ctrs[@]}"
vm-command-ok "cat ${NRI_CTRDIR[${ctrs[0]}]}/memtierd.config.yaml"
expect-eq "${ctrs[0]}'s config, rendered in bulk" "$(nri-render e2e-move-idle.yaml move-idle-to-node2 "${ctrs[0]}")" "$COMMAND_OUTPUT"
echo "figures: $n containers started and their classes rendered in $((SECONDS - t_start)) s"
pids=""
for c in "${ctrs[@]}"; do pids+=" ${NRI_PID[$c]}"; done

step "$n memtierds started at once as the plugin starts them; node-2 pages of each PID 1"
starts=""
for c in "${ctrs[@]}"; do starts+="nri-replay memtierd-start ${NRI_CTRDIR[$c]} > /dev/null; "; done
vm-command-ok --timeout $((deadline + 120)) "t0=\$(nri-replay uptime); $starts nri-replay watch-n2 \$t0 $deadline 2500$pids"
watch=$COMMAND_OUTPUT
ats=()
col=0
for c in "${ctrs[@]}"; do
  col=$((col + 1))
  at=$(nri-first-at "$watch" $col 2500)
  [ "$at" != never ] || fail "$c: fewer than 2500 pages on node 2 within $deadline s: $(tail -n 1 <<< "$watch")"
  ats+=("$at")
done
sorted=$(printf '%s\n' "${ats[@]}" | sort -g)
echo "figures: $n memtierds: 2500 pages on node 2 after launch: first ${sorted%%$'\n'*}s, median $(sed -n "$(((n + 1) / 2))p" <<< "$sorted")s, last ${sorted##*$'\n'}s"

step "every shell's text on node 2 (numa_maps), every memtierd still running"
# One round trip for all (the VM is busy with the memtierds).
pairs=""
for c in "${ctrs[@]}"; do pairs+=" $c:${NRI_PID[$c]}:${NRI_CTRDIR[$c]}"; done
vm-command-ok "for x in$pairs; do c=\${x%%:*} r=\${x#*:}; p=\${r%%:*} d=\${r#*:}; m=\$(cat \$d/memtierd.pid)
    [ -e /proc/\$m ] && run=running || run=gone
    echo \$c \$(nri-replay n2-pages \$p) \$m \$run \$(grep -cE '^(ERROR|WARN)' \$d/memtierd.output)
  done"
checks=$COMMAND_OUTPUT
mpids=""
while read -r c pages m run errs; do
  expect-range "$c: pages of its shell on node 2 (numa_maps)" 2500 5000 "$pages"
  expect-eq "$c: its memtierd (pid $m)" running "$run"
  expect-eq "$c: ERROR and WARN lines of its memtierd" 0 "$errs"
  mpids+=" $m"
done <<< "$checks"
[ "$(wc -w <<< "$mpids")" = "$n" ] || fail "memtierd pids of $n containers expected: $checks"

step "PSS of the $n memtierds"
vm-command-ok "for p in$mpids; do awk '/^Pss:/ {print \$2}' /proc/\$p/smaps_rollup; done"
pss=$COMMAND_OUTPUT
[ "$(wc -l <<< "$pss")" = "$n" ] || fail "PSS of $n memtierds expected, got: $pss"
read -r total min max <<< "$(awk 'NR == 1 {min = $1; max = $1} {t += $1; if ($1 < min) min = $1; if ($1 > max) max = $1} END {print t, min, max}' <<< "$pss")"
vm-command-ok "for p in$mpids; do awk '/^VmRSS:/ {print \$2}' /proc/\$p/status; done | awk '{t += \$1} END {printf \"%.1f\", t / 1024}'"
rss_total=$COMMAND_OUTPUT
echo "figures: nri: $n memtierds: PSS total $(awk -v t="$total" 'BEGIN {printf "%.1f", t / 1024}') MB, per instance $(awk -v t="$total" -v n="$n" 'BEGIN {printf "%.1f", t / 1024 / n}') MB ($(awk -v a="$min" -v b="$max" 'BEGIN {printf "%.1f to %.1f", a / 1024, b / 1024}') MB); RSS total $rss_total MB"
# CPU: the memtierds' clock ticks over the time the VM's clock says passed
# (a sleep in a busy VM lasts longer than asked).
vm-command-ok "sample() { read -r up _ < /proc/uptime; echo \$up \$(for p in$mpids; do cut -d' ' -f14,15 /proc/\$p/stat; done | awk '{t += \$1 + \$2} END {print t}'); }
  sample; sleep 10; sample"
echo "figures: nri: $n memtierds, their text moved: CPU $(awk -v n="$n" '{ up[NR] = $1; t[NR] = $2 } END {
  c = (t[2] - t[1]) / 100 / (up[2] - up[1]); printf "%.2f CPUs in all, %.0f %% of a CPU each (over %.1f s)", c, c * 100 / n, up[2] - up[1] }' <<< "$COMMAND_OUTPUT")"
vm-command-ok "awk '/MemFree/ {printf \"%s%s:%d\", s, \$2, \$4 / 1024; s = \" \"}' /sys/devices/system/node/node*/meminfo"
echo "figures: free MB per node with the $n memtierds: $COMMAND_OUTPUT"

step "the plugin stops the containers: SIGKILL, CTRDIR removed; no memtierd left"
nri-stop-all pod5 "$mpids" "${ctrs[@]}"
for c in "${ctrs[@]}"; do nri-ctr-stop default pod5 "$c"; done
