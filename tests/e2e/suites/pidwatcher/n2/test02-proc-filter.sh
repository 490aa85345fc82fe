# The proc pidwatcher sees memes started and stopped anywhere (inside or
# outside cgroups) and no kernel thread; a filter over it passes exactly the
# memes that hold 100 MB or more of private dirty memory (smaps_rollup),
# and passes on the removal of those only.
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

meme-start --name big1 --cgroup pwproc/app -bs 128M -brc 0 -bwc 0
meme-start --name small -bs 8M -brc 0 -bwc 0

pw-memtierd-start
step "proc, polled by hand"
memtierd-command "pidwatcher -create proc -listener log -poll"
added=$(grep -oE 'AddPids\(\[[0-9 ]*\]\)' <<< "$COMMAND_OUTPUT" | head -n 1)
expect-match "proc adds big1" "[[ ]${MEME_PIDS[big1]}[] ]" "$added"
expect-match "proc adds small" "[[ ]${MEME_PIDS[small]}[] ]" "$added"
if grep -qE '\[(2|[0-9 ]* 2)[] ]' <<< "$added"; then fail "kthreadd (pid 2) reported: $added"; fi
meme-start --name big2 -bs 128M -brc 0 -bwc 0
memtierd-command "pidwatcher -poll"
expect-match "proc adds big2" "AddPids\(\[([0-9]+ )*${MEME_PIDS[big2]}( [0-9]+)*\]\)" "$COMMAND_OUTPUT"
ps=${MEME_PIDS[small]}
meme-stop small
vm-run-until "! [ -d /proc/$ps ]" || fail "meme small did not exit"
memtierd-command "pidwatcher -poll"
expect-match "proc removes small" "RemovePids\(\[([0-9]+ )*$ps( [0-9]+)*\]\)" "$COMMAND_OUTPUT"
memtierd-command "pidwatcher -stop"

step "filter(proc): MinPrivateDirtyKb, with Not and an exe regexp"
meme-start --name small -bs 8M -brc 0 -bwc 0
vm-command-ok "readlink /proc/${MEME_PIDS[big1]}/exe"
echo "meme's program: $COMMAND_OUTPUT"
mark=$(pw-mark)
cfg='{"source":{"name":"proc","config":{"intervalms":500}},"filters":[{"minprivatedirtykb":100000,"not":{"procexeregexp":"^/nonexistent/"}}]}'
memtierd-command "pidwatcher -create filter -config '$cfg' -listener log -start"
pw-wait-report "pidwatcher: AddPids($(pw-list "${MEME_PIDS[big1]}" "${MEME_PIDS[big2]}"))"
pb=${MEME_PIDS[big1]}
meme-stop big1
pw-wait-report "pidwatcher: RemovePids([$pb])"
psmall=${MEME_PIDS[small]}
meme-stop small
vm-run-until "! [ -d /proc/$psmall ]" || fail "meme small did not exit"

step "a process is checked once, when proc first reports it (as in Go); a restart checks anew"
# big3 is usually first seen while it fills its array (below 100 MB then),
# and then not passed on: the Go semantics. After -stop/-start it is.
meme-start --name big3 --cgroup pwproc/other -bs 128M -brc 0 -bwc 0
memtierd-command "pidwatcher -stop"
memtierd-command "pidwatcher -start"
pw-wait-report "pidwatcher: AddPids($(pw-list "${MEME_PIDS[big2]}" "${MEME_PIDS[big3]}"))"
memtierd-command "pidwatcher -stop"
expect-match "every report of the filter" \
  "^pidwatcher: AddPids\\($(pw-list "$pb" "${MEME_PIDS[big2]}" | sed 's/[][]/\\&/g')\\) pidwatcher: RemovePids\\(\\[$pb\\]\\) (pidwatcher: AddPids\\(\\[${MEME_PIDS[big3]}\\]\\) )?pidwatcher: AddPids\\($(pw-list "${MEME_PIDS[big2]}" "${MEME_PIDS[big3]}" | sed 's/[][]/\\&/g')\\)$" \
  "$(pw-reports "$mark" | tr '\n' ' ' | sed 's/ $//')"

step "a filter nothing passes"
memtierd-command "pidwatcher -create filter -config '{\"source\":{\"name\":\"proc\"},\"filters\":[{\"procexeregexp\":\".*/non-existent\"}]}' -poll -dump"
expect-match "dump: nothing passed" "passed pids: 0" "$COMMAND_OUTPUT"
if grep -q 'AddPids' <<< "$COMMAND_OUTPUT"; then fail "a pid passed .*/non-existent: $COMMAND_OUTPUT"; fi
memtierd-stop
