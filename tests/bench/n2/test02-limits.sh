# e2e-timeout: 2400
# memtierd against the limit, in one VM run (issue 7's targets): each figure
# the median of $BENCH_REPS runs (default 3), the tools alternated run by run.
#  1. start-up: memtierd --version (and the Go memtierd's `-c nop`);
#  2. status of a 512 MiB process: memtierd --pid against `numastat -p`
#     (start-up subtracted), and the Go memtierd's `pages -pid P` + `pages`;
#  3. moving 100,000 pages: memtierd --move-to --count against benchhelp, a C
#     program that finds the same pages (maps + pagemap) and moves them with
#     move_pages in batches of 1024 (start-up subtracted);
#  4. moving all pages: memtierd --move-to against benchhelp (start-up
#     subtracted) and against `migratepages` (start-up included);
#  5. the prompt mover at unlimited bandwidth moving the whole process, ours
#     and the Go memtierd's, against benchhelp;
#  6. memtierd's peak RSS (VmHWM, from wait4) for a status and a move of a
#     2 GiB process (the biggest one node of this VM holds with room).
# Times are taken in the VM by `benchhelp run` (monotonic clock around
# fork/exec/wait4). The Go memtierd is measured when $GO_MEMTIERD names its
# binary (`make bench GO_MEMTIERD=...`). Speed is read, not asserted: the
# checks are only that every run did its work.
# Moves also print "the move itself": memtierd's own elapsedMs (maps,
# pagemap and move_pages, no start-up, no numa_maps) against benchhelp's own
# time, with the move_pages calls of each, which no start-up's spread blurs.
# BENCH_STEPS (default "1 2 3 4 5 6") runs only the steps named (1, the
# start-up, always runs: the others subtract it).

E2E_COMMAND_TIMEOUT=600
REPS=${BENCH_REPS:-3}
STEPS=" ${BENCH_STEPS:-1 2 3 4 5 6} "
want() { [[ "$STEPS" == *" $1 "* ]]; }
helper=${BENCH_HELPER:-../../../build/bench/benchhelp}
[ -x "$helper" ] || fail "no $helper: run make build/bench/benchhelp"
# shellcheck source=../lib.bash
source ../lib.bash

# timed CMD: runs CMD in the VM under `benchhelp run`; sets T (seconds), RSS
# (KiB), RC and OUT (CMD's stdout). Fails the test if CMD exits with another
# code than 0 (or 8 for a memtierd move: some pages, shared with another
# process, could not be moved).
timed() {
  vm-command "benchhelp run $*"
  [ "$COMMAND_STATUS" = 0 ] || fail "benchhelp run $*: $COMMAND_ERROR"
  read -r T RSS RC <<< "$(tail -n 1 <<< "$COMMAND_OUTPUT")"
  OUT=$(sed '$d' <<< "$COMMAND_OUTPUT")
  [ "$RC" = 0 ] || { [ "$RC" = 8 ] && [[ "$*" == *--move-to* ]]; } ||
    fail "$* exited $RC: $COMMAND_ERROR"
}

# hold MB NODE: a process holding MB MiB on NODE; sets HOLD_PID.
hold() {
  vm-command-ok "numactl --membind=$2 benchhelp hold $1 > /tmp/hold-$1.out 2>&1 &"
  vm-run-until --timeout 300 "grep -q ready /tmp/hold-$1.out"
  vm-command-ok "cat /tmp/hold-$1.out"
  HOLD_PID=$(awk '/ready/ { print $2 }' <<< "$COMMAND_OUTPUT")
  [ -n "$HOLD_PID" ] || fail "no pid from benchhelp hold $1"
}

step "programs"
put-bin "$helper" benchhelp
go=
if [ -n "${GO_MEMTIERD:-}" ]; then
  [ -x "$GO_MEMTIERD" ] || fail "GO_MEMTIERD=$GO_MEMTIERD is not an executable"
  put-bin "$GO_MEMTIERD" gomemtierd
  go=1
