# The age policy with SwapOutMs, softdirty tracker, from a config that
# omits Mover and IntervalMs (defaults 100 MB/s and 5000 ms; the Go one
# dropped every task without a mover): of a 64M array whose first 16M meme
# keeps writing, the idle 48M are swapped out (zram) and the written part
# stays; after SIGSTOP the whole array is swapped out; after SIGCONT meme's
# writes bring the written part back and the rest stays in swap. Checked
# with the array's present pages (numa_maps) and VmSwap; the data is intact.
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

vm-command-ok "zram-swap 256M"
meme-start --numactl "--membind=0" -bs 64M -brc 0 -bwc 1 -bws 16M -bwi 200ms -pattern 11
pa-daemon-start <<YAML
policy:
  name: age
  config: |
    pidwatcher: {name: pidlist, config: {pids: [$MEME_PID]}}
    tracker: {name: softdirty, config: {pagesinregion: 256, scanintervalms: 1000}}
    swapoutms: 6000
YAML

step "idle 48M swapped out, the written 16M (4096 pages) stay"
pa-wait-pages --timeout 60 meme 0 4096 5100
pa-wait-swap --timeout 30 "$MEME_PID" 45000 9999999

step "SIGSTOP: the whole array is idle and swapped out"
vm-command-ok "kill -STOP $MEME_PID"
pa-wait-pages --timeout 60 meme 0 0 0
pa-wait-swap --timeout 30 "$MEME_PID" 65536 9999999

step "SIGCONT: meme's writes bring the written part back; the rest stays out"
vm-command-ok "kill -CONT $MEME_PID"
pa-wait-pages --timeout 60 meme 0 4096 5100
sleep 2
echo "VmSwap after SIGCONT: $(pa-swap-kb "$MEME_PID") kB"
expect-range "array pages still out (of 16385)" 11200 12289 $((16385 - $(pa-pages meme 0)))

vm-command-ok "grep -c 'WARN\|ERROR' $E2E_GUEST_DIR/p.log || true"
expect-eq "warnings and errors in the log" 0 "$COMMAND_OUTPUT"
pa-daemon-stop
meme-verify
