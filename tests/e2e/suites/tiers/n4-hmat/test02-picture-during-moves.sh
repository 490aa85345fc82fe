# picture -record draws a process's pages per node over time while memtierd
# moves them from DRAM node 0 to the slow tier's node 2 in steps: the SVG
# the recorder keeps up to date ends with the amounts numa_maps shows.
# Proves: the recorder samples the kernel's numa_maps at the interval asked
# for and writes a chart rsvg-convert can read (the picture in docs/).

meme-start --numactl "--cpunodebind=0 --membind=0" -bs 64M -brc 0 -bwc 0 -pattern 7
memtierd-start
memtierd-command "picture -record -pids $MEME_PID -interval-ms 500 -svg /tmp/nodes.svg"

step "move the process to node 2 in steps: 2 x 8192 pages, then the rest"
for count in "--count=8192" "--count=8192" ""; do
  vm-command-ok "sleep 1; memtierd --pid=$MEME_PID --move-to=2 $count > /dev/null"
done
vm-command-ok "sleep 1.5"
memtierd-command "picture -stop"
out=$(memtierd-command "picture")
echo "$out"
memtierd-stop

step "the chart ends at what numa_maps shows"
meme2=$(meme-pages 2)
expect-range "numa_maps: the array's pages on node 2 (64 MiB and the page its malloc header spills into)" 16300 16385 "$meme2"
vm-command --quiet "cat /tmp/nodes.svg"
svg=$COMMAND_OUTPUT
printf '%s\n' "$svg" > "$E2E_VMDIR/nodes-over-time.svg"
expect-match "an SVG document" "^<svg " "$svg"
# The legend's last value for node 2: all anonymous pages there (the array and the runtime's).
mb2=$(sed -n 's/.*>node 2: \([0-9.]*\) MB<.*/\1/p' <<< "$svg")
expect-range "MB on node 2 in the chart's legend" 64 400 "${mb2%.*}"
# The blocks: node 2's row grows from blank to full.
expect-match "node 2's row rises" "node 2 +[▁▂▃▄▅▆▇]+.*█+ [0-9.]+ MB" "$out"
meme-verify
