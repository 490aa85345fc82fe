# ssh and scp reach the VM as the seed README uses them: a copied memtierd
# runs there and moves pages (numa_maps says so); run.sh's ssh and scp modes
# find the VM by name; sudo runs its command as root; python3 runs the seed's
# one-liner kind of code and the Go memtierd's `python3 -i -u` workload.

step "scp bin/memtierd into the VM, as the seed README does"
vm-scp "$memtierd_bin" "$vm:"
vm-ssh "md5sum memtierd | cut -d' ' -f1"
expect-eq "md5sum of the copied memtierd in root's home" "$(md5sum < "$memtierd_bin" | cut -d' ' -f1)" "$COMMAND_OUTPUT"
vm-ssh "./memtierd --version | head -n 1"
expect-eq "the copied memtierd runs" "memtierd version information:" "$COMMAND_OUTPUT"

step "the copied memtierd moves pages"
# (Whole-process counts get a tolerance of 1000 pages: see oneshot/n2/test02.)
meme-start --numactl "--membind=0" -bs 256M -brc 0 -bwc 0 -pattern 5
before=$(vm-numa-pages "$MEME_PID" 1)
vm-ssh "sudo ./memtierd --pid=$MEME_PID --move-to=1 --count=20000" || fail "expected the move to succeed"
expect-range "numa_maps: pages that arrived on node 1" 19000 21000 $(($(vm-numa-pages "$MEME_PID" 1) - before))
meme-verify

step "run.sh ssh and scp pick the VM by its name"
out=$(vm=$vm outdir=$E2E_VMDIR "$E2E_DIR/run.sh" ssh hostname 2>&1)
expect-eq "hostname through run.sh ssh" "$vm" "$out"
echo "run.sh scp check" > "$E2E_VMDIR/scp-check.txt"
vm=$vm outdir=$E2E_VMDIR "$E2E_DIR/run.sh" scp "$E2E_VMDIR/scp-check.txt" "$vm:/tmp/" ||
  fail "run.sh scp failed"
vm-command-ok "cat /tmp/scp-check.txt"
expect-eq "the file run.sh scp copied" "run.sh scp check" "$COMMAND_OUTPUT"
out=$(vm=no-such-vm "$E2E_DIR/run.sh" ssh true 2>&1)
expect-eq "run.sh ssh with an unknown VM" "e2e: no VM named no-such-vm is running (vm=NAME picks it: the name run.sh printed)" "$out"

step "sudo runs its command as root, with Debian's secure PATH"
vm-ssh "sudo id -u; sudo -u root sh -c 'echo \$PATH'; sudo -E -n true && echo E-ok"
expect-eq "sudo's output" "0
/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
E-ok" "$COMMAND_OUTPUT"
vm-ssh "FOO=kept; export FOO; sudo sh -c 'echo reset:\$FOO'; sudo -E sh -c 'echo E:\$FOO'"
expect-eq "the environment: reset, or kept with -E" "reset:
E:kept" "$COMMAND_OUTPUT"
vm-ssh "sudo -u nobody true"
expect-eq "sudo -u nobody: exit status" 1 "$COMMAND_STATUS"
expect-eq "sudo -u nobody: the error" "sudo: -u nobody: this VM has only root (the e2e VM's sudo runs commands as root)" "$COMMAND_ERROR"

step "python3: the seed's kind of one-liner, and the Go memtierd's python3 -i -u"
vm-ssh "python3 -c 'x=\"x\"*16*1024*1024; print(len(x))'"
expect-eq "a 16 MiB string" 16777216 "$COMMAND_OUTPUT"
vm-ssh "printf 'l=[]\nl.append(\"x\"*(1024*1024*8))\nprint(len(l), len(l[0]))\n' | python3 -i -u 2> /dev/null"
expect-eq "python3 -i -u reading its statements from a pipe" "1 8388608" "$COMMAND_OUTPUT"
vm-ssh "python3 -c 'import json, os, re, subprocess, socket, sqlite3, ctypes, hashlib; print(hashlib.sha256(b\"\").hexdigest()[:8])'"
expect-eq "standard library modules import" "e3b0c442" "$COMMAND_OUTPUT"
