# avoid-oom (the Go policy-avoidoom test01-basic, with meme in cgroups where
# the Go test uses python3): nodes 1 and 2 have no CPUs and 512M each.
# meme "wide" (cgroup cpuset.mems 1-2) holds 200M on node 2; memtierd runs
# the policy from a -config file (start freeing below 30 % available, stop
# at 50 %). Then meme "pinned" (cpuset.mems 2) takes 140M of node 2: node 2
# falls under 30 % and the policy moves wide's memory to node 1, enough for
# 50 % available when it decided (pinned may still be filling then): node 2
# ends above 33 %, out of high pressure (numa_maps of both memes,
# `policy -dump nodes`, `policy -dump balance`);
# pinned's memory stays on node 2, no process is OOM-killed (dmesg), and
# both memes' data is verified.

answer() { sed -e 's/^\(memtierd> \)*//' -e '/^$/d' <<< "$COMMAND_OUTPUT"; }

# Available % of node 2 as the policy counts it (MemFree + SReclaimable + 80 % Inactive(file)).
AVAIL2="awk '/MemTotal/ { t = \$4 } /MemFree/ { f = \$4 } /SReclaimable/ { s = \$4 } /Inactive\\(file\\)/ { i = \$4 }
  END { print int(100 * (f + s + int(i * 80 / 100)) / t) }' /sys/devices/system/node/node2/meminfo"

vm-cgroup-make aoom/wide
vm-cgroup-make aoom/pinned
vm-command-ok "echo 1-2 > /sys/fs/cgroup/aoom/wide/cpuset.mems && echo 2 > /sys/fs/cgroup/aoom/pinned/cpuset.mems"
meme-start --name wide --cgroup aoom/wide --numactl "--membind=2" -bs 200M -brc 0 -bwc 0 -pattern 8
vm-command-ok "$AVAIL2"
echo "node 2 available: $COMMAND_OUTPUT %"
expect-range "node 2 available % with wide alone" 45 100 "$COMMAND_OUTPUT"

vm-pipe-to-file /root/aoom.yaml <<'YAML'
policy:
  name: avoid-oom
  config:
    startfreeingmemory: 30%
    stopfreeingmemory: 50%
    cgroups: [/sys/fs/cgroup/aoom]
    intervalms: 1000
    mover: {intervalms: 20, bandwidth: 200}
YAML
memtierd-start -config /root/aoom.yaml
vm-run-until --timeout 60 "grep -q 'memtierd> ' $E2E_GUEST_DIR/session.memtierd/out" ||
  fail "memtierd gave no prompt"
memtierd-command "policy -dump status"
expect-eq "policy -dump status" "online" "$(answer)"
memtierd-command "policy -dump nodes"
expect-match "policy -dump nodes" "^Node 2: avail [0-9.]+G/0\.[0-9]+G [0-9.]+ %$" "$(answer)"

step "meme pinned (node 2 only) takes 140M: node 2 under pressure, wide's memory moves to node 1"
meme-start --name pinned --cgroup aoom/pinned -bs 140M -brc 0 -bwc 0 -pattern 9
vm-run-until --timeout 60 "[ \$($AVAIL2) -ge 33 ]" || fail "node 2 stayed under pressure"
# The mover may still be at it: "mover busy" until its tasks are done.
for _ in 1 2 3 4 5 6 7 8 9 10; do
  memtierd-command "policy -dump balance"
  [ "$(answer)" = "no pressure" ] && break
  vm-command "sleep 1"
done
expect-eq "policy -dump balance" "no pressure" "$(answer)"
memtierd-command "policy -dump nodes"
pct=$(answer | sed -n 's/^Node 2: avail [0-9.]*G\/[0-9.]*G \([0-9]*\)\.[0-9] %$/\1/p')
expect-range "policy -dump nodes: node 2 available %" 33 100 "$pct"
memtierd-command "policy -dump cands"
expect-match "policy -dump cands" "^pid: ${MEME_PIDS[wide]} [0-9a-f]+ size: [0-9]+ MB \(in 4 kB pages\) fromNode: 2 score: [0-9]+$" "$(answer | head -n 1)"
wide1=$(meme-pages --name wide 1)
echo "wide: node 1 $wide1 pages, node 2 $(meme-pages --name wide 2) pages"
expect-range "pages of wide's array moved to node 1" 15000 51200 "$wide1"
expect-eq "pages of pinned's array on node 1" 0 "$(meme-pages --name pinned 1)"
expect-range "pages of pinned's array on node 2" 35700 35841 "$(meme-pages --name pinned 2)"
vm-command-ok "dmesg | grep -c oom-kill; true"
expect-eq "oom-kill lines in dmesg" 0 "$COMMAND_OUTPUT"
memtierd-stop
meme-verify wide
meme-verify pinned
