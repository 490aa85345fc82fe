# The pidlist pidwatcher reports its memes once, never removes them, and its
# dump says which have exited; a pid that does not exist is warned about.
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

meme-start --name a --cgroup pwlist/a -bs 16M -brc 0 -bwc 0
meme-start --name b -bs 16M -brc 0 -bwc 0
pa=${MEME_PIDS[a]}
pb=${MEME_PIDS[b]}

pw-memtierd-start
memtierd-command "pidwatcher -create pidlist -config 'pids: [$pb, $pa, 4000000]' -listener log -start"
expect-match "both memes, once" "pidwatcher: AddPids\($(pw-list "$pa" "$pb" | sed 's/[][]/\\&/g')\)" "$COMMAND_OUTPUT"
memtierd-command "pidwatcher -poll"
meme-stop a
vm-run-until "! [ -d /proc/$pa ]" || fail "meme a did not exit"
memtierd-command "pidwatcher -poll -dump"
expect-match "dump: a exited" "pid $pa: exited" "$COMMAND_OUTPUT"
expect-match "dump: b running" "pid $pb: running" "$COMMAND_OUTPUT"
expect-match "dump: the missing pid" "not found: \[4000000\]" "$COMMAND_OUTPUT"
expect-eq "every report" "pidwatcher: AddPids($(pw-list "$pa" "$pb"))" "$(pw-reports | tr '\n' ' ' | sed 's/ $//')"
vm-session-output memtierd > /dev/null
expect-match "warning about the missing pid" "WARN: pidwatcher pidlist: no such processes: \[4000000\]" "$COMMAND_OUTPUT"
memtierd-stop
