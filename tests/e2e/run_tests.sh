#!/usr/bin/env bash
# Runs e2e tests: tests/e2e/suites/SUITE/TOPOLOGY/testNN-NAME.sh, where
# TOPOLOGY holds topology.json. One VM is booted per topology (and kernel),
# and its tests run one after another in it; each test is a bash script that
# sources lib/api.bash. Prints a PASS/FAIL line per test and, last, exactly
# one line "e2e: N passed, N failed". Exits 1 if a test failed.
#
#   tests/e2e/run_tests.sh [PATH|GLOB...]
#
# PATH: a test script, a topology folder, a suite folder, absolute or relative
# to the current folder or to tests/e2e/suites (oneshot/n2, oneshot/*/test03*).
# Variables: E2E_OUTPUT (default tests/e2e/output), E2E_VERBOSE=1 (show each
# test's log as it runs), kernel, accel, memtierd_bin, meme_bin (see run.sh help).
# A test may say in its first lines:
#   # e2e-kernel: custom       boot it with the kernel of `make vm-kernel`
#                              (skipped while that is not built, unless named
#                              or E2E_BUILD_KERNEL=1)
#   # e2e-timeout: SECONDS     its time limit (default 300)

set -u
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib/vm.bash
source "$E2E_DIR/lib/vm.bash"
SUITES=$E2E_DIR/suites
E2E_OUTPUT=${E2E_OUTPUT:-$E2E_DIR/output}
export DENO=${DENO:-$(e2e_deno)}
export memtierd_bin=${memtierd_bin:-$E2E_REPO/bin/memtierd}
export meme_bin=${meme_bin:-$E2E_REPO/bin/meme}
for b in "$memtierd_bin" "$meme_bin"; do
  [ -x "$b" ] || e2e_die "no $b: run make bin/memtierd bin/meme (or make e2e)"
done
e2e_need_tools

# --- Which tests -------------------------------------------------------------------

all_tests() {
  find "$1" -name 'test*.sh' -type f | while read -r t; do
    [ -f "$(dirname "$t")/topology.json" ] && echo "$t"
  done
}

