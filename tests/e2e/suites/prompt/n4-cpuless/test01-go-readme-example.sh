# The Go memtierd README's example, as its users run it: commands piped into
# `memtierd -prompt` select a process's pages, hand them to the mover, wait,
# and print stats. The pages must end up on node 1 (numa_maps says so, not
# only memtierd), stats must show them moved, and the data must be intact.

meme-start --numactl "--cpunodebind=0 --membind=0" -bs 64M -brc 0 -bwc 0 -pattern 31
pages=$((64 * 256))
expect-range "numa_maps: meme's pages on node 1 before" 0 100 "$(meme-pages 1)"

step "( pages; mover -pages-to 1; sleep 10; stats; q ) | memtierd -prompt"
vm-command-ok --timeout 180 "( echo 'pages -pid $MEME_PID'; echo 'mover -pages-to 1'; sleep 10; echo stats; echo q ) | memtierd -prompt"
out=$(sed -e 's/^\(memtierd> \)*//' <<< "$COMMAND_OUTPUT")
expect-match "pages selected" "pages = <[0-9]+ pages of pid $MEME_PID>" "$out"
expect-match "the stats tables" "table: move_pages syscalls" "$out"
# The move_pages row of the txt table: pid calls req[pages] ok[pages] moved[G] node:moved[G].
row=$(sed -n '/^table: move_pages syscalls/,/^$/p' <<< "$out" | awk -v pid="$MEME_PID" '$1 == pid')
expect-match "stats row of meme" "^ *$MEME_PID " "$row"
ok_pages=$(awk '{print $4}' <<< "$row")
expect-range "stats: pages moved (ok[pages])" $((pages * 99 / 100)) $((pages + 5000)) "$ok_pages"
expect-match "stats: moved to node 1" " 1:0\.0[67][0-9]$" "$row"
expect-match "the prompt quits" "^quit\.$" "$out"

expect-range "numa_maps: meme's pages on node 1 after" $((pages * 99 / 100)) $((pages + 16)) "$(meme-pages 1)"
expect-range "numa_maps: meme's pages left on node 0" 0 $((pages / 100)) "$(meme-pages 0)"
meme-verify
