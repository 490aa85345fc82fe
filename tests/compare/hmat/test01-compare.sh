# e2e-timeout: 5400
# The tiering comparison (see ../lib.bash), part 1: every contender that
# runs on Debian's 6.12 kernel (whose /proc/vmstat counts migrations and
# hint faults). The writing variant is compared with the trackers that see
# writes (softdirty, damon), the read-only one with damon: soft-dirty bits
# never see a read. The idle page tracker's contenders need the kernel of
# `make vm-kernel`: test02, which also prints the report over all runs.
source ../lib.bash

compare-prepare
go=""
if [ -n "${GO_MEMTIERD:-}" ]; then
  gzip -9 -c "$GO_MEMTIERD" | vm-pipe-to-file /usr/local/bin/gomemtierd.gz
  vm-command-ok "gunzip -f /usr/local/bin/gomemtierd.gz && chmod 755 /usr/local/bin/gomemtierd"
  go="go-age-softdirty"
fi
# COMPARE_CONTENDERS_write (or _read) replaces a variant's list.
COMPARE_CONTENDERS_write=${COMPARE_CONTENDERS_write:-none kernel damos $go ours-age-softdirty ours-agerank-softdirty ours-heat-softdirty ours-age-damon ours-age-softdirty+kernel}
COMPARE_CONTENDERS_read=${COMPARE_CONTENDERS_read:-none kernel damos ours-age-damon ours-agerank-damon}
for variant in $COMPARE_VARIANTS; do
  list_var=COMPARE_CONTENDERS_$variant
  for c in ${!list_var}; do
    compare-run "$variant" "$c"
  done
done
compare-report
