# e2e-kernel: custom
# e2e-timeout: 2400
# The trackers' overhead (issue 9), in one VM run on the kernel of
# `make vm-kernel` (idle page tracking; soft-dirty as in Debian's):
#  1. pages scanned per second by the softdirty and idlepage trackers against
#     benchhelp's C rounds over the same files (softdirty: pagemap and
#     clear_refs; idlepage: pagemap, kpageflags and the idle page bitmap), on
#     a process holding 1 GiB that touches nothing (so every page is scanned
#     every round): rounds back to back (ScanIntervalMs 1, the other keys at
#     their defaults), pages counted over a window of $BENCH_WINDOW s (default
#     20); the median of $BENCH_REPS windows (default 3), the tools
#     alternated; goal >= 0.8x the C program;
#  2. the CPU share memtierd takes (utime + stime of /proc/PID/stat over
#     $BENCH_CPU_WINDOW s, default 60, / wall time) with each tracker at its
#     default intervals (softdirty and idlepage: a scan every 5 s; damon: a
#     round every 100 ms, reading DAMON's events from tracefs, mounted here as
#     systemd would; plus the kdamond thread's own share, goal: memtierd at
#     most the kdamond) on a 1 GiB meme that reads and writes nothing;
#  3. the CPU share of the Deno runtime memtierd carries idling on a timer of
#     100 ms and of 1 s (the same window as 2): the floor under a loop's share.
# Speed is read, not asserted: the checks are only that every window scanned.
# BENCH_TRACKERS="idlepage" (say) measures only those. BENCH_BEFORE=/abs/path
# of another build of memtierd (say main's bin/memtierd) measures it too, in
# the same VM, its windows alternated with ours: its lines say "(before)".

E2E_COMMAND_TIMEOUT=600
REPS=${BENCH_REPS:-3}
WINDOW=${BENCH_WINDOW:-20}
CPU_WINDOW=${BENCH_CPU_WINDOW:-60}
helper=${BENCH_HELPER:-../../../build/bench/benchhelp}
[ -x "$helper" ] || fail "no $helper: run make build/bench/benchhelp"
before=${BENCH_BEFORE:-}
[ -z "$before" ] || [ -x "$before" ] || fail "BENCH_BEFORE=$before is not an executable"
# shellcheck source=../lib.bash
source ../lib.bash

# speed LABEL OURS_PPS BASE_PPS: "ours vs C = ratio, target >= 0.8x".
speed() {
  local ratio verdict
  ratio=$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.8) ? "met" : "NOT met" }')
  emit "$(printf '%-40s %9.0f pages/s vs C %9.0f pages/s = %5.2fx  target >= 0.8x: %s' \
    "$1" "$2" "$3" "$ratio" "$verdict")"
}

# vm-now: the VM's monotonic seconds.
vm-now() {
  vm-command --quiet "cut -d' ' -f1 /proc/uptime"
  echo "$COMMAND_OUTPUT"
}

# tool-command SESSION LINE: a prompt command to memtierd (session memtierd) or
# the build before (session before).
tool-command() {
  vm-session-command "$1" "$2" 'memtierd> $'
}

# scanned SESSION PID: pages that session's tracker scanned in PID so far
# (stats memory_scans tot[pages]).
scanned() {
  tool-command "$1" "stats -t memory_scans" > /dev/null
  awk -v p="$2" '$1 == p { print $3 }' <<< "$COMMAND_OUTPUT"
}

# Figures of main at 467f643 (2026-12-07, this script, one run), printed
# under ours as "before".
declare -A was=(
  [softdirty.pps]="0.50x the C reader (2.20 M vs 4.43 M pages/s), host load 6.8"
  [idlepage.pps]="0.91x the C reader (172 K vs 189 K pages/s), host load 4.4"
  [softdirty.cpu]="3.0 % of one CPU, host load 2.0"
  [idlepage.cpu]="23.2 % of one CPU, host load 3.3"
  [damon.cpu]="16.3 % of one CPU (kdamond: 17.7 %), host load 2.4"
)
# was-note KEY: the line "before (main 467f643)" of that figure.
was-note() {
  emit "$(printf '  %-38s %s' "before (main 467f643, 2026-12-07)" "${was[$1]}")"
}

