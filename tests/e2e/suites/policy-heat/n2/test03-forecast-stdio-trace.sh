# e2e-timeout: 180
# heat policy with a forecaster chain in the loop: trace (the measured
# heats) -> stdio (a python3 child that forecasts every range cold) ->
# trace (the forecast). (python3 starts slowly under TCG: TimeoutMs 30000.)
# The forecast decides: meme's written 64M goes to
# the cold node 1 too, which the measured heats alone never do (test02);
# both trace files get rows, hot ones before the child and only heat 0
# after it; meme's data is intact.
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

vm-pipe-to-file /root/cold.py <<'PY'
import json, sys
for line in sys.stdin:
    heats = json.loads(line)
    for ranges in heats.values():
        for r in ranges:
            r["heat"] = 0
    print(json.dumps(heats), flush=True)
PY
vm-command-ok "rm -f /root/before.trace /root/after.trace"
ph-meme-start
ph-memtierd-start "$(ph-yaml '{0: [1], 1: [0]}' "    forecaster:
      name: chain
      config:
        forecasters:
          - {name: trace, config: {file: /root/before.trace}}
          - {name: stdio, config: {command: [python3, /root/cold.py], retry: 1, timeoutms: 30000}}
          - {name: trace, config: {file: /root/after.trace}}")"

step "the forecast says all is cold: all 256M go to node 1 while meme writes"
ph-wait 90 "$(ph-on 1) -ge 64000"
ph-report
expect-range "MB of the array on node 1" 250 256 "$(ph-mb node1)"

step "trace rows: hot before the child, only heat 0 after it"
vm-command-ok "grep -c '^table: heat forecast' /root/before.trace; awk 'NF == 6 && \$4 > 0' /root/before.trace | wc -l; awk 'NF == 6' /root/after.trace | wc -l; awk 'NF == 6 && \$4 > 0' /root/after.trace | wc -l"
echo "trace: tables before, hot rows before, rows after, hot rows after: $(echo $COMMAND_OUTPUT)"
read -r tables hot_before rows_after hot_after <<< "$(echo $COMMAND_OUTPUT)"
expect-range "rounds traced" 2 100 "$tables"
expect-range "hot rows before the child (meme's written regions)" 1 100000 "$hot_before"
expect-range "rows after the child" 1 1000000 "$rows_after"
expect-eq "hot rows after the child" 0 "$hot_after"
ph-rounds
memtierd-command --timeout 90 "policy -dump forecast"
echo "$COMMAND_OUTPUT"
expect-match "the child answered" "starts=1 answers=[1-9]" "$COMMAND_OUTPUT"
child=$(sed -n 's/.*(stdio): .* pid=\([0-9]*\) .*/\1/p' <<< "$COMMAND_OUTPUT" | head -n 1)
vm-command-ok "grep -q cold.py /proc/$child/cmdline"
memtierd-stop
vm-run-until --timeout 20 "! test -d /proc/$child" || fail "the forecaster child $child outlived memtierd"
meme-verify
