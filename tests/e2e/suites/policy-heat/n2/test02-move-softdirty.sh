# e2e-timeout: 270
# heat policy, two classes: HeatNumas {0: [1], 1: [0]} (node 1 slow, node
# 0 fast) with the softdirty tracker and no NumaSize (the nodes are
# unlimited and moves happen: the Go policy never moved here). meme on node
# 0 writes 64M of its 256M array: the untouched 192M moves to node 1;
# SIGSTOP: all 256M on node 1; SIGCONT: the written 64M comes back to node
# 0 (numa_maps); meme's data is intact. picture -heat records the policy's
# heatmap of meme from before SIGSTOP to after SIGCONT: the SVG it keeps
# rewriting renders (rsvg-convert) and has cells of both classes' colours
# (docs/pictures/heat-over-time.svg is one).
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

ph-meme-start
ph-memtierd-start "$(ph-yaml '{0: [1], 1: [0]}')"

step "meme runs: the untouched 192M goes to node 1"
ph-wait 90 "$(ph-on 1) -ge 45056"
vm-command "sleep 4"
ph-report
expect-range "MB of the array on node 1" 176 200 "$(ph-mb node1)"
expect-range "MB of the array on node 0 (the written 64M)" 56 80 "$(ph-mb node0)"

memtierd-command "picture -heat -record -pid $MEME_PID -interval-ms 1000 -svg /root/heat.svg"
expect-match "picture -heat records" "recording the heat of pid $MEME_PID every 1000 ms" "$COMMAND_OUTPUT"

step "SIGSTOP: all 256M on node 1"
vm-command-ok "kill -STOP $MEME_PID"
ph-wait 60 "$(ph-on 1) -ge 64000"
ph-report
expect-range "MB of the array on node 1" 250 256 "$(ph-mb node1)"

step "SIGCONT: the written 64M comes back to node 0"
vm-command-ok "kill -CONT $MEME_PID"
ph-wait 60 "$(ph-on 0) -ge 14336"
vm-command "sleep 7"
ph-report
expect-range "MB of the array on node 0" 56 80 "$(ph-mb node0)"
expect-range "MB of the array on node 1" 176 200 "$(ph-mb node1)"

step "picture -heat: the policy's heatmap of meme since before SIGSTOP, both classes"
memtierd-command "picture -stop"
memtierd-command "picture -heat"
blocks=$COMMAND_OUTPUT
expect-match "the row of the written 64M shaded (▒ ▓ █: mostly hot) in the blocks" "0x[0-9a-f]+ .*[▒▓█]" "$blocks"
vm-command --quiet "cat /root/heat.svg"
svg=$COMMAND_OUTPUT
printf '%s\n' "$svg" > "$E2E_VMDIR/heat-over-time.svg"
expect-match "an SVG document of the heat chart" "^<svg .*heat max 0.01, 2 classes" "$(tr '\n' ' ' <<< "$svg")"
rsvg-convert -o "$E2E_VMDIR/heat-over-time.png" "$E2E_VMDIR/heat-over-time.svg" ||
  fail "rsvg-convert cannot render the heat chart"
# Runs of cells in the plot (a rectangle each, x from FROM to the legend's
# 610) in the hot class's red and the cold one's blue. The written 64M (32
# regions of 2M) is hot, cold while stopped, then hot again: runs of red
# that start after the first column (x 110).
plot-runs() {
  grep -o "<rect x=\"[0-9.]*\" [^>]*fill=\"$1\"" <<< "$svg" | awk -F'"' -v from="$2" '$2 >= from && $2 < 600' | wc -l
}
expect-range "runs of the hot class (1) in the plot" 32 100000 "$(plot-runs '#e53935' 110)"
expect-range "runs of the cold class (0) in the plot" 32 100000 "$(plot-runs '#304ffe' 110)"
expect-range "runs of the hot class after SIGCONT (after the first column)" 16 100000 "$(plot-runs '#e53935' 111)"

ph-rounds
memtierd-command --timeout 90 "policy -dump numa"
echo "$COMMAND_OUTPUT"
memtierd-stop
meme-verify
