# e2e-kernel: custom
# (it needs no idle page tracking, but shares the VM of test01 this way)
# A class template that reached memtierd with its variables not replaced
# (the plugin's class config written as is, `$CGROUP2_ABS_PATH` in it):
# started as the plugin starts it, memtierd writes one line saying which
# variable was left and what belongs there to memtierd.output and exits 2,
# instead of watching a cgroup that does not exist and moving nothing,
# silently. `-check` says the same. Then the rendered config is ok.
source "$(dirname "${BASH_SOURCE[0]}")/../lib/nri.bash"

nri-setup
nri-ctr-start default pod1 c0
vm-command-ok "nri-replay ctrdir default pod1 c0"
NRI_CTRDIR[c0]=$COMMAND_OUTPUT
d=${NRI_CTRDIR[c0]}
"$(e2e_deno)" run --quiet -R -E "$NRI_LIB/render_class.ts" "$NRI_FIXTURES/e2e-move-idle.yaml" \
  move-idle-to-node2 '$CGROUP2_ABS_PATH' '$MEMTIERD_SWAP_STATS_PATH' |
  vm-pipe-to-file "$d/memtierd.config.yaml"
vm-command-ok "grep -n CGROUP2 $d/memtierd.config.yaml"
expect-eq "the template's variable, left in" '9:          - $CGROUP2_ABS_PATH' "$COMMAND_OUTPUT"

step "started as the plugin starts it: one error line in memtierd.output, exit 2"
vm-command-ok "pid=\$(nri-replay memtierd-start $d); wait_end=0
  while [ -e /proc/\$pid ] && [ \$wait_end -lt 1200 ]; do sleep 0.1; wait_end=\$((wait_end + 1)); done
  [ ! -e /proc/\$pid ]"
nri-output c0
expect-eq "memtierd.output" "memtierd: $d/memtierd.config.yaml:9: \$CGROUP2_ABS_PATH is a variable of an nri-memtierd class template and was not replaced: write the container's cgroup v2 folder there" "$COMMAND_OUTPUT"
vm-command "memtierd -config $d/memtierd.config.yaml -check"
expect-eq "-check's exit status" 2 "$COMMAND_STATUS"
expect-eq "-check's stdout" "" "$COMMAND_OUTPUT"
expect-match "-check's stderr" '^memtierd: .*memtierd.config.yaml:9: \$CGROUP2_ABS_PATH is a variable' "$COMMAND_ERROR"

step "rendered as the plugin renders it, the same class checks ok"
nri-render e2e-move-idle.yaml move-idle-to-node2 c0 | vm-pipe-to-file "$d/memtierd.config.yaml"
vm-command-ok "memtierd -config $d/memtierd.config.yaml -check"
expect-eq "-check" "$d/memtierd.config.yaml: ok" "$COMMAND_OUTPUT"
nri-stop c0
nri-ctr-stop default pod1 c0
