# Prompt details users rely on: a command's output piped to a shell command,
# a quoted | that is not a pipe, errors that leave the prompt running, and
# the one-line help.

# The answer to the last memtierd-command, without the prompts.
answer() { sed -e 's/^\(memtierd> \)*//' -e '/^$/d' <<< "$COMMAND_OUTPUT"; }

meme-start --numactl "--membind=1" -bs 32M -brc 0 -bwc 0 -pattern 34
memtierd-start
# memtierd's first prompt: lines sent before it would be answered late.
vm-run-until --timeout 60 "grep -q 'memtierd> ' $E2E_GUEST_DIR/session.memtierd/out" || fail "no prompt"

step "pipes"
memtierd-command "pages -pid $MEME_PID -ranges $(echo ${MEME_RANGES[meme]})"
memtierd-command "mover -pages-to 2"
memtierd-command --timeout 60 "mover -wait"
memtierd-command "stats -t move_pages -f csv | grep '^$MEME_PID,' | cut -d, -f6"
expect-match "piped csv column 6" "^2:0\.03[0-9]$" "$(answer | tail -n 1)"
memtierd-command "help | grep -c '^        [a-z]'"
expect-eq "commands in help" 16 "$(answer | tail -n 1)"
memtierd-command "time -elapsed 'a|b'"
expect-match "a quoted | is part of the word" 'stopwatch "a\|b" not started' "$COMMAND_OUTPUT"

step "errors leave the prompt running"
memtierd-command "pages -pid 99999999"
expect-match "bad pid" 'Invalid -pid "99999999": expected a process id' "$COMMAND_OUTPUT"
memtierd-command "mover -pages-to 7"
expect-match "missing node" "Cannot move to node 7: no such node \(online nodes: 0-3\)" "$COMMAND_OUTPUT"
memtierd-command "frobnicate"
expect-match "unknown command" 'unknown command "frobnicate"' "$COMMAND_OUTPUT"
memtierd-command "pages"
expect-match "still answering" "pages of pid $MEME_PID" "$COMMAND_OUTPUT"
expect-match "pages are on node 2" "node 2: [0-9]+" "$COMMAND_OUTPUT"

memtierd-stop
meme-verify
