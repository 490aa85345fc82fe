# e2e-kernel: custom
# multi runs softdirty (512-page regions) and idlepage (256-page regions) as
# one tracker, and `tracker -counters` shows their counters flattened: meme
# writes 32M of its 256M array (at 64M) and reads the next 32M (at 96M) all
# the time; the written part is reported written (softdirty) and accessed,
# the read part accessed only, the rest neither (recall >= 0.9, <= 10 % of
# the cold pages); no two counters overlap, and in the written part each
# counter, cut at idlepage's 256-page regions, carries both idlepage's
# accesses and softdirty's writes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

tr-meme-start -bs 256M -bwc 1 -bws 32M -bwo 64M -brc 1 -brs 32M -bro 96M -pattern 7
tr-memtierd-start
mib=$((1024 * 1024))
ws=$((TR_AS + 64 * mib)) we=$((TR_AS + 96 * mib)) re=$((TR_AS + 128 * mib))
softdirty='{"name":"softdirty","config":{"PagesInRegion":512,"MaxCountPerRegion":0,"ScanIntervalMs":2000}}'
idlepage='{"name":"idlepage","config":{"PagesInRegion":256,"MaxCountPerRegion":0,"ScanIntervalMs":2000}}'
tr-track multi "{\"Trackers\":[$softdirty,$idlepage]}" 14

step "written: the written part only (softdirty does not see the reads)"
tr-accuracy w "$TR_AS" "$TR_AE" "$ws" "$we"
step "accessed: the written and the read part"
tr-accuracy a "$TR_AS" "$TR_AE" "$ws" "$re"

step "flattened: no overlaps, both trackers' counts summed"
overlaps=$(tr-ranges any | sort -n | awk 'NR > 1 && $1 < end { n++ } { if ($2 > end) end = $2 } END { print n + 0 }')
expect-eq "counters that overlap the one before" 0 "$overlaps"
summed=$(tr-ranges "a&w" | tr-overlap-pages "$ws" "$we")
expect-range "pages of the written part in counters with both accesses and writes" \
  $((8192 * 9 / 10)) 8192 "$summed"
largest=$(tr-ranges any | awk -v lo="$TR_AS" -v hi="$TR_AE" \
  '$1 >= lo && $2 <= hi && ($2 - $1) / 4096 > m { m = ($2 - $1) / 4096 } END { print m + 0 }')
expect-range "pages of the largest counter inside the array (cut at idlepage's 256-page regions)" 1 256 "$largest"

memtierd-command "tracker -stop"
memtierd-stop
meme-verify
