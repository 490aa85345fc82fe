# Helpers of the age and ratio policy tests (sourced by each test).

# pa-daemon-start: memtierd -config p.yaml in the background (the config
# from stdin), its log in p.log (both in the test's folder in the VM).
pa-daemon-start() {
  vm-pipe-to-file $E2E_GUEST_DIR/p.yaml
  vm-command-ok "rm -f $E2E_GUEST_DIR/p.log; (memtierd -config $E2E_GUEST_DIR/p.yaml -l $E2E_GUEST_DIR/p.log & echo \$! > $E2E_GUEST_DIR/p.pid) > /dev/null 2>&1"
  vm-run-until --timeout 30 "grep -q 'INFO: started policy' $E2E_GUEST_DIR/p.log" ||
    fail "memtierd -config did not start: $(vm-command --quiet "cat $E2E_GUEST_DIR/p.log"; echo "$COMMAND_OUTPUT")"
}

# pa-daemon-stop: SIGTERM to the daemon; it must exit.
pa-daemon-stop() {
  vm-command-ok "kill -TERM \$(cat $E2E_GUEST_DIR/p.pid)"
  vm-run-until --timeout 20 "! kill -0 \$(cat $E2E_GUEST_DIR/p.pid)" || fail "memtierd did not stop"
}

# pa-pages NAME NODE: pages of meme NAME's array on NODE (numa_maps).
pa-pages() {
  meme-pages --name "$1" "$2"
}

# pa-wait-pages [--timeout S] NAME NODE MIN [MAX]: waits until meme NAME has
# MIN to MAX pages of its array on NODE; prints the count, fails on timeout.
pa-wait-pages() {
  local timeout=60
  if [ "$1" = --timeout ]; then
    timeout=$2
    shift 2
  fi
  local name=$1 node=$2 min=$3 max=${4:-999999999} pid=${MEME_PIDS[$1]} r args=""
  for r in ${MEME_RANGES[$name]}; do args+=" -r $r"; done
  local t0=$SECONDS
  vm-run-until --timeout "$timeout" --poll 0.5 "n=\$(numa-pages $args $pid $node); [ \$n -ge $min ] && [ \$n -le $max ]" ||
    fail "meme $name: $(pa-pages "$name" "$node") pages on node $node after $timeout s, expected $min..$max"
  echo "meme $name: $(pa-pages "$name" "$node") pages on node $node after $((SECONDS - t0)) s"
}

# pa-swap-kb PID: VmSwap of PID in kB.
pa-swap-kb() {
  vm-command --quiet "awk '/^VmSwap:/ { print \$2 }' /proc/$1/status" || fail "no process $1"
  echo "$COMMAND_OUTPUT"
}

# pa-wait-swap [--timeout S] PID MIN_KB MAX_KB: waits until VmSwap of PID is in MIN..MAX kB.
pa-wait-swap() {
  local timeout=60
  if [ "$1" = --timeout ]; then
    timeout=$2
    shift 2
  fi
  local t0=$SECONDS
  vm-run-until --timeout "$timeout" --poll 0.5 "s=\$(awk '/^VmSwap:/ { print \$2 }' /proc/$1/status); [ \$s -ge $2 ] && [ \$s -le $3 ]" ||
    fail "pid $1: VmSwap $(pa-swap-kb "$1") kB after $timeout s, expected $2..$3 kB"
  echo "pid $1: VmSwap $(pa-swap-kb "$1") kB after $((SECONDS - t0)) s"
}

