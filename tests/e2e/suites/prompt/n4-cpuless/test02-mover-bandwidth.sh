# The mover moves at the bandwidth it is given: 128 MB at 16 MB/s takes about
# 8 s (meme's array only, selected with -ranges). Halfway through, about half is on the target node; at the end all of
# it is, within a generous time window (TCG is slow and shared). stats -f csv
# is parsed as scripts parse it. The data is intact afterwards.

# The answer to the last memtierd-command, without the prompts.
answer() { sed -e 's/^\(memtierd> \)*//' -e '/^$/d' <<< "$COMMAND_OUTPUT"; }

meme-start --numactl "--membind=0" -bs 128M -brc 0 -bwc 0 -pattern 32
pages=$((128 * 256))
memtierd-start
# memtierd's first prompt: lines sent before it would be answered late.
vm-run-until --timeout 60 "grep -q 'memtierd> ' $E2E_GUEST_DIR/session.memtierd/out" || fail "no prompt"

step "configure the mover: 20 ms rounds, 16 MB/s"
memtierd-command "mover -config '{\"IntervalMs\":20,\"Bandwidth\":16}' -config-dump"
expect-eq "mover config" '{"IntervalMs":20,"Bandwidth":16}' "$(answer | tail -n 1)"
range=$(echo ${MEME_RANGES[meme]}) # meme's array: moving it only keeps the figures exact
memtierd-command "pages -pid $MEME_PID -ranges $range"
selected=$(answer | sed -n 's/^pages = <\([0-9]*\) pages.*/\1/p')
expect-range "pages of meme's array selected" "$pages" $((pages + 1)) "$selected"

step "move to node 3 and look after about 4 s"
memtierd-command "time -start move"
memtierd-command "mover -pages-to 3"
sleep 4
mid=$(meme-pages 3)
# 4 s at 16 MB/s is half of the pages; allow 15 %..85 % for a busy VM.
expect-range "numa_maps: pages on node 3 after about 4 s" $((pages * 15 / 100)) $((pages * 85 / 100)) "$mid"

memtierd-command --timeout 120 "mover -wait"
expect-match "mover finished" "mover wait received: AllDone" "$COMMAND_OUTPUT"
memtierd-command "time -elapsed move"
elapsed=$(answer | grep -E '^[0-9]+\.[0-9]+$' | tail -n 1)
expect-range "seconds to move 128 MB at 16 MB/s (8 s nominal)" 6 20 "${elapsed%.*}"
expect-range "numa_maps: pages on node 3 at the end" $((pages * 99 / 100)) $((pages + 16)) "$(meme-pages 3)"

step "stats -t move_pages -f csv"
memtierd-command "stats -t move_pages -f csv"
row=$(answer | grep "^$MEME_PID,")
IFS=, read -r _pid calls req ok moved pernode <<< "$row"
expect-range "csv: ok[pages]" $((pages * 99 / 100)) $((pages + 5000)) "$ok"
expect-match "csv: moved[G] (0.125 G)" "^0\.12[0-9]+$" "$moved"
expect-match "csv: targetnode:moved[G]" "^3:0\.12[0-9]$" "$pernode"
expect-range "csv: move_pages calls (256 pages each at most)" 120 2000 "$calls"
expect-range "csv: req[pages]" "$ok" $((pages + 5000)) "$req"

memtierd-stop
meme-verify
