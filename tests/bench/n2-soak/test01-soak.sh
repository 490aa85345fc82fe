# e2e-timeout: 2700
# Soak (issue 10): the daemon with an age policy over the proc pidwatcher for
# $SOAK_SECONDS (default 600) while meme processes start every 3 s (at most
# 3 at a time) and exit 8 s later. The VM's pid_max is lowered to 1024, so
# pid numbers come round again many times (each meme also takes pids for its
# threads).
# Every $SOAK_SAMPLE_S s (default 30) it reads memtierd's VmRSS and open file
# descriptors, and compares each pid the pidwatcher reports (`pidwatcher
# -dump`: pid and start time) with the process that has that pid now.
# Prints the growth of RSS and fds from the first minute to the last one and
# from the sample at $SOAK_MARK_S s (default 300: after the first 5 minutes;
# half the soak when that is shorter) to the end (issue 18: the 30-minute
# run is SOAK_SECONDS=1800), with its anonymous memory (and of it,
# transparent huge pages) and file pages (the runtime's own file: shmem on
# the VM's tmpfs) at both, and fails if a reported (pid, start time) was
# another process's in two samples in a row (one sample may come between a
# reuse and the pidwatcher's next poll, 2 s later), or if pids are left
# reported after the churn ends. On a loaded host a sample can take minutes
# under TCG (memtierd's answer waits 300 s).
# The policy really works meanwhile: idle memory goes to node 1.

E2E_COMMAND_TIMEOUT=120
SOAK_SECONDS=${SOAK_SECONDS:-600}
SAMPLE_S=${SOAK_SAMPLE_S:-30}
MARK_S=${SOAK_MARK_S:-300}
[ "$MARK_S" -lt "$SOAK_SECONDS" ] || MARK_S=$((SOAK_SECONDS / 2))
# shellcheck source=../lib.bash
source ../lib.bash

vm-command-ok "echo 1024 > /proc/sys/kernel/pid_max && cat /proc/sys/kernel/pid_max"
vm-pipe-to-file /root/soak.yaml <<'YAML'
policy:
  name: age
  config:
    pidwatcher: {name: proc, config: {intervalms: 2000}}
    tracker: {name: softdirty, config: {scanintervalms: 2000}}
    intervalms: 2000
    idledurationms: 6000
    idlenumas: [1]
YAML
memtierd-start -config /root/soak.yaml -l /root/soak.log
vm-run-until --timeout 60 "grep -q 'memtierd> ' $E2E_GUEST_DIR/session.memtierd/out" || fail "memtierd gave no prompt"
vm-command-ok "grep -l 'soak[.]yaml' /proc/[0-9]*/cmdline | sed -n 's|/proc/\([0-9]*\)/cmdline|\1|p' | while read -r p; do [ \"\$(cat /proc/\$p/comm)\" != sh ] && echo \$p; done | head -n 1"
mt=$COMMAND_OUTPUT
[ -n "$mt" ] || fail "cannot find memtierd's pid"
echo "memtierd: pid $mt"

# The churn: a meme every 3 s, each living 8 s (16 MB, 4 MB of it written).
# At most 3 memes at a time: a meme is a Deno program, whose start takes
# seconds of CPU under TCG; started every 3 s without a cap, they piled up
# until the VM's CPUs were saturated and memtierd's answers took minutes.
vm-command-ok "rm -f /root/churn.count; ( end=\$((\$(cut -d. -f1 /proc/uptime) + $SOAK_SECONDS)); n=0
  while [ \$(cut -d. -f1 /proc/uptime) -lt \$end ]; do
    if [ \$(pidof meme | wc -w) -lt 3 ]; then
      meme -bs 16M -bwc 1 -bws 4M -bwi 200ms -ttl 8s > /dev/null 2>&1 &
      n=\$((n + 1))
    fi
    sleep 3
  done; wait; echo \$n > /root/churn.count ) > /dev/null 2>&1 &"