# pa-written-present: pages of the first 16M of meme's array (the part its
# writer writes in the ratio tests) that are present, from pagemap.
pa-written-present() {
  local arr=${MEME_RANGES[meme]}
  vm-command --quiet "python3 -c '
import struct
start = (0x${arr%%-*} + 4095) // 4096
with open(\"/proc/$MEME_PID/pagemap\", \"rb\") as f:
    f.seek(start * 8)
    words = struct.unpack(\"4096Q\", f.read(4096 * 8))
print(sum(w >> 63 for w in words))
'" || fail "pa-written-present: $COMMAND_ERROR"
  echo "$COMMAND_OUTPUT"
}

# pa-swap-scenario TRACKER: the age policy swapping a 64M array with TRACKER
# (softdirty or idlepage), from a config without Mover and IntervalMs: what
# test02 and test05 say in their headers.
pa-swap-scenario() {
  vm-command-ok "zram-swap 256M"
  meme-start --numactl "--membind=0" -bs 64M -brc 0 -bwc 1 -bws 16M -bwi 200ms -pattern 11
  pa-daemon-start <<YAML
policy:
  name: age
  config: |
    pidwatcher: {name: pidlist, config: {pids: [$MEME_PID]}}
    tracker: {name: $1, config: {pagesinregion: 256, scanintervalms: 1000}}
    swapoutms: 6000
YAML

  step "idle 48M swapped out, the written 16M (4096 pages) stay"
  pa-wait-pages --timeout 60 meme 0 4096 5100
  pa-wait-swap --timeout 30 "$MEME_PID" 45000 9999999

  step "SIGSTOP: the whole array is idle and swapped out"
  vm-command-ok "kill -STOP $MEME_PID"
  pa-wait-pages --timeout 60 meme 0 0 0
  pa-wait-swap --timeout 30 "$MEME_PID" 65536 9999999

  step "SIGCONT: meme's writes bring the written part back; the rest stays out"
  vm-command-ok "kill -CONT $MEME_PID"
  pa-wait-pages --timeout 60 meme 0 4096 5100
  sleep 2
  echo "VmSwap after SIGCONT: $(pa-swap-kb "$MEME_PID") kB"
  expect-range "array pages still out (of 16385)" 11200 12289 $((16385 - $(pa-pages meme 0)))

  vm-command-ok "grep -c 'WARN\|ERROR' $E2E_GUEST_DIR/p.log || true"
  expect-eq "warnings and errors in the log" 0 "$COMMAND_OUTPUT"
  pa-daemon-stop
  meme-verify
}

# pa-move-scenario TRACKER: the age policy moving a 64M array with TRACKER
# (softdirty or idlepage): what test01 and test04 say in their headers.
pa-move-scenario() {
  meme-start --numactl "--membind=0" -bs 64M -brc 0 -bwc 1 -bws 16M -bwi 200ms -pattern 7
  pa-daemon-start <<YAML
policy:
  name: age
  config: |
    intervalms: 2000
    pidwatcher:
      name: pidlist
      config: {pids: [$MEME_PID]}
    tracker:
      name: $1
      config: |
        pagesinregion: 256
        maxcountperregion: 1
        scanintervalms: 1000
    idledurationms: 6000
    idlenumas: [3]
    activedurationms: 2000
    activenumas: [1]
    mover:
      intervalms: 20
      bandwidth: 200
YAML

  step "written 16M (4096 pages) to node 1, idle 48M (12288 pages) to node 3"
  pa-wait-pages --timeout 60 meme 1 4096 5100
  pa-wait-pages --timeout 60 meme 3 11200 12289
  expect-eq "pages left on node 0" 0 "$(pa-pages meme 0)"

  step "SIGSTOP: nothing is written, all 16385 pages idle, to node 3"
  vm-command-ok "kill -STOP $MEME_PID"
  pa-wait-pages --timeout 60 meme 3 16385 16385

  step "SIGCONT: the written 16M are active again, to node 1"
  vm-command-ok "kill -CONT $MEME_PID"
  pa-wait-pages --timeout 60 meme 1 4096 5100
  pa-pages meme 3 | sed 's/^/pages on node 3: /'

  vm-command-ok "grep -c 'WARN\|ERROR' $E2E_GUEST_DIR/p.log || true"
  expect-eq "warnings and errors in the log" 0 "$COMMAND_OUTPUT"
  pa-daemon-stop
  meme-verify
}
