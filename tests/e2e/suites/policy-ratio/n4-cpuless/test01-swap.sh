# The ratio policy from the prompt, softdirty tracker, Ratio 0.3 to swap
# (RatioTargets omitted: [-1]): meme's least written memory is swapped out
# until 30 % of its tracked memory is out: VmSwap / (VmSwap + RssAnon) is
# 30 ± 5 % (RssAnon rather than the Go test's VmRSS: our meme's RSS also
# holds the runtime's file pages, which are not tracked). The 16M meme
# keeps writing stay in memory; `policy -dump` shows the decision; the data
# is intact.
# shellcheck source=../../policy-age/n4-cpuless/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/../../policy-age/n4-cpuless/lib.bash"

vm-command-ok "zram-swap 256M"
meme-start --numactl "--membind=0" -bs 96M -brc 0 -bwc 1 -bws 16M -bwi 200ms -pattern 5
memtierd-start
vm-run-until --timeout 60 "grep -q 'memtierd> ' $E2E_GUEST_DIR/session.memtierd/out" || fail "memtierd gave no prompt"
memtierd-command "policy -create ratio -config '{\"intervalms\":2000,\"pidwatcher\":{\"name\":\"pidlist\",\"config\":{\"pids\":[$MEME_PID]}},\"tracker\":{\"name\":\"softdirty\",\"config\":{\"pagesinregion\":256,\"scanintervalms\":1000}},\"ratio\":0.3}' -start"

# ratio-pct: VmSwap / (VmSwap + RssAnon) of meme, in percent.
ratio-pct() {
  vm-command --quiet "awk '/^VmSwap:/ { s = \$2 } /^RssAnon:/ { a = \$2 } END { printf \"%d\\n\", 100 * s / (s + a) }' /proc/$MEME_PID/status"
  echo "$COMMAND_OUTPUT"
}
vm-run-until --timeout 60 --poll 0.5 "awk '/^VmSwap:/ { s = \$2 } /^RssAnon:/ { a = \$2 } END { exit !(100 * s / (s + a) >= 25) }' /proc/$MEME_PID/status" ||
  fail "VmSwap / (VmSwap + RssAnon) is $(ratio-pct) %, not 25 % or more after 60 s"
sleep 5 # more rounds: the share must stay
vm-command-ok "grep -E '^(VmSwap|RssAnon)' /proc/$MEME_PID/status"
echo "$COMMAND_OUTPUT"
expect-range "swapped-out share of meme's anonymous memory, %" 25 35 "$(ratio-pct)"
expect-eq "pages of the written 16M still present (pagemap)" 4096 "$(pa-written-present)"
memtierd-command "policy -dump"
echo "$COMMAND_OUTPUT"
expect-match "the decision for meme" "^ +$MEME_PID +swap " "$(grep -E "^ +$MEME_PID " <<< "$COMMAND_OUTPUT")"
memtierd-command "policy -stop"
memtierd-stop
meme-verify
