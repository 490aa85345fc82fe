#!/bin/sh
# Builds memtierd's container image offline with buildah, from scratch: the
# single file bin/memtierd (which carries the Deno runtime, its loader and
# its libraries: no libc is needed), the example config, and the folders it
# writes.
# No base image, no registry, no network; buildah's storage is a folder
# under build/ (vfs driver), so nothing on the host changes.
#
#   deploy/container/build-image.sh [OUTPUT.tar]   (default build/memtierd-image.tar)
#
# Writes an OCI archive, tagged memtierd:VERSION; load it with
# `podman load -i OUTPUT.tar` or `ctr -n k8s.io images import OUTPUT.tar`.
set -eu
cd "$(dirname "$0")/../.."
out=${1:-build/memtierd-image.tar}
bin=bin/memtierd
[ -x "$bin" ] || { echo "build-image: $bin is missing: run make bin/memtierd" >&2; exit 1; }

work=$(mktemp -d)
store=$PWD/build/buildah
mkdir -p "$store" "$(dirname "$out")"
ctr=""
cleanup() {
  [ -z "$ctr" ] || bh rm "$ctr" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
bh() { buildah --root "$store/root" --runroot "$store/run" --storage-driver vfs "$@"; }

version=$(MEMTIERD_CACHE_DIR="$work/cache" "$bin" --version | sed -n 's/^ *- version: *//p')

# The image's tree, assembled here and copied in one step (modes kept).
# bin/memtierd carries the Deno runtime's loader and libraries: no libc.
root=$work/rootfs
install -D -m 0755 "$bin" "$root/usr/bin/memtierd"
install -D -m 0644 deploy/config/memtierd.yaml "$root/etc/memtierd/memtierd.yaml"
mkdir -p -m 0755 "$root/var/cache" && mkdir -m 1777 "$root/tmp"
ctr=$(bh from scratch)
bh copy "$ctr" "$root" / >/dev/null
bh config \
  --entrypoint '["/usr/bin/memtierd"]' \
  --cmd '["-config", "/etc/memtierd/memtierd.yaml"]' \
  --env MEMTIERD_CACHE_DIR=/var/cache/memtierd \
  --port 9101 \
  --label org.opencontainers.image.title=memtierd \
  --label "org.opencontainers.image.version=$version" \
  "$ctr"
bh commit --quiet --format oci --rm "$ctr" "localhost/memtierd:$version" >/dev/null
ctr=""
rm -f "$out"
bh push --quiet "localhost/memtierd:$version" "oci-archive:$out:localhost/memtierd:$version"
bh rmi "localhost/memtierd:$version" >/dev/null
echo "build-image: $out (localhost/memtierd:$version, $(du -m "$out" | cut -f1) MB)"
