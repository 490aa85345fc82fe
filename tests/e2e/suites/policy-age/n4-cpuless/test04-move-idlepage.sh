# e2e-kernel: custom
# The age policy from `memtierd -config`, idlepage tracker (the kernel of
# `make vm-kernel`; the test is test01 with the other tracker): of a 64M array
# on node 0 whose first 16M meme keeps writing, the written part is active
# and goes to node 1, the rest is idle and goes to node 3; after SIGSTOP
# the whole array is idle and ends on node 3; after SIGCONT the written
# part is active again and goes back to node 1. Checked in numa_maps (the
# tracker's 256-page regions do not start where the array does, so the
# active part may be a region or two larger); the data is intact. (The Go
# test's 1G/300M scaled to 64M/16M for TCG.)
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

pa-move-scenario idlepage
