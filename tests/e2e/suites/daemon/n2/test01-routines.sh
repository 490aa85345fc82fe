# The Go memtierd's no-policy/test00-routines: statactions routines beside the
# stub policy, each runner in turn, memtierd started with -config as a daemon.
# exec: a shell command run every second writes more than 2 lines in 4 s;
# memtier: `stats -t events` every 200 ms counts more than 15 runs of itself
# in 4 s; memtier-prompt: the timestamp templates surround the command's
# output and none of their words (unix, duration, rfc, nano) remain.

# daemon-run NAME SECONDS: memtierd -config /root/NAME.yaml, stdout into
# /root/NAME.out, log into /root/NAME.log, for SECONDS after it has started;
# then SIGTERM, which must end it with exit status 0.
daemon-run() {
  vm-command-ok "( memtierd -config /root/$1.yaml -l /root/$1.log > /root/$1.out 2>&1 & echo \$! > /root/$1.pid; wait \$!; echo \$? > /root/$1.rc ) > /dev/null 2>&1 &"
  vm-run-until --timeout 60 "grep -q 'INFO: started' /root/$1.log"
  vm-command-ok "sleep $2; kill -TERM \$(cat /root/$1.pid)"
  vm-run-until --timeout 10 "test -s /root/$1.rc"
  vm-command-ok "cat /root/$1.rc"
  expect-eq "$1: exit status after SIGTERM" 0 "$COMMAND_OUTPUT"
}

step "exec runner"
vm-command-ok "rm -f /root/shell.txt"
vm-pipe-to-file /root/exec.yaml <<'YAML'
routines:
  - name: statactions
    config: |
      intervalms: 1000
      intervalcommand: ['sh', '-c', 'date +%F-%T >> /root/shell.txt']
policy:
  name: stub
YAML
daemon-run exec 4
vm-command-ok "wc -l < /root/shell.txt"
expect-range "lines the exec runner wrote in 4 s" 3 5 "$COMMAND_OUTPUT"

step "memtier runner"
vm-pipe-to-file /root/memtier.yaml <<'YAML'
routines:
  - name: statactions
    config: |
      intervalms: 200
      intervalcommandrunner: memtier
      intervalcommand: ['stats', '-t', 'events']
policy:
  name: stub
YAML
daemon-run memtier 4
vm-command-ok "grep RoutineStatActions.command.memtier /root/memtier.out | tail -n 1"
expect-match "the runner's heartbeat" "RoutineStatActions.command.memtier: stats... status: 0$" "$COMMAND_OUTPUT"
expect-range "memtier command runs counted in 4 s" 16 21 "$(awk '{print $1}' <<< "$COMMAND_OUTPUT")"

step "memtier-prompt runner with timestamps"
vm-pipe-to-file /root/prompt.yaml <<'YAML'
routines:
  - name: statactions
    config: |
      intervalms: 1000
      intervalcommandrunner: memtier-prompt
      intervalcommand: ["stats -t events"]
      timestamp: "before: epochs: unix, unix.s, unix.milli, unix.micro and unix.nano or duration, duration.s, duration.milli, duration.micro, duration.nano\n
          or a template: 2006-01-02T15:04.05 -0700 or a string like\n unixdate rfc822z rfc3339nano or rfc3339\n"
      timestampafter: "after: rfc3339\n"
policy:
  name: stub
YAML
daemon-run prompt 2.5
vm-command-ok "cat /root/prompt.out"
out=$COMMAND_OUTPUT
expect-match "the before stamp with epoch seconds" "before: epochs: 1[0-9]{9}, 1[0-9]{9}, 1[0-9]{9}\.[0-9]{3}, 1[0-9]{9}\.[0-9]{6} and 1[0-9]{9}\.[0-9]{9} or [0-9]+, [0-9]+, [0-9]+\.[0-9]{3}, [0-9]+\.[0-9]{6}, [0-9]+\.[0-9]{9}" "$out"
expect-match "the after stamp (rfc3339)" "after: 20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](Z|[+-][0-9]{2}:[0-9]{2})" "$out"
vm-command-ok "grep -A3 -E 'before: epochs: [12]' /root/prompt.out | tail -n 1"
expect-match "table: events three lines after the before stamp" "table: events" "$COMMAND_OUTPUT"
vm-command-ok "grep -B2 -E 'after:' /root/prompt.out | tail -n 3 | grep RoutineStatActions"
vm-command "grep -E 'nano|rfc|unix|duration' /root/prompt.out"
expect-eq "timestamp words left unreplaced" "" "$COMMAND_OUTPUT"
