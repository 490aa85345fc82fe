# Helpers of the heat policy tests (sourced by each test).
#
# Each test runs meme with one 256M array, of which the first 64M is written
# all the time (-bwc 1 -bws 64M) and the rest was touched once, and a heat
# policy over it with the softdirty tracker: 2 heat classes of HeatMax 0.01
# and no retention (as the Go tests), so a 512-page region written in the
# last interval is class 1 (hot), the others class 0 (cold).

# ph-meme-start: meme on node 0, its array ARRAY ("START-END", hex) recorded.
ph-meme-start() {
  meme-start --numactl "--membind=0" -bs 256M -bwc 1 -bws 64M -brc 0 -pattern 5
  ARRAY=$(echo ${MEME_RANGES[meme]})
}

# ph-yaml HEATNUMAS [EXTRA_YAML]: the daemon config of the tests' heat policy
# (its tracker: $PH_TRACKER, default softdirty).
ph-yaml() {
  cat <<YAML
policy:
  name: heat
  config:
    intervalms: 3000
    pidwatcher: {name: pidlist, config: {pids: [$MEME_PID]}}
    tracker:
      name: ${PH_TRACKER:-softdirty}
      config: {pagesinregion: 512, maxcountperregion: 0, scanintervalms: 1000}
    heatmap: {heatmax: 0.01, heatretention: 0, heatclasses: 2}
    heatnumas: $1
    mover: {intervalms: 20, bandwidth: 200}
${2:-}
YAML
}

# ph-memtierd-start YAML: memtierd -config FILE -prompt, answering once its prompt is there.
ph-memtierd-start() {
  vm-pipe-to-file /root/heat.yaml <<< "$1"
  memtierd-start -config /root/heat.yaml -l /root/heat.log -debug
  vm-run-until --timeout 60 "grep -q 'memtierd> ' $E2E_GUEST_DIR/session.memtierd/out" ||
    fail "memtierd gave no prompt"
}

# Guest shell expressions: pages of meme's array on NODE; of the array in swap.
ph-on() { echo "\$(numa-pages -r $ARRAY $MEME_PID $1)"; }
ph-swapped() {
  echo "\$(( 65536 - \$(numa-pages -r $ARRAY $MEME_PID | awk '{ s += \$2 } END { print s }') ))"
}

# ph-wait TIMEOUT CONDITION: waits until the guest shell test CONDITION holds
# (e.g. "$(ph-on 1) -ge 40000"), then prints where the array is.
ph-wait() {
  vm-run-until --timeout "$1" --poll 1 "test $2" || {
    ph-report
    ph-rounds
    fail "not within $1 s: $2"
  }
}

# ph-report: MB of meme's array per node and in swap, and the process's VmSwap.
ph-report() {
  vm-command-ok "echo node0 \$(( $(ph-on 0) / 256 ))M node1 \$(( $(ph-on 1) / 256 ))M array-swapped \$(( $(ph-swapped) / 256 ))M VmSwap \$(awk '/VmSwap/ { print int(\$2 / 1024) }' /proc/$MEME_PID/status)M"
  echo "where (${SECONDS}s into the test): $COMMAND_OUTPUT"
  WHERE=$COMMAND_OUTPUT
}

# ph-mb FIELD: the MB of FIELD (node0, node1, array-swapped, VmSwap) in the last ph-report.
ph-mb() {
  local rest=${WHERE#*"$1 "}
  echo "${rest%%M*}"
}

# ph-rounds: the policy's last round lines of its debug log (counters, time taken).
ph-rounds() {
  vm-command "grep -E 'policy heat|forecaster' /root/heat.log | tail -n 12; grep -c 'policy heat: round' /root/heat.log"
  echo "$COMMAND_OUTPUT"
}

# ph-swap-scenario: the heat policy swapping with $PH_TRACKER: what test01
# and test04 say in their headers.
ph-swap-scenario() {
  vm-command-ok "zram-swap 512M"
  ph-meme-start
  ph-memtierd-start "$(ph-yaml '{0: [-1]}')"

  step "meme runs: the untouched 192M goes to swap"
  # 192M through zram under TCG: about a minute on a quiet host, more beside other VMs.
  ph-wait 180 "$(ph-swapped) -ge 45056"
  vm-command "sleep 4"
  ph-report
  expect-range "MB of the array in swap" 176 200 "$(ph-mb array-swapped)"
  expect-range "MB of the array in memory (the written 64M)" 56 80 "$(($(ph-mb node0) + $(ph-mb node1)))"
  expect-range "VmSwap MB (the array's and the runtime's idle memory)" 176 600 "$(ph-mb VmSwap)"

  step "SIGSTOP: nothing is written, all 256M go to swap"
  vm-command-ok "kill -STOP $MEME_PID"
  ph-wait 60 "$(ph-swapped) -ge 64000"
  ph-report
  expect-range "MB of the array in swap" 250 256 "$(ph-mb array-swapped)"

  step "SIGCONT: the written 64M is faulted back in and stays"
  vm-command-ok "kill -CONT $MEME_PID"
  ph-wait 60 "$(ph-swapped) -le 51200"
  vm-command "sleep 7"
  ph-report
  expect-range "MB of the array in swap" 176 200 "$(ph-mb array-swapped)"

  ph-rounds
  memtierd-command --timeout 90 "policy -dump heatgram"
  echo "$COMMAND_OUTPUT"
  memtierd-command --timeout 90 "stats -t policy_decisions"
  echo "$COMMAND_OUTPUT"
  memtierd-stop
  meme-verify
}
