# Host side of the nri suite (sourced by each test): the nri-memtierd
# plugin's steps replayed in the VM through lib/replay.sh (see there), with
# the plugin's own class configs (tests/fixtures/nri-plugins/, verbatim)
# rendered as the plugin renders them (lib/render_class.ts).

NRI_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NRI_FIXTURES=$(cd "$NRI_LIB/../../../../fixtures/nri-plugins" && pwd)
declare -A NRI_PID=()    # container name -> its shell's pid (the pod's PID 1)
declare -A NRI_CTRDIR=() # container name -> CTRDIR of its memtierd
declare -A NRI_CGROUP=() # container name -> its cgroup folder

# nri-setup: replay.sh into the VM as nri-replay.
nri-setup() {
  vm-put-file "$NRI_LIB/replay.sh" /usr/local/bin/nri-replay
  vm-command-ok "chmod 755 /usr/local/bin/nri-replay"
}

# nri-ctr-start NAMESPACE POD CONTAINER: the test pod's container (a busybox
# shell holding 10 MB of base64 text) in its cgroup; NRI_PID[CONTAINER].
nri-ctr-start() {
  vm-command-ok "nri-replay ctr-start $1 $2 $3"
  NRI_PID[$3]=$COMMAND_OUTPUT
  vm-command-ok "nri-replay ctr-cgroup $1 $2 $3"
  NRI_CGROUP[$3]=$COMMAND_OUTPUT
}

# nri-render CLASSES_FIXTURE CLASS CONTAINER: the class rendered for the
# container (its cgroup and CTRDIR), as the plugin renders it.
# CLASSES_FIXTURE: a file of tests/fixtures/nri-plugins, or an absolute path.
nri-render() {
  local classes=$1
  [[ "$classes" == /* ]] || classes=$NRI_FIXTURES/$classes
  "$(e2e_deno)" run --quiet -R -E "$NRI_LIB/render_class.ts" "$classes" "$2" \
    "${NRI_CGROUP[$3]}" "${NRI_CTRDIR[$3]}"
}

# nri-prepare CLASSES_FIXTURE CLASS NAMESPACE POD CONTAINER: CTRDIR made and
# the rendered class written to CTRDIR/memtierd.config.yaml; NRI_CTRDIR[CONTAINER].
nri-prepare() {
  vm-command-ok "nri-replay ctrdir $3 $4 $5"
  NRI_CTRDIR[$5]=$COMMAND_OUTPUT
  nri-render "$1" "$2" "$5" | vm-pipe-to-file "${NRI_CTRDIR[$5]}/memtierd.config.yaml"
}

# nri-output CONTAINER: what its memtierd wrote (stdout and stderr).
nri-output() {
  vm-command "cat ${NRI_CTRDIR[$1]}/memtierd.output"
}

# nri-stop CONTAINER: what the plugin does when the container stops
# (SIGKILL to its memtierd, CTRDIR removed).
nri-stop() {
  vm-command-ok "nri-replay memtierd-stop ${NRI_CTRDIR[$1]}"
}

# nri-stop-all POD "MEMTIERD_PIDS" CONTAINER...: the plugin's stop of each
# CONTAINER's memtierd (nri-stop: SIGKILL, CTRDIR removed); fails unless every
# pid of MEMTIERD_PIDS has exited within 20 s and POD's folder holds no CTRDIR.
nri-stop-all() {
  local pod=$1 pids=$2 c
  shift 2
  for c in "$@"; do nri-stop "$c"; done
  vm-run-until --timeout 20 "for p in $pids; do [ ! -e /proc/\$p ] || exit 1; done" ||
    fail "a memtierd ($pids) is left after SIGKILL"
  vm-command-ok "ls -A /var/run/nri-memtierd/default/$pod"
  expect-eq "CTRDIRs left in $pod's folder" "" "$COMMAND_OUTPUT"
}

# nri-first-at WATCH_OUTPUT COLUMN GOAL: the seconds of the first watch-n2
# line whose COLUMN-th pid (1, 2, ...) has at least GOAL pages, or "never".
nri-first-at() {
  awk -v col="$(($2 + 1))" -v goal="$3" '
    /^t=/ { split($col, kv, "="); if (kv[2] + 0 >= goal) { sub(/^t=/, "", $1); sub(/s$/, "", $1); print $1; found = 1; exit } }
    END { if (!found) print "never" }' <<< "$1"
}

# nri-ctr-stop NAMESPACE POD CONTAINER: the container's processes killed, its cgroup removed.
nri-ctr-stop() {
  vm-command-ok "nri-replay ctr-stop $1 $2 $3"
}

# nri-pod-start CLASSES_FIXTURE CLASS NAMESPACE POD CONTAINER...: many
# containers of the test pod at once, each managed by CLASS, in three VM
# round trips: the containers started side by side (nri-ctr-start), their
# CTRDIRs made and each one's class rendered (nri-prepare). The class is
# rendered once with @CGROUP@ and @CTRDIR@ for the container's folders, and
# those replaced per container in the VM: the same plain text replacement
# the plugin makes. Sets NRI_PID, NRI_CGROUP and NRI_CTRDIR of each.
nri-pod-start() {
  local classes=$1 class=$2 ns=$3 pod=$4 c pid cg d tmpl
  shift 4
  [[ "$classes" == /* ]] || classes=$NRI_FIXTURES/$classes
  tmpl=$("$(e2e_deno)" run --quiet -R -E "$NRI_LIB/render_class.ts" "$classes" "$class" @CGROUP@ @CTRDIR@) ||
    fail "cannot render class $class of $classes"
  printf '%s\n' "$tmpl" | vm-pipe-to-file /tmp/nri-class-template.yaml
  vm-command-ok --timeout 600 "for c in $*; do nri-replay ctr-start $ns $pod \$c > /tmp/nri-pid.\$c 2>&1 & done; wait
    for c in $*; do echo \$c \$(cat /tmp/nri-pid.\$c) \$(nri-replay ctr-cgroup $ns $pod \$c) \$(nri-replay ctrdir $ns $pod \$c); rm /tmp/nri-pid.\$c; done"
  while read -r c pid cg d; do
    [[ "$pid" =~ ^[0-9]+$ ]] || fail "container $c did not start: $pid $cg $d"
    NRI_PID[$c]=$pid NRI_CGROUP[$c]=$cg NRI_CTRDIR[$c]=$d
  done <<< "$COMMAND_OUTPUT"
  vm-command-ok "set -e; for c in $*; do
    d=\$(nri-replay ctrdir $ns $pod \$c)
    sed \"s|@CGROUP@|\$(nri-replay ctr-cgroup $ns $pod \$c)|g; s|@CTRDIR@|\$d|g\" /tmp/nri-class-template.yaml > \$d/memtierd.config.yaml
  done; rm /tmp/nri-class-template.yaml"
}
