# e2e-timeout: 900
# The seed README's walk-through, typed as written into the seed's VM (its
# topology: nodes 0 and 1 with 4 CPUs and 4G each, nodes 2 and 3 without CPUs,
# 2G each): scp bin/memtierd, `sudo mv` it into /usr/local/bin, then in an
# ssh login shell (a terminal, as the user's): `sudo numactl -H`, python3
# holding 2G, `sudo memtierd --pid=$(pidof python3)`, and the two moves. Each
# move is checked in /proc/PID/numa_maps (the kernel's view), not in
# memtierd's output. The seed's address opensuse@172.17.0.2 becomes the VM's
# name in its ssh config; `sudo zypper in numactl` is not needed (numactl is
# there).

step "Install memtierd on the VM: scp, then ssh \"sudo mv memtierd /usr/local/bin\""
vm-scp "$memtierd_bin" "$vm:"
vm-ssh "sudo mv memtierd /usr/local/bin" || fail "expected sudo mv to succeed"
vm-ssh "md5sum /usr/local/bin/memtierd | cut -d' ' -f1; ls memtierd 2>&1"
expect-eq "/usr/local/bin/memtierd is the copied file, moved out of root's home" \
  "$(md5sum < "$memtierd_bin" | cut -d' ' -f1)
ls: memtierd: No such file or directory" "$COMMAND_OUTPUT"

