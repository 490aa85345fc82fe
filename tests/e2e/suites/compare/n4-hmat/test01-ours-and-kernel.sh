# e2e-timeout: 420
# A short run of the tiering comparison (tests/compare, `make compare`), so
# that it cannot rot: the writing workload (meme hotset, 128M, 10 % hot, the
# hot set shifting after 20 s of 30) from the same starting placement (cold
# pages on the fast nodes 0-1, both hot sets on the slow nodes 2-3) under
# the kernel's NUMA balancing tiering and under our age policy with
# softdirty. Checked from the workload's own move_pages samples: each run
# starts with none of the hot set on the fast tier and has at least half of
# it there before the shift; the data is intact (verify: OK, in compare-run);
# the report prints a compare: line for each and draws the chart. (The
# topology is the tiers suite's, so that both share one VM.)
COMPARE_WS=128M COMPARE_TTL=30 COMPARE_SHIFT=20 COMPARE_VARIANTS=write
COMPARE_RUNS=$E2E_DIR/output/compare/n4-hmat/runs
rm -rf "$COMPARE_RUNS"
source "$E2E_DIR/../compare/lib.bash"

compare-prepare
expect-eq "the kernel's tiers' nodes (fast, slow) and the nodes with CPUs" "0-1 2-3 0-1" "$(echo $COMMAND_OUTPUT)"
for c in kernel ours-age-softdirty; do
  compare-run write "$c"
  out=$(cat "$COMPARE_RUNS/write-$c.out")
  expect-match "$c: the run started with the hot set on the slow tier" "^hotset: t=0\.[0-9] accesses=0 phase=0 hot_fast=0\.0" "$out"
  expect-match "$c: half of the hot set or more on the fast tier before the shift" "phase=0 hot_fast=(0\.[5-9]|1\.0)" "$out"
done
compare-report
report=$(cat "$COMPARE_RUNS/report.txt")
expect-match "a compare: line for the kernel" "^compare: write kernel .* hit 0\.[0-9]+" "$report"
expect-match "a compare: line for ours" "^compare: write ours-age-softdirty .* hit 0\.[0-9]+" "$report"
expect-match "the chart" "<polyline .*" "$(cat "$COMPARE_RUNS/hot-residency-write.svg")"
