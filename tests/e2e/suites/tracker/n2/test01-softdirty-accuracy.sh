# softdirty: meme writes 32M of its 256M array all the time and touched the
# rest once; after a few scan intervals `tracker -counters` reports the
# written part and not the rest (precision and recall by pages printed,
# recall >= 0.9 and <= 10 % of the cold pages asserted).
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

meme-start -bs 256M -bwc 1 -bws 32M -bwo 64M -brc 0 -pattern 7
arr=$(echo ${MEME_RANGES[meme]})
as=$((16#${arr%-*})) ae=$((16#${arr#*-}))
hs=$((as + 64 * 1024 * 1024)) he=$((as + 96 * 1024 * 1024))
tr-memtierd-start
memtierd-command "tracker -create softdirty -config '{\"PagesInRegion\":512,\"MaxCountPerRegion\":0,\"ScanIntervalMs\":2000}'"
expect-match "created" "tracker configured successfully" "$(answer)"
memtierd-command "tracker -start $MEME_PID"
expect-match "started" "^tracker started$" "$(answer)"
vm-command "sleep 14"
memtierd-command --timeout 120 "tracker -counters"
answer | grep -c '^a=' | sed 's/^/counters: /'
tr-accuracy w "$as" "$ae" "$hs" "$he"

step "reset, stop, heartbeats and scans in stats"
memtierd-command "tracker -reset -stop"
expect-match "reset" "tracker counters reset" "$(answer)"
memtierd-command "stats -t events,memory_scans"
expect-match "scan loop heartbeats" "TrackerSoftDirty.round" "$(answer)"
expect-match "scans of meme" "$MEME_PID" "$(answer)"
memtierd-stop
meme-verify
