# e2e-timeout: 240
# heat policy, two classes: HeatNumas {0: [1], 1: [0]} (node 1 slow, node
# 0 fast) with the softdirty tracker and no NumaSize (the nodes are
# unlimited and moves happen: the Go policy never moved here). meme on node
# 0 writes 64M of its 256M array: the untouched 192M moves to node 1;
# SIGSTOP: all 256M on node 1; SIGCONT: the written 64M comes back to node
# 0 (numa_maps); meme's data is intact.
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

ph-meme-start
ph-memtierd-start "$(ph-yaml '{0: [1], 1: [0]}')"

step "meme runs: the untouched 192M goes to node 1"
ph-wait 90 "$(ph-on 1) -ge 45056"
vm-command "sleep 4"
ph-report
expect-range "MB of the array on node 1" 176 200 "$(ph-mb node1)"
expect-range "MB of the array on node 0 (the written 64M)" 56 80 "$(ph-mb node0)"

step "SIGSTOP: all 256M on node 1"
vm-command-ok "kill -STOP $MEME_PID"
ph-wait 60 "$(ph-on 1) -ge 64000"
ph-report
expect-range "MB of the array on node 1" 250 256 "$(ph-mb node1)"

step "SIGCONT: the written 64M comes back to node 0"
vm-command-ok "kill -CONT $MEME_PID"
ph-wait 60 "$(ph-on 0) -ge 14336"
vm-command "sleep 7"
ph-report
expect-range "MB of the array on node 0" 56 80 "$(ph-mb node0)"
expect-range "MB of the array on node 1" 176 200 "$(ph-mb node1)"

ph-rounds
memtierd-command --timeout 90 "policy -dump numa"
echo "$COMMAND_OUTPUT"
memtierd-stop
meme-verify
