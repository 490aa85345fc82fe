#!/bin/sh
# compare-damos on|off: DAMON's own tiering on Linux 6.12, through sysfs as
# DAMON's admin guide describes it: one kdamond on the physical address space
# (paddr) over every node's memory, two DAMOS schemes:
#   migrate_cold, target_nid $COLD_NID: regions of the fast nodes not accessed
#     in any sample for $COLD_AGE_S s (age in aggregation intervals);
#   migrate_hot, target_nid $HOT_NID: regions of the slow nodes accessed in at
#     least $HOT_MIN of each aggregation interval's samples;
# each with an address filter that keeps it to its own tier's memory (the
# ranges come from the nodes' memory blocks), an anon filter (file pages are
# left alone), and a size quota of $QUOTA_MB MB a second. No watermarks:
# 6.12's only metric is the system's free memory rate, which says nothing
# about the fast nodes alone (per-node goals came later).
# FAST and SLOW are node lists like "0 1" and "2 3".
set -eu
A=/sys/kernel/mm/damon/admin/kdamonds
K=$A/0
C=$K/contexts/0
FAST=${FAST:-0 1}
SLOW=${SLOW:-2 3}
COLD_NID=${COLD_NID:-2}
HOT_NID=${HOT_NID:-0}
SAMPLE_US=${SAMPLE_US:-20000}
AGGR_US=${AGGR_US:-200000}
COLD_AGE_S=${COLD_AGE_S:-5}
HOT_MIN=${HOT_MIN:-3}
QUOTA_MB=${QUOTA_MB:-100}

# range NODE...: START END (exclusive) of the nodes' memory blocks, in bytes
# (%.0f: mawk's %d stops at 2^31).
range() {
  bs=$((0x$(cat /sys/devices/system/memory/block_size_bytes)))
  for n in "$@"; do
    for m in /sys/devices/system/node/node$n/memory[0-9]*; do echo "${m##*memory}"; done
  done | sort -n | awk -v bs="$bs" 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f %.0f\n", lo * bs, (hi + 1) * bs }'
}

w() { echo "$2" > "$1" || { echo "compare-damos: cannot write $2 to $1" >&2; exit 1; }; }

scheme() { # INDEX ACTION TARGET NRMIN NRMAX AGEMIN EXCLUDE_START EXCLUDE_END
  S=$C/schemes/$1
  w "$S/action" "$2"
  w "$S/target_nid" "$3"
  w "$S/access_pattern/sz/min" 4096
  w "$S/access_pattern/sz/max" 18446744073709551615
  w "$S/access_pattern/nr_accesses/min" "$4"
  w "$S/access_pattern/nr_accesses/max" "$5"
  w "$S/access_pattern/age/min" "$6"
  w "$S/access_pattern/age/max" 4294967295
  w "$S/quotas/ms" 0
  w "$S/quotas/bytes" $((QUOTA_MB * 1024 * 1024))
  w "$S/quotas/reset_interval_ms" 1000
  w "$S/watermarks/metric" none
  w "$S/filters/nr_filters" 2
  w "$S/filters/0/type" anon
  w "$S/filters/0/matching" N
  w "$S/filters/1/type" addr
  w "$S/filters/1/addr_start" "$7"
  w "$S/filters/1/addr_end" "$8"
  w "$S/filters/1/matching" Y
}

case "${1:-}" in
  on)
    [ "$(cat $A/nr_kdamonds)" = 0 ] || [ "$(cat $K/state)" = off ] || { echo "compare-damos: a kdamond is running" >&2; exit 1; }
    w $A/nr_kdamonds 1
    w $K/contexts/nr_contexts 1
    w $C/operations paddr
    w $C/monitoring_attrs/intervals/sample_us "$SAMPLE_US"
    w $C/monitoring_attrs/intervals/aggr_us "$AGGR_US"
    w $C/monitoring_attrs/intervals/update_us 1000000
    w $C/monitoring_attrs/nr_regions/min 10
    w $C/monitoring_attrs/nr_regions/max 1000
    set -- $(range $FAST)
    fs=$1 fe=$2
    set -- $(range $SLOW)
    ss=$1 se=$2
    lo=$((fs < ss ? fs : ss))
    hi=$((fe > se ? fe : se))
    w $C/targets/nr_targets 1
    w $C/targets/0/regions/nr_regions 1
    w $C/targets/0/regions/0/start $lo
    w $C/targets/0/regions/0/end $hi
    w $C/schemes/nr_schemes 2
    scheme 0 migrate_cold "$COLD_NID" 0 0 $((COLD_AGE_S * 1000000 / AGGR_US)) "$ss" "$se"
    scheme 1 migrate_hot "$HOT_NID" "$HOT_MIN" 4294967295 0 "$fs" "$fe"
    w $K/state on
    echo "compare-damos: paddr $lo-$hi, fast $fs-$fe, slow $ss-$se: on"
    ;;
  stats)
    w $K/state update_schemes_stats
    for i in 0 1; do
      echo "scheme $i $(cat $C/schemes/$i/action): tried $(cat $C/schemes/$i/stats/nr_tried) applied $(cat $C/schemes/$i/stats/nr_applied) sz_applied $(cat $C/schemes/$i/stats/sz_applied) qt_exceeds $(cat $C/schemes/$i/stats/qt_exceeds)"
    done
    ;;
  off)
    # Back to no kdamond: a left-over context would make memtierd's damon
    # tracker take the kdamond for someone else's.
    [ "$(cat $K/state 2> /dev/null || echo off)" = off ] || w $K/state off
    [ "$(cat $A/nr_kdamonds)" = 0 ] || w $A/nr_kdamonds 0
    ;;
  *)
    echo "usage: compare-damos on|stats|off" >&2
    exit 2
    ;;
esac
