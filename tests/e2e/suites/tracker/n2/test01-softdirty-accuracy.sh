# softdirty: meme writes 32M of its 256M array all the time and touched the
# rest once; after a few scan intervals `tracker -counters` reports the
# written part and not the rest (precision and recall by pages printed,
# recall >= 0.9 and <= 10 % of the cold pages asserted).
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

tr-hot-cold-accuracy softdirty w -bs 256M -bwc 1 -bws 32M -bwo 64M -brc 0 -pattern 7

step "reset, stop, heartbeats and scans in stats"
memtierd-command "tracker -reset -stop"
expect-match "reset" "tracker counters reset" "$(answer)"
memtierd-command "stats -t events,memory_scans"
expect-match "scan loop heartbeats" "TrackerSoftDirty.round" "$(answer)"
expect-match "scans of meme" "$MEME_PID" "$(answer)"
memtierd-stop
meme-verify
