# shellcheck shell=bash
# The script API of e2e tests: what a test script (tests/e2e/suites/...),
# the `code` of `run.sh test` and the `on_vm_online` hook can call. A test is a
# bash script sourced after this file, with a booted VM ($E2E_VMDIR); it fails
# by calling `fail` (or an expect-* helper) or by exiting non-zero.
#
# `help script` in run.sh lists these functions from their "# script API" comments.

# shellcheck source=vm.bash
source "$(dirname "${BASH_SOURCE[0]}")/vm.bash"

# Where a test keeps its files in the VM (meme output, verification results).
E2E_GUEST_DIR=${E2E_GUEST_DIR:-/run/e2e/${E2E_TEST_NAME:-run}}

# --- Results ---------------------------------------------------------------

# script API
# fail MESSAGE: ends the test as failed, saying what was expected.
fail() {
  echo "FAIL: $*"
  exit 1
}

# script API
# step TEXT: a heading in the test's log.
step() {
  echo
  echo "### $*"
}

# script API
# expect-eq WHAT EXPECTED ACTUAL: fails unless ACTUAL is EXPECTED.
expect-eq() {
  if [ "$3" != "$2" ]; then
    fail "$1: expected '$2', got '$3'"
  fi
  echo "ok: $1 = $3"
}

# script API
# expect-range WHAT MIN MAX ACTUAL: fails unless MIN <= ACTUAL <= MAX (integers).
expect-range() {
  if ! [[ "$4" =~ ^-?[0-9]+$ ]] || [ "$4" -lt "$2" ] || [ "$4" -gt "$3" ]; then
    fail "$1: expected $2..$3, got '$4'"
  fi
  echo "ok: $1 = $4 (expected $2..$3)"
}

# script API
# expect-match WHAT REGEX TEXT: fails unless TEXT matches the extended REGEX.
expect-match() {
  if ! grep -qE -- "$2" <<< "$3"; then
    fail "$1: expected a match of /$2/, got: $(head -c 2000 <<< "$3")"
  fi
  echo "ok: $1 matches /$2/"
}

# --- Commands in the VM --------------------------------------------------------

# script API
# vm-command [--timeout S] [--quiet] COMMAND: runs COMMAND with sh in the VM.
# Prints it and its output; sets COMMAND_OUTPUT (stdout), COMMAND_ERROR
# (stderr) and COMMAND_STATUS; returns the status. The test fails if the VM
# does not answer.
vm-command() {
  local timeout=${E2E_COMMAND_TIMEOUT:-120} quiet=0
  while [ $# -gt 1 ]; do
    case "$1" in
      --timeout)
        timeout=$2
        shift 2
        ;;
      --quiet)
        quiet=1
        shift
        ;;
      *) break ;;
    esac
  done
  [ $quiet = 1 ] || echo "vm-command: $1"
  e2e_vm_call "$timeout" "$1"
  COMMAND_STATUS=$?
  COMMAND_OUTPUT=$(cat "$E2E_CALL_OUT")
  COMMAND_ERROR=$(cat "$E2E_CALL_ERR")
  if [ $quiet = 0 ]; then
    [ -n "$COMMAND_OUTPUT" ] && printf '%s\n' "$COMMAND_OUTPUT"
    [ -n "$COMMAND_ERROR" ] && printf '%s\n' "$COMMAND_ERROR" | sed 's/^/stderr: /'
    [ "$COMMAND_STATUS" = 0 ] || echo "(exit status $COMMAND_STATUS)"
  fi
  if [ -n "$E2E_CALL_FAILURE" ]; then
    [ "$COMMAND_STATUS" = 255 ] && fail "vm-command: $E2E_CALL_FAILURE: $1"
    echo "vm-command: $E2E_CALL_FAILURE"
  fi
  return "$COMMAND_STATUS"
}

# script API
# vm-command-ok [--timeout S] COMMAND: vm-command that fails the test unless COMMAND succeeds.
vm-command-ok() {
  vm-command "$@" || fail "expected success (exit status 0) of: ${*: -1}"
}

