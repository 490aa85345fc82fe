# e2e-timeout: 360
# heat policy, swap: HeatNumas {0: [-1]} with the softdirty tracker. meme
# writes 64M of its 256M array: the 192M it does not touch goes to swap and
# the written 64M stays (numa_maps, VmSwap); SIGSTOP: all 256M go out;
# SIGCONT: the written 64M comes back (the kernel's faults) and the policy
# leaves it in memory; meme's data is intact. Also: the Heatmap key's
# fields are given, the mover's defaults would do (the config sets it).
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

ph-swap-scenario
