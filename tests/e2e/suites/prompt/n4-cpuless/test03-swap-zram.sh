# swap -out pages a process out to zram (process_madvise MADV_PAGEOUT),
# swap -status shows it, swap -in reads it back; the same through the mover
# with a bandwidth limit. The kernel's VmSwap agrees, and the data is intact.

# The answer to the last memtierd-command, without the prompts.
answer() { sed -e 's/^\(memtierd> \)*//' -e '/^$/d' <<< "$COMMAND_OUTPUT"; }

vm-command-ok "zram-swap 512M"
meme-start --numactl "--membind=0" -bs 128M -brc 0 -bwc 0 -pattern 33
pages=$((128 * 256))
range=$(echo ${MEME_RANGES[meme]}) # meme's array; swap acts on it only
memtierd-start
# memtierd's first prompt: lines sent before it would be answered late.
vm-run-until --timeout 60 "grep -q 'memtierd> ' $E2E_GUEST_DIR/session.memtierd/out" || fail "no prompt"

swap_status() { # sets SWAPPED from "PID SWAPPED / PAGES pages, ..."
  memtierd-command "swap -pid $MEME_PID -ranges $range -status"
  SWAPPED=$(answer | sed -n "s/^$MEME_PID \([0-9]*\) \/ [0-9]* pages.*/\1/p")
}
vmswap_kb() {
  vm-command --quiet "awk '/^VmSwap:/ {print \$2}' /proc/$MEME_PID/status"
  echo "$COMMAND_OUTPUT"
}

step "swap -out"
memtierd-command --timeout 120 "swap -pid $MEME_PID -ranges $range -out"
swap_status
expect-range "swap -status: meme's pages swapped out" $((pages * 95 / 100)) $((pages + 1)) "$SWAPPED"
expect-match "status line" "^$MEME_PID [0-9]+ / [0-9]+ pages, [0-9]+ / [0-9]+ MB \([0-9.]+ %\) swapped out" "$(answer)"
expect-range "VmSwap (kB)" $((128 * 1024 * 95 / 100)) $((256 * 1024)) "$(vmswap_kb)"

step "swap -in"
memtierd-command --timeout 120 "swap -pid $MEME_PID -ranges $range -in"
swap_status
expect-range "swap -status: pages still swapped out" 0 $((pages / 100)) "$SWAPPED"
expect-range "VmSwap (kB)" 0 $((128 * 1024 / 100)) "$(vmswap_kb)"
meme-verify

step "swap -out through the mover at 64 MB/s"
memtierd-command "mover -config '{\"Bandwidth\":64}'"
memtierd-command "swap -pid $MEME_PID -ranges $range -out -mover"
memtierd-command --timeout 120 "mover -wait"
expect-match "mover finished" "mover wait received: AllDone" "$COMMAND_OUTPUT"
swap_status
expect-range "swap -status: pages swapped out by the mover" $((pages * 95 / 100)) $((pages + 1)) "$SWAPPED"

step "stats -t process_madvise -f csv"
memtierd-command "stats -t process_madvise -f csv"
row=$(answer | grep "^$MEME_PID,")
IFS=, read -r _pid calls req ok okg pageout <<< "$row"
# Two swap-outs of 128 MB: 0.25 G advised with MADV_PAGEOUT.
expect-match "csv: PAGEOUT[G] (two times 0.125 G)" "^0\.250[0-9]*$" "$pageout"
expect-range "csv: process_madvise calls (one direct, many by the mover)" 3 100000 "$calls"

memtierd-command --timeout 120 "swap -pid $MEME_PID -in"
memtierd-stop
meme-verify
vm-command-ok "zram-swap off"