# script API
# vm-run-until [--timeout S] [--poll S] COMMAND: runs COMMAND in the VM until it
# succeeds (default: every 0.2 s for 60 s), in one round trip. Returns 1 on timeout.
vm-run-until() {
  local timeout=60 poll=0.2
  while [ $# -gt 1 ]; do
    case "$1" in
      --timeout)
        timeout=$2
        shift 2
        ;;
      --poll)
        poll=$2
        shift 2
        ;;
      *) break ;;
    esac
  done
  echo "vm-run-until (${timeout} s): $1"
  local script
  script="end=\$((\$(cut -d. -f1 /proc/uptime) + $timeout))
until ( $1 ) > /dev/null 2>&1; do
  [ \$(cut -d. -f1 /proc/uptime) -ge \$end ] && exit 124
  sleep $poll
done"
  e2e_vm_call $((timeout + 30)) "$script"
  local rc=$?
  [ -n "$E2E_CALL_FAILURE" ] && [ $rc = 255 ] && fail "vm-run-until: $E2E_CALL_FAILURE"
  if [ $rc != 0 ]; then
    echo "vm-run-until: timed out after ${timeout} s: $1"
    return 1
  fi
}

# script API
# vm-wait-process [--timeout S] NAME: waits until a process NAME runs in the VM.
vm-wait-process() {
  local timeout=60
  if [ "$1" = --timeout ]; then
    timeout=$2
    shift 2
  fi
  vm-run-until --timeout "$timeout" "pidof $1"
}

# script API
# vm-put-file SRC DEST: copies a host file (up to a few MB) into the VM.
vm-put-file() {
  local data
  data=$(base64 -w0 < "$1") || fail "vm-put-file: cannot read $1"
  vm-command --quiet "mkdir -p \"\$(dirname '$2')\" && echo '$data' | base64 -d > '$2'" ||
    fail "vm-put-file: cannot write $2 in the VM"
  echo "vm-put-file: $1 -> $2"
}

# script API
# vm-pipe-to-file DEST: copies stdin into a file in the VM.
vm-pipe-to-file() {
  local tmp
  tmp=$(mktemp)
  cat > "$tmp"
  vm-put-file "$tmp" "$1"
  rm -f "$tmp"
}

# script API
# vm-console-tail [N]: the last N (default 30) lines of the VM's console.
vm-console-tail() {
  tail -n "${1:-30}" "$E2E_VMDIR/console.log"
}

# --- ssh and scp -------------------------------------------------------------------

# script API
# vm-ssh [--timeout S] [--quiet] COMMAND: runs COMMAND in the VM through ssh, as
# a user would (root, with the PATH dropbear gives root). Prints it and its
# output; sets COMMAND_OUTPUT, COMMAND_ERROR and COMMAND_STATUS like
# vm-command (255: ssh itself failed). The VM is the host $vm of $E2E_SSH_CONFIG.
vm-ssh() {
  local timeout=${E2E_COMMAND_TIMEOUT:-120} quiet=0 out err
  while [ $# -gt 1 ]; do
    case "$1" in
      --timeout)
        timeout=$2
        shift 2
        ;;
      --quiet)
        quiet=1
        shift
        ;;
      *) break ;;
    esac
  done
  [ -n "${E2E_SSH_CONFIG:-}" ] || fail "vm-ssh: this VM has no ssh (no E2E_SSH_CONFIG)"
  [ $quiet = 1 ] || echo "vm-ssh: $1"
  out=$(mktemp)
  err=$(mktemp)
  timeout -k 5 "$timeout" ssh -F "$E2E_SSH_CONFIG" -o BatchMode=yes "$vm" "$1" < /dev/null > "$out" 2> "$err"
  COMMAND_STATUS=$?
  COMMAND_OUTPUT=$(cat "$out")
  COMMAND_ERROR=$(cat "$err")
  rm -f "$out" "$err"
  if [ $quiet = 0 ]; then
    [ -n "$COMMAND_OUTPUT" ] && printf '%s\n' "$COMMAND_OUTPUT"
    [ -n "$COMMAND_ERROR" ] && printf '%s\n' "$COMMAND_ERROR" | sed 's/^/stderr: /'
    [ "$COMMAND_STATUS" = 0 ] || echo "(exit status $COMMAND_STATUS)"
  fi
  return "$COMMAND_STATUS"
}

