# e2e-kernel: custom
# The age policy with SwapOutMs, idlepage tracker (the kernel of `make
# vm-kernel`; the test is test02 with the other tracker), from a config that
# omits Mover and IntervalMs: of a 64M array whose first 16M meme keeps
# writing, the idle 48M are swapped out (zram) and the written part stays;
# after SIGSTOP the whole array is swapped out; after SIGCONT meme's writes
# bring the written part back and the rest stays in swap. Checked with the
# array's present pages (numa_maps) and VmSwap; the data is intact. (The Go
# test's swap-idlepage, 1G scaled to 64M for TCG.)
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

pa-swap-scenario idlepage
