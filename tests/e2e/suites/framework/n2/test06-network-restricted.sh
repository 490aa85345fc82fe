# The VM reaches no network: QEMU's user networking runs with restrict=on, so
# only the host's forwarded ssh port comes in. From inside the VM (which has
# a default route via 10.0.2.2 and the resolver 10.0.2.3, as any such guest),
# connections to ports that listen on the host's loopback (10.0.2.2 is the
# host to the guest), to an address the host itself reaches, and DNS all
# fail, while the same nc reaches the VM's own sshd. On the host, QEMU
# listens on 127.0.0.1:$E2E_SSH_PORT and nothing else.

step "host: QEMU's only listening socket is 127.0.0.1:$E2E_SSH_PORT"
inodes=" "
for f in /proc/"$E2E_QEMU_PID"/fd/*; do
  l=$(readlink "$f") && [[ "$l" =~ ^socket:\[([0-9]+)\]$ ]] && inodes+="${BASH_REMATCH[1]} "
done
# /proc/net/tcp: local address (hex) in column 2, state in 4 (0A: listening), inode in 10.
listening=$(awk -v want="$inodes" '(FILENAME ~ /udp/ || $4 == "0A") && index(want, " " $10 " ") { print FILENAME, $2 }' \
  /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6)
expect-eq "QEMU's listening TCP and UDP sockets" "/proc/net/tcp $(printf '0100007F:%04X' "$E2E_SSH_PORT")" "$listening"

step "host: a listener on 127.0.0.1 that the VM must not reach"
port=$(e2e_free_port)
"$(e2e_deno)" eval "const l = Deno.listen({ hostname: '127.0.0.1', port: $port });
for await (const c of l) { await c.write(new TextEncoder().encode('HOST-LISTENER\n')); c.close(); }" &
listener=$!
trap 'kill $listener 2> /dev/null' EXIT
answer=
for ((i = 0; i < 50; i++)); do
  if exec 3<> "/dev/tcp/127.0.0.1/$port"; then
    read -r -t 5 answer <&3
    exec 3<&-
    break
  fi 2> /dev/null
  sleep 0.2
done
expect-eq "the host's listener answers on the host" "HOST-LISTENER" "$answer"

step "VM: nc reaches the VM's own sshd (the tool works)"
vm-command "echo | nc -w 5 127.0.0.1 22 | head -c 16"
expect-eq "banner of the VM's sshd on 127.0.0.1:22" "SSH-2.0-dropbea" "${COMMAND_OUTPUT:0:15}"
vm-command "echo | nc -w 5 10.0.2.15 22 | head -c 16"
expect-eq "banner of the VM's sshd on its address 10.0.2.15" "SSH-2.0-dropbea" "${COMMAND_OUTPUT:0:15}"

step "VM: nothing outside the VM answers"
# unreachable WHAT ADDRESS PORT: nc cannot connect and gets no byte back.
unreachable() {
  vm-command --timeout 30 "echo | nc -w 5 $2 $3; echo \"nc exit \$?\""
  expect-eq "$1 ($2 port $3): nc's output" "nc exit 1" "$COMMAND_OUTPUT"
}
unreachable "a listener on the host's 127.0.0.1" 10.0.2.2 "$port"
unreachable "the forwarded ssh port, from inside" 10.0.2.2 "$E2E_SSH_PORT"
unreachable "the host's ssh port" 10.0.2.2 22
unreachable "QEMU's DNS relay over TCP" 10.0.2.3 53
unreachable "a public address" 1.1.1.1 443
host_reaches=$(getent ahostsv4 deb.debian.org 2> /dev/null | awk 'NR == 1 { print $1 }')
if [ -n "$host_reaches" ]; then
  unreachable "deb.debian.org's address as the host resolves it" "$host_reaches" 80
fi
vm-command --timeout 30 "nslookup deb.debian.org 10.0.2.3 > /dev/null 2>&1; echo \"nslookup exit \$?\""
expect-eq "DNS through QEMU's relay 10.0.2.3" "nslookup exit 1" "$COMMAND_OUTPUT"
unreachable "the host's listener over IPv6 (fec0::2 is the host)" fec0::2 "$port"
