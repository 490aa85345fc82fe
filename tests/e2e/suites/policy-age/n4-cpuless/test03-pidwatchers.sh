# The age policy (and last the heat policy) created from the prompt (`policy -create age -config`)
# acts on exactly the processes its pidwatcher reports, with each of
# pidlist, cgroups and filter over proc: three idle memes (a: 104M in
# cgroup agepw/a, b: 8M in agepw/b, c: 8M outside) start on node 0;
# pidlist [b c] moves b and c to node 1, cgroups [agepw] moves a and b to
# node 2, filter(proc, MinPrivateDirtyKb 100000) moves only a to node 3,
# filter(cgroups [agepw], Not MinPrivateDirtyKb 100000) moves only b back
# to node 0; then the heat policy over cgroups [agepw] moves a and b (idle:
# heat class 0) to node 2, and the heat policy over filter(proc,
# MinPrivateDirtyKb 100000) moves only a to node 3.
# Each step checks every meme's array in numa_maps; the data is intact.
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

meme-start --name a --cgroup agepw/a --numactl "--membind=0" -bs 104M -brc 0 -bwc 0 -pattern 1
meme-start --name b --cgroup agepw/b --numactl "--membind=0" -bs 8M -brc 0 -bwc 0 -pattern 2
meme-start --name c --numactl "--membind=0" -bs 8M -brc 0 -bwc 0 -pattern 3
memtierd-start
vm-run-until --timeout 60 "grep -q 'memtierd> ' $E2E_GUEST_DIR/session.memtierd/out" || fail "memtierd gave no prompt"

# age-config PIDWATCHER_JSON NODE: the policy config, idle memory to NODE.
age-config() {
  echo "{\"intervalms\":500,\"pidwatcher\":$1,\"tracker\":{\"name\":\"softdirty\",\"config\":{\"scanintervalms\":500}},\"idledurationms\":1000,\"idlenumas\":[$2],\"mover\":{\"bandwidth\":1000}}"
}

step "pidlist [b c]: b and c to node 1"
memtierd-command "policy -create age -config '$(age-config "{\"name\":\"pidlist\",\"config\":{\"pids\":[${MEME_PIDS[b]},${MEME_PIDS[c]}]}}" 1)' -start"
expect-eq "created and started" "policy created" "$(grep -v '^memtierd> ' <<< "$COMMAND_OUTPUT" | head -1)"
pa-wait-pages --timeout 40 b 1 2049 2049
pa-wait-pages --timeout 20 c 1 2049 2049
expect-eq "a stays on node 0" 26625 "$(pa-pages a 0)"

step "cgroups [/sys/fs/cgroup/agepw]: a and b to node 2"
memtierd-command "policy -create age -config '$(age-config '{"name":"cgroups","config":{"cgroups":["/sys/fs/cgroup/agepw"],"intervalms":500}}' 2)' -start"
pa-wait-pages --timeout 40 a 2 26625 26625
pa-wait-pages --timeout 20 b 2 2049 2049
expect-eq "c stays on node 1" 2049 "$(pa-pages c 1)"

step "filter(proc, MinPrivateDirtyKb 100000): only a to node 3"
memtierd-command "policy -create age -config '$(age-config '{"name":"filter","config":{"source":{"name":"proc","config":{"intervalms":500}},"filters":[{"minprivatedirtykb":100000}]}}' 3)' -start"
pa-wait-pages --timeout 40 a 3 26625 26625
sleep 3
expect-eq "b stays on node 2" 2049 "$(pa-pages b 2)"
expect-eq "c stays on node 1" 2049 "$(pa-pages c 1)"
memtierd-command "policy -dump accessed 0,1s,0"
echo "$COMMAND_OUTPUT"
expect-match "the dump lists a alone" "^ +${MEME_PIDS[a]} +0\.000 +1\.000" "$(grep -v all <<< "$COMMAND_OUTPUT")"

step "filter(cgroups [agepw], Not MinPrivateDirtyKb 100000): only b back to node 0"
memtierd-command "policy -create age -config '$(age-config '{"name":"filter","config":{"source":{"name":"cgroups","config":{"cgroups":["/sys/fs/cgroup/agepw"],"intervalms":500}},"filters":[{"not":{"minprivatedirtykb":100000}}]}}' 0)' -start"
pa-wait-pages --timeout 40 b 0 2049 2049
sleep 3
expect-eq "a stays on node 3" 26625 "$(pa-pages a 3)"
expect-eq "c stays on node 1" 2049 "$(pa-pages c 1)"

step "the heat policy with cgroups [agepw]: the idle a and b (class 0) to node 2"
memtierd-command "policy -create heat -config '{\"intervalms\":1000,\"pidwatcher\":{\"name\":\"cgroups\",\"config\":{\"cgroups\":[\"/sys/fs/cgroup/agepw\"],\"intervalms\":500}},\"tracker\":{\"name\":\"softdirty\",\"config\":{\"scanintervalms\":500}},\"heatmap\":{\"heatmax\":0.01,\"heatclasses\":2},\"heatnumas\":{\"0\":[2]},\"mover\":{\"bandwidth\":1000}}' -start"
pa-wait-pages --timeout 40 a 2 26625 26625
pa-wait-pages --timeout 20 b 2 2049 2049
expect-eq "c stays on node 1" 2049 "$(pa-pages c 1)"

step "the heat policy with filter(proc, MinPrivateDirtyKb 100000): only a (class 0) to node 3"
memtierd-command "policy -create heat -config '{\"intervalms\":1000,\"pidwatcher\":{\"name\":\"filter\",\"config\":{\"source\":{\"name\":\"proc\",\"config\":{\"intervalms\":500}},\"filters\":[{\"minprivatedirtykb\":100000}]}},\"tracker\":{\"name\":\"softdirty\",\"config\":{\"scanintervalms\":500}},\"heatmap\":{\"heatmax\":0.01,\"heatclasses\":2},\"heatnumas\":{\"0\":[3]},\"mover\":{\"bandwidth\":1000}}' -start"
pa-wait-pages --timeout 40 a 3 26625 26625
sleep 3
expect-eq "b stays on node 2" 2049 "$(pa-pages b 2)"
expect-eq "c stays on node 1" 2049 "$(pa-pages c 1)"
memtierd-command "policy -stop"
memtierd-stop
meme-verify a
meme-verify b
meme-verify c
