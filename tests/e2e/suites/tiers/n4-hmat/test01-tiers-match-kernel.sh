# memtierd -tiers shows the tiers the kernel formed from QEMU's HMAT data
# (memory_tiering/memory_tierN/nodelist) fastest first, with each node's
# latency and bandwidth as access0/initiators gives them; the prompt's tiers
# command resolves "slower" and "fastest" for a process within its cpuset.
# Proves: topology.json's hmat reaches the guest kernel, and -tiers reads it.

step "the kernel formed two tiers: DRAM nodes 0-1, CPU-less nodes 2-3 below"
vm-command-ok 'for d in /sys/devices/virtual/memory_tiering/memory_tier*; do echo "${d##*/} $(cat $d/nodelist)"; done'
expect-eq "kernel tiers" "memory_tier4 0-1
memory_tier450 2-3" "$COMMAND_OUTPUT"

step "memtierd -tiers prints the same tiers, fastest first"
vm-command-ok "memtierd -tiers"
text=$COMMAND_OUTPUT
expect-match "header" "^2 memory tiers from the kernel" "$text"
# "tier node cpus": the tier id (column 1, 4 wide) only on each tier's first node
rows=$(echo "$text" | awk 'NR > 2 { if (substr($0, 1, 4) ~ /[0-9]/) print $1, $2, $3; else print " ", $1, $2 }')
expect-eq "tier, node, cpus rows" "4 0 0
  1 1
450 2 -
  3 -" "$rows"

step "latency and bandwidth as the kernel publishes them, per node"
# shellcheck disable=SC2016 # expanded in the VM
vm-command-ok 'for n in 0 1 2 3; do i=/sys/devices/system/node/node$n/access0/initiators; echo "$n $(cat $i/read_latency)/$(cat $i/write_latency) $(cat $i/read_bandwidth)/$(cat $i/write_bandwidth)"; done'
kernel=$COMMAND_OUTPUT
expect-eq "kernel's access0 (ns, MB/s)" "0 10/10 10240/10240
1 10/10 10240/10240
2 100/100 1024/1024
3 100/100 1024/1024" "$kernel"
ours=$(echo "$text" | awk 'NR > 2 { if (substr($0, 1, 4) ~ /[0-9]/) print $2, $7, $8; else print $1, $6, $7 }')
expect-eq "memtierd's latency and bandwidth columns" "$kernel" "$ours"

step "memtierd -tiers --output json: each node's MemTotal from nodeN/meminfo"
memtierd-json -tiers
json=$COMMAND_OUTPUT
for n in 0 2 3; do
  vm-command-ok "awk '/MemTotal/ {print \$4}' /sys/devices/system/node/node$n/meminfo"
  tier=$([ "$n" = 0 ] && echo 4 || echo 450)
  expect-eq "node $n MemTotal bytes" $((COMMAND_OUTPUT * 1024)) \
    "$(json-get "$json" "tiers[id=$tier].nodes[node=$n].memTotalBytes")"
done

step "the prompt resolves tier words for a process in a cpuset of CPU 1 and nodes 0-2"
# A cpuset, not numactl --membind: Mems_allowed_list is the cpuset's, and
# move_pages is limited by it, not by the process's memory policy.
vm-cgroup-make tiers01
vm-command-ok "echo 1 > /sys/fs/cgroup/tiers01/cpuset.cpus && echo 0-2 > /sys/fs/cgroup/tiers01/cpuset.mems"
meme-start --cgroup tiers01 -bs 64M -brc 0 -bwc 0 -pattern 5
vm-command-ok "grep -E '^(Cpus|Mems)_allowed_list' /proc/$MEME_PID/status"
memtierd-start
# The first prompt comes before any answer: wait for it, or the first
# command's answer would be taken from it.
vm-run-until --timeout 60 "grep -q 'memtierd> ' $E2E_GUEST_DIR/session.memtierd/out" || fail "memtierd gave no prompt"
out=$(memtierd-command "tiers -resolve slower -pid $MEME_PID")
expect-match "slower: the CPU-less tier, within its cpuset" "slower for pid $MEME_PID: nodes 2\$" "$out"
out=$(memtierd-command "tiers -resolve local,fastest -pid $MEME_PID")
expect-match "local and fastest" "local,fastest for pid $MEME_PID: nodes 0-1\$" "$out"
out=$(memtierd-command "tiers -resolve local -pid $MEME_PID")
expect-match "local: node 1, where its CPU is" "local for pid $MEME_PID: nodes 1\$" "$out"
memtierd-stop
meme-verify
