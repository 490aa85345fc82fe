#!/bin/sh
# What nri-plugins' memtierd plugin and its e2e pod do on a node, replayed
# in the VM step for step (containerd 1.7 and the plugin do not run here).
# Facts from the plugin (cmd/plugins/memtierd/main.go) and its test pod
# (test/e2e/.../test01-move-idle/memtierd-test-pod.yaml.in):
#   - a container's processes live in its cgroup v2 folder, below the pod's,
#     below kubepods; the pod's containers have memory limit 100M;
#   - the test's container: a busybox shell holding 10 MB of zeroes as base64
#     text in a shell variable, then sleeping;
#   - per managed container the plugin makes CTRDIR =
#     RUNDIR/NAMESPACE/POD/CONTAINER (each folder 0700), writes the class
#     template rendered (plain text replacement, render_class.ts) to
#     CTRDIR/memtierd.config.yaml (0600), starts
#     `memtierd -c "" -config CTRDIR/memtierd.config.yaml` in a new session
#     with stdin /dev/null and stdout and stderr to CTRDIR/memtierd.output
#     (0600), and writes its pid to CTRDIR/memtierd.pid (0400);
#   - when the container stops: SIGKILL to memtierd, CTRDIR removed.
#
#   replay.sh ctr-start NAMESPACE POD CONTAINER   prints the shell's pid
#   replay.sh ctr-stop NAMESPACE POD CONTAINER    SIGKILL to its processes, cgroup removed
#   replay.sh ctr-cgroup NAMESPACE POD CONTAINER  prints the cgroup folder
#   replay.sh ctrdir NAMESPACE POD CONTAINER      prints CTRDIR (made 0700)
#   replay.sh memtierd-start CTRDIR               prints memtierd's pid
#   replay.sh memtierd-stop CTRDIR                SIGKILL, CTRDIR removed
#   replay.sh n2-pages PID                        pages on node 2 (all N2= of numa_maps)
#   replay.sh uptime                              time since boot in 1/100 s
#   replay.sh watch-n2 T0 SECONDS GOAL PID...     every 0.5 s: seconds since T0
#        (an uptime) and each PID's node-2 pages, until every PID has GOAL
#        pages or SECONDS passed since T0
#   replay.sh started-at T0 CTRDIR                seconds since T0 when memtierd
#        wrote its first line ("started policy ...") to CTRDIR/memtierd.output
set -eu

RUN_DIR=${RUN_DIR:-/var/run/nri-memtierd}
KUBEPODS=/sys/fs/cgroup/kubepods.slice

# The shell's command of the plugin's test pod, with the container's name,
# after a `sleep` that waits inside the shell (a read with a timeout on a
# FIFO nobody writes to, fd 3). The pod's busybox sleeps in the shell
# (sleep is a nofork applet); the VM's (Debian's, without nofork applets)
# would exec /bin/sleep, which cannot start with the 14 MB variable in its
# environment (E2BIG): the shell then forked without a pause, and its
# pages, shared with each child, were neither exclusive nor idle.
ctr_command() {
  echo 'sleep() { read -t "$1" _ <&3; }; export mem10MB="$(dd if=/dev/zero bs=1M count=10 2>/dev/null | base64 -w0)"; echo '"$1"' size=${#mem10MB}; while :; do sleep 30; done'
}

uptime_cs() { # time since boot in 1/100 s
  read -r up _ < /proc/uptime
  echo "${up%.*}${up#*.}"
}

ctr_cgroup() {
  echo "$KUBEPODS/kubepods-besteffort.slice/kubepods-besteffort-pod$1_$2.slice/cri-containerd-$3.scope"
}

cmd=$1
shift
case $cmd in
ctr-cgroup)
  ctr_cgroup "$@"
  ;;
