# The age policy with SwapOutMs, softdirty tracker, from a config that
# omits Mover and IntervalMs (defaults 100 MB/s and 5000 ms; the Go one
# dropped every task without a mover): of a 64M array whose first 16M meme
# keeps writing, the idle 48M are swapped out (zram) and the written part
# stays; after SIGSTOP the whole array is swapped out; after SIGCONT meme's
# writes bring the written part back and the rest stays in swap. Checked
# with the array's present pages (numa_maps) and VmSwap; the data is intact.
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

pa-swap-scenario softdirty
