# Helpers of the demote-idle tests (sourced by each test).

# The answer to the last memtierd-command, without the prompts and log lines
# (memtierd runs with -debug, and its log goes to the same output).
answer() { sed -e 's/^\(memtierd> \)*//' -e '/^$/d' -e '/^\(DEBUG\|INFO\|WARN\): /d' <<< "$COMMAND_OUTPUT"; }

# di-setup: THP off (a huge page's tail frames never read idle, so the policy
# would see only head pages), meme's output folder ready.
di-setup() {
  vm-command-ok "echo never > /sys/kernel/mm/transparent_hugepage/enabled"
}

# di-memtierd-start CONFIG_JSON: memtierd -prompt -debug with a demote-idle
# policy of CONFIG_JSON, started.
di-memtierd-start() {
  memtierd-start -debug
  vm-run-until --timeout 60 "grep -q 'memtierd> ' $E2E_GUEST_DIR/session.memtierd/out" ||
    fail "memtierd gave no prompt"
  memtierd-command "policy -create demote-idle -config '$1'"
  expect-match "policy created" "^policy created$" "$(answer)"
  memtierd-command "policy -start"
  [ -z "$(answer)" ] || fail "policy -start said: $(answer)"
}

# di-wait-pages NODE MIN [TIMEOUT]: waits until meme's arrays have at least
# MIN pages on NODE (numa_maps); fails the test otherwise.
di-wait-pages() {
  local args="" r
  for r in ${MEME_RANGES[meme]}; do args+=" -r $r"; done
  if ! vm-run-until --timeout "${3:-60}" "[ \$(numa-pages $args $MEME_PID $1) -ge $2 ]"; then
    memtierd-command "mover -tasks"
    memtierd-command "stats -t memory_scans"
    memtierd-command "stats -t policy_decisions"
    fail "meme's arrays did not reach $2 pages on node $1 (now $(meme-pages "$1"))"
  fi
}