ctr-start)
  cg=$(ctr_cgroup "$@")
  p=/sys/fs/cgroup
  for part in $(echo "${cg#/sys/fs/cgroup/}" | tr / ' '); do
    echo '+cpuset +memory' > "$p/cgroup.subtree_control"
    p=$p/$part
    mkdir -p "$p"
  done
  echo 100M > "$cg/memory.max"
  log=$RUN_DIR.ctr/$1.$2.$3.log
  mkdir -p "$RUN_DIR.ctr"
  fifo=$RUN_DIR.ctr/$1.$2.$3.sleep
  rm -f "$fifo"
  mkfifo "$fifo"
  # The shell enters its cgroup before it allocates anything.
  setsid sh -c 'echo $$ > "$0/cgroup.procs" && exec sh -c "$1" 3<> "$2"' "$cg" \
    "$(ctr_command "$3")" "$fifo" < /dev/null > "$log" 2>&1 &
  pid=$!
  i=0
  until grep -q "size=" "$log" 2> /dev/null; do
    i=$((i + 1))
    [ $i -lt 3000 ] || { echo "container $3 did not fill its variable: $(cat "$log")" >&2; exit 1; }
    sleep 0.1
  done
  echo "$pid"
  ;;
ctr-stop)
  cg=$(ctr_cgroup "$@")
  kill -KILL $(cat "$cg/cgroup.procs") 2> /dev/null || true
  i=0
  while [ -n "$(cat "$cg/cgroup.procs")" ] && [ $i -lt 100 ]; do
    i=$((i + 1))
    sleep 0.1
  done
  rmdir "$cg"
  rm -f "$RUN_DIR.ctr/$1.$2.$3.sleep" "$RUN_DIR.ctr/$1.$2.$3.log"
  ;;
ctrdir)
  d=$RUN_DIR
  mkdir -p -m 700 "$d"
  for part in "$@"; do
    d=$d/$part
    mkdir -p -m 700 "$d"
    chmod 700 "$d"
  done
  echo "$d"
  ;;
memtierd-start)
  d=$1
  chmod 600 "$d/memtierd.config.yaml"
  : > "$d/memtierd.output"
  chmod 600 "$d/memtierd.output"
  # Not a group leader (a background job of a shell without job control):
  # setsid execs memtierd in place, so $! is memtierd's pid.
  setsid memtierd -c "" -config "$d/memtierd.config.yaml" < /dev/null > "$d/memtierd.output" 2>&1 &
  echo "$!" > "$d/memtierd.pid"
  chmod 400 "$d/memtierd.pid"
  echo "$!"
  ;;
memtierd-stop)
  d=$1
  kill -KILL "$(cat "$d/memtierd.pid")" 2> /dev/null || true
  rm -rf "$d"
  ;;
n2-pages)
  { grep -o ' N2=[0-9]*' "/proc/$1/numa_maps" || true; } | awk -F= '{s += $2} END {print s + 0}'
  ;;
uptime)
  uptime_cs
  ;;
started-at)
  i=0
  until [ -s "$2/memtierd.output" ]; do
    i=$((i + 1))
    [ $i -lt 3000 ] || { echo never; exit 0; }
    sleep 0.1
  done
  t=$(($(uptime_cs) - $1))
  echo "$((t / 100)).$(printf %02d $((t % 100)))"
  ;;
watch-n2)
  t0=$1 secs=$2 goal=$3
  shift 3
  # One awk a round for all PIDs (n2-pages' sum, per numa_maps file), so
  # that watching twenty containers adds little load to the VM.
  while :; do
    t=$(($(uptime_cs) - t0))
    files=""
    for pid in "$@"; do [ ! -e "/proc/$pid/numa_maps" ] || files="$files /proc/$pid/numa_maps"; done
    out=$(awk -v pids="$*" -v goal="$goal" -v t="t=$((t / 100)).$(printf %02d $((t % 100)))s" '
      { for (i = 2; i <= NF; i++) if ($i ~ /^N2=/) s[FILENAME] += substr($i, 4) }
      END {
        n = split(pids, p, " "); line = t; done = 1
        for (i = 1; i <= n; i++) {
          v = s["/proc/" p[i] "/numa_maps"] + 0; line = line " " p[i] "=" v
          if (v < goal) done = 0
        }
        print line " " done
      }' $files < /dev/null)
    echo "${out% *}"
    [ "${out##* }" = 0 ] || break
    [ $t -lt $((secs * 100)) ] || break
    sleep 0.5
  done
  ;;
*)
  echo "replay.sh: unknown command $cmd" >&2
  exit 2
  ;;
esac