# script API
# vm-scp ARGS...: scp with the VM's ssh config, where the VM is the host $vm
# (vm-scp bin/memtierd "$vm:"); fails the test if scp fails.
vm-scp() {
  [ -n "${E2E_SSH_CONFIG:-}" ] || fail "vm-scp: this VM has no ssh (no E2E_SSH_CONFIG)"
  echo "vm-scp: $*"
  timeout -k 5 300 scp -F "$E2E_SSH_CONFIG" -o BatchMode=yes "$@" || fail "vm-scp $*: scp failed"
}

# --- Memory ----------------------------------------------------------------------

# script API
# vm-numa-pages PID [NODE]: PID's anonymous 4 KiB pages per node ("NODE PAGES"
# lines) or on NODE, from /proc/PID/numa_maps in the VM (the kernel's view).
vm-numa-pages() {
  vm-command --quiet "numa-pages $*" || fail "vm-numa-pages $*: $COMMAND_ERROR"
  echo "$COMMAND_OUTPUT"
}

# script API
# meme-pages [--name NAME] NODE: pages of meme NAME's arrays (the mappings that
# hold them) on NODE, from numa_maps: unlike the whole process, they change
# only when pages are moved.
meme-pages() {
  local name=meme
  if [ "$1" = --name ]; then
    name=$2
    shift 2
  fi
  local pid=${MEME_PIDS[$name]:-} r args=""
  [ -n "$pid" ] || fail "meme-pages: no meme named $name"
  for r in ${MEME_RANGES[$name]}; do args+=" -r $r"; done
  vm-command --quiet "numa-pages $args $pid $1" || fail "meme-pages $name $1: $COMMAND_ERROR"
  echo "$COMMAND_OUTPUT"
}

# script API
# vm-numastat-mb PID NODE: MB of PID's memory on NODE by numactl's `numastat -p`.
vm-numastat-mb() {
  vm-command --quiet "numastat-mb $1 $2" || fail "vm-numastat-mb $*: $COMMAND_ERROR"
  echo "$COMMAND_OUTPUT"
}

# script API
# vm-node-free-mb NODE: MemFree of NODE in MB.
vm-node-free-mb() {
  vm-command --quiet "awk '/MemFree/ { print int(\$4 / 1024) }' /sys/devices/system/node/node$1/meminfo" ||
    fail "vm-node-free-mb: no node $1"
  echo "$COMMAND_OUTPUT"
}

# script API
# json-get JSON PATH...: values in JSON (e.g. memtierd --output json), one a line;
# PATH is like movedPages or after.nodes[node=2].movablePages.
json-get() {
  local json=$1
  shift
  printf '%s' "$json" | "$(e2e_deno)" run --quiet "$E2E_DIR/lib/json_get.ts" "$@"
}

# script API
# memtierd-json ARGS...: runs `memtierd ARGS --output json` in the VM, prints
# the command line and its exit status; the JSON is in COMMAND_OUTPUT (read it
# with json-get), stderr in COMMAND_ERROR. Returns memtierd's exit status.
memtierd-json() {
  echo "vm-command: memtierd $* --output json"
  vm-command --quiet "memtierd $* --output json"
  local rc=$COMMAND_STATUS
  echo "(exit status $rc)${COMMAND_ERROR:+ stderr: $COMMAND_ERROR}"
  return $rc
}

# --- meme, the memory exerciser ------------------------------------------------------

