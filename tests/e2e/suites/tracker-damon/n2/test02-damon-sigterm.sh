# What memtierd does to DAMON's kdamonds when it stops: a kdamond set up by
# hand (someone else's, running before memtierd starts) is never touched;
# the kdamond the damon tracker turned on is off and its context removed
# after `tracker -stop`, after SIGTERM to `memtierd -prompt`, and after
# SIGTERM to `memtierd -c` while a command still runs; nr_kdamonds stays as
# it was. Also `tracker -dump raw start|new|stop` on DAMON's tried regions
# of meme, and meme's data is intact at the end.
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

damon-kdamonds
before=$COMMAND_OUTPUT
[[ "$before" == nr=* ]] || fail "no DAMON sysfs interface in the VM kernel: $before"
[[ "$before" =~ ^nr=[0-9]+( [0-9]+:off:0)*$ ]] || fail "kdamonds in use before the test: $before"

damon-other-start
damon-kdamonds
expect-eq "kdamonds before memtierd" "nr=3 0:off:0 1:on:1 2:off:0" "$COMMAND_OUTPUT"

meme-start -bs 128M -bwc 1 -bws 16M -bwo 32M -brc 0 -pattern 3
config='{"SysfsRegionsManager":1,"MinTargetRegions":20}'

step "memtierd -prompt: the tracker takes kdamond 0 (and keeps 2), never 1"
vm-session-start memtierd "exec memtierd -prompt"
vm-run-until --timeout 60 "grep -q 'memtierd> ' $E2E_GUEST_DIR/session.memtierd/out" || fail "memtierd gave no prompt"
vm-command --quiet "cat $E2E_GUEST_DIR/session.memtierd/pid"
memtierd_pid=$COMMAND_OUTPUT
memtierd-command "tracker -create damon -config '$config' -start $MEME_PID"
expect-match "started" "tracker started" "$COMMAND_OUTPUT"
damon-kdamonds
expect-eq "kdamonds with the tracker on" "nr=3 0:on:1 1:on:1 2:off:0" "$COMMAND_OUTPUT"

step "tracker -dump raw: the tried regions read each round since the last new"
memtierd-command "tracker -dump raw new"
expect-match "not recording yet" "error: not recording" "$COMMAND_OUTPUT"
memtierd-command "tracker -dump raw start"
expect-match "recording" "raw access events recording started" "$COMMAND_OUTPUT"
sleep 3
memtierd-command "tracker -dump raw new"
raw=$COMMAND_OUTPUT
expect-match "raw header" "timestamp kdamond      pid            start              end    pages     accs      age counted" "$raw"
rows=$(grep -cE "^ +[0-9]{19} +0 +$MEME_PID +[0-9a-f]+ +[0-9a-f]+ +[0-9]+ +[0-9]+ +[0-9]+ (yes|no)$" <<< "$raw")
# At least MinTargetRegions rows per round, a round every 100 ms (slower under TCG).
expect-range "raw rows of kdamond 0 and meme in 3 s" 20 1000000 "$rows"
# Rows with accesses that overlap meme's written 16 MB (at offset 32 MB of its array).
h0=$((16#${MEME_RANGES[meme]%%-*} + (32 << 20)))
h1=$((h0 + (16 << 20)))
hot=0
while read -r _ k p start end _ accs _ _; do
  [ "$k" = 0 ] && [ "$p" = "$MEME_PID" ] && [[ "$accs" =~ ^[0-9]+$ ]] || continue
  ((accs > 0 && 16#$start < h1 && 16#$end > h0)) && hot=$((hot + 1))
done <<< "$raw"
expect-range "raw rows with accesses over meme's written 16 MB" 1 1000000 "$hot"
memtierd-command "tracker -dump raw stop"
expect-match "stopped" "raw access events recording stopped" "$COMMAND_OUTPUT"

step "tracker -stop: kdamond 0 off, its context removed"
memtierd-command "tracker -stop"
damon-kdamonds
expect-eq "kdamonds after tracker -stop" "nr=3 0:off:0 1:on:1 2:off:0" "$COMMAND_OUTPUT"
damon-other-untouched "after tracker -stop"

step "SIGTERM to memtierd -prompt with the tracker running"
memtierd-command "tracker -start $MEME_PID"
damon-kdamonds
expect-eq "kdamonds with the tracker on again" "nr=3 0:on:1 1:on:1 2:off:0" "$COMMAND_OUTPUT"
vm-command-ok "kill -TERM $memtierd_pid"
vm-run-until --timeout 30 "! [ -d /proc/$memtierd_pid ]" || fail "memtierd did not exit on SIGTERM"
damon-kdamonds
expect-eq "kdamonds after SIGTERM" "nr=3 0:off:0 1:on:1 2:off:0" "$COMMAND_OUTPUT"
damon-other-untouched "after SIGTERM to memtierd -prompt"
vm-session-output memtierd > /dev/null
if grep -qE 'ERROR|Cannot' <<< "$COMMAND_OUTPUT"; then fail "memtierd said: $(grep -E 'ERROR|Cannot' <<< "$COMMAND_OUTPUT")"; fi
memtierd-stop

step "SIGTERM to memtierd -c while its last command (a sleep) runs"
vm-command-ok "cd $E2E_GUEST_DIR && rm -f c.pid c.rc c.out && cat > c.cmds <<'CMDS'
tracker -create damon -config '$config' -start $MEME_PID
time -sleep 600
CMDS
  { sh -c 'echo \$\$ > c.pid; exec memtierd -c \"\$(cat c.cmds)\"' > c.out 2>&1; echo \$? > c.rc; } > /dev/null 2>&1 &
  until [ -s c.pid ]; do sleep 0.1; done; cat c.pid"
c_pid=$COMMAND_OUTPUT
vm-run-until --timeout 60 "grep -q 'tracker started' $E2E_GUEST_DIR/c.out" || fail "memtierd -c did not start the tracker: $(vm-command --quiet "cat $E2E_GUEST_DIR/c.out" && echo "$COMMAND_OUTPUT")"
damon-kdamonds
expect-eq "kdamonds with memtierd -c running" "nr=3 0:on:1 1:on:1 2:off:0" "$COMMAND_OUTPUT"
vm-command-ok "kill -TERM $c_pid"
vm-run-until --timeout 30 "test -f $E2E_GUEST_DIR/c.rc" || fail "memtierd -c did not exit on SIGTERM"
vm-command --quiet "cat $E2E_GUEST_DIR/c.rc"
expect-eq "memtierd -c exit status after SIGTERM" "0" "$COMMAND_OUTPUT"
damon-kdamonds
expect-eq "kdamonds after SIGTERM to memtierd -c" "nr=3 0:off:0 1:on:1 2:off:0" "$COMMAND_OUTPUT"
damon-other-untouched "after SIGTERM to memtierd -c"

step "put DAMON back as it was before the test"
damon-restore "${before#nr=}"
damon-kdamonds
expect-eq "kdamonds at the end" "$before" "$COMMAND_OUTPUT"
meme-verify
meme-stop
