# Programs fed over time (as memtierd -prompt will be), and zram swap.

vm-session-start echo 'while printf "fake> "; read -r line; do echo "got: $line"; done'
vm-session-command echo "first" 'fake> $'
expect-match "the session's answer" "^got: first" "$COMMAND_OUTPUT"
vm-session-command echo "second" 'fake> $'
expect-match "the session's answer" "^got: second" "$COMMAND_OUTPUT"
vm-session-stop echo
vm-command-ok "! kill -0 \$(cat $E2E_GUEST_DIR/session.echo/pid) 2>/dev/null"

vm-command-ok "zram-swap 256M"
vm-command-ok "grep -c '^/dev/zram0 ' /proc/swaps"
meme-start --cgroup e2e/swap --numactl "--membind=0" -bs 64M -brc 0 -bwc 0 -pattern 51
# A 40 MB limit on meme's cgroup makes the kernel swap the rest out.
vm-command-ok "echo 40M > /sys/fs/cgroup/e2e/swap/memory.max"
vm-command-ok "grep VmSwap /proc/$MEME_PID/status"
swapped=$(awk '{print $2}' <<< "$COMMAND_OUTPUT")
expect-range "kB of meme swapped out to zram" 16384 200000 "$swapped"
vm-command-ok "grep '^/dev/zram0 ' /proc/swaps"
expect-range "kB used on /dev/zram0" 16384 262144 "$(awk '{print $4}' <<< "$COMMAND_OUTPUT")"
step "the data comes back from zram as it was"
vm-command-ok "echo max > /sys/fs/cgroup/e2e/swap/memory.max"
meme-verify
vm-command-ok "zram-swap off"
