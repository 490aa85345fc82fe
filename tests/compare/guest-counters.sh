#!/bin/sh
# compare-counters [MEMTIERD_PID]: the kernel's counters a contender is
# judged by, one "name value" a line: /proc/vmstat's migrations, promotions,
# demotions and hint faults; system CPU ticks (/proc/stat); the kdamond
# threads' utime+stime; memtierd's utime+stime and VmHWM (kB); uptime (s).
awk '/^(pgmigrate_success|pgdemote_kswapd|pgdemote_direct|pgdemote_khugepaged|pgpromote_success|pgpromote_candidate|numa_hint_faults|numa_pages_migrated) / { print $1, $2 }' /proc/vmstat
awk '/^cpu / { print "sys_ticks", $4 }' /proc/stat
t=0
for c in /proc/[0-9]*/comm; do
  case $(cat "$c" 2> /dev/null) in
    kdamond*) t=$((t + $(awk '{ print $14 + $15 }' "${c%/comm}/stat" 2> /dev/null || echo 0))) ;;
  esac
done
echo "kdamond_ticks $t"
if [ -n "${1:-}" ] && [ -e "/proc/$1/stat" ]; then
  awk '{ print "memtierd_ticks", $14 + $15 }' "/proc/$1/stat"
  awk '/^VmHWM:/ { print "memtierd_hwm_kb", $2 }' "/proc/$1/status"
fi
awk '{ print "uptime", $1 }' /proc/uptime
