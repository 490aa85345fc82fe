#!/bin/sh
# Installs what building and testing memtierd needs on Debian 12, as root:
# the single-file build (make, a C compiler, static zstd), npm (to fetch
# Deno 2.9.6 from the npm registry when no deno 2.9.6 is on PATH), and the
# VM test framework (QEMU, busybox, cpio, the ssh client that reaches the VM;
# numactl, python3 and dropbear for the guest are downloaded by the framework
# itself), the e2e test kernel's build (`make vm-kernel`: Debian's kernel
# source and its build tools; `make test` builds it in CI), the checks of
# metrics and deployment (prometheus with promtool, scraped on loopback;
# systemd-analyze; buildah for the container image, podman with runc to run
# it), and rsvg-convert (librsvg2-bin) that the picture tests render SVG
# with. Installs only what is missing.
set -eu
packages="make gcc libc6-dev libzstd-dev zstd git ca-certificates
  qemu-system-x86 busybox-static cpio numactl xz-utils openssh-client
  linux-source-6.12 flex bison bc libelf-dev
  prometheus systemd buildah podman runc librsvg2-bin"
command -v npm >/dev/null 2>&1 || packages="$packages npm"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "setup: all packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages:$missing; run this as root (or: sudo $0)" >&2
  exit 1
fi
echo "setup: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