fi

step "1. start-up"
s_ours=() s_go=()
for ((i = 0; i < REPS; i++)); do
  timed -q memtierd --version
  s_ours+=("$T")
  if [ -n "$go" ]; then
    timed -q gomemtierd -c nop
    s_go+=("$T")
  fi
done
S=$(median "${s_ours[@]}")
note "memtierd --version (start-up)" "$(printf '%8.3f s' "$S")"
# Where it goes: the Deno runtime alone (a one-line program), and memtierd's
# bundled program run by the runtime directly (no launcher) with and without
# V8's code cache (Deno keeps it in the cache folder's deno-dir).
# The runtime is started as the launcher starts it: through its carried
# loader (bin/memtierd links to it, so the process is named memtierd).
vm-command-ok "ls -d /root/.cache/memtierd/deno-*.lib | tail -n 1"
lib=$COMMAND_OUTPUT
rt="/root/.cache/memtierd/bin/memtierd --library-path $lib --inhibit-cache ${lib%.lib}"
deno_run="env DENO_DIR=/root/.cache/memtierd/deno-dir $rt run -A --no-config --no-lock --cached-only --quiet"
vm-command-ok "echo 'console.log(1)' > /tmp/one.js; ls /root/.cache/memtierd/memtierd-*.js | tail -n 1"
program=$COMMAND_OUTPUT
s_rt=() s_cc=() s_nocc=()
for ((i = 0; i < REPS; i++)); do
  timed -q "$deno_run /tmp/one.js"
  s_rt+=("$T")
  timed -q "$deno_run $program --version"
  s_cc+=("$T")
  timed -q "$deno_run --no-code-cache $program --version"
  s_nocc+=("$T")
done
note "  Deno runtime alone (console.log(1))" "$(printf '%8.3f s' "$(median "${s_rt[@]}")")"
note "  runtime + program, V8 code cache" "$(printf '%8.3f s' "$(median "${s_cc[@]}")")"
note "  runtime + program, no code cache" "$(printf '%8.3f s' "$(median "${s_nocc[@]}")")"
# BENCH_V8_FLAGS="--single-threaded" (say) tries V8 flags on the same run.
if [ -n "${BENCH_V8_FLAGS:-}" ]; then
  s_fl=()
  for ((i = 0; i < REPS; i++)); do
    timed -q "env DENO_V8_FLAGS='$BENCH_V8_FLAGS' $deno_run $program --version"
    s_fl+=("$T")
  done
  note "  runtime + program, V8 flags $BENCH_V8_FLAGS" "$(printf '%8.3f s' "$(median "${s_fl[@]}")")"
fi
if [ -n "$go" ]; then
  SGO=$(median "${s_go[@]}")
  note "Go memtierd -c nop (start-up)" "$(printf '%8.3f s' "$SGO")"
fi

step "2. status of a 512 MiB process"
hold 512 0
P=$HOLD_PID
vm-command-ok "numa-pages $P 0"
PAGES=$COMMAND_OUTPUT
echo "pages of pid $P on node 0: $PAGES"
st_ours=() st_numastat=() st_go=()
want 2 || REPS2=0
for ((i = 0; i < ${REPS2:-$REPS}; i++)); do
  timed -q memtierd --pid=$P
  st_ours+=("$(minus "$T" "$S")")
  timed -q numastat -p $P
  st_numastat+=("$T")
  if [ -n "$go" ]; then
    timed "gomemtierd -c 'pages -pid $P
pages'"
    grep -q "node" <<< "$OUT" || fail "the Go memtierd printed no status: $OUT"
    st_go+=("$(minus "$T" "$SGO")")
  fi
done
want 2 && figure "status, start-up subtracted" "$(median "${st_ours[@]}")" \
  "$(median "${st_numastat[@]}")" "numastat -p" 1.2
want 2 && [ -n "$go" ] && figure "status vs the Go memtierd (both minus start-up)" \
  "$(median "${st_ours[@]}")" "$(median "${st_go[@]}")" "Go memtierd" 1.0

