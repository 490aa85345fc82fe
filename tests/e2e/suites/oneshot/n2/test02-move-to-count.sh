# memtierd --move-to=NODE --count=N moves N pages to NODE, and without
# --count all of them: checked in numa_maps and numastat, and the data of the
# process is intact afterwards.
#
# The Deno runtime in meme allocates and frees a little memory of its own
# (hundreds of pages), so whole-process counts get a tolerance of 1000 pages;
# the arrays' own mappings (meme-pages) change only when pages move.

meme-start --numactl "--membind=0" -bs 512M -brc 0 -bwc 0 -pattern 2
before0=$(vm-numa-pages "$MEME_PID" 0)
before1=$(vm-numa-pages "$MEME_PID" 1)
expect-range "numa_maps: pages on node 1 before" 0 50 "$before1"
expect-range "numa_maps: the arrays' pages on node 0 before" 131072 131200 "$(meme-pages 0)"

step "move 50000 pages to node 1"
memtierd-json "--pid=$MEME_PID" --move-to=1 --count=50000
rc=$?
# A page the kernel holds busy right then cannot move (EBUSY): exit status 8.
[ $rc = 0 ] || [ $rc = 8 ] || fail "memtierd --move-to=1 --count=50000: expected exit status 0 or 8, got $rc"
read -r planned moved < <(json-get "$COMMAND_OUTPUT" plannedPages movedPages | tr '\n' ' ')
expect-eq "pages memtierd chose" 50000 "$planned"
expect-range "pages memtierd says it moved" 49500 50000 "$moved"
after1=$(vm-numa-pages "$MEME_PID" 1)
expect-range "numa_maps: pages that arrived on node 1" 49000 51000 $((after1 - before1))
after0=$(vm-numa-pages "$MEME_PID" 0)
expect-range "numa_maps: pages that left node 0" 49000 51000 $((before0 - after0))
# numastat counts the process's file-backed pages too (the Deno runtime's code
# and data, some tens of MB, wherever the page cache put them).
mb1=$(vm-numastat-mb "$MEME_PID" 1)
expect-range "numastat -p: MB on node 1 (50000 pages = 195 MB)" 190 250 "${mb1%.*}"
meme-verify

step "move all the rest to node 1"
memtierd-json "--pid=$MEME_PID" --move-to=1
rc=$?
[ $rc = 0 ] || [ $rc = 8 ] || fail "memtierd --move-to=1: expected exit status 0 or 8, got $rc"
expect-range "numa_maps: the arrays' pages left on node 0" 0 64 "$(meme-pages 0)"
expect-range "numa_maps: the arrays' pages on node 1" 131008 131200 "$(meme-pages 1)"
expect-range "numa_maps: all pages left on node 0" 0 $((before0 / 100)) "$(vm-numa-pages "$MEME_PID" 0)"
mb1=$(vm-numastat-mb "$MEME_PID" 1)
expect-range "numastat -p: MB on node 1" 512 700 "${mb1%.*}"
meme-verify
