# The age policy fills the nodes of IdleNumas in their order, each as far as
# its room goes (its free pages above what /proc/zoneinfo says the kernel
# keeps: the high watermark, 27 MB on this VM's node 2, and the lowmem
# reserve): with node 2 filled by a tmpfs file up to 40 MB free, the idle
# 64M array of meme m on node 0 goes to nodes [2, 3], partly to node 2 and
# the rest to node 3, and none of it stays on node 0. (The Go memtierd sent
# it all to node 2, whose kernel refused every page past its room; with a
# room of MemFree less 1 % of the node, 1,083 pages went to node 2 again
# every round and stayed on node 0.) Checked in numa_maps; the data is
# intact.
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

free2=$(vm-node-free-mb 2)
# A tmpfs file bound to node 2 fills it without a process of its own there.
vm-command-ok "mkdir -p /run/fill2 && mount -t tmpfs -o size=2G,mpol=bind:2 tmpfs /run/fill2 &&
  dd if=/dev/zero of=/run/fill2/f bs=1M count=$((free2 - 40)) 2>&1 | tail -1"
echo "node 2: $(vm-node-free-mb 2) MB free beside a file of $((free2 - 40)) MB; its zones:"
vm-command-ok "awk '/^Node/ { n = \$2 } n == \"2,\" && /^Node|pages free|^ +high |protection/' /proc/zoneinfo"
meme-start --name m --numactl "--membind=0" -bs 64M -brc 0 -bwc 0 -pattern 6
pa-daemon-start <<YAML
policy:
  name: age
  config:
    intervalms: 1000
    pidwatcher: {name: pidlist, config: {pids: [${MEME_PIDS[m]}]}}
    tracker: {name: softdirty, config: {pagesinregion: 256, scanintervalms: 1000}}
    idledurationms: 2000
    idlenumas: [2, 3]
    mover: {intervalms: 20, bandwidth: 200}
YAML

step "the idle 16385 pages leave node 0: node 2 takes what its room holds, node 3 the rest"
pa-wait-pages --timeout 60 m 0 0 0
n2=$(pa-pages m 2)
n3=$(pa-pages m 3)
echo "node 2: $n2 pages, node 3: $n3 pages; node 2 now $(vm-node-free-mb 2) MB free"
expect-eq "pages of m on nodes 2 and 3" 16385 $((n2 + n3))
expect-range "pages of m on node 2 (its room: a few MB)" 1 8192 "$n2"
expect-range "pages of m on node 3" 8193 16384 "$n3"

vm-command-ok "grep -c 'WARN\|ERROR' $E2E_GUEST_DIR/p.log || true"
expect-eq "warnings and errors in the log" 0 "$COMMAND_OUTPUT"
pa-daemon-stop
meme-verify m
vm-command-ok "rm /run/fill2/f && umount /run/fill2"
