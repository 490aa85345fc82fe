# The seed README's walk-through on nodes without CPUs: a process holding
# memory, its status, --move-to=2 --count=100000 (from any node) and
# --move-from=1 --move-to=3 --count=100000, and the status after; checked in
# numa_maps and numastat -p, with the process's data verified at the end.
# (Whole-process counts get a tolerance of 1000 pages: see oneshot/n2/test02.)

meme-start --numactl "--cpunodebind=1 --membind=1" -bs 800M -brc 0 -bwc 0 -pattern 11
before1=$(vm-numa-pages "$MEME_PID" 1)
before2=$(vm-numa-pages "$MEME_PID" 2)
before3=$(vm-numa-pages "$MEME_PID" 3)
expect-range "numa_maps: pages on node 1" 204800 220000 "$before1"
expect-range "numa_maps: pages on node 2" 0 50 "$before2"
expect-range "numa_maps: pages on node 3" 0 50 "$before3"

step "status"
vm-command-ok "memtierd --pid=$MEME_PID"
expect-match "nodes 2 and 3 without CPUs" "^ +2 +- " "$COMMAND_OUTPUT"

step "move 100000 pages to node 2"
memtierd-json "--pid=$MEME_PID" --move-to=2 --count=100000
rc=$?
[ $rc = 0 ] || [ $rc = 8 ] || fail "expected exit status 0 or 8, got $rc"
expect-range "pages memtierd says it moved" 99000 100000 "$(json-get "$COMMAND_OUTPUT" movedPages)"
mid1=$(vm-numa-pages "$MEME_PID" 1)
mid2=$(vm-numa-pages "$MEME_PID" 2)
expect-range "numa_maps: pages that arrived on node 2" 99000 101000 $((mid2 - before2))
expect-range "numa_maps: pages that left node 1" 99000 101000 $((before1 - mid1))
mb2=$(vm-numastat-mb "$MEME_PID" 2)
expect-range "numastat -p: MB on node 2 (100000 pages = 391 MB)" 385 440 "${mb2%.*}"

step "move 100000 pages from node 1 to node 3"
memtierd-json "--pid=$MEME_PID" --move-from=1 --move-to=3 --count=100000
rc=$?
[ $rc = 0 ] || [ $rc = 8 ] || fail "expected exit status 0 or 8, got $rc"
expect-range "pages memtierd says it moved" 99000 100000 "$(json-get "$COMMAND_OUTPUT" movedPages)"
after1=$(vm-numa-pages "$MEME_PID" 1)
after2=$(vm-numa-pages "$MEME_PID" 2)
after3=$(vm-numa-pages "$MEME_PID" 3)
expect-range "numa_maps: pages that arrived on node 3" 99000 101000 $((after3 - before3))
expect-range "numa_maps: pages that left node 1" 99000 101000 $((mid1 - after1))
expect-range "numa_maps: node 2 kept its pages" $((mid2 - 500)) $((mid2 + 500)) "$after2"
mb3=$(vm-numastat-mb "$MEME_PID" 3)
expect-range "numastat -p: MB on node 3" 385 440 "${mb3%.*}"

step "status after"
vm-command-ok "memtierd --pid=$MEME_PID"
meme-verify
