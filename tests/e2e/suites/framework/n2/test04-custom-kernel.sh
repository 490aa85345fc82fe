# e2e-kernel: custom
# The kernel of `make vm-kernel` boots the VM and has what Debian's lacks:
# idle page tracking, zram built in; its network driver is there (ssh reaches
# the VM); memtierd moves pages with it.

vm-command-ok "uname -r; cat /proc/cmdline"
vm-command-ok "test -e /sys/kernel/mm/page_idle/bitmap"
vm-command-ok "test -e /sys/block/zram0 && ! test -e /lib/modules/e2e/order"
vm-command-ok "test -d /sys/kernel/mm/damon/admin/kdamonds"
vm-command-ok "cat /proc/sys/kernel/numa_balancing"
expect-eq "automatic NUMA balancing" 0 "$COMMAND_OUTPUT"
vm-command-ok "zram-swap 128M && zram-swap off"
vm-command-ok "uname -r"
release=$COMMAND_OUTPUT
vm-ssh "uname -r" || fail "ssh does not reach the VM with this kernel"
expect-eq "the kernel release, through ssh" "$release" "$COMMAND_OUTPUT"

meme-start --numactl "--membind=0" -bs 64M -brc 0 -bwc 0 -pattern 61
memtierd-json "--pid=$MEME_PID" --move-to=1
rc=$?
[ $rc = 0 ] || [ $rc = 8 ] || fail "move to node 1: expected exit status 0 or 8, got $rc"
expect-range "numa_maps: the arrays' pages on node 1" 16384 16400 "$(meme-pages 1)"
meme-verify
