# The framework itself: commands' output, errors and exit status come back
# exactly; timeouts end a command; background processes keep running; the
# VM has what tests rely on.

vm-command "printf 'one\ntwo\n'; echo err >&2; exit 7"
expect-eq "exit status" 7 "$COMMAND_STATUS"
expect-eq "stdout" "one
two" "$COMMAND_OUTPUT"
expect-eq "stderr" "err" "$COMMAND_ERROR"

vm-command "head -c 300000 /dev/urandom | base64 -w 100 | tee /tmp/big | md5sum | cut -d' ' -f1"
sum=$COMMAND_OUTPUT
vm-command --quiet "cat /tmp/big"
expect-eq "300 kB of output, byte for byte" "$sum" "$(printf '%s\n' "$COMMAND_OUTPUT" | md5sum | cut -d' ' -f1)"

vm-command --timeout 2 "sleep 30"
expect-eq "exit status of a command past its timeout" 137 "$COMMAND_STATUS"
vm-command-ok "echo still answering"

vm-command-ok "sleep 300 > /dev/null 2>&1 & echo \$! > /tmp/bg.pid"
vm-command-ok 'kill -0 $(cat /tmp/bg.pid)'
vm-run-until --timeout 5 "test -f /tmp/not-yet" && fail "vm-run-until: expected a timeout"
vm-command-ok "( sleep 1; touch /tmp/later ) > /dev/null 2>&1 &"
vm-run-until --timeout 20 "test -f /tmp/later" || fail "vm-run-until: expected success"

vm-command-ok "cat /proc/sys/kernel/numa_balancing"
expect-eq "automatic NUMA balancing" 0 "$COMMAND_OUTPUT"
vm-command-ok "numactl -H && numastat -m > /dev/null && migratepages --help 2>&1 | head -n 1; true"
vm-command-ok "memtierd --version && meme -version"
