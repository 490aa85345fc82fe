# The age policy with a config that names no node number (IdleNumas: slower,
# ActiveNumas: local): of a 64M array on node 0 whose first 16M meme keeps
# writing, the idle rest goes to the next slower tier than the process's
# CPU (the kernel's memory_tier450: nodes 2-3, the first of them, node 2),
# the written part stays local (node 0); after SIGSTOP all of it is idle and
# ends on node 2. Then the ratio policy with `ratiotargets: slower` (no node
# number either), meme moved back to node 0: its least written memory goes
# to node 2 until 40 % of it is there, none to node 3 (20-30 s under
# TCG, most of it memtierd's start). Checked in numa_maps; the data is
# intact.

meme-start --numactl "--cpunodebind=0 --membind=0" -bs 64M -brc 0 -bwc 1 -bws 16M -bwi 200ms -pattern 9
vm-pipe-to-file "$E2E_GUEST_DIR/p.yaml" <<YAML
policy:
  name: age
  config: |
    intervalms: 2000
    pidwatcher:
      name: pidlist
      config: {pids: [$MEME_PID]}
    tracker:
      name: softdirty
      config: {pagesinregion: 256, maxcountperregion: 1, scanintervalms: 1000}
    idledurationms: 6000
    idlenumas: slower
    activedurationms: 2000
    activenumas: local
    mover: {intervalms: 20, bandwidth: 200}
YAML
vm-command-ok "grep -ciE 'numas: *\[?[0-9]' $E2E_GUEST_DIR/p.yaml || true"
expect-eq "node numbers in the config" 0 "$COMMAND_OUTPUT"
vm-command-ok "(memtierd -config $E2E_GUEST_DIR/p.yaml -l $E2E_GUEST_DIR/p.log & echo \$! > $E2E_GUEST_DIR/p.pid) > /dev/null 2>&1"

wait-pages() { # NODE MIN MAX
  local args="" r
  for r in ${MEME_RANGES[meme]}; do args+=" -r $r"; done
  vm-run-until --timeout 60 --poll 0.5 "n=\$(numa-pages $args $MEME_PID $1); [ \$n -ge $2 ] && [ \$n -le $3 ]" ||
    fail "$(meme-pages "$1") pages of the array on node $1 after 60 s, expected $2..$3"
  echo "$(meme-pages "$1") pages of the array on node $1"
}

step "idle 48M (12288 pages) to node 2 (slower), written 16M stays on node 0 (local)"
wait-pages 2 11200 12289
expect-range "pages left on node 0" 4096 5200 "$(meme-pages 0)"
expect-eq "pages on node 3 (the slow tier's second node)" 0 "$(meme-pages 3)"

step "SIGSTOP: all 16385 pages idle, to node 2"
vm-command-ok "kill -STOP $MEME_PID"
wait-pages 2 16385 16385
vm-command-ok "kill -CONT $MEME_PID"
vm-command-ok "kill -TERM \$(cat $E2E_GUEST_DIR/p.pid)"
vm-command-ok "grep -c 'WARN\|ERROR' $E2E_GUEST_DIR/p.log || true"
expect-eq "warnings and errors in the log" 0 "$COMMAND_OUTPUT"

step "ratio with ratiotargets: slower: 40 % of meme's pages to node 2, none to node 3"
vm-command-ok "migratepages $MEME_PID 2 0"
vm-pipe-to-file "$E2E_GUEST_DIR/r.yaml" <<YAML
policy:
  name: ratio
  config: |
    intervalms: 1000
    pidwatcher:
      name: pidlist
      config: {pids: [$MEME_PID]}
    tracker:
      name: softdirty
      config: {pagesinregion: 256, scanintervalms: 1000}
    ratio: 0.4
    ratiotargets: slower
    mover: {bandwidth: 500}
YAML
vm-command-ok "(memtierd -config $E2E_GUEST_DIR/r.yaml -l $E2E_GUEST_DIR/r.log & echo \$! > $E2E_GUEST_DIR/r.pid) > /dev/null 2>&1"
share-on() { # NODE: its share of meme's anonymous pages, in percent
  vm-command --quiet "echo \$((100 * \$(numa-pages $MEME_PID $1) / \$(numa-pages $MEME_PID | awk '{ s += \$2 } END { print s }')))"
  echo "$COMMAND_OUTPUT"
}
vm-run-until --timeout 45 --poll 0.5 "[ \$((100 * \$(numa-pages $MEME_PID 2) / \$(numa-pages $MEME_PID | awk '{ s += \$2 } END { print s }'))) -ge 35 ]" ||
  fail "node 2 holds $(share-on 2) % of meme's pages after 45 s, not 35 % or more"
expect-range "node 2's share of meme's anonymous pages, %" 35 45 "$(share-on 2)"
expect-eq "meme's pages on node 3 (the slow tier's second node)" 0 "$(vm-numa-pages "$MEME_PID" 3)"
vm-command-ok "kill -TERM \$(cat $E2E_GUEST_DIR/r.pid)"
vm-command-ok "grep -c 'WARN\|ERROR' $E2E_GUEST_DIR/r.log || true"
expect-eq "warnings and errors in the ratio log" 0 "$COMMAND_OUTPUT"
meme-verify
