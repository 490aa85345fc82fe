# Helpers of the tracker tests (sourced by each test).

# The answer to the last memtierd-command, without the prompts.
answer() { sed -e 's/^\(memtierd> \)*//' -e '/^$/d' <<< "$COMMAND_OUTPUT"; }

# tr-memtierd-start: memtierd -prompt, answering once its first prompt is there.
tr-memtierd-start() {
  memtierd-start
  vm-run-until --timeout 60 "grep -q 'memtierd> ' $E2E_GUEST_DIR/session.memtierd/out" ||
    fail "memtierd gave no prompt"
}

# tr-ranges FIELD: from the last `tracker -counters` answer, "START END" (decimal)
# of each counter whose FIELD (a, r or w) is above 0, whose accesses and
# writes both are with FIELD "a&w", or of every counter with FIELD "any".
tr-ranges() {
  answer | sed -n "s/^a=\([0-9]*\) r=\([0-9]*\) w=\([0-9]*\) AddrRanges{pid=[0-9]* ranges=\([0-9a-f]*\)-\([0-9a-f]*\) .*/\1 \2 \3 \4 \5/p" |
    while read -r a r w s e; do
      case "$1" in a) v=$a ;; r) v=$r ;; w) v=$w ;; "a&w") v=$((a > 0 && w > 0)) ;; *) v=1 ;; esac
      [ "$v" -gt 0 ] && echo "$((16#$s)) $((16#$e))"
    done
}

# tr-overlap-pages LO HI: pages of the ranges on stdin ("START END") inside [LO, HI).
tr-overlap-pages() {
  local lo=$1 hi=$2 total=0 s e
  while read -r s e; do
    [ "$s" -lt "$lo" ] && s=$lo
    [ "$e" -gt "$hi" ] && e=$hi
    [ "$e" -gt "$s" ] && total=$((total + (e - s) / 4096))
  done
  echo "$total"
}

# tr-accuracy FIELD ARRAY_START ARRAY_END HOT_START HOT_END: from the last
# `tracker -counters`, prints precision and recall of "hot" by pages (inside
# meme's array) and checks recall >= 0.9 and at most 10 % of cold pages reported.
tr-accuracy() {
  local field=$1 as=$2 ae=$3 hs=$4 he=$5 ranges
  ranges=$(tr-ranges "$field")
  local hot_pages=$(((he - hs) / 4096)) cold_pages=$(((ae - as - (he - hs)) / 4096))
  local reported hot_rep cold_rep
  reported=$(tr-overlap-pages "$as" "$ae" <<< "$ranges")
  hot_rep=$(tr-overlap-pages "$hs" "$he" <<< "$ranges")
  cold_rep=$((reported - hot_rep))
  awk -v f="$field" -v r="$reported" -v h="$hot_rep" -v hp="$hot_pages" -v c="$cold_rep" -v cp="$cold_pages" 'BEGIN {
    printf "accuracy (%s>0): reported %d pages, hot %d of %d, cold %d of %d; precision %.3f recall %.3f cold-reported %.3f\n",
      f, r, h, hp, c, cp, (r ? h / r : 0), h / hp, c / cp }'
  expect-range "recall: hot pages reported (>= 90 % of $hot_pages)" $((hot_pages * 9 / 10)) "$hot_pages" "$hot_rep"
  expect-range "cold pages reported (<= 10 % of $cold_pages)" 0 $((cold_pages / 10)) "$cold_rep"
}

# tr-meme-start MEME_OPTIONS...: meme-start, then TR_AS and TR_AE: the first
# and the end address (decimal) of its one array.
tr-meme-start() {
  local arr
  meme-start "$@"
  arr=$(echo ${MEME_RANGES[meme]})
  TR_AS=$((16#${arr%-*})) TR_AE=$((16#${arr#*-}))
}

# tr-track TRACKER CONFIG SECONDS: in the memtierd session (tr-memtierd-start),
# creates TRACKER with CONFIG (JSON), starts it on meme, lets it run SECONDS
# and reads `tracker -counters` (the answer: see answer, tr-ranges).
tr-track() {
  memtierd-command "tracker -create $1 -config '$2'"
  expect-match "$1 created" "tracker configured successfully" "$(answer)"
  memtierd-command "tracker -start $MEME_PID"
  expect-match "$1 started" "^tracker started$" "$(answer)"
  vm-command "sleep $3"
  memtierd-command --timeout 120 "tracker -counters"
  answer | grep -c '^a=' | sed 's/^/counters: /'
}

# The trackers' config in these tests: 512-page regions, no per-region cap, a
# scan every 2 s.
TR_CONFIG='{"PagesInRegion":512,"MaxCountPerRegion":0,"ScanIntervalMs":2000}'

# tr-hot-cold-accuracy TRACKER FIELD MEME_OPTIONS...: starts meme with the
# options (its 256M array's 32M at offset 64M is the hot part) and memtierd,
# tracks meme with TRACKER ($TR_CONFIG) for 14 s, and checks
# `tracker -counters` with tr-accuracy on FIELD.
tr-hot-cold-accuracy() {
  local tracker=$1 field=$2
  shift 2
  tr-meme-start "$@"
  tr-memtierd-start
  tr-track "$tracker" "$TR_CONFIG" 14
  tr-accuracy "$field" "$TR_AS" "$TR_AE" $((TR_AS + 64 * 1024 * 1024)) $((TR_AS + 96 * 1024 * 1024))
}
