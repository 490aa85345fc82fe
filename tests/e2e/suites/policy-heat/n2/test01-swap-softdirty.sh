# e2e-timeout: 240
# heat policy, swap: HeatNumas {0: [-1]} with the softdirty tracker. meme
# writes 64M of its 256M array: the 192M it does not touch goes to swap and
# the written 64M stays (numa_maps, VmSwap); SIGSTOP: all 256M go out;
# SIGCONT: the written 64M comes back (the kernel's faults) and the policy
# leaves it in memory; meme's data is intact. Also: the Heatmap key's
# fields are given, the mover's defaults would do (the config sets it).
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

vm-command-ok "zram-swap 512M"
ph-meme-start
ph-memtierd-start "$(ph-yaml '{0: [-1]}')"

step "meme runs: the untouched 192M goes to swap"
ph-wait 90 "$(ph-swapped) -ge 45056"
vm-command "sleep 4"
ph-report
expect-range "MB of the array in swap" 176 200 "$(ph-mb array-swapped)"
expect-range "MB of the array in memory (the written 64M)" 56 80 "$(($(ph-mb node0) + $(ph-mb node1)))"
expect-range "VmSwap MB (the array's and the runtime's idle memory)" 176 600 "$(ph-mb VmSwap)"

step "SIGSTOP: nothing is written, all 256M go to swap"
vm-command-ok "kill -STOP $MEME_PID"
ph-wait 60 "$(ph-swapped) -ge 64000"
ph-report
expect-range "MB of the array in swap" 250 256 "$(ph-mb array-swapped)"

step "SIGCONT: the written 64M is faulted back in and stays"
vm-command-ok "kill -CONT $MEME_PID"
ph-wait 60 "$(ph-swapped) -le 51200"
vm-command "sleep 7"
ph-report
expect-range "MB of the array in swap" 176 200 "$(ph-mb array-swapped)"

ph-rounds
memtierd-command --timeout 90 "policy -dump heatgram"
echo "$COMMAND_OUTPUT"
memtierd-command --timeout 90 "stats -t policy_decisions"
echo "$COMMAND_OUTPUT"
memtierd-stop
meme-verify