# own-time TOOL: after a timed move, appends the move's own seconds to
# OWN_ours or OWN_c and its move_pages calls to CALLS_ours or CALLS_c.
own-time() {
  if [ "$1" = ours ]; then
    OWN_ours+=("$(awk -v ms="$(json-get "$OUT" elapsedMs)" 'BEGIN { printf "%.4f", ms / 1000 }')")
    CALLS_ours=$(json-get "$OUT" syscalls)
  else
    OWN_c+=("$(sed -n 's/^moved.*, \([0-9.]*\) ms.*/\1/p' <<< "$OUT" | awk '{ printf "%.4f", $1 / 1000 }')")
    CALLS_c=$(sed -n 's/^moved.*, calls \([0-9]*\),.*/\1/p' <<< "$OUT")
  fi
}
# own-figure LABEL: the figure of the moves' own times, then clears them.
own-figure() {
  figure "$1" "$(median "${OWN_ours[@]}")" "$(median "${OWN_c[@]}")" "C move_pages" 1.10
  note "  move_pages calls" "memtierd $CALLS_ours, C $CALLS_c"
  OWN_c_all=("${OWN_c[@]}")
  OWN_ours=() OWN_c=()
}
OWN_ours=() OWN_c=() OWN_c_all=()

if want 3; then
step "3. moving 100,000 pages"
m_ours=() m_c=()
for ((i = 0; i < REPS; i++)); do
  for tool in ours c; do
    if [ "$tool" = ours ]; then
      timed memtierd --pid=$P --move-to=1 --count=100000 --output json
      moved=$(json-get "$OUT" movedPages)
      m_ours+=("$(minus "$T" "$S")")
    else
      timed benchhelp move $P 1 100000
      moved=$(awk '/^moved/ { print $2 }' <<< "$OUT")
      m_c+=("$T")
    fi
    own-time $tool
    [ "${moved:-0}" -ge 99000 ] || fail "$tool moved ${moved:-no} pages, not 100,000"
    vm-command-ok "migratepages $P 1 0" # every page back on node 0
  done
done
figure "move 100,000 pages, start-up subtracted" "$(median "${m_ours[@]}")" \
  "$(median "${m_c[@]}")" "C move_pages" 1.10
note "  before (main d5e3685, 2026-11-27)" "1.79x start-up subtracted (0.89x in a loaded run that day)"
own-figure "move 100,000 pages, the move itself"
fi

if want 4 || want 5; then
step "4. moving all pages, ping-pong between the nodes"
a_ours=() a_c=() a_migrate=() a_ours_full=()
for ((k = 0; k < 3 * REPS; k++)); do
  from=$((k % 2))
  to=$((1 - from))
  case $((k % 3)) in
    0)
      timed memtierd --pid=$P --move-to=$to --output json
      a_ours_full+=("$T")
      a_ours+=("$(minus "$T" "$S")")
      own-time ours
      ;;
    1)
      timed benchhelp move $P $to
      own-time c
      ;;
    2)
      timed -q migratepages $P $from $to
      a_migrate+=("$T")
      ;;
  esac
  [ $((k % 3)) = 1 ] && a_c+=("$T")
  vm-command-ok "numa-pages $P $from"
  [ "$COMMAND_OUTPUT" -lt 1000 ] || fail "$COMMAND_OUTPUT pages left on node $from after move $k"
done
figure "move all pages, start-up subtracted" "$(median "${a_ours[@]}")" \
  "$(median "${a_c[@]}")" "C move_pages" 1.10
own-figure "move all pages, the move itself"
figure "whole-process move, start-up included" "$(median "${a_ours_full[@]}")" \
  "$(median "${a_migrate[@]}")" "migratepages" 1.0
fi