# sample: one `pidwatcher -dump`, checked against the VM's processes. Sets
# WATCHED (pids reported) and STALE ("pid start" pairs reported that are not
# the process now holding that pid, or no process at all; one per line).
sample() {
  local dump pairs
  dump=$(memtierd-command --timeout 300 "pidwatcher -dump")
  WATCHED=$(sed -n 's/^reported pids: //p' <<< "$dump")
  pairs=$(sed -n 's/^  pid \([0-9]*\): start \([0-9]*\) ticks.*/\1 \2/p' <<< "$dump")
  [ -n "$WATCHED" ] || fail "pidwatcher -dump gave no pids: $dump"
  printf '%s\n' "$pairs" | vm-pipe-to-file /root/pairs.txt > /dev/null
  vm-command-ok "while read -r p s; do [ -n \"\$p\" ] || continue
    now=\$(sed 's/.*) //' /proc/\$p/stat 2>/dev/null | cut -d' ' -f20)
    [ \"\$now\" = \"\$s\" ] || echo \"\$p \$s\"
  done < /root/pairs.txt" > /dev/null
  STALE=$COMMAND_OUTPUT
}

declare -a rss=() fds=() watched=()
mark_line="" end_line=""
confused=0
prev_stale=""
t0=$SECONDS
next=$SAMPLE_S
while [ $((SECONDS - t0)) -lt "$SOAK_SECONDS" ]; do
  # Samples every SAMPLE_S s of the test's clock (one takes a few seconds under TCG).
  while [ $((SECONDS - t0)) -lt "$next" ]; do sleep 1; done
  next=$((next + SAMPLE_S))
  vm-command-ok "awk '/^(VmRSS|RssAnon|RssFile|RssShmem):/ { print \$2 }' /proc/$mt/status; ls /proc/$mt/fd | wc -l
    awk '/^AnonHugePages:/ { print \$2 }' /proc/$mt/smaps_rollup" > /dev/null
  read -r r ra rf rs f rh <<< "$(echo $COMMAND_OUTPUT)"
  rf=$((rf + rs)) # the runtime's own file is on the VM's tmpfs: shmem
  # The first sample at or after the mark, and the last one.
  [ -n "$mark_line" ] || [ $((SECONDS - t0)) -lt "$MARK_S" ] || mark_line="$((SECONDS - t0)) $r $ra $rf $f $rh"
  end_line="$((SECONDS - t0)) $r $ra $rf $f $rh"
  rss+=("$r")
  fds+=("$f")
  sample
  stale=$STALE
  watched+=("$WATCHED")
  both=$(comm -12 <(sort <<< "$prev_stale") <(sort <<< "$stale") | sed '/^$/d')
  if [ -n "$both" ]; then
    echo "reported as another process in two samples in a row: $both"
    confused=$((confused + $(wc -l <<< "$both")))
  fi
  prev_stale=$stale
  echo "t=$((SECONDS - t0)) s: memtierd VmRSS ${r} kB (anon $ra, huge $rh, file $rf), fds $f, watched $WATCHED, stale now: $(grep -c . <<< "$stale")"
done

vm-run-until --timeout 60 "test -s /root/churn.count" || fail "the churn loop did not end"
vm-command-ok "cat /root/churn.count; cat /proc/sys/kernel/pid_max; ls -d /proc/[0-9]* | wc -l"
echo "memes started, pid_max, processes now: $(echo $COMMAND_OUTPUT)"
started=$(echo "$COMMAND_OUTPUT" | head -n 1)
sleep 6
sample
stale=$STALE

per_min=$((60 / SAMPLE_S))
[ "$per_min" -ge 1 ] || per_min=1
avg() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.0f", s / NR }'; }
first_rss=$(avg "${rss[@]:0:per_min}")
last_rss=$(avg "${rss[@]: -per_min}")
first_fds=$(avg "${fds[@]:0:per_min}")
last_fds=$(avg "${fds[@]: -per_min}")
note "soak $((SOAK_SECONDS / 60)) min, age + proc, $started memes" \
  "memtierd VmRSS first minute ${first_rss} kB, last minute ${last_rss} kB ($(awk -v a="$first_rss" -v b="$last_rss" 'BEGIN { printf "%+.1f %%", (b - a) * 100 / a }'))"
note "soak open fds" "first minute ${first_fds}, last minute ${last_fds}"
read -r mt_s mr mra mrf mf mrh <<< "$mark_line"
read -r et_s er era erf ef erh <<< "$end_line"
note "soak VmRSS after ${mt_s} s to the end (${et_s} s)" \
  "${mr} kB -> ${er} kB ($(awk -v a="$mr" -v b="$er" 'BEGIN { printf "%+.1f %%", (b - a) * 100 / a }'), target < +5 %)"
note "  of which" "anon ${mra} -> ${era} kB (huge pages ${mrh} -> ${erh} kB), file ${mrf} -> ${erf} kB"
note "soak open fds after ${mt_s} s to the end" "${mf} -> ${ef}"
note "  before (main 5b493c3, 2026-12-07, 30 min)" \
  "VmRSS after 333 s to the end -1.4 %, fds 34 -> 34; first minute to last +17.4 %"
note "soak pid reuse" "pid_max 1024; (pid, start) reported as another process in two samples in a row: $confused; stale after the churn: $(grep -c . <<< "${stale:-}")"
vm-command-ok "grep -c 'ERROR' /root/soak.log || true; grep -c 'mover: dropped task' /root/soak.log || true"
note "soak log" "ERROR lines, mover tasks dropped: $(echo $COMMAND_OUTPUT); policy decisions: $(memtierd-command --timeout 120 'stats -t policy_decisions -f csv' | grep -c '^age,')"
memtierd-stop
[ "$confused" -eq 0 ] || fail "$confused (pid, start time) pairs stood for another process in two samples in a row"
[ -z "$stale" ] || fail "pids still reported after their processes exited: $stale"
