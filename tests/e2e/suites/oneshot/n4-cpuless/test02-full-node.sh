# Moving pages to a node that is full: memtierd moves what fits, reports the
# rest as not migrated and exits 8; no process's data changes.

step "fill node 3 up to 80 MB"
free3=$(vm-node-free-mb 3)
fill=$((free3 - 80))
# --preferred, not --membind: once node 3 is full, what the filler's runtime
# allocates later goes elsewhere instead of waking the OOM killer.
meme-start --name filler --numactl "--preferred=3" -bs "${fill}M" -brc 0 -bwc 0 -pattern 21
expect-range "numa_maps: the filler's pages on node 3" $((fill * 256 - 64)) $((fill * 256 + 64)) \
  "$(meme-pages --name filler 3)"
meme-verify filler
free3=$(vm-node-free-mb 3)
expect-range "MB free on node 3" 0 100 "$free3"

step "move 100000 pages (391 MB) to node 3"
meme-start --numactl "--cpunodebind=0 --membind=0" -bs 512M -brc 0 -bwc 0 -pattern 22
before3=$(meme-pages 3)
memtierd-json "--pid=$MEME_PID" --move-to=3 --count=100000
expect-eq "exit status (8: some pages could not move)" 8 "$COMMAND_STATUS"
json=$COMMAND_OUTPUT
read -r moved failed < <(json-get "$json" movedPages failedPages | tr '\n' ' ')
expect-range "pages memtierd moved (at most what fit in $free3 MB)" 0 $((free3 * 256)) "$moved"
expect-range "pages memtierd could not move" $((100000 - free3 * 256)) 100000 "$failed"
expect-match "the reason" '"(NOT_MIGRATED|ENOMEM)"' "$(json-get "$json" failures)"
expect-range "numa_maps: the arrays' pages that arrived on node 3" 0 $((free3 * 256)) $(($(meme-pages 3) - before3))

step "the text output explains it"
# As many pages again (391 MB): more than node 3 can take even after kswapd
# freed some of it meanwhile (a move of 1,000 pages fit there once, in CI).
vm-command "memtierd --pid=$MEME_PID --move-to=3 --count=100000"
expect-eq "exit status" 8 "$COMMAND_STATUS"
expect-match "text" "(NOT_MIGRATED|ENOMEM)" "$COMMAND_OUTPUT"

meme-verify
meme-verify filler