# script API
# meme-start [--name NAME] [--numactl "OPTIONS"] [--cgroup PATH] [MEME_ARGS...]:
# starts meme in the background in the VM (under numactl OPTIONS if given, in
# cgroup v2 PATH under /sys/fs/cgroup if given: made, with the cpuset and
# memory controllers on the way) and waits until it has filled its arrays. Adds -ttl 1h unless given. Sets MEME_PID (and
# MEME_PIDS[NAME]) and MEME_RANGES[NAME] (its arrays' address ranges). Its
# output goes to $E2E_GUEST_DIR/NAME.out.
declare -gA MEME_PIDS=() MEME_RANGES=()
meme-start() {
  local name=meme numactl="" cgroup="" args
  while [ $# -gt 0 ]; do
    case "$1" in
      --name)
        name=$2
        shift 2
        ;;
      --cgroup)
        cgroup=$2
        shift 2
        ;;
      --numactl)
        numactl=$2
        shift 2
        ;;
      *) break ;;
    esac
  done
  args="$*"
  [[ " $args " == *" -ttl "* ]] || args+=" -ttl 1h"
  local out=$E2E_GUEST_DIR/$name.out enter=""
  if [ -n "$cgroup" ]; then
    vm-cgroup-make "$cgroup"
    # The shell joins the cgroup and becomes meme: memory is charged where it is first used.
    enter="echo \$\$ > /sys/fs/cgroup/$cgroup/cgroup.procs && exec"
  fi
  vm-command "mkdir -p $E2E_GUEST_DIR && cd $E2E_GUEST_DIR &&
    sh -c '$enter ${numactl:+numactl $numactl} meme $args -verify-file $E2E_GUEST_DIR/$name.verify' > $out 2>&1 &
    echo \$!" || fail "meme-start: cannot start meme"
  MEME_PID=$COMMAND_OUTPUT
  MEME_PIDS[$name]=$MEME_PID
  if ! vm-run-until --timeout "${E2E_MEME_START_TIMEOUT:-120}" "grep -q '^ready:' $out || ! [ -d /proc/$MEME_PID ]" ||
    ! vm-command --quiet "grep -q '^ready:' $out"; then
    vm-command "cat $out; ls /proc/$MEME_PID > /dev/null && echo alive"
    fail "meme-start: meme $args did not get ready"
  fi
  vm-command --quiet "grep -E '^(pid|    array|ready|pattern):' $out"
  echo "$COMMAND_OUTPUT"
  MEME_RANGES[$name]=$(sed -n 's/^    array: \([0-9a-f]*-[0-9a-f]*\) .*/\1/p' <<< "$COMMAND_OUTPUT" | tr '\n' ' ')
}

# script API
# vm-cgroup-make PATH: makes cgroup v2 PATH under /sys/fs/cgroup, turning the
# cpuset and memory controllers on in every cgroup above it.
vm-cgroup-make() {
  vm-command --quiet "p=/sys/fs/cgroup
    for part in \$(echo '$1' | tr / ' '); do
      echo '+cpuset +memory' > \$p/cgroup.subtree_control && p=\$p/\$part && mkdir -p \$p || exit 1
    done" || fail "vm-cgroup-make $1: $COMMAND_ERROR"
}

# script API
# meme-verify [NAME]: has meme NAME (started with -pattern) check every page of
# its arrays (SIGUSR1); prints its result line, fails the test unless it is "verify: OK".
meme-verify() {
  local name=${1:-meme} file
  file=$E2E_GUEST_DIR/$name.verify
  local pid=${MEME_PIDS[$name]:-}
  [ -n "$pid" ] || fail "meme-verify: no meme named $name"
  vm-command --quiet "rm -f $file; kill -USR1 $pid" || fail "meme-verify: meme $name (pid $pid) is gone"
  vm-run-until --timeout "${E2E_MEME_VERIFY_TIMEOUT:-120}" "test -f $file" ||
    fail "meme-verify: meme $name gave no verification result"
  vm-command --quiet "cat $file"
  echo "meme-verify $name: $COMMAND_OUTPUT"
  [[ "$COMMAND_OUTPUT" == "verify: OK "* ]] ||
    fail "meme $name's data changed: expected 'verify: OK ...', got '$COMMAND_OUTPUT'"
}

# script API
# meme-stop [NAME]: stops meme NAME.
meme-stop() {
  local name=${1:-meme}
  local pid=${MEME_PIDS[$name]:-}
  [ -n "$pid" ] && vm-command --quiet "kill $pid 2>/dev/null; true"
  unset "MEME_PIDS[$name]"
}

# --- Long-running programs fed over time (memtierd -prompt) ---------------------------

# script API
# vm-session-start NAME COMMAND: runs COMMAND in the VM in the background with
# its stdin from a FIFO that stays open, so that lines can be sent to it later
# (vm-session-send) and its output read (vm-session-output).
vm-session-start() {
  local name=$1 d=$E2E_GUEST_DIR/session.$1 q
  q=$(printf '%s\n' "$2" | base64 -w0)
  vm-command --quiet "mkdir -p $d && rm -f $d/in && mkfifo $d/in && echo $q | base64 -d > $d/cmd &&
    { sleep 2147483647 <> $d/in & echo \$! > $d/holder; } &&
    cd $E2E_GUEST_DIR && { setsid sh $d/cmd < $d/in > $d/out 2>&1 & echo \$! > $d/pid; } &&
    cat $d/pid" || fail "vm-session-start: cannot start $2"
  echo "vm-session-start $name: pid $COMMAND_OUTPUT: $2"
}

