# The age policy from `memtierd -config`, softdirty tracker: of a 64M array
# on node 0 whose first 16M meme keeps writing, the written part is active
# and goes to node 1, the rest is idle and goes to node 3; after SIGSTOP
# the whole array is idle and ends on node 3; after SIGCONT the written
# part is active again and goes back to node 1. Checked in numa_maps (the
# tracker's 256-page regions do not start where the array does, so the
# active part may be a region or two larger); the data is intact. (The Go
# test's 1G/300M scaled to 64M/16M for TCG.)
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

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
      name: softdirty
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
