# e2e-timeout: 480
# Age with DemoteToMakeRoom on fast nodes that cannot hold the working set:
# tmpfs files bound to nodes 0 and 1 leave 80 MB free on each, and the
# starting placement (meme hotset, 256M writing, 10 % of the pages taking
# 98 % of the accesses, 4 MB left free per fast node) fills them with cold pages and puts the rest of the cold
# pages and the whole hot set on the slow nodes 2-3. The cold pages are
# written now and then, so none is idle for IdleDurationMs; age alone
# promotes only the few pages the fast nodes have room for. With
# DemoteToMakeRoom the cold memory on the fast nodes goes down to make room
# and at least half of the hot set is on the fast tier before the shift,
# from the workload's own move_pages samples (the kernel's view); the data
# is intact (verify: OK, in compare-run). (With 90 % of the accesses to the
# hot set, as make compare has it, 43 % of each cold region is written in a
# 2 s scan against all of a hot one: less than the 4 times as much the
# ranking asks for, and the soft-dirty share of pages cannot show more.)
COMPARE_WS=256M COMPARE_TTL=50 COMPARE_SHIFT=40 COMPARE_VARIANTS=write COMPARE_FAST_RESERVE=4M COMPARE_HOT_ACCESS=98
COMPARE_RUNS=$E2E_DIR/output/compare/n4-hmat/runs-room
rm -rf "$COMPARE_RUNS"
source "$E2E_DIR/../compare/lib.bash"

compare-prepare
for n in 0 1; do
  free=$(vm-node-free-mb $n)
  vm-command-ok "mkdir -p /run/fill$n && mount -t tmpfs -o size=2G,mpol=bind:$n tmpfs /run/fill$n &&
    dd if=/dev/zero of=/run/fill$n/f bs=1M count=$((free - 80)) 2>&1 | tail -1"
  echo "node $n: $(vm-node-free-mb $n) MB free beside a file of $((free - 80)) MB"
done
compare-run write ours-agerank-softdirty
vm-command "umount /run/fill0 /run/fill1"
out=$(cat "$COMPARE_RUNS/write-ours-agerank-softdirty.out")
expect-match "the run started with the hot set on the slow tier" "^hotset: t=0\.[0-9] accesses=0 phase=0 hot_fast=0\.0" "$out"
expect-match "cold pages on the slow tier at the start: the fast nodes could not hold them" "^hotset: t=0\.[0-9] accesses=0 phase=0 hot_fast=0\.0[0-9]* cold_slow=0\.[1-9]" "$out"
expect-match "half of the hot set or more on the fast tier before the shift" "phase=0 hot_fast=(0\.[5-9]|1\.0)" "$out"
# Cold memory went down to make the room: its share on the slow tier grew.
cold=$(awk '/^hotset: .*phase=0/ { for (i = 1; i <= NF; i++) if ($i ~ /^cold_slow=/) { v = substr($i, 11) + 0; if (!n++) first = max = v; if (v > max) max = v } }
  END { print first, max }' <<< "$out")
echo "cold pages on the slow tier: at the start and at most before the shift: $cold"
expect-eq "cold memory demoted to make room (its share on the slow tier grew by 0.05 or more)" yes \
  "$(awk '{ print ($2 - $1 >= 0.05) ? "yes" : "no" }' <<< "$cold")"
