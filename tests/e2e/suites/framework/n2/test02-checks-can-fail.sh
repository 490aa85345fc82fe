# The checks tests rely on can fail: meme-verify finds one byte changed
# behind meme's back (written through /proc/PID/mem), and numa-pages sees a
# page move that numactl's migratepages makes without memtierd.

meme-start --numactl "--membind=0" -bs 64M -brc 0 -bwc 0 -pattern 41
meme-verify
start=${MEME_RANGES[meme]%%-*}
addr=$((0x$start + 4096 * 1000 + 123))
vm-command-ok "printf '\\252' | dd of=/proc/$MEME_PID/mem bs=1 seek=$addr conv=notrunc 2>/dev/null"
if (meme-verify); then
  fail "meme-verify passed after a byte of the array was changed"
fi
vm-command-ok "cat $E2E_GUEST_DIR/meme.verify"
expect-match "the verification result" "^verify: FAILED 1 of 16384 pages .*offset 0x3e8078 " "$COMMAND_OUTPUT"

meme-start --name other --numactl "--membind=0" -bs 64M -brc 0 -bwc 0 -pattern 42
expect-range "numa_maps: pages on node 1 before" 0 10 "$(meme-pages --name other 1)"
vm-command-ok "migratepages ${MEME_PIDS[other]} 0 1"
expect-range "numa_maps: pages on node 1 after migratepages" 16384 16400 "$(meme-pages --name other 1)"
meme-verify other
