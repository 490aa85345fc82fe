# The cgroups pidwatcher, polling in the background, reports exactly the
# meme processes inside its cgroups (nested ones too) as they start and
# stop, and none outside; a path that is not a cgroup is warned about once.
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

meme-start --name a --cgroup pwtest/app/a -bs 16M -brc 0 -bwc 0
meme-start --name b --cgroup pwtest/app/b/deep -bs 16M -brc 0 -bwc 0
meme-start --name out --cgroup pwtest/other -bs 16M -brc 0 -bwc 0
meme-start --name root -bs 16M -brc 0 -bwc 0

pw-memtierd-start
memtierd-command "pidwatcher -create cgroups -config '{\"Cgroups\":[\"/sys/fs/cgroup/pwtest/app\",\"/sys/fs/cgroup/pwtest/nosuch\"],\"IntervalMs\":500}' -listener log -config-dump"
expect-match "config with defaults" '^\{"IntervalMs":500,"Cgroups":\["/sys/fs/cgroup/pwtest/app","/sys/fs/cgroup/pwtest/nosuch"\]\}' "$(sed 's/^memtierd> //' <<< "$COMMAND_OUTPUT")"
memtierd-command "pidwatcher -start"
pw-wait-report "pidwatcher: AddPids($(pw-list "${MEME_PIDS[a]}" "${MEME_PIDS[b]}"))"

step "a meme started in a new cgroup below is added"
meme-start --name c --cgroup pwtest/app/c -bs 16M -brc 0 -bwc 0
pw-wait-report "pidwatcher: AddPids([${MEME_PIDS[c]}])"

step "memes stopped are removed"
pa=${MEME_PIDS[a]}
meme-stop a
pw-wait-report "pidwatcher: RemovePids([$pa])"
pout=${MEME_PIDS[out]}
meme-stop out
sleep 2

step "-stop ends the loop: a meme started now is not reported"
memtierd-command "pidwatcher -stop"
meme-start --name d --cgroup pwtest/app/a -bs 16M -brc 0 -bwc 0
sleep 2
expect-eq "every report, in order" \
  "pidwatcher: AddPids($(pw-list "$pa" "${MEME_PIDS[b]}")) pidwatcher: AddPids([${MEME_PIDS[c]}]) pidwatcher: RemovePids([$pa])" \
  "$(pw-reports | tr '\n' ' ' | sed 's/ $//')"
vm-session-output memtierd > /dev/null
expect-eq "warnings about the bad path" 1 "$(grep -c 'WARN: pidwatcher cgroups: invalid path "/sys/fs/cgroup/pwtest/nosuch"' <<< "$COMMAND_OUTPUT")"
[ -n "$pout" ] || fail "no meme outside"

step "-poll after -stop reports the cgroups' processes anew (stop forgot them)"
memtierd-command "pidwatcher -poll"
expect-match "one poll" "pidwatcher: AddPids\($(pw-list "${MEME_PIDS[b]}" "${MEME_PIDS[c]}" "${MEME_PIDS[d]}" | sed 's/[][]/\\&/g')\)" "$COMMAND_OUTPUT"
memtierd-command "pidwatcher -dump"
expect-match "dump: 3 pids held" "reported pids: 3" "$COMMAND_OUTPUT"
vm-command "ls -l /proc/*/fd 2>/dev/null | grep -c pidfd"
expect-eq "pidfds open in the VM (3 held by memtierd)" 3 "$COMMAND_OUTPUT"
memtierd-stop
