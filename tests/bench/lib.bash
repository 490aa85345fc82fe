# Shared by the bench scripts (sourced): medians and "bench:" lines, printed
# as soon as each figure is known (and appended to $BENCH_LOG if set), so that
# a run cut short keeps what it measured.

# emit LINE: prints "bench: LINE  [host load L]", L the host's load average
# over the last minute (other work on the host slows what a figure times).
emit() {
  local line
  line="bench: $1  [host load $(cut -d' ' -f1 /proc/loadavg)]"
  echo "$line"
  if [ -n "${BENCH_LOG:-}" ]; then echo "$line" >> "$BENCH_LOG"; fi
}

# median VALUE...: the median, 3 decimals.
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
    END { printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# minus A B: A - B, 4 decimals (a time with start-up subtracted).
minus() {
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a - b }'
}

# figure LABEL OURS_S BASE_S BASE_NAME TARGET: emits a line "ours vs base =
# ratio, target <= TARGET: met / NOT met".
figure() {
  local ratio verdict
  ratio=$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  verdict=$(awk -v r="$ratio" -v t="$5" 'BEGIN { print (r <= t) ? "met" : "NOT met" }')
  emit "$(printf '%-48s %8.3f s vs %-13s %8.3f s = %5.2fx  target <= %sx: %s' \
    "$1" "$2" "$4" "$3" "$ratio" "$5" "$verdict")"
}

# note LABEL TEXT: emits a line without a ratio.
note() {
  emit "$(printf '%-48s %s' "$1" "$2")"
}

# rss-figure LABEL SECONDS RSS_KIB TARGET_MIB: time and peak RSS against a limit.
rss-figure() {
  local mib=$(($3 / 1024)) verdict=met
  [ "$mib" -le "$4" ] || verdict="NOT met"
  note "$1" "$(printf '%8.3f s  peak RSS %4d MiB  target <= %d MiB: %s' "$2" "$mib" "$4" "$verdict")"
}

# put-bin HOST_FILE NAME: copies a program into the VM's /usr/local/bin,
# gzipped on the way (the agent's channel carries text).
put-bin() {
  gzip -9 -c "$1" | vm-pipe-to-file "/usr/local/bin/$2.gz"
  vm-command-ok "gunzip -f /usr/local/bin/$2.gz && chmod 755 /usr/local/bin/$2"
}