# label SESSION TEXT: TEXT, with " (before)" for the build before.
label() {
  if [ "$1" = before ]; then echo "$2 (before)"; else echo "$2"; fi
}

# start-session SESSION: starts that build's prompt; sets its pid in SESSION_PID.
start-session() {
  local bin=memtierd
  [ "$1" = memtierd ] || bin=memtierd-before
  vm-session-start "$1" "exec $bin -prompt"
  vm-run-until --timeout 120 "grep -q 'memtierd> ' $E2E_GUEST_DIR/session.$1/out" || fail "$bin gave no prompt"
  vm-command --quiet "cat $E2E_GUEST_DIR/session.$1/pid"
  SESSION_PID=$COMMAND_OUTPUT
}

step "programs"
put-bin "$helper" benchhelp
sessions="memtierd"
if [ -n "$before" ]; then
  put-bin "$before" memtierd-before
  sessions="memtierd before"
fi
vm-command-ok "echo 0 > /proc/sys/kernel/numa_balancing"
all_trackers=${BENCH_TRACKERS:-softdirty idlepage damon}
page_trackers=$(tr ' ' '\n' <<< "$all_trackers" | grep -xE 'softdirty|idlepage' | tr '\n' ' ')
# tracefs where systemd mounts it: the damon tracker reads DAMON's events there.
vm-command-ok "grep -q ' /sys/kernel/tracing ' /proc/mounts || mount -t tracefs nodev /sys/kernel/tracing"
# Run by hand on Debian's kernel (a copy without the kernel line), idlepage is left out.
if ! vm-command --quiet "test -w /sys/kernel/mm/page_idle/bitmap"; then
  emit "idlepage: not measured: this kernel has no idle page tracking (make vm-kernel)"
  page_trackers=${page_trackers/idlepage/}
  all_trackers=${all_trackers/idlepage/}
fi

declare -A pid_of=()
for ses in $sessions; do
  start-session "$ses"
  pid_of[$ses]=$SESSION_PID
done

step "1. pages scanned per second, 1 GiB held by benchhelp"
vm-command-ok "numactl --membind=0 benchhelp hold 1024 > /tmp/hold.out 2>&1 &"
vm-run-until --timeout 300 "grep -q ready /tmp/hold.out"
vm-command-ok "cat /tmp/hold.out"
P=$(awk '/ready/ { print $2 }' <<< "$COMMAND_OUTPUT")
for t in $page_trackers; do
  base=()
  declare -A ours=()
  for ((i = 0; i < REPS; i++)); do
    vm-command "benchhelp $t $P $WINDOW"
    [ "$COMMAND_STATUS" = 0 ] || fail "benchhelp $t: $COMMAND_ERROR"
    read -r _ rounds _ pages _ secs <<< "$COMMAND_OUTPUT"
    [ "$pages" -ge $((rounds * 262144)) ] || fail "benchhelp $t scanned $pages pages in $rounds rounds"
    base+=("$(awk -v p="$pages" -v s="$secs" 'BEGIN { printf "%.0f", p / s }')")
    for ses in $sessions; do
      tool-command "$ses" "tracker -create $t -config '{\"ScanIntervalMs\":1}' -start $P"
      expect-match "$t started" "tracker started" "$COMMAND_OUTPUT"
      # The first round only primes (resets the bits); wait for a counted one.
      for ((w = 0; w < 60; w++)); do
        p0=$(scanned "$ses" "$P")
        [ -n "$p0" ] && break
        sleep 1
      done
      [ -n "$p0" ] || fail "$ses's $t tracker scanned nothing in 60 s"
      t0=$(vm-now)
      sleep "$WINDOW"
      p1=$(scanned "$ses" "$P")
      t1=$(vm-now)
      tool-command "$ses" "tracker -stop"
      [ "$p1" -gt "$p0" ] || fail "$ses's $t tracker scanned nothing in $WINDOW s"
      ours[$ses]+=" $(awk -v p=$((p1 - p0)) -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", p / (b - a) }')"
      echo "$t window $i: $ses $(awk '{ print $NF }' <<< "${ours[$ses]}") pages/s, C ${base[-1]} pages/s ($rounds C rounds)"
    done
  done
  for ses in $sessions; do
    # shellcheck disable=SC2086 # the values, one word each
    speed "$(label "$ses" "$t: pages scanned per second, 1 GiB")" "$(median ${ours[$ses]})" "$(median "${base[@]}")"
  done
  was-note "$t.pps"
  unset ours
