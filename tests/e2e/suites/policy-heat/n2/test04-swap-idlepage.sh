# e2e-timeout: 360
# e2e-kernel: custom
# heat policy, swap: HeatNumas {0: [-1]} with the idlepage tracker (the kernel
# of `make vm-kernel`; the test is test01 with the other tracker). meme
# writes 64M of its 256M array: the 192M it does not touch goes to swap and
# the written 64M stays (numa_maps, VmSwap); SIGSTOP: all 256M go out;
# SIGCONT: the written 64M comes back (the kernel's faults) and the policy
# leaves it in memory; meme's data is intact. Also: the Heatmap key's
# fields are given, the mover's defaults would do (the config sets it).
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

PH_TRACKER=idlepage ph-swap-scenario
