# e2e-kernel: custom
# e2e-timeout: 1800
# The tiering comparison (see ../lib.bash), part 2: the contenders that need
# idle page tracking (the kernel of `make vm-kernel`) on the read-only
# workload, whose reads only idle page tracking and DAMON see: our age
# policy and (with GO_MEMTIERD) the Go memtierd's, with the idlepage
# tracker. That kernel counts no VM events (CONFIG_VM_EVENT_COUNTERS is
# off): pgmigrate_success and numa_hint_faults are missing there and print
# as n/a. Then the report over all runs (test01's too).
source ../lib.bash

vm-command --quiet "test -w /sys/kernel/mm/page_idle/bitmap" || fail "this kernel has no idle page tracking"
compare-prepare
go=""
if [ -n "${GO_MEMTIERD:-}" ]; then
  gzip -9 -c "$GO_MEMTIERD" | vm-pipe-to-file /usr/local/bin/gomemtierd.gz
  vm-command-ok "gunzip -f /usr/local/bin/gomemtierd.gz && chmod 755 /usr/local/bin/gomemtierd"
  go="go-age-idlepage"
fi
for c in ${COMPARE_CONTENDERS_idlepage:-ours-age-idlepage ours-agerank-idlepage $go}; do
  compare-run read "$c"
done
compare-report