done
vm-command-ok "kill $P"

step "2. CPU share at default intervals, 1 GiB meme"
meme-start -bs 1G -brc 0 -bwc 0
ticks=100 # USER_HZ: the unit of /proc/PID/stat's times on Linux (x86)
# cpu-of PID: utime + stime of PID in ticks.
cpu-of() {
  vm-command --quiet "awk '{ print \$14 + \$15 }' /proc/$1/stat"
  echo "$COMMAND_OUTPUT"
}
for t in $all_trackers; do
  for ses in $sessions; do
    M=${pid_of[$ses]}
    tool-command "$ses" "tracker -create $t -start $MEME_PID"
    expect-match "$t started" "tracker started" "$COMMAND_OUTPUT"
    sleep 6
    kd=""
    if [ "$t" = damon ]; then
      # The kdamond thread (DAMON's files answer EBUSY while memtierd's command runs: not read).
      vm-command --quiet "grep -l '^kdamond\.' /proc/[0-9]*/comm | head -n 1 | cut -d/ -f3"
      kd=$COMMAND_OUTPUT
      [ -n "$kd" ] || fail "no kdamond running for the damon tracker"
    fi
    c0=$(cpu-of "$M")
    k0=${kd:+$(cpu-of "$kd")}
    t0=$(vm-now)
    sleep "$CPU_WINDOW"
    c1=$(cpu-of "$M")
    k1=${kd:+$(cpu-of "$kd")}
    t1=$(vm-now)
    tool-command "$ses" "stats -t memory_scans"
    tool-command "$ses" "tracker -stop"
    share=$(awk -v c=$((c1 - c0)) -v hz="$ticks" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", 100 * c / hz / (b - a) }')
    line=$(printf '%-40s %5s %% of one CPU over %.0f s' "$(label "$ses" "$t: memtierd CPU, defaults, 1 GiB meme")" "$share" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
    if [ -n "$kd" ]; then
      line+=$(awk -v c=$((k1 - k0)) -v hz="$ticks" -v a="$t0" -v b="$t1" 'BEGIN { printf " (kdamond: %.1f %%)", 100 * c / hz / (b - a) }')
    fi
    emit "$line"
  done
  was-note "$t.cpu"
done
for ses in $sessions; do vm-session-stop "$ses"; done
meme-stop

step "3. the Deno runtime idling on a timer, the floor of a loop's CPU"
# The runtime memtierd carries, started as its launcher starts it, running
# only setInterval: what a wake-up every 100 ms (the damon tracker's round,
# the mover's) and every 1 s costs under TCG before any work of ours. Both in
# one window: each is asleep almost all the time.
vm-command-ok "ls -d /root/.cache/memtierd/deno-*.lib | tail -n 1"
lib=$COMMAND_OUTPUT
rt="/root/.cache/memtierd/bin/memtierd --library-path $lib --inhibit-cache ${lib%.lib}"
vm-command-ok "echo 'setInterval(() => {}, Number(Deno.args[0]));' > /tmp/idle.js"
declare -A idle_pid=()
for ms in 100 1000; do
  vm-command-ok "env DENO_DIR=/root/.cache/memtierd/deno-dir $rt run -A --no-config --no-lock --quiet /tmp/idle.js $ms > /tmp/idle-$ms.out 2>&1 & echo \$!"
  idle_pid[$ms]=$COMMAND_OUTPUT
done
sleep 6
for ms in 100 1000; do
  vm-command-ok "test -d /proc/${idle_pid[$ms]}"
  i0[$ms]=$(cpu-of "${idle_pid[$ms]}")
done
t0=$(vm-now)
sleep "$CPU_WINDOW"
for ms in 100 1000; do i1[$ms]=$(cpu-of "${idle_pid[$ms]}"); done
t1=$(vm-now)
for ms in 100 1000; do
  share=$(awk -v c=$((i1[ms] - i0[ms])) -v hz="$ticks" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", 100 * c / hz / (b - a) }')
  emit "$(printf '%-40s %5s %% of one CPU over %.0f s' "Deno idling, setInterval ${ms} ms" "$share" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")"
  vm-command "kill ${idle_pid[$ms]}"
done
