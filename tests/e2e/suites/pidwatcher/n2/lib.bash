# Helpers of the pidwatcher tests (sourced by each test).

# memtierd -prompt, answering once its first prompt is there.
pw-memtierd-start() {
  memtierd-start
  vm-run-until --timeout 60 "grep -q 'memtierd> ' $E2E_GUEST_DIR/session.memtierd/out" ||
    fail "memtierd gave no prompt"
}

# pw-reports [FROM]: the AddPids/RemovePids lines memtierd's log listener
# printed (after byte FROM of its output), one a line.
pw-reports() {
  vm-command --quiet "tail -c +$((${1:-0} + 1)) $E2E_GUEST_DIR/session.memtierd/out"
  grep -oE 'pidwatcher: (Add|Remove)Pids\(\[[0-9 ]*\]\)' <<< "$COMMAND_OUTPUT"
}

# pw-wait-report LINE: waits (60 s) until the log listener has printed LINE.
pw-wait-report() {
  vm-run-until --timeout 60 "grep -qF '$1' $E2E_GUEST_DIR/session.memtierd/out" ||
    fail "no '$1' from the pidwatcher; it reported: $(pw-reports | tr '\n' ';')"
  echo "ok: reported $1"
}

# The size of memtierd's output so far (for pw-reports FROM).
pw-mark() {
  vm-command --quiet "wc -c < $E2E_GUEST_DIR/session.memtierd/out"
  echo "$COMMAND_OUTPUT"
}

# pw-list PID...: the pids as the Go memtierd prints a list, ascending.
pw-list() {
  echo "[$(printf '%s\n' "$@" | sort -n | tr '\n' ' ' | sed 's/ $//')]"
}