# script API
# vm-session-send NAME LINE...: sends lines to session NAME.
vm-session-send() {
  local name=$1 d=$E2E_GUEST_DIR/session.$1 q
  shift
  q=$(printf '%s\n' "$@" | base64 -w0)
  vm-command --quiet "echo $q | base64 -d >> $d/in" || fail "vm-session-send: session $name is gone"
}

# script API
# vm-session-output NAME [FROM_BYTE]: the session's output (from byte FROM_BYTE, 0-based).
vm-session-output() {
  vm-command --quiet "tail -c +$((${2:-0} + 1)) $E2E_GUEST_DIR/session.$1/out"
  printf '%s\n' "$COMMAND_OUTPUT"
}

# script API
# vm-session-command [--timeout S] NAME LINE [PROMPT_REGEX]: sends LINE and
# prints the output that follows it, waiting until its last line matches
# PROMPT_REGEX (default: until the output stops growing for 0.5 s). With
# PROMPT_REGEX, LINE is sent once the program has shown a prompt.
vm-session-command() {
  local timeout=30
  if [ "$1" = --timeout ]; then
    timeout=$2
    shift 2
  fi
  local name=$1 line=$2 prompt=${3:-} d=$E2E_GUEST_DIR/session.$1 from cond ready=""
  # With a prompt: typed only once the program has shown it (up to 30 s), as
  # a person would; sent before it, the answer was read from the first prompt.
  # Shown once is enough (the regex without its end anchor: output of the
  # program's own, a log line, may follow its last prompt).
  [ -z "$prompt" ] ||
    ready="i=0; until grep -qE '${prompt%\$}' $d/out 2> /dev/null || [ \$i -ge 300 ]; do sleep 0.1; i=\$((i + 1)); done; "
  vm-command --quiet "${ready}wc -c < $d/out" || fail "vm-session-command: no session $name"
  from=$COMMAND_OUTPUT
  echo "$name> $line"
  vm-session-send "$name" "$line"
  if [ -n "$prompt" ]; then
    cond="tail -c +$((from + 1)) $d/out | tail -n 1 | grep -qE '$prompt'"
  else
    cond="a=\$(wc -c < $d/out); sleep 0.5; [ \$a -gt $from ] && [ \$(wc -c < $d/out) = \$a ]"
  fi
  vm-run-until --timeout "$timeout" "$cond" > /dev/null ||
    echo "vm-session-command: no ${prompt:+prompt /$prompt/ }after ${timeout} s"
  vm-command --quiet "tail -c +$((from + 1)) $d/out"
  printf '%s\n' "$COMMAND_OUTPUT"
}

# script API
# vm-session-stop NAME: closes the session's input and waits (5 s) for it to
# exit, then kills it and what it started (its own process group, by setsid).
vm-session-stop() {
  local d=$E2E_GUEST_DIR/session.$1
  vm-command --quiet "kill \$(cat $d/holder) 2>/dev/null
    p=\$(cat $d/pid); i=0
    while [ -d /proc/\$p ] && [ \$i -lt 25 ]; do sleep 0.2; i=\$((i + 1)); done
    kill -9 -\$p 2>/dev/null; true"
}

# script API
# memtierd-start [ARGS...]: starts `memtierd -prompt ARGS` as session "memtierd".
memtierd-start() {
  vm-session-start memtierd "memtierd -prompt $*"
}

# script API
# memtierd-command [--timeout S] LINE: sends a command to memtierd's prompt and
# prints its output, up to the next "memtierd> " prompt.
memtierd-command() {
  local opts=()
  if [ "$1" = --timeout ]; then
    opts=(--timeout "$2")
    shift 2
  fi
  vm-session-command "${opts[@]}" memtierd "$1" 'memtierd> $'
}

# script API
# memtierd-stop: ends the memtierd session.
memtierd-stop() {
  vm-session-stop memtierd
}