if want 5; then
step "5. the prompt mover at unlimited bandwidth, whole process"
# Pages are on node $to's other side now: continue the ping-pong.
vm-command-ok "numa-pages $P 1"
node_now=$([ "$COMMAND_OUTPUT" -gt 1000 ] && echo 1 || echo 0)
# The mover's own time: a stopwatch of the prompt's `time` command (the Go
# memtierd has the same) from just before the pages are handed to the mover
# to the end of `mover -wait`: no start-up, no `pages -pid`, no exit.
mover_script() {
  printf '%s\n' "pages -pid $P" "mover -config '{\"IntervalMs\":10,\"Bandwidth\":100000}'" \
    "time -start move" "mover -pages-to $1" "mover -wait" "time -elapsed move"
}
# stopwatch: the seconds `time -elapsed` printed last in OUT (the Go
# memtierd prints its prompts before each answer); sets W.
stopwatch() {
  W=$(sed 's/^\(memtierd> \)*//' <<< "$OUT" | grep -E '^[0-9]+\.[0-9]+$' | tail -n 1)
  [ -n "$W" ] || fail "no stopwatch in the prompt's output: $OUT"
}
p_ours=() p_go=() pw_ours=() pw_go=()
for ((i = 0; i < REPS; i++)); do
  for tool in ours go; do
    [ "$tool" = go ] && [ -z "$go" ] && continue
    to=$((1 - node_now))
    if [ "$tool" = ours ]; then
      timed memtierd -c "\"$(mover_script $to | sed 's/"/\\"/g')\""
      p_ours+=("$(minus "$T" "$S")")
      stopwatch
      pw_ours+=("$W")
    else
      timed gomemtierd -c "\"$(mover_script $to | sed 's/"/\\"/g')\""
      p_go+=("$(minus "$T" "$SGO")")
      stopwatch
      pw_go+=("$W")
    fi
    echo "prompt mover run $i, $tool: $T s in all, the move itself $W s"
    vm-command-ok "numa-pages $P $node_now"
    [ "$COMMAND_OUTPUT" -lt 1000 ] || fail "$tool's mover left $COMMAND_OUTPUT pages on node $node_now"
    node_now=$to
  done
done
figure "prompt mover, unlimited, start-up subtracted" "$(median "${p_ours[@]}")" \
  "$(median "${a_c[@]}")" "C move_pages" 1.10
figure "prompt mover, the move itself" "$(median "${pw_ours[@]}")" \
  "$(median "${OWN_c_all[@]}")" "C move_pages" 1.10
[ -n "$go" ] && figure "prompt mover vs the Go memtierd (minus start-up)" \
  "$(median "${p_ours[@]}")" "$(median "${p_go[@]}")" "Go memtierd" 1.0
[ -n "$go" ] && figure "prompt mover vs the Go memtierd, the move itself" \
  "$(median "${pw_ours[@]}")" "$(median "${pw_go[@]}")" "Go memtierd" 1.0
note "  before (main d5e3685, 2026-11-27)" "1.09x the Go memtierd (a move_pages call per 1024 pages)"
note "  before (main 5b493c3, 2026-12-07)" "1.32x the Go memtierd minus start-up, host load 15-26"
fi
vm-command-ok "kill $P"

want 6 || exit 0

step "6. peak RSS for the biggest process"
hold 2048 0
B=$HOLD_PID
timed -q memtierd --pid=$B
rss-figure "memtierd status of 2 GiB (limit is for 8 GiB)" "$T" "$RSS" 64
if [ -n "$go" ]; then
  timed -q "gomemtierd -c 'pages -pid $B
pages'"
  note "Go memtierd status of a 2 GiB process" \
    "$(printf '%8.3f s  peak RSS %4d MiB' "$T" $((RSS / 1024)))"
fi
timed -q memtierd --pid=$B --move-to=1
rss-figure "memtierd move of 2 GiB (limit is for 8 GiB)" "$T" "$RSS" 64
vm-command-ok "numa-pages $B 0"
[ "$COMMAND_OUTPUT" -lt 1000 ] || fail "the 2 GiB move left $COMMAND_OUTPUT pages on node 0"
vm-command-ok "kill $B"

