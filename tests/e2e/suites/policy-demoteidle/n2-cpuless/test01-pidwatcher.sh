# e2e-kernel: custom
# demote-idle in pidwatcher mode (the Go policy-demoteidle test01, scaled
# from 1G to 256M): meme writes the first 64M of its 256M array every 0.5 s
# and leaves the rest alone. The policy (pidlist pidwatcher, idle bits
# every 2 s) moves the idle 192M to the CPU-less node 1 and leaves the
# written 64M on node 0 (numa_maps); after SIGSTOP those 64M go idle too
# and follow. Then meme's data is verified.
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

di-setup
meme-start --numactl "--membind=0" -bs 256M -brc 0 -bwc 1 -bws 64M -bwo 0 -bwi 500ms -pattern 5
di-memtierd-start "{\"IdleNumas\":[1],\"IntervalMs\":2000,\"PidWatcher\":{\"name\":\"pidlist\",\"config\":{\"Pids\":[$MEME_PID]}},\"Mover\":{\"IntervalMs\":20,\"Bandwidth\":200}}"

step "the idle 192M (49152 pages) go to node 1, the written 64M (16384 pages) stay"
di-wait-pages 1 47000
vm-command "sleep 4" # two more rounds: nothing more may move while meme writes
on1=$(meme-pages 1)
on0=$(meme-pages 0)
echo "meme's arrays: node 0 $on0 pages, node 1 $on1 pages"
expect-range "pages of meme's arrays on node 1" 47000 49300 "$on1"
expect-range "pages of meme's arrays on node 0 (the written part)" 16200 18200 "$on0"
memtierd-command "policy -dump"
expect-match "policy -dump" "^pids: 1, ranges: [0-9]+, pages: [0-9]+ \([0-9.]+ MiB\)$" "$(answer)"
memtierd-command "stats -t memory_scans"

step "SIGSTOP: the written part goes idle and follows"
vm-command-ok "kill -STOP $MEME_PID"
di-wait-pages 1 65000
expect-range "pages of meme's arrays on node 1 after SIGSTOP" 65000 65537 "$(meme-pages 1)"
vm-command-ok "kill -CONT $MEME_PID"
memtierd-command "policy -stop"
memtierd-stop
meme-verify
