# Node 2 has CPUs but no memory: memtierd refuses to move pages there (exit
# status 5), says which nodes have memory, and moves to the others work.

vm-command-ok "cat /sys/devices/system/node/has_memory"
expect-eq "nodes with memory" "0-1" "$COMMAND_OUTPUT"
meme-start --numactl "--physcpubind=2" -bs 64M -brc 0 -bwc 0 -pattern 31

vm-command "memtierd --pid=$MEME_PID --move-to=2"
expect-eq "exit status of a move to node 2" 5 "$COMMAND_STATUS"
expect-match "stderr" "node 2: it has no memory .*0-1" "$COMMAND_ERROR"
vm-command-ok "memtierd --pid=$MEME_PID"
expect-match "status shows node 2" "^ +2 +2 +no memory" "$COMMAND_OUTPUT"

memtierd-json "--pid=$MEME_PID" --move-to=1
rc=$?
[ $rc = 0 ] || [ $rc = 8 ] || fail "move to node 1: expected exit status 0 or 8, got $rc"
expect-range "numa_maps: the arrays' pages on node 1" 16384 16400 "$(meme-pages 1)"
meme-verify