tests=()
declare -A named=() # the test scripts named as such (not through a folder or glob)
if [ $# -eq 0 ]; then
  mapfile -t tests < <(all_tests "$SUITES" | sort)
else
  for arg in "$@"; do
    found=0
    for base in "" "$SUITES/"; do
      for p in $base$arg; do
        [ -e "$p" ] || continue
        found=1
        if [ -d "$p" ]; then
          mapfile -t -O "${#tests[@]}" tests < <(all_tests "$p" | sort)
        else
          tests+=("$(realpath "$p")")
          [ "$p" = "$base$arg" ] && named[$(realpath "$p")]=1
        fi
      done
      [ $found = 1 ] && break
    done
    [ $found = 1 ] || e2e_die "no test matches $arg (tests are under $SUITES)"
  done
fi
[ ${#tests[@]} -gt 0 ] || e2e_die "no tests found"


header() {
  sed -n "s/^# e2e-$2: *//p" "$1" | head -n 1
}

# Group by topology and kernel, keeping the order: the tests of every
# topology folder with the same topology.json (and kernel) share one VM.
# Tests for the kernel of `make vm-kernel` are skipped while it is not built
# (building it takes minutes), unless they are named (the script itself, not
# its folder) or E2E_BUILD_KERNEL=1.
declare -A group_tests=() group_dir=()
groups=()
skipped=()
for t in "${tests[@]}"; do
  t=$(realpath "$t")
  k=$(header "$t" kernel)
  if [ "$k" = custom ] && [ -z "${named[$t]:-}" ] && [ "${E2E_BUILD_KERNEL:-0}" != 1 ] &&
    [ ! -f "$(e2e_custom_kernel_dir)/bzImage" ]; then
    skipped+=("${t#"$SUITES"/}")
    continue
  fi
  g="$(tr -d ' \n\t' < "$(dirname "$t")/topology.json")|${k:-${kernel:-debian}}"
  [ -n "${group_dir[$g]:-}" ] || group_dir[$g]=$(dirname "$t")
  if [ -z "${group_tests[$g]:-}" ]; then
    groups+=("$g")
    group_tests[$g]=$t
  else
    group_tests[$g]+=$'\n'$t
  fi
done

# A test kernel still being built (make test: E2E_PREBUILD_OWNER, the make
# that started it, see kernel/prebuild.sh): the groups that need it go last,
# and the build goes on beside the others' VMs (at nice 19, on what CPU they
# leave), so that it costs the run little time.
if [ -n "${E2E_PREBUILD_OWNER:-}" ]; then
  first=() last=()
  for g in "${groups[@]}"; do
    if [ "${g##*|}" = custom ]; then last+=("$g"); else first+=("$g"); fi
  done
  groups=("${first[@]}" "${last[@]}")
fi
prebuild_waited=0 prebuild_failed=0

# --- Running ---------------------------------------------------------------------

passed=0
failed=0
failed_names=()
started_all=$(e2e_now)

cleanup() {
  e2e_vm_stop
}
trap cleanup EXIT
trap 'echo; echo "e2e: interrupted"; cleanup; trap - EXIT; exit 130' INT TERM HUP

result() { # NAME VERDICT SECONDS [WHY]
  printf '%-4s %-60s %6ss%s\n' "$2" "$1" "$3" "${4:+  ($4)}"
  if [ "$2" = PASS ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failed_names+=("$1")
  fi
}

# rel PATH: a test's or topology's name: its path under suites/, or its last
# two (or, for a test, three) path parts when it lives elsewhere.
rel() {
  local p=${1%.sh}
  if [[ "$p" == "$SUITES"/* ]]; then
    echo "${p#"$SUITES"/}"
  elif [ "$p" != "${1}" ]; then
    echo "$p" | awk -F/ '{ print $(NF - 2) "/" $(NF - 1) "/" $NF }'
  else
    echo "$p" | awk -F/ '{ print $(NF - 1) "/" $NF }'
  fi
}

boot_group() { # TOPODIR KERNEL
  local topodir=$1 name
  name=$(rel "$topodir")
  export topology
  topology=$(cat "$topodir/topology.json")
  export kernel=$2
  export vm=${name//\//-}
  export E2E_VMDIR=$E2E_OUTPUT/$name${2:+.$2}/vm
  [ "$2" = debian ] && E2E_VMDIR=$E2E_OUTPUT/$name/vm
  export E2E_MODE=test
  # Another run of the same topology (in another shell) keeps its folder.
  if [ -f "$E2E_VMDIR/qemu.pid" ] && kill -0 "$(cat "$E2E_VMDIR/qemu.pid")" 2> /dev/null; then
    E2E_VMDIR=$E2E_VMDIR.$$
  fi
  mkdir -p "$E2E_VMDIR"
  echo "---- $name: booting ($(tr -d '\n ' <<< "$topology"), kernel $2)"
  if [ "$2" = custom ] && [ -n "${E2E_PREBUILD_OWNER:-}" ] && [ $prebuild_waited = 0 ]; then
    prebuild_waited=1
    local out
    out=$("$E2E_DIR/kernel/prebuild.sh" wait "$E2E_PREBUILD_OWNER" 2>&1) || prebuild_failed=1
    [ -z "$out" ] || while IFS= read -r l; do echo "---- $name: $l"; done <<< "$out"
  fi
  if [ "$2" = custom ] && [ $prebuild_failed = 1 ]; then
    echo "---- $name: no kernel of make vm-kernel (its build failed): these tests fail"
    return 1
  fi
  # Built here, so that a kernel that cannot be built fails these tests, not the run.
  if [ "$2" = custom ] && [ ! -f "$(e2e_custom_kernel_dir)/bzImage" ]; then
    echo "---- $name: building the kernel of make vm-kernel (5-7 minutes on 2 cores)"
    if ! "$E2E_DIR/kernel/build.sh" > "$E2E_VMDIR/kernel-build.log" 2>&1; then
      tail -n 5 "$E2E_VMDIR/kernel-build.log" | sed 's/^/     | /'
      return 1
    fi
  fi
  # e2e_vm_start boots once more by itself when the guest kernel panics.
  if e2e_vm_start > "$E2E_VMDIR/boot.log" 2>&1; then
    grep -h "panicked while booting" "$E2E_VMDIR/boot.log" | sed "s|^e2e: |---- $name: |"
    echo "---- $name: up in ${E2E_BOOT_SECONDS} s ($(grep -h 'first start of /usr/local/bin/memtierd' "$E2E_VMDIR/console.log" | sed 's/.*took \([0-9.]* s\).*/memtierd first start \1/'), $(sed -n 's/^accel: //p' "$E2E_VMDIR/vm.txt"))"
    return 0
  fi
  sed 's/^/     | /' "$E2E_VMDIR/boot.log"
  e2e_vm_stop
  return 1
}

# reset_vm: what one test leaves behind must not reach the next (guest/bin/e2e-reset).
reset_vm() {
  e2e_vm_call 60 e2e-reset > /dev/null 2>&1
}

show_failure() { # LOG CONSOLE_FROM_LINE GUEST_DIR
  echo "     ---- test log (last 40 lines): $1"
  tail -n 40 "$1" | sed 's/^/     | /'
  echo "     ---- VM console (last 25 lines since the test started): $E2E_VMDIR/console.log"
  tail -n +"$2" "$E2E_VMDIR/console.log" | tail -n 25 | sed 's/^/     | /'
  if e2e_vm_alive && e2e_vm_call 30 "for f in $3/*.out $3/*.verify $3/session.*/out; do [ -f \"\$f\" ] && { echo \"== \$f\"; tail -n 8 \"\$f\"; echo; }; done" > /dev/null 2>&1; then
    if [ -s "$E2E_CALL_OUT" ]; then
      echo "     ---- files of the test in the VM ($3)"
      sed 's/^/     | /' "$E2E_CALL_OUT"
    fi
  fi
}

for g in "${groups[@]}"; do
  topodir=${group_dir[$g]}
  gkernel=${g##*|}
  mapfile -t gtests <<< "${group_tests[$g]}"
  vm_up=0
  boot_group "$topodir" "$gkernel" && vm_up=1
  for t in "${gtests[@]}"; do
    name=$(rel "$t")
    if [ $vm_up = 0 ]; then
      result "$name" FAIL 0 "the VM did not boot"
      continue
    fi
    tname=$(basename "$t" .sh)
    log=$E2E_OUTPUT/$name.log
    mkdir -p "$(dirname "$log")"
    limit=$(header "$t" timeout)
    console_from=$(($(wc -l < "$E2E_VMDIR/console.log") + 1))
    started=$(e2e_now)
    export E2E_TEST_NAME=$tname E2E_GUEST_DIR=/run/e2e/$tname E2E_DIR
    # shellcheck disable=SC2016 # expanded by the test's own bash
    (cd "$(dirname "$t")" && timeout -k 5 "${limit:-300}" bash -c \
      'source "$E2E_DIR/lib/api.bash"; source "$1"' test "$t") 2>&1 |
      if [ "${E2E_VERBOSE:-0}" = 1 ]; then tee "$log"; else cat > "$log"; fi
    rc=${PIPESTATUS[0]}
    secs=$(e2e_elapsed "$started")
    why=
    [ $rc = 124 ] && why="timed out after ${limit:-300} s"
    e2e_vm_alive || why="${why:+$why; }the VM died"
    if [ $rc = 0 ] && [ -z "$why" ]; then
      result "$name" PASS "$secs"
    else
      result "$name" FAIL "$secs" "${why:-exit status $rc}"
      show_failure "$log" "$console_from" "/run/e2e/$tname"
    fi
    if e2e_vm_alive; then
      reset_vm
    fi
    if ! e2e_vm_alive || ! e2e_vm_call 20 true > /dev/null 2>&1; then
      echo "---- $(rel "$topodir"): the VM does not answer any more: booting a new one"
      e2e_vm_stop
      boot_group "$topodir" "$gkernel" || vm_up=0
    fi
  done
  e2e_vm_stop
done

for n in "${skipped[@]}"; do echo "skipped: ${n%.sh} (needs the kernel of make vm-kernel)"; done
echo "---- $((passed + failed)) tests in $(e2e_elapsed "$started_all") s; outputs in $E2E_OUTPUT"
for n in "${failed_names[@]}"; do echo "failed: $n"; done
echo "e2e: $passed passed, $failed failed"
[ $failed = 0 ]
