# e2e-kernel: custom
# idlepage (needs CONFIG_IDLE_PAGE_TRACKING: the kernel of `make vm-kernel`):
# meme reads 32M of its 256M array all the time and touched the rest once;
# after a few scan intervals `tracker -counters` reports the read part and
# not the rest (precision and recall by pages printed, recall >= 0.9 and
# <= 10 % of the cold pages asserted).
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

meme-start -bs 256M -bwc 0 -brc 1 -brs 32M -bro 64M -pattern 7
arr=$(echo ${MEME_RANGES[meme]})
as=$((16#${arr%-*})) ae=$((16#${arr#*-}))
hs=$((as + 64 * 1024 * 1024)) he=$((as + 96 * 1024 * 1024))
tr-memtierd-start
memtierd-command "tracker -create idlepage -config '{\"PagesInRegion\":512,\"MaxCountPerRegion\":0,\"ScanIntervalMs\":2000}'"
expect-match "created" "tracker configured successfully" "$(answer)"
memtierd-command "tracker -start $MEME_PID"
expect-match "started" "^tracker started$" "$(answer)"
vm-command "sleep 14"
memtierd-command --timeout 120 "tracker -counters"
answer | grep -c '^a=' | sed 's/^/counters: /'
tr-accuracy a "$as" "$ae" "$hs" "$he"
memtierd-command "tracker -stop"
memtierd-stop
meme-verify
