#!/usr/bin/env bash
# make vm-kernel: builds the e2e test kernel from Debian's linux-source-6.12
# with the config fragment beside this script (idle page tracking, swap and
# zram built in) into the cache, outside the repo:
#   ${MEMTIERD_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/memtierd-vm}/kernels/custom/bzImage
# Does nothing when that kernel exists and was built from the same source and
# fragment. About 16 CPU-minutes: 8-9 minutes on 2 idle cores. Tests choose it with
# "# e2e-kernel: custom", run.sh with kernel=custom.
set -euo pipefail
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../lib/vm.bash
source "$E2E_DIR/lib/vm.bash"

tarball=$(find /usr/src -maxdepth 1 -name "linux-source-6.12.tar.*" | head -n 1)
missing=()
[ -n "$tarball" ] || missing+=(linux-source-6.12)
for pair in flex:flex bison:bison bc:bc make:make gcc:gcc xz:xz-utils perl:perl-base; do
  command -v "${pair%%:*}" > /dev/null || missing+=("${pair#*:}")
done
[ -f /usr/include/libelf.h ] || missing+=(libelf-dev)
if [ ${#missing[@]} -gt 0 ]; then
  e2e_die "make vm-kernel needs: apt-get install -y --no-install-recommends ${missing[*]}"
fi

fragment=$E2E_DIR/kernel/memtier-vm.config
out=$(e2e_custom_kernel_dir)
stamp=$(e2e_custom_kernel_stamp)
# One build at a time per cache (make test's background build, a test run's
# build on first use, another worktree): a second one waits for the first and
# then finds the kernel up to date.
mkdir -p "$E2E_CACHE"
exec 9> "$E2E_CACHE/kernel-build.lock"
if ! flock -n 9; then
  echo "vm-kernel: another build of the test kernel is running; waiting for it"
  flock 9
fi
if e2e_custom_kernel_current; then
  echo "vm-kernel: $out/bzImage is up to date (${stamp% *})"
  exit 0
fi

build=$E2E_CACHE/kernel-build
rm -rf "$build"
mkdir -p "$build"
echo "vm-kernel: unpacking $tarball"
tar -C "$build" -xf "$tarball"
src=$(find "$build" -mindepth 1 -maxdepth 1 -type d | head -n 1)
cd "$src"
started=$(date +%s)
make -s tinyconfig
./scripts/kconfig/merge_config.sh -m .config "$fragment" > /dev/null
make -s olddefconfig
# An option whose dependency is missing is dropped silently: check them all.
dropped=$(grep -E '^CONFIG_[A-Z0-9_]+=y' "$fragment" | while read -r line; do
  grep -qx "$line" .config || echo "${line%%=*}"
done)
[ -z "$dropped" ] || e2e_die "vm-kernel: the config lost: $dropped"
echo "vm-kernel: building bzImage with $(($(nproc) + 1)) jobs (16 CPU-minutes: 8-9 minutes on 2 idle cores)"
make -s -j"$(($(nproc) + 1))" bzImage
mkdir -p "$out"
cp arch/x86/boot/bzImage "$out/bzImage.tmp"
cp .config "$out/config"
make -s kernelrelease > "$out/version"
mv "$out/bzImage.tmp" "$out/bzImage"
echo "$stamp" > "$out/stamp"
cd /
rm -rf "$build"
echo "vm-kernel: $out/bzImage ($(cat "$out/version")) built in $(($(date +%s) - started)) s"
