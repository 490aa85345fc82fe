# memtierd -config as a daemon: it stays up; SIGHUP with a good config swaps
# in the new routines; SIGHUP with a bad config logs one ERROR line with
# file:line and key path, and the old routines keep running; SIGTERM ends it
# with exit status 0 within 2 s, leaving no process behind.

vm-command-ok "rm -f /root/a.txt /root/b.txt /root/c.txt /root/d.log /root/d.rc"
good() {
  cat <<YAML
policy:
  name: stub
routines:
  - name: statactions
    config: |
      intervalms: 200
      intervalcommand: [sh, -c, 'echo x >> /root/$1.txt']
YAML
}
good a | vm-pipe-to-file /root/d.yaml
vm-command-ok "( memtierd -config /root/d.yaml -l /root/d.log & echo \$! > /root/d.pid; wait \$!; echo \$? > /root/d.rc ) > /dev/null 2>&1 &"
vm-run-until --timeout 60 "test \$(wc -l < /root/a.txt 2>/dev/null || echo 0) -ge 3"
vm-command-ok "cat /root/d.pid"
pid=$COMMAND_OUTPUT
vm-command "test -s /root/d.rc"
expect-eq "memtierd still runs (no exit status yet)" 1 "$COMMAND_STATUS"

step "SIGHUP with a good config"
good b | vm-pipe-to-file /root/d.yaml
vm-command-ok "kill -HUP $pid"
vm-run-until --timeout 20 "grep -q 'INFO: reloaded /root/d.yaml' /root/d.log"
vm-run-until --timeout 20 "test \$(wc -l < /root/b.txt 2>/dev/null || echo 0) -ge 3"
vm-command-ok "a1=\$(wc -l < /root/a.txt); sleep 1; a2=\$(wc -l < /root/a.txt); echo \$((a2 - a1))"
expect-eq "lines the old routine wrote after the reload" 0 "$COMMAND_OUTPUT"

step "SIGHUP with a bad config"
vm-pipe-to-file /root/d.yaml <<'YAML'
policy:
  name: stub
routines:
  - name: statactions
    config: |
      intervalms: 0
      intervalcommand: [sh, -c, 'echo x >> /root/c.txt']
YAML
vm-command-ok "kill -HUP $pid"
vm-run-until --timeout 20 "grep -q 'ERROR: reload' /root/d.log"
vm-command-ok "grep 'ERROR: reload' /root/d.log"
expect-eq "the one error line" "ERROR: reload: /root/d.yaml:6: routines.0.config.intervalms: must be a whole number from 1 to 3600000 (got 0); the running configuration stays" "$COMMAND_OUTPUT"
vm-command-ok "b1=\$(wc -l < /root/b.txt); sleep 1; b2=\$(wc -l < /root/b.txt); echo \$((b2 - b1))"
expect-range "lines the kept routine wrote in 1 s" 3 6 "$COMMAND_OUTPUT"
vm-command "test -e /root/c.txt"
expect-eq "the bad config's routine never ran" 1 "$COMMAND_STATUS"

step "SIGTERM"
# busybox date has no %N: time it with /proc/uptime (10 ms steps).
vm-command-ok "t0=\$(cut -d' ' -f1 /proc/uptime); kill -TERM $pid; while ! test -s /root/d.rc; do sleep 0.05; done; t1=\$(cut -d' ' -f1 /proc/uptime); awk -v a=\$t0 -v b=\$t1 'BEGIN { printf \"%d\\n\", (b - a) * 1000 }'"
ms=$COMMAND_OUTPUT
echo "memtierd ended $ms ms after SIGTERM"
expect-range "ms from SIGTERM to exit" 0 2000 "$ms"
vm-command-ok "cat /root/d.rc"
expect-eq "exit status" 0 "$COMMAND_OUTPUT"
vm-command "test -d /proc/$pid"
expect-eq "memtierd's process is gone" 1 "$COMMAND_STATUS"
# The patterns do not match their own text, so grep does not find itself.
vm-command-ok "sleep 0.2; grep -l 'd[.]yaml' /proc/[0-9]*/cmdline 2>/dev/null | wc -l; grep -l 'b[.]txt' /proc/[0-9]*/cmdline 2>/dev/null | wc -l"
expect-eq "processes left running memtierd's config or the routine's command" "0
0" "$COMMAND_OUTPUT"
vm-command-ok "tail -n 1 /root/d.log"
expect-eq "last log line" "INFO: stopped policy and routines" "$COMMAND_OUTPUT"