step "Login to the VM: ssh, in a terminal (ssh -tt)"
session=$E2E_VMDIR/readme-session
rm -f "$session.in" "$session.out"
mkfifo "$session.in"
ssh -tt -F "$E2E_SSH_CONFIG" "$vm" < "$session.in" > "$session.out" 2>&1 &
ssh_pid=$!
exec {typing}> "$session.in"
trap 'exec {typing}>&- 2> /dev/null; kill $ssh_pid 2> /dev/null; rm -f "$session.in"' EXIT
typed=0
# type-line TIMEOUT LINE: types LINE into the session's shell, then a line that
# echoes its exit status; waits for that and sets TYPED_STATUS.
type-line() {
  echo "typed: $2"
  printf '%s\n' "$2" >&"$typing"
  type-status "$1" "$2"
}
# type-status TIMEOUT [WHAT]: types the line that echoes the exit status of the
# last command; waits for it and sets TYPED_STATUS.
type-status() {
  local end=$((SECONDS + $1)) found
  typed=$((typed + 1))
  # shellcheck disable=SC2016 # $? is the session shell's
  printf 'echo "@@typed-%d rc=$?"\n' "$typed" >&"$typing"
  until found=$(tr -d '\r' < "$session.out" | grep -a -o "^@@typed-$typed rc=[0-9]*$"); do
    kill -0 "$ssh_pid" 2> /dev/null || fail "the ssh session ended; its output: $(tail -n 20 "$session.out")"
    [ $SECONDS -lt $end ] || fail "no answer in $1 s to: ${2:-the last line}; the session's output: $(tail -n 20 "$session.out")"
    sleep 0.5
  done
  TYPED_STATUS=${found##*rc=}
  echo "exit status $TYPED_STATUS"
}
# So that python3's memory is on node 1, where the README's second move takes it from.
type-line 60 'taskset -p -c $(cat /sys/devices/system/node/node1/cpulist) $$'
expect-eq "taskset's exit status" 0 "$TYPED_STATUS"

type-line 60 "sudo numactl -H"
expect-eq "sudo numactl -H: exit status" 0 "$TYPED_STATUS"
expect-match "numactl -H in the session" "^available: 4 nodes \(0-3\)" "$(tr -d '\r' < "$session.out")"

step "Create a process that needs a lot of memory: python3 holding 2G"
type-line 60 "python3 -c 'x=\"x\"*2*1024*1024*1024; input()' &"
# Once the string is made, input() reads the terminal from the background, and
# the job stops (SIGTTIN): it holds its 2G there, as in the user's shell.
vm-run-until --timeout 600 --poll 1 "grep -q '^State:.*T' /proc/\$(pidof python3)/status" ||
  fail "python3 did not get to input(); session: $(tail -n 5 "$session.out")"
vm-command-ok "pidof python3"
pid=$COMMAND_OUTPUT
# pages PID: the anonymous pages on nodes 0-3, from numa_maps, as "N0 N1 N2 N3".
pages() {
  vm-command --quiet "for n in 0 1 2 3; do numa-pages $pid \$n; done | tr '\n' ' '" || fail "numa-pages: $COMMAND_ERROR"
  echo "numa_maps: anonymous pages of python3 on nodes 0-3: $COMMAND_OUTPUT" >&2
  echo "$COMMAND_OUTPUT"
}
read -r b0 b1 b2 b3 <<< "$(pages)"
expect-range "numa_maps: pages on node 1 (2 GiB = 524288 pages, and python's own)" 524288 540000 "$b1"
expect-range "numa_maps: pages on node 0" 0 2000 "$b0"
expect-range "numa_maps: pages on node 2" 0 50 "$b2"
expect-range "numa_maps: pages on node 3" 0 50 "$b3"

step "See the memory status of the process: sudo memtierd --pid=\$(pidof python3)"
type-line 120 'sudo memtierd --pid=$(pidof python3)'
expect-eq "memtierd's exit status" 0 "$TYPED_STATUS"

step "Move 100,000 pages from any NUMA node to node 2"
type-line 300 'sudo memtierd --pid=$(pidof python3) --move-to=2 --count=100000'
[[ "$TYPED_STATUS" =~ ^(0|8)$ ]] || fail "memtierd's exit status: expected 0 (or 8: some pages not moved), got $TYPED_STATUS"
read -r m0 m1 m2 m3 <<< "$(pages)"
expect-range "numa_maps: pages that arrived on node 2" 99000 101000 $((m2 - b2))
expect-range "numa_maps: pages that left node 1" 99000 101000 $((b1 - m1))
expect-range "numa_maps: node 3 unchanged" $((b3 - 50)) $((b3 + 50)) "$m3"

step "Move 100,000 pages from NUMA node 1 to node 3"
type-line 300 'sudo memtierd --pid=$(pidof python3) --move-from=1 --move-to=3 --count=100000'
[[ "$TYPED_STATUS" =~ ^(0|8)$ ]] || fail "memtierd's exit status: expected 0 (or 8: some pages not moved), got $TYPED_STATUS"
read -r a0 a1 a2 a3 <<< "$(pages)"
expect-range "numa_maps: pages that arrived on node 3" 99000 101000 $((a3 - m3))
expect-range "numa_maps: pages that left node 1" 99000 101000 $((m1 - a1))
expect-range "numa_maps: node 2 kept its pages" $((m2 - 500)) $((m2 + 500)) "$a2"
expect-range "numa_maps: node 0 unchanged" $((m0 - 500)) $((m0 + 500)) "$a0"

step "python3 survived the moves: in the foreground, it takes its input line and exits"
# The shell's line editor reads ahead what is typed: the input line waits until
# python3 is in the foreground (its process group is the terminal's) and reads.
echo "typed: fg"
printf 'fg\n' >&"$typing"
vm-run-until --timeout 120 "set -- \$(cat /proc/$pid/stat); [ \$3 = S ] && [ \$5 = \$8 ]" ||
  fail "python3 did not come to the foreground"
echo "typed: (an empty line, for input())"
printf '\n' >&"$typing"
vm-run-until --timeout 120 "! [ -d /proc/$pid ]" || fail "python3 did not exit after its input line"
type-status 60 fg
expect-eq "python3's exit status" 0 "$TYPED_STATUS"
vm-command "pidof python3"
expect-eq "python3 processes left" "" "$COMMAND_OUTPUT"

step "Log out"
printf 'exit 0\n' >&"$typing"
exec {typing}>&-
for ((i = 0; i < 60; i++)); do
  kill -0 "$ssh_pid" 2> /dev/null || break
  sleep 0.5
done
wait "$ssh_pid"
expect-eq "ssh's exit status" 0 "$?"
