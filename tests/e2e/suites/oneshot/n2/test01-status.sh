# memtierd --pid=P shows where P's memory is, and its numbers agree with the
# kernel's own: /proc/P/numa_maps and numastat -p.

meme-start --numactl "--membind=0" -bs 256M -brc 0 -bwc 0 -pattern 1
pages0=$(vm-numa-pages "$MEME_PID" 0)
pages1=$(vm-numa-pages "$MEME_PID" 1)
expect-range "numa_maps: anonymous pages on node 0 (a 256 MiB array bound there)" 65536 110000 "$pages0"
expect-range "numa_maps: anonymous pages on node 1" 0 50 "$pages1"
mb0=$(vm-numastat-mb "$MEME_PID" 0)
expect-range "numastat -p: MB on node 0" 256 450 "${mb0%.*}"

step "status as text"
vm-command-ok "memtierd --pid=$MEME_PID"
expect-match "the status line" "^pid $MEME_PID \(.*\): [0-9,]+ movable pages" "$COMMAND_OUTPUT"
expect-match "node 0's row" "^ +0 +0 +[0-9.]+ / [0-9.]+ +[0-9,]+" "$COMMAND_OUTPUT"
# The shared zero page is not a movable page: no line about pages on no node.
expect-eq "lines of the status (header, table of 2 nodes + all)" 5 "$(wc -l <<< "$COMMAND_OUTPUT")"

step "status as JSON, against numa_maps"
memtierd-json "--pid=$MEME_PID" || fail "memtierd status: expected exit status 0"
read -r pid mt0 mt1 < <(json-get "$COMMAND_OUTPUT" pid 'nodes[node=0].movablePages' \
  'nodes[node=1].movablePages' | tr '\n' ' ')
expect-eq "JSON pid" "$MEME_PID" "$pid"
expect-range "memtierd's pages on node 0 vs numa_maps ($pages0)" $((pages0 * 97 / 100)) $((pages0 * 103 / 100)) "$mt0"
expect-range "memtierd's pages on node 1" 0 50 "$mt1"

step "the page-exact view agrees, without the zero page"
memtierd-json "--pid=$MEME_PID" --exact || fail "memtierd --exact: expected exit status 0"
read -r view ex0 unlocated < <(json-get "$COMMAND_OUTPUT" view 'nodes[node=0].movablePages' \
  unlocatedPages | tr '\n' ' ')
expect-eq "view" exact "$view"
expect-range "--exact pages on node 0 vs numa_maps ($pages0)" $((pages0 * 97 / 100)) $((pages0 * 103 / 100)) "$ex0"
expect-eq "--exact: present pages move_pages could not place" 0 "$unlocated"

meme-verify
