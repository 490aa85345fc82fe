# The Go tracker/test01-tracker-finder, scaled down: finder with
# ReportAccesses 42 reports meme's block in one a=42 range; after a middle
# part is swapped out (zram), PagemapBitPresent:false reports that part,
# true the parts around it, and PagemapBitSoftDirty:true still covers the
# block.
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

vm-command-ok "zram-swap 512M"
meme-start -bs 64M -brc 0 -bwc 0
arr=$(echo ${MEME_RANGES[meme]})
as=$((16#${arr%-*})) ae=$((16#${arr#*-}))
# The middle, on page boundaries (meme's array starts inside a page).
ms=$(((as + 16 * 1024 * 1024) / 4096 * 4096)) me=$(((as + 48 * 1024 * 1024) / 4096 * 4096))
mid=$(printf '%x-%x' "$ms" "$me")
tr-memtierd-start

# finder CONFIG: restarts the finder with CONFIG and reads its counters.
finder() {
  memtierd-command "tracker -create finder -config '$1'"
  memtierd-command "tracker -start $MEME_PID"
  expect-match "started" "^tracker started$" "$(answer)"
  memtierd-command "tracker -counters"
}
# covered S E: whether one reported range covers [S, E).
covered() {
  tr-ranges any | while read -r s e; do [ "$s" -le "$1" ] && [ "$e" -ge "$2" ] && echo yes; done | grep -q yes
}

step "ReportAccesses 42: the block in one a=42 range"
finder '{"ReportAccesses":42}'
expect-match "a=42 counters" "^a=42 r=0 w=0 AddrRanges" "$(answer)"
covered "$as" "$ae" || fail "no one range covers meme's block $arr: $(answer)"

step "swap out the middle $mid"
memtierd-command --timeout 120 "swap -pid $MEME_PID -ranges $mid -out"
mid_pages=$(((me - ms) / 4096))

step "PagemapBitPresent false: the swapped-out middle"
finder '{"PagemapBitPresent":false}'
in_mid=$(tr-ranges any | tr-overlap-pages "$ms" "$me")
in_block=$(tr-ranges any | tr-overlap-pages "$as" "$ae")
echo "not present: $in_mid pages of the middle ($mid_pages), $in_block in the block"
expect-range "middle pages reported not present" $((mid_pages * 95 / 100)) "$mid_pages" "$in_mid"
expect-eq "block pages outside the middle reported not present" 0 $((in_block - in_mid))

step "PagemapBitPresent true: the parts before and after it"
finder '{"PagemapBitPresent":true}'
# At the middle's edges, give or take the few pages the swap-out may have
# left (in CI one page at its start stayed present: 8191 of 8192 went out).
tr-ranges any | awk -v ms="$ms" '$2 >= ms && $2 <= ms + 16 * 4096 {f = 1} END {exit !f}' || fail "no present range ends at the middle's start: $(answer)"
tr-ranges any | awk -v me="$me" '$1 <= me && $1 >= me - 16 * 4096 {f = 1} END {exit !f}' || fail "no present range starts at the middle's end: $(answer)"
expect-range "middle pages reported present" 0 $((mid_pages / 20)) "$(tr-ranges any | tr-overlap-pages "$ms" "$me")"

step "PagemapBitSoftDirty true: still the whole block"
finder '{"PagemapBitSoftDirty":true}'
covered "$as" "$ae" || fail "no soft-dirty range covers meme's block $arr: $(answer)"

memtierd-command "tracker -stop"
memtierd-stop
vm-command-ok "zram-swap off"
