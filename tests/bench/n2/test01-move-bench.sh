# e2e-timeout: 900
# Benchmark, in one VM so that the figures compare (TCG: absolute numbers are
# far below real hardware; the ratios are what counts):
#  1. one-shot moves of 16384 pages (64 MB) of a process holding 256 MB, with
#     move_pages batches of 1 page (a call per page: the baseline), 16, 256,
#     1024 (memtierd's default) and 4096 pages: MB/s and the ratio to the
#     baseline;
#  2. the time to read where all pages are (memtierd --pid), against the
#     time of a one-page-per-call location query (batch baseline via -pm);
#  3. the mover with no bandwidth limit, against the one-shot move;
#  4. memtierd's first start (runtime extraction) and later starts;
#  5. memtierd's peak memory (VmHWM) while it holds the page list of 256 MB.

E2E_COMMAND_TIMEOUT=600
meme-start --numactl "--membind=0" -bs 256M -brc 0 -bwc 0
report=()
add() { report+=("$(printf '%-44s %s' "$1" "$2")"); }

step "1. one-shot moves by batch size"
base_mbps=""
node=1
for b in 1 16 256 1024 4096; do
  memtierd-json "--pid=$MEME_PID" --move-to=$node --count=16384 --batch-pages=$b >/dev/null
  moved=$(json-get "$COMMAND_OUTPUT" movedPages)
  ms=$(json-get "$COMMAND_OUTPUT" elapsedMs)
  calls=$(json-get "$COMMAND_OUTPUT" syscalls)
  [ "${moved:-0}" -gt 16000 ] || fail "batch $b moved only ${moved:-no} pages: $COMMAND_ERROR"
  mbps=$(awk -v p="$moved" -v ms="$ms" 'BEGIN { printf "%.1f", p * 4096 / 1048576 / (ms / 1000) }')
  [ -n "$base_mbps" ] || base_mbps=$mbps
  ratio=$(awk -v a="$mbps" -v b="$base_mbps" 'BEGIN { printf "%.1f", a / b }')
  add "move $moved pages, batch $b ($calls calls)" "$(printf '%8.0f ms %7s MB/s  x%s' "$ms" "$mbps" "$ratio")"
  node=$((1 - node)) # the next run moves them back
done

step "2. locating every page (status)"
vm-command-ok "s=\$(cut -d' ' -f1 /proc/uptime); memtierd --pid=$MEME_PID >/dev/null; e=\$(cut -d' ' -f1 /proc/uptime); echo \"\$s \$e\""
status_s=$(awk '{printf "%.2f", $2 - $1}' <<< "$COMMAND_OUTPUT")
add "memtierd --pid (start, scan, locate, print)" "$status_s s"

step "3. the mover without a bandwidth limit"
vm-command-ok --timeout 600 "memtierd -c 'pages -pid $MEME_PID
mover -config {\\\"IntervalMs\\\":10,\\\"Bandwidth\\\":1000000}
time -start m
mover -pages-to $node
mover -wait
time -elapsed m
stats -t move_pages -f csv'"
mover_s=$(grep -E '^[0-9]+\.[0-9]+$' <<< "$COMMAND_OUTPUT" | tail -n 1)
mover_pages=$(grep "^$MEME_PID," <<< "$COMMAND_OUTPUT" | cut -d, -f4)
mover_mbps=$(awk -v p="$mover_pages" -v s="$mover_s" 'BEGIN { printf "%.1f", p * 4096 / 1048576 / s }')
add "mover, unlimited, $mover_pages pages" "$(printf '%8.0f ms %7s MB/s' "$(awk -v s="$mover_s" 'BEGIN{print s*1000}')" "$mover_mbps")"

step "4. start-up"
vm-command-ok "rm -rf /tmp/bench-cache; for i in 1 2 3 4; do
  s=\$(cut -d' ' -f1 /proc/uptime); MEMTIERD_CACHE_DIR=/tmp/bench-cache memtierd --version >/dev/null
  e=\$(cut -d' ' -f1 /proc/uptime); echo \"\$s \$e\"; done; rm -rf /tmp/bench-cache"
first=$(head -n 1 <<< "$COMMAND_OUTPUT" | awk '{printf "%.2f", $2 - $1}')
later=$(tail -n 3 <<< "$COMMAND_OUTPUT" | awk '{t += $2 - $1} END {printf "%.2f", t / NR}')
add "memtierd --version, first start (extracts)" "$first s"
add "memtierd --version, later starts (mean of 3)" "$later s"

step "5. memory"
vm-command-ok "memtierd -c 'pages -pid $MEME_PID
time -sleep 3' >/dev/null & p=\$!; sleep 2.5; grep -E 'VmHWM|VmRSS' /proc/\$p/status; wait \$p"
hwm=$(awk '/VmHWM/ {print $2}' <<< "$COMMAND_OUTPUT")
add "memtierd peak RSS holding 256 MB of pages" "$((hwm / 1024)) MB"

step "results"
printf 'bench: %s\n' "${report[@]}"
