# DAMON's sysfs interface in the VM, for the tests of the damon tracker
# (sourced by them): the kdamonds there are, and a kdamond of somebody else's
# that memtierd must leave alone.

DAMON_K=/sys/kernel/mm/damon/admin/kdamonds
# For VM commands: `rd FILE` reads FILE, retried while DAMON's files answer
# EBUSY (a command of memtierd's in flight), 100 times 50 ms at most.
DAMON_RD='rd() { i=0; until cat $1 2>/dev/null; do i=$((i + 1)); [ $i -lt 100 ] || return 1; sleep 0.05; done; }'

# damon-kdamonds: prints "nr=N" and one "K:STATE:NR_CONTEXTS" word per kdamond
# (also in COMMAND_OUTPUT).
damon-kdamonds() {
  vm-command --quiet "$DAMON_RD
    n=\$(rd $DAMON_K/nr_kdamonds); printf 'nr=%s' \$n
    k=0; while [ \$k -lt \$n ]; do printf ' %s:%s:%s' \$k \$(rd $DAMON_K/\$k/state) \$(rd $DAMON_K/\$k/contexts/nr_contexts); k=\$((k + 1)); done"
  echo "$COMMAND_OUTPUT"
}

# damon-kdamond K: prints "STATE TARGET_PID THREAD_PID" of kdamond K's first
# target (also in COMMAND_OUTPUT).
damon-kdamond() {
  vm-command --quiet "$DAMON_RD; echo \$(rd $DAMON_K/$1/state) \$(rd $DAMON_K/$1/contexts/0/targets/0/pid_target) \$(rd $DAMON_K/$1/pid)"
  echo "$COMMAND_OUTPUT"
}

# damon-other-start: somebody else's kdamond, as another DAMON user would set
# it up by hand: there are 3 kdamonds, and kdamond 1 is on, monitoring (vaddr)
# a sleep process of its own. Fails unless kdamond 1 then runs with that
# target. Sets DAMON_OTHER to what damon-kdamond 1 says.
damon-other-start() {
  step "somebody else's kdamond: 1 of 3, on, monitoring a sleep process of its own"
  vm-command-ok "mkdir -p $E2E_GUEST_DIR && { sleep 3600 > /dev/null 2>&1 & echo \$! > $E2E_GUEST_DIR/other.pid; } && cat $E2E_GUEST_DIR/other.pid"
  local target=$COMMAND_OUTPUT
  vm-command-ok "set -e; o=\$(cat $E2E_GUEST_DIR/other.pid)
    echo 3 > $DAMON_K/nr_kdamonds
    echo 1 > $DAMON_K/1/contexts/nr_contexts
    echo vaddr > $DAMON_K/1/contexts/0/operations
    echo 1 > $DAMON_K/1/contexts/0/targets/nr_targets
    echo \$o > $DAMON_K/1/contexts/0/targets/0/pid_target
    echo on > $DAMON_K/1/state"
  damon-kdamond 1
  DAMON_OTHER=$COMMAND_OUTPUT
  expect-match "the other kdamond: on, its sleep process, a thread" "^on $target [1-9][0-9]*$" "$DAMON_OTHER"
}

# damon-other-untouched WHEN: kdamond 1 is as damon-other-start left it: on,
# the same target, the same thread.
damon-other-untouched() {
  damon-kdamond 1 > /dev/null
  expect-eq "$1: the other kdamond (state, target, thread)" "$DAMON_OTHER" "$COMMAND_OUTPUT"
}

# damon-restore NR: every kdamond off and without contexts, NR kdamonds again,
# the other kdamond's sleep process ended.
damon-restore() {
  vm-command-ok "$DAMON_RD; n=\$(rd $DAMON_K/nr_kdamonds); k=0
    while [ \$k -lt \$n ]; do [ \$(rd $DAMON_K/\$k/state) = off ] || echo off > $DAMON_K/\$k/state; echo 0 > $DAMON_K/\$k/contexts/nr_contexts; k=\$((k + 1)); done
    echo $1 > $DAMON_K/nr_kdamonds
    [ ! -f $E2E_GUEST_DIR/other.pid ] || kill \$(cat $E2E_GUEST_DIR/other.pid) 2> /dev/null || true"
}
