# bin/memtierd needs nothing from the host but its kernel: in a root holding
# only a static busybox (no glibc, no /lib, no /usr, no /etc) with /proc,
# /sys and /dev mounted, it shows a process's pages as numa_maps counts them.

meme-start --numactl "--membind=0" -bs 64M -brc 0 -bwc 0 -pattern 1
pages0=$(vm-numa-pages "$MEME_PID" 0)
expect-range "numa_maps: anonymous pages on node 0 (a 64 MiB array bound there)" 16384 40000 "$pages0"

step "a root with busybox and memtierd only"
r=/tmp/bbroot
vm-command-ok "mkdir -p $r/bin $r/proc $r/sys $r/dev && cp /bin/busybox /usr/local/bin/memtierd $r/bin/ &&
  ln -s busybox $r/bin/sh && mount -t proc proc $r/proc && mount -t sysfs sysfs $r/sys &&
  mount --bind /dev $r/dev"
vm-command-ok "cd $r && find . -xdev | sort | tr '\n' ' '"
expect-eq "the root's files" ". ./bin ./bin/busybox ./bin/memtierd ./bin/sh ./dev ./proc ./sys " "$COMMAND_OUTPUT"
vm-command-ok "env -i PATH=/bin chroot $r sh -c 'busybox ls /lib /usr /etc 2>&1 | busybox wc -l'"
expect-eq "lines of 'ls /lib /usr /etc' (three: no such file or directory)" 3 "$COMMAND_OUTPUT"

step "memtierd --pid in the busybox root, against numa_maps"
vm-command-ok "env -i PATH=/bin chroot $r sh -c 'memtierd --pid=$MEME_PID --output json'"
read -r pid mt0 < <(json-get "$COMMAND_OUTPUT" pid 'nodes[node=0].movablePages' | tr '\n' ' ')
expect-eq "JSON pid" "$MEME_PID" "$pid"
expect-range "memtierd's pages on node 0 vs numa_maps ($pages0)" $((pages0 * 97 / 100)) $((pages0 * 103 / 100)) "$mt0"
vm-command-ok "umount $r/proc $r/sys $r/dev"
meme-verify
