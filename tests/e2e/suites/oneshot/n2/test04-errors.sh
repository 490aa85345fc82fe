# memtierd's errors in a real VM: a process that is gone, a node that does
# not exist, a kernel thread, a bad command line. Each has its exit status
# and one line on stderr; none of them touches the process.

meme-start --numactl "--membind=0" -bs 64M -brc 0 -bwc 0 -pattern 4

step "a process that has exited: exit status 3"
vm-command "sh -c 'echo \$\$'"
gone=$COMMAND_OUTPUT
vm-command "memtierd --pid=$gone"
expect-eq "exit status for pid $gone that exited" 3 "$COMMAND_STATUS"
expect-match "stderr" "^memtierd: .*$gone" "$COMMAND_ERROR"
vm-command "memtierd --pid=$gone --move-to=1"
expect-eq "exit status of a move of pid $gone" 3 "$COMMAND_STATUS"

step "a zombie (exited, not reaped): exit status 3, saying so"
vm-command "sh -c 'sleep 0 & exec sleep 120' >/dev/null 2>&1 & sleep 1; awk '\$3 == \"Z\" { print \$1; exit }' /proc/[0-9]*/stat"
zombie=$COMMAND_OUTPUT
expect-match "a zombie pid" "^[0-9]+$" "$zombie"
vm-command "memtierd --pid=$zombie"
expect-eq "exit status of a status of zombie $zombie" 3 "$COMMAND_STATUS"
expect-match "stderr" "it has exited \(a zombie" "$COMMAND_ERROR"
vm-command "memtierd --pid=$zombie --move-to=1"
expect-eq "exit status of a move of zombie $zombie" 3 "$COMMAND_STATUS"

step "a node that does not exist: exit status 5"
vm-command "memtierd --pid=$MEME_PID --move-to=7"
expect-eq "exit status" 5 "$COMMAND_STATUS"
expect-match "stderr" "node 7: no such node" "$COMMAND_ERROR"
vm-command "memtierd --pid=$MEME_PID --move-from=9 --move-to=1"
expect-eq "exit status of --move-from=9" 5 "$COMMAND_STATUS"

step "a kernel thread: exit status 7"
vm-command "memtierd --pid=2"
expect-eq "exit status for kthreadd" 7 "$COMMAND_STATUS"

step "bad command lines: exit status 2"
for args in "--move-to=1" "--pid=$MEME_PID --move-to=x" "--pid=$MEME_PID --move-to=1 --move-from=1"; do
  vm-command "memtierd $args"
  expect-eq "exit status of memtierd $args" 2 "$COMMAND_STATUS"
done

step "the process was not touched"
expect-range "numa_maps: pages on node 1" 0 50 "$(vm-numa-pages "$MEME_PID" 1)"
meme-verify
