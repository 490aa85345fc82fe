# e2e-kernel: custom
# demote-idle with the pages-of-interest folder (the Go policy-demoteidle
# test02-poi, scaled to 256M): meme holds 256M on node 0 and touches none
# of it. An empty folder moves nothing; a .vab file written while a writer
# holds <dir>/lock exclusively moves nothing as long as it holds it (and
# memtierd says once that it waits); once released, exactly that 64M range
# moves to the CPU-less node 1 and nothing else of the array (numa_maps); a
# rewritten .vab naming the whole array moves the rest. Then meme's data is
# verified.
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

di-setup
vm-command-ok "rm -rf /root/poi && mkdir /root/poi"
meme-start --numactl "--membind=0" -bs 256M -brc 0 -bwc 0 -pattern 6
arr=$(echo ${MEME_RANGES[meme]})
as=$((16#${arr%-*})) ae=$((16#${arr#*-}))
di-memtierd-start '{"IdleNumas":[1],"IntervalMs":1000,"PagesOfInterestDir":"/root/poi","Mover":{"IntervalMs":20,"Bandwidth":200}}'

step "an empty folder: nothing moves"
vm-command "sleep 4"
expect-eq "pages of meme's arrays on node 1" 0 "$(meme-pages 1)"

step "a .vab written under an exclusive lock: nothing moves while it is held"
# <PID>.vab: little-endian u64 (start, end) pairs; here the array's second 64M.
vm-command-ok "python3 -c '
import fcntl, struct, time
lock = open(\"/root/poi/lock\", \"w\")
fcntl.flock(lock, fcntl.LOCK_EX)
open(\"/root/poi/held\", \"w\").close()
with open(\"/root/poi/$MEME_PID.vab\", \"wb\") as f:
    f.write(struct.pack(\"<QQ\", $((as + 64 * 1048576)), $((as + 128 * 1048576))))
time.sleep(6)
' > /dev/null 2>&1 &"
vm-run-until --timeout 10 "test -f /root/poi/held" || fail "the writer did not take the lock"
vm-command "sleep 4"
expect-eq "pages of meme's arrays on node 1 while the lock is held" 0 "$(meme-pages 1)"
vm-command-ok "grep -c 'lock is held by a writer' $E2E_GUEST_DIR/session.memtierd/out"
expect-eq "times memtierd said the lock is held" 1 "$COMMAND_OUTPUT"

step "the lock released: exactly that 64M range moves (16385 pages: the array starts 16 bytes into a page)"
di-wait-pages 1 16300 30
vm-command "sleep 3"
expect-range "pages of meme's arrays on node 1" 16300 16385 "$(meme-pages 1)"
memtierd-command "policy -dump"
expect-eq "policy -dump" "pids: 1, ranges: 1, pages: 16385 (64.0 MiB)" "$(answer)"

step "the .vab rewritten with the whole array: the rest moves too"
vm-command-ok "python3 -c '
import struct
open(\"/root/poi/$MEME_PID.vab\", \"wb\").write(struct.pack(\"<QQ\", $as, $ae))
'"
di-wait-pages 1 65500
expect-range "pages of meme's arrays on node 1" 65500 65537 "$(meme-pages 1)"
memtierd-command "policy -stop"
memtierd-stop
meme-verify
