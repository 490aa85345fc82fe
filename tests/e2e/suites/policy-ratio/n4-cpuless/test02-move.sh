# The ratio policy from the prompt, softdirty tracker, Ratio 0.4 and
# RatioTargets [3]: meme's least written memory moves to node 3 until 40 %
# of its tracked memory is there: node 3's share of meme's anonymous pages
# (numa_maps) is 40 ± 5 %, and node 0 keeps at least the 16M meme writes;
# the data is intact. (The Go test: 0.35-0.45 G of 1 G to node 3.)
# shellcheck source=../../policy-age/n4-cpuless/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/../../policy-age/n4-cpuless/lib.bash"

meme-start --numactl "--membind=0" -bs 96M -brc 0 -bwc 1 -bws 16M -bwi 200ms -pattern 6
memtierd-start
vm-run-until --timeout 60 "grep -q 'memtierd> ' $E2E_GUEST_DIR/session.memtierd/out" || fail "memtierd gave no prompt"
memtierd-command "policy -create ratio -config '{\"intervalms\":2000,\"pidwatcher\":{\"name\":\"pidlist\",\"config\":{\"pids\":[$MEME_PID]}},\"tracker\":{\"name\":\"softdirty\",\"config\":{\"pagesinregion\":256,\"scanintervalms\":1000}},\"ratio\":0.4,\"ratiotargets\":[3],\"mover\":{\"bandwidth\":500}}' -start"

# node3-pct: node 3's share of meme's anonymous pages, in percent.
all-pages() {
  vm-command --quiet "numa-pages $MEME_PID | awk '{ s += \$2 } END { print s }'"
  echo "$COMMAND_OUTPUT"
}
node3-pct() {
  echo $((100 * $(vm-numa-pages "$MEME_PID" 3) / $(all-pages)))
}
vm-run-until --timeout 60 --poll 0.5 "[ \$((100 * \$(numa-pages $MEME_PID 3) / \$(numa-pages $MEME_PID | awk '{ s += \$2 } END { print s }'))) -ge 35 ]" ||
  fail "node 3 holds $(node3-pct) % of meme's pages after 60 s, not 35 % or more"
sleep 5 # more rounds: the share must stay
echo "meme's anonymous pages: $(all-pages), on node 3: $(vm-numa-pages "$MEME_PID" 3)"
expect-range "node 3's share of meme's anonymous pages, %" 35 45 "$(node3-pct)"
expect-range "pages of the array on node 0 (its written 16M, at least)" 4096 24577 "$(pa-pages meme 0)"
memtierd-command "policy -dump"
echo "$COMMAND_OUTPUT"
memtierd-command "policy -stop"
memtierd-stop
meme-verify
