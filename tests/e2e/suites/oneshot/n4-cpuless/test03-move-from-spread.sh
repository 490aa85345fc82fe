# A process whose pages are spread over all four nodes: --move-from=2
# --move-to=0 moves exactly the pages numa_maps showed on node 2, and no
# page on nodes 1 and 3 moves. Checked on the arrays' own mappings (meme's
# runtime allocates a little of its own meanwhile), in the kernel's view.

meme-start --numactl "--interleave=0,1,2,3" -bs 256M -brc 0 -bwc 0 -pattern 41
for n in 0 1 2 3; do
  before[n]=$(meme-pages "$n")
  expect-range "numa_maps: the arrays' pages on node $n (interleaved)" 16000 16800 "${before[n]}"
done
whole2=$(vm-numa-pages "$MEME_PID" 2)

step "the status agrees with numa_maps on every node"
memtierd-json "--pid=$MEME_PID" || fail "memtierd status: expected exit status 0"
expect-eq "status view" numa_maps "$(json-get "$COMMAND_OUTPUT" view)"
mt2=$(json-get "$COMMAND_OUTPUT" 'nodes[node=2].movablePages')
expect-range "memtierd's pages on node 2 vs numa_maps' anonymous pages ($whole2)" \
  $((whole2 - 1000)) $((whole2 + 1000)) "$mt2"

step "move everything from node 2 to node 0"
memtierd-json "--pid=$MEME_PID" --move-from=2 --move-to=0
rc=$?
[ $rc = 0 ] || [ $rc = 8 ] || fail "expected exit status 0 or 8, got $rc"
moved=$(json-get "$COMMAND_OUTPUT" movedPages)
expect-range "pages memtierd moved vs numa_maps' pages on node 2 ($whole2)" \
  $((whole2 - 1000)) $((whole2 + 1000)) "$moved"
expect-eq "numa_maps: the arrays' pages left on node 2" 0 "$(meme-pages 2)"
expect-eq "numa_maps: the arrays' pages on node 1 did not move" "${before[1]}" "$(meme-pages 1)"
expect-eq "numa_maps: the arrays' pages on node 3 did not move" "${before[3]}" "$(meme-pages 3)"
expect-eq "numa_maps: node 0 got exactly node 2's array pages" $((before[0] + before[2])) \
  "$(meme-pages 0)"
meme-verify
