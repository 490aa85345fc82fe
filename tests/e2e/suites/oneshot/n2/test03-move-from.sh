# memtierd --move-from=A --move-to=B moves only pages that are on A.
# (Whole-process counts get a tolerance of 1000 pages: see test02.)

meme-start --numactl "--interleave=0,1" -bs 256M -brc 0 -bwc 0 -pattern 3
before0=$(vm-numa-pages "$MEME_PID" 0)
before1=$(vm-numa-pages "$MEME_PID" 1)
expect-range "numa_maps: the arrays' pages on node 0 (interleaved)" 32000 33600 "$(meme-pages 0)"
expect-range "numa_maps: the arrays' pages on node 1 (interleaved)" 32000 33600 "$(meme-pages 1)"

step "move 20000 pages from node 0 to node 1"
memtierd-json "--pid=$MEME_PID" --move-from=0 --move-to=1 --count=20000
rc=$?
[ $rc = 0 ] || [ $rc = 8 ] || fail "expected exit status 0 or 8, got $rc"
expect-range "pages memtierd says it moved" 19800 20000 "$(json-get "$COMMAND_OUTPUT" movedPages)"
after0=$(vm-numa-pages "$MEME_PID" 0)
after1=$(vm-numa-pages "$MEME_PID" 1)
expect-range "numa_maps: pages that left node 0" 19000 21000 $((before0 - after0))
expect-range "numa_maps: pages that arrived on node 1" 19000 21000 $((after1 - before1))

step "move everything from node 0 to node 1"
memtierd-json "--pid=$MEME_PID" --move-from=0 --move-to=1
rc=$?
[ $rc = 0 ] || [ $rc = 8 ] || fail "expected exit status 0 or 8, got $rc"
expect-range "numa_maps: the arrays' pages left on node 0" 0 64 "$(meme-pages 0)"
expect-range "numa_maps: the arrays' pages on node 1" 65472 65600 "$(meme-pages 1)"

step "nothing of the arrays is left to move from node 0"
memtierd-json "--pid=$MEME_PID" --move-from=0 --move-to=1
rc=$?
[ $rc = 0 ] || [ $rc = 8 ] || fail "expected exit status 0 or 8, got $rc"
# What the Deno runtime allocated meanwhile (interleaved) may move, nothing more.
expect-range "pages memtierd moved" 0 1000 "$(json-get "$COMMAND_OUTPUT" movedPages)"
meme-verify
