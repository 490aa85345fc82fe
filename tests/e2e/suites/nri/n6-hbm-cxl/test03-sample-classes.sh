# e2e-kernel: custom
# e2e-timeout: 500
# The classes the plugin ships (sample-configs/nri-memtierd.yaml, and the
# same two in its Helm chart's ConfigMap, both verbatim in
# tests/fixtures/nri-plugins/), each managing a container of the test pod
# as the plugin starts memtierd:
#   - swap-idle-data (age policy, idlepage tracker, idle for 10 s to swap,
#     50 MB/s): the container's text goes to swap (zram here), seen in its
#     shell's VmSwap;
#   - track-working-set-size (age policy with no moves, and a statactions
#     routine running `policy -dump accessed 0,1m,30m,2h,24h,0` every
#     60 s): the table of the shell's memory by time since last access
#     appears in memtierd.output.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/nri.bash"

for f in sample-configs.yaml helm-configmap.yaml; do
  classes=$("$(e2e_deno)" run --quiet -R -E "$NRI_LIB/render_class.ts" "$NRI_FIXTURES/$f" | tr '\n' ' ')
  expect-eq "the classes of $f" "swap-idle-data track-working-set-size " "$classes"
done
# class FIXTURE CLASS: the class rendered for a container in folder CG, run folder DIR.
class() { "$(e2e_deno)" run --quiet -R -E "$NRI_LIB/render_class.ts" "$NRI_FIXTURES/$1" "$2" CG DIR; }
for c in swap-idle-data track-working-set-size; do
  [ "$(class helm-configmap.yaml $c)" = "$(class sample-configs.yaml $c)" ] ||
    fail "class $c of the Helm chart differs from the sample config's: replay both"
done

nri-setup
vm-command-ok "zram-swap 512M"
nri-ctr-start default pod3 c0-swap
nri-ctr-start default pod3 c1-wss
nri-prepare sample-configs.yaml swap-idle-data default pod3 c0-swap
nri-prepare sample-configs.yaml track-working-set-size default pod3 c1-wss
p0=${NRI_PID[c0-swap]} p1=${NRI_PID[c1-wss]}

step "both memtierds started as the plugin starts them"
vm-command-ok "nri-replay memtierd-start ${NRI_CTRDIR[c0-swap]} && nri-replay memtierd-start ${NRI_CTRDIR[c1-wss]}"

step "swap-idle-data: the text of c0-swap's shell is swapped out (its VmSwap)"
# 13,981,016 bytes of text: at least 10 MB of it in swap.
swapped_kb() { vm-command-ok "awk '/^VmSwap:/ {print \$2}' /proc/$1/status"; }
vm-run-until --timeout 240 --poll 1 "[ \$(awk '/^VmSwap:/ {print \$2}' /proc/$p0/status) -ge 10240 ]"
swapped_kb "$p0"
expect-range "c0-swap: VmSwap of its shell, kB" 10240 15000 "$COMMAND_OUTPUT"
nri-output c0-swap
expect-eq "c0-swap's memtierd.output" "INFO: started policy age and 0 routine(s) from ${NRI_CTRDIR[c0-swap]}/memtierd.config.yaml" "$COMMAND_OUTPUT"

step "track-working-set-size: statactions prints the shell's memory by time since last access"
vm-run-until --timeout 240 --poll 1 "grep -q '^ *$p1 ' ${NRI_CTRDIR[c1-wss]}/memtierd.output"
nri-output c1-wss
expect-match "c1-wss's memtierd.output" "^INFO: started policy age and 1 routine\(s\) \(statactions\) from ${NRI_CTRDIR[c1-wss]}/memtierd.config.yaml" "$COMMAND_OUTPUT"
if grep -q "no policy" <<< "$COMMAND_OUTPUT"; then fail "c1-wss: statactions' command did not find the policy"; fi
expect-match "the table's head" "^     pid lastaccs>=\[s\] lastaccs<\[s\]    pages   mem\[G\] pidmem\[%\]$" "$COMMAND_OUTPUT"
# One row per window: 0..60, 60..1800, 1800..7200, 7200..86400, 86400.. s.
rows=$(awk -v pid="$p1" '/^table:/ { n++ } n == 1 && $1 == pid { r++ } END { print r + 0 }' <<< "$COMMAND_OUTPUT")
expect-eq "rows of pid $p1 in the first table" 5 "$rows"
swapped_kb "$p1"
expect-eq "c1-wss (its class swaps nothing): VmSwap of its shell, kB" 0 "$COMMAND_OUTPUT"

step "the plugin stops the containers: SIGKILL, CTRDIR removed"
nri-stop-all pod3 "" c0-swap c1-wss
for c in c0-swap c1-wss; do nri-ctr-stop default pod3 "$c"; done
vm-command-ok "zram-swap off"
