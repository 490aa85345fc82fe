# shellcheck shell=bash
# shellcheck disable=SC2054 # QEMU options have commas inside one argument
# The e2e VM, host side: kernel and package cache, the initramfs, QEMU, and
# the client of the guest agent (tests/e2e/guest/agent).
#
#   e2e_vm_start          boot a VM from $topology into $E2E_VMDIR
#   e2e_vm_call T SCRIPT  run SCRIPT in it (T s timeout); stdout and stderr in
#                         $E2E_CALL_OUT and $E2E_CALL_ERR, returns its status
#   e2e_vm_stop           power it off (kill QEMU if it does not go)
#
# A VM's state folder ($E2E_VMDIR) holds qemu.pid, the agent's FIFOs
# agent.in/agent.out (QEMU's `pipe` chardev: it reads .in and writes .out),
# console.log, qemu.log and monitor.sock (the QEMU monitor, a unix socket).
# The only network is QEMU's user networking with restrict=on: the guest
# reaches nothing outside, and the host's 127.0.0.1:$E2E_SSH_PORT is
# forwarded to the guest's sshd (dropbear). The folder's ssh/ holds the key
# pair, the host key, known_hosts and ssh_config (see e2e_ssh_prepare).
#
# Cached outside the repo, in $E2E_CACHE (${XDG_CACHE_HOME:-$HOME/.cache}/memtierd-vm
# unless MEMTIERD_VM_CACHE is set): Debian's kernel image and the modules the
# guest needs, Debian's packages put into the guest (numactl, dropbear,
# python3), the kernel built by `make vm-kernel`, and whether KVM works on
# this boot of the host.

E2E_DIR=${E2E_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
E2E_REPO=${E2E_REPO:-$(cd "$E2E_DIR/../.." && pwd)}
E2E_CACHE=${MEMTIERD_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/memtierd-vm}
E2E_AGENT_PORT=org.memtierd.e2e.agent
# Modules the guest gets (with their dependencies) when the kernel has them as modules.
E2E_GUEST_MODULES=${E2E_GUEST_MODULES:-zram}
# The network driver /init loads at boot (for ssh), likewise.
E2E_NET_MODULES=${E2E_NET_MODULES:-virtio_net}

e2e_die() {
  echo "e2e: $*" >&2
  exit 1
}

e2e_log() {
  echo "e2e: $*" >&2
}

e2e_now() {
  date +%s.%N
}

# e2e_elapsed START: seconds since START (from e2e_now), two decimals.
e2e_elapsed() {
  awk -v a="$1" -v b="$(e2e_now)" 'BEGIN { printf "%.2f", b - a }'
}

# The project's Deno: $DENO, the one `make deno` installs, or deno on PATH.
e2e_deno() {
  if [ -n "${DENO:-}" ]; then
    echo "$DENO"
  elif [ -x "$E2E_REPO/.deno/node_modules/@deno/linux-x64-glibc/deno" ]; then
    echo "$E2E_REPO/.deno/node_modules/@deno/linux-x64-glibc/deno"
  elif command -v deno > /dev/null; then
    command -v deno
  else
    e2e_die "no Deno: run make deno"
  fi
}

# e2e_need_tools: fail with the Debian packages to install when a host tool is missing.
e2e_need_tools() {
  local missing=() tool pkg
  for pair in qemu-system-x86_64:qemu-system-x86 cpio:cpio xz:xz-utils \
    flock:util-linux timeout:coreutils base64:coreutils dpkg-deb:dpkg \
    apt-get:apt awk:mawk ldconfig:libc-bin ssh:openssh-client scp:openssh-client \
    ssh-keygen:openssh-client; do
    tool=${pair%%:*}
    pkg=${pair#*:}
    command -v "$tool" > /dev/null || PATH=$PATH:/sbin:/usr/sbin command -v "$tool" > /dev/null ||
      missing+=("$pkg")
  done
  if [ ! -x /bin/busybox ] || ldd /bin/busybox > /dev/null 2>&1; then
    missing+=(busybox-static)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    e2e_die "missing host tools: apt-get install -y $(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')"
  fi
}

# e2e_apt_lists: makes sure apt knows Debian's packages (a fresh Debian has no
# package lists): runs apt-get update once when root, else says so.
e2e_apt_lists() {
  local candidate
  candidate=$(apt-cache policy numactl 2> /dev/null | sed -n 's/^ *Candidate: //p')
  [ -n "$candidate" ] && [ "$candidate" != "(none)" ] && return 0
  if [ "$(id -u)" = 0 ]; then
    e2e_log "apt has no package lists: apt-get update"
    apt-get update -q > /dev/null || e2e_die "apt-get update failed"
  else
    e2e_die "apt has no package lists: run apt-get update as root"
  fi
}

# --- Kernels ---------------------------------------------------------------

# e2e_module_deps FILE: the modules FILE (a .ko or .ko.xz) depends on.
e2e_module_deps() {
  case "$1" in
    *.xz) xz -dc "$1" ;;
    *.zst) zstd -dc "$1" ;;
    *) cat "$1" ;;
  esac | tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '
}

# e2e_copy_modules MODDIR OUTDIR NAME...: decompressed NAME.ko and what they
# need into OUTDIR, and their load order (dependencies first) into OUTDIR/order.
# kmod is not needed: dependencies are read from each module's .modinfo.
e2e_copy_modules() {
  local moddir=$1 out=$2
  shift 2
  local -A path=() seen=()
  local f n
  while IFS= read -r f; do
    n=$(basename "$f")
    n=${n%%.ko*}
    path[${n//-/_}]=$f
  done < <(find "$moddir" -name '*.ko*')
  mkdir -p "$out"
  : > "$out/order"
  _e2e_add_module() {
    local name=${1//-/_} dep
    [ -n "${seen[$name]:-}" ] && return 0
    seen[$name]=1
    if [ -z "${path[$name]:-}" ]; then
      grep -q "/${name}.ko\$" "$moddir/modules.builtin" 2> /dev/null && return 0
      grep -q "/${1}.ko\$" "$moddir/modules.builtin" 2> /dev/null && return 0
      e2e_die "kernel module $1 is neither a module nor built in"
    fi
    for dep in $(e2e_module_deps "${path[$name]}"); do _e2e_add_module "$dep"; done
    case "${path[$name]}" in
      *.xz) xz -dc "${path[$name]}" > "$out/$name.ko" ;;
      *.zst) zstd -qdc "${path[$name]}" > "$out/$name.ko" ;;
      *) cp "${path[$name]}" "$out/$name.ko" ;;
    esac
    echo "$name" >> "$out/order"
  }
  for n in "$@"; do _e2e_add_module "$n"; done
}

# _e2e_kernel_deb VERSION TMP: downloads linux-image-VERSION into TMP and
# unpacks the image and the modules the guest may need into TMP/x (the rest is
# 400 MB of drivers).
_e2e_kernel_deb() {
  local version=$1 tmp=$2
  (cd "$tmp" && apt-get download -q "linux-image-$version" > download.log 2>&1) ||
    { cat "$tmp/download.log" >&2; return 1; }
  mkdir -p "$tmp/x"
  dpkg-deb --fsys-tarfile "$tmp"/linux-image-*.deb | tar -x -C "$tmp/x" --wildcards \
    './boot/*' './lib/modules/*/modules.builtin' './lib/modules/*/kernel/drivers/block/*' \
    './lib/modules/*/kernel/lib/*' './lib/modules/*/kernel/crypto/*' './lib/modules/*/kernel/mm/*' \
    './lib/modules/*/kernel/drivers/net/*' './lib/modules/*/kernel/net/core/*' ||
    { echo "e2e: cannot unpack the kernel" >&2; return 1; }
}

# e2e_debian_kernel: Debian's newest linux-image-6.12.*+deb12-amd64 (or
# $kernel_version), downloaded once into the cache. Sets E2E_KERNEL_IMAGE,
# E2E_KERNEL_MODULES and E2E_KERNEL_NET_MODULES (folders of .ko files and
# their load order) and E2E_KERNEL_NAME. A cache made before the network
# driver was wanted gets it with a second download, into net/.
e2e_debian_kernel() {
  local version=${kernel_version:-} pkg dir tmp
  if [ -z "$version" ]; then
    find "$E2E_CACHE/kernels" -maxdepth 2 -path '*/debian-*/complete' 2> /dev/null | grep -q . ||
      e2e_apt_lists
    pkg=$(apt-cache pkgnames linux-image-6.12. 2> /dev/null |
      grep -E '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' | sort -V | tail -n 1)
    if [ -n "$pkg" ]; then
      version=${pkg#linux-image-}
    else
      dir=$(find "$E2E_CACHE/kernels" -maxdepth 1 -name 'debian-6.12.*+deb12-amd64' 2> /dev/null |
        sort -V | tail -n 1)
      [ -n "$dir" ] || e2e_die "apt knows no linux-image-6.12.*+deb12-amd64: run apt-get update"
      version=${dir##*/debian-}
    fi
  fi
  dir=$E2E_CACHE/kernels/debian-$version
  if [ ! -f "$dir/complete" ]; then
    e2e_log "downloading Debian's kernel linux-image-$version into $dir"
    mkdir -p "$E2E_CACHE/kernels"
    tmp=$(mktemp -d "$E2E_CACHE/kernels/.download.XXXXXX")
    _e2e_kernel_deb "$version" "$tmp" || { rm -rf "$tmp"; e2e_die "cannot download linux-image-$version"; }
    mkdir -p "$tmp/keep"
    cp "$tmp/x/boot/vmlinuz-$version" "$tmp/keep/vmlinuz"
    cp "$tmp/x/boot/config-$version" "$tmp/keep/config"
    (e2e_copy_modules "$tmp/x/lib/modules/$version" "$tmp/keep/modules" $E2E_GUEST_MODULES) ||
      { rm -rf "$tmp"; exit 1; }
    echo "$version" > "$tmp/keep/modules/version"
    (e2e_copy_modules "$tmp/x/lib/modules/$version" "$tmp/keep/net" $E2E_NET_MODULES) ||
      { rm -rf "$tmp"; exit 1; }
    touch "$tmp/keep/net/complete"
    rm -rf "$dir"
    mv "$tmp/keep" "$dir"
    rm -rf "$tmp"
    touch "$dir/complete"
  fi
  if [ ! -f "$dir/net/complete" ]; then
    e2e_log "downloading Debian's kernel linux-image-$version once more for its network driver"
    tmp=$(mktemp -d "$E2E_CACHE/kernels/.download.XXXXXX")
    _e2e_kernel_deb "$version" "$tmp" || { rm -rf "$tmp"; e2e_die "cannot download linux-image-$version"; }
    (e2e_copy_modules "$tmp/x/lib/modules/$version" "$tmp/net" $E2E_NET_MODULES) ||
      { rm -rf "$tmp"; exit 1; }
    touch "$tmp/net/complete"
    rm -rf "$dir/net"
    mv "$tmp/net" "$dir/net"
    rm -rf "$tmp"
  fi
  E2E_KERNEL_IMAGE=$dir/vmlinuz
  E2E_KERNEL_MODULES=$dir/modules
  E2E_KERNEL_NET_MODULES=$dir/net
  E2E_KERNEL_NAME=debian-$version
}

# e2e_custom_kernel_dir: where `make vm-kernel` puts its kernel.
e2e_custom_kernel_dir() {
  echo "$E2E_CACHE/kernels/custom"
}

# e2e_kernel: the kernel chosen by $kernel: debian (default), custom (built by
# `make vm-kernel`, built now if missing) or the path of a bzImage.
e2e_kernel() {
  case "${kernel:-debian}" in
    debian)
      e2e_debian_kernel
      ;;
    custom)
      local dir
      dir=$(e2e_custom_kernel_dir)
      if [ ! -f "$dir/bzImage" ]; then
        e2e_log "no custom kernel yet: building it (make vm-kernel, about 5-7 minutes on 2 cores)"
        "$E2E_DIR/kernel/build.sh" || e2e_die "cannot build the custom kernel"
      fi
      E2E_KERNEL_IMAGE=$dir/bzImage
      E2E_KERNEL_MODULES=
      E2E_KERNEL_NET_MODULES=
      E2E_KERNEL_NAME=custom-$(cat "$dir/version" 2> /dev/null || echo unknown)
      ;;
    *)
      [ -f "$kernel" ] || e2e_die "kernel=$kernel: expected debian, custom or the path of a kernel image"
      E2E_KERNEL_IMAGE=$(realpath "$kernel")
      E2E_KERNEL_MODULES=
      E2E_KERNEL_NET_MODULES=
      E2E_KERNEL_NAME=$(basename "$kernel")
      ;;
  esac
}

# --- The initramfs -----------------------------------------------------------

# e2e_numactl_root: Debian's numactl and libnuma1 unpacked (downloaded once);
# prints the folder.
e2e_numactl_root() {
  local version dir tmp
  find "$E2E_CACHE/debs" -maxdepth 2 -path '*/numactl-*/complete' 2> /dev/null | grep -q . ||
    e2e_apt_lists
  version=$(apt-cache policy numactl 2> /dev/null | sed -n 's/^ *Candidate: //p')
  if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    dir=$(find "$E2E_CACHE/debs" -maxdepth 1 -name 'numactl-*' 2> /dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] || e2e_die "apt knows no numactl package: run apt-get update"
    echo "$dir"
    return
  fi
  dir=$E2E_CACHE/debs/numactl-$version
  if [ ! -f "$dir/complete" ]; then
    mkdir -p "$E2E_CACHE/debs"
    tmp=$(mktemp -d "$E2E_CACHE/debs/.download.XXXXXX")
    (cd "$tmp" && apt-get download -q "numactl=$version" "libnuma1=$version" > download.log 2>&1) ||
      { cat "$tmp/download.log" >&2; rm -rf "$tmp"; e2e_die "cannot download numactl and libnuma1"; }
    for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/root"; done
    rm -rf "$dir"
    mv "$tmp/root" "$dir"
    rm -rf "$tmp"
    touch "$dir/complete"
  fi
  echo "$dir"
}

# e2e_debs_root NAME PKG...: Debian's packages PKG (apt's candidates at the
# first use) downloaded once and unpacked together into the cache; prints the
# folder. The folder is named after the package list, so another list gets
# its own.
e2e_debs_root() {
  local name=$1 dir tmp deb
  shift
  dir=$E2E_CACHE/debs/$name-$(printf '%s\n' "$@" | cksum | cut -d' ' -f1)
  if [ ! -f "$dir/complete" ]; then
    e2e_apt_lists
    mkdir -p "$E2E_CACHE/debs"
    tmp=$(mktemp -d "$E2E_CACHE/debs/.download.XXXXXX")
    (cd "$tmp" && apt-get download -q "$@" > download.log 2>&1) ||
      { cat "$tmp/download.log" >&2; rm -rf "$tmp"; e2e_die "cannot download $*"; }
    for deb in "$tmp"/*.deb; do
      dpkg-deb -x "$deb" "$tmp/root" || { rm -rf "$tmp"; e2e_die "cannot unpack $deb"; }
      dpkg-deb -f "$deb" Package Version | paste -sd' ' >> "$tmp/root/versions"
    done
    rm -rf "$dir"
    mv "$tmp/root" "$dir"
    rm -rf "$tmp"
    touch "$dir/complete"
  fi
  echo "$dir"
}

# e2e_copy_libs ROOT LIBPATH [--optional] ELF...: copies the shared libraries
# the ELF files (paths inside ROOT) need, found in LIBPATH (a colon list of
# unpacked packages' folders) or on this host (a Debian 12, as the guest's
# glibc), into ROOT/lib/x86_64-linux-gnu. A library found nowhere is an error,
# unless --optional: then the file that needs it is removed (a Python
# extension module whose library this host lacks).
e2e_copy_libs() {
  local root=$1 libpath=$2 optional=0 f lib path missing
  shift 2
  if [ "${1:-}" = --optional ]; then
    optional=1
    shift
  fi
  for f in "$@"; do
    missing=
    while read -r lib path; do
      if [ "$path" = "not" ]; then
        missing+=" $lib"
      elif [ ! -e "$root/lib/x86_64-linux-gnu/$lib" ]; then
        cp -L "$path" "$root/lib/x86_64-linux-gnu/$lib"
      fi
    done < <(LD_LIBRARY_PATH=$libpath ldd "$root/$f" 2> /dev/null | awk '$2 == "=>" && $1 !~ /^linux-vdso/ { print $1, $3 }')
    if [ -n "$missing" ]; then
      [ $optional = 1 ] || e2e_die "$f needs$missing, which neither its packages nor this host have"
      rm -f "$root/$f"
    fi
  done
}

# e2e_guest_extras: a file tree to add to the guest, made once into the cache
# from Debian's packages: dropbear (the sshd) and OpenSSH's sftp-server (scp
# uses SFTP), python3.11 with its standard library (without its tests), and
# the libraries they need. Prints the folder.
E2E_EXTRAS_RECIPE=1
# The host's glibc libraries the guest gets (what Deno's runtime needs).
E2E_GLIBC_LIBS="libc.so.6 libm.so.6 libdl.so.2 librt.so.1 libpthread.so.0 libgcc_s.so.1
  libutil.so.1 libresolv.so.2 libnss_files.so.2"
e2e_guest_extras() {
  local dir=$E2E_CACHE/guest-extras-$E2E_EXTRAS_RECIPE ssh py tmp libpath f
  if [ ! -f "$dir/complete" ]; then
    ssh=$(e2e_debs_root dropbear dropbear-bin libtomcrypt1 libtommath1 openssh-sftp-server) || exit 1
    py=$(e2e_debs_root python3 python3.11-minimal libpython3.11-minimal libpython3.11-stdlib libexpat1) ||
      exit 1
    mkdir -p "$E2E_CACHE"
    tmp=$(mktemp -d "$E2E_CACHE/.guest-extras.XXXXXX")
    mkdir -p "$tmp"/{usr/sbin,usr/bin,usr/lib/openssh,lib/x86_64-linux-gnu,etc}
    cp "$ssh/usr/sbin/dropbear" "$tmp/usr/sbin/"
    cp "$ssh/usr/bin/dropbearkey" "$tmp/usr/bin/"
    cp "$ssh/usr/lib/openssh/sftp-server" "$tmp/usr/lib/openssh/"
    # Where Debian's dropbear looks for the SFTP server.
    ln -s openssh/sftp-server "$tmp/usr/lib/sftp-server"
    cp "$py/usr/bin/python3.11" "$tmp/usr/bin/"
    ln -s python3.11 "$tmp/usr/bin/python3"
    cp -a "$py/usr/lib/python3.11" "$tmp/usr/lib/"
    [ -d "$py/etc/python3.11" ] && cp -a "$py/etc/python3.11" "$tmp/etc/"
    # Without its tests, and without the extension modules that would bring
    # 8 MB of libraries a VM without network or databases does not use: ssl
    # and hashlib's OpenSSL (hashlib has its own md5, sha* and blake2), nis
    # (Kerberos, tirpc), dbm (Berkeley DB).
    rm -rf "$tmp/usr/lib/python3.11/test" "$tmp"/usr/lib/python3.11/lib-dynload/{_test,xxlimited,_xxtestfuzz,_ssl,_hashlib,nis,_dbm}*
    cat "$ssh/versions" "$py/versions" > "$tmp/usr/lib/e2e-extras.versions"
    libpath=$ssh/usr/lib/x86_64-linux-gnu:$py/usr/lib/x86_64-linux-gnu:$py/lib/x86_64-linux-gnu
    (
      e2e_copy_libs "$tmp" "$libpath" usr/sbin/dropbear usr/bin/dropbearkey usr/lib/openssh/sftp-server usr/bin/python3.11
      cd "$tmp" && e2e_copy_libs "$tmp" "$libpath" --optional usr/lib/python3.11/lib-dynload/*.so
    ) || { rm -rf "$tmp"; exit 1; }
    # The guest has these from the host already (e2e_build_initramfs).
    for f in $E2E_GLIBC_LIBS; do rm -f "$tmp/lib/x86_64-linux-gnu/$f"; done
    rm -rf "$dir"
    mv "$tmp" "$dir"
    touch "$dir/complete"
  fi
  echo "$dir"
}

# e2e_build_initramfs OUT: the VM's whole file system as one uncompressed cpio
# archive: busybox, /init, the agent and helpers, numactl's tools, the glibc
# libraries Deno's runtime needs, dropbear and python3 (e2e_guest_extras), the
# kernel's modules ($E2E_KERNEL_MODULES, $E2E_KERNEL_NET_MODULES), the ssh
# keys of $E2E_SSH_DIR (e2e_ssh_prepare), and bin/memtierd and bin/meme copied
# in as plain files. Uncompressed because the two programs are compressed
# already, and unpacking is then fastest.
e2e_build_initramfs() {
  local out=$1 root numactl extras lib a
  root=$(mktemp -d "${TMPDIR:-/tmp}/e2e-root.XXXXXX")
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,usr/lib/e2e,etc,proc,sys,dev,tmp,run,root,lib64,lib/x86_64-linux-gnu,lib/modules,var/log}
  chmod 700 "$root/root"
  cp /bin/busybox "$root/bin/busybox"
  ln -s busybox "$root/bin/sh" # /init installs the other applets' links
  numactl=$(e2e_numactl_root) || exit 1
  for a in numactl numastat migratepages memhog; do
    [ -x "$numactl/usr/bin/$a" ] && cp "$numactl/usr/bin/$a" "$root/usr/bin/"
  done
  cp -a "$numactl"/usr/lib/x86_64-linux-gnu/libnuma.so.1* "$root/lib/x86_64-linux-gnu/"
  for lib in $E2E_GLIBC_LIBS; do
    cp -L "/lib/x86_64-linux-gnu/$lib" "$root/lib/x86_64-linux-gnu/$lib"
  done
  cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
  extras=$(e2e_guest_extras) || exit 1
  cp -a "$extras"/. "$root"/
  rm -f "$root/complete"
  printf '/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n' > "$root/etc/ld.so.conf"
  PATH=$PATH:/sbin:/usr/sbin ldconfig -r "$root" 2> /dev/null
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
  printf 'root:x:0:\n' > "$root/etc/group"
  printf '127.0.0.1 localhost\n' > "$root/etc/hosts"
  printf '/bin/sh\n' > "$root/etc/shells"
  ln -s /run "$root/var/run"
  # Login shells (the console's, ssh's) get the PATH a Debian root has.
  cat > "$root/etc/profile" << 'EOF'
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PS1='\u@\h:\w# '
cd /root
EOF
  if [ -n "${E2E_SSH_DIR:-}" ]; then
    mkdir -p -m 700 "$root/root/.ssh"
    install -m 600 "$E2E_SSH_DIR/id_ed25519.pub" "$root/root/.ssh/authorized_keys"
    mkdir -p -m 700 "$root/etc/dropbear"
    install -m 600 "$E2E_SSH_DIR/host_key" "$root/etc/dropbear/dropbear_ed25519_host_key"
    mkdir -p "$root/etc/e2e"
    e2e_ssh_lines > "$root/etc/e2e/ssh.txt"
  fi
  install -m 755 "$E2E_DIR/guest/init" "$root/init"
  install -m 755 "$E2E_DIR/guest/agent" "$root/usr/lib/e2e/agent"
  for a in "$E2E_DIR"/guest/bin/*; do
    install -m 755 "$a" "$root/usr/local/bin/"
  done
  if [ -n "${E2E_KERNEL_MODULES:-}" ] && [ -d "$E2E_KERNEL_MODULES" ]; then
    cp -a "$E2E_KERNEL_MODULES" "$root/lib/modules/e2e"
  fi
  if [ -n "${E2E_KERNEL_NET_MODULES:-}" ] && [ -d "$E2E_KERNEL_NET_MODULES" ]; then
    cp -a "$E2E_KERNEL_NET_MODULES" "$root/lib/modules/e2e-net"
  fi
  # As a user would copy them: plain files in /usr/local/bin.
  [ -n "${memtierd_bin:-}" ] && cp "$memtierd_bin" "$root/usr/local/bin/memtierd"
  [ -n "${meme_bin:-}" ] && cp "$meme_bin" "$root/usr/local/bin/meme"
  (cd "$root" && find . -print0 | LC_ALL=C sort -z |
    cpio --null --create --format=newc --owner=0:0 --quiet) > "$out.tmp" ||
    { rm -rf "$root"; e2e_die "cannot write the initramfs"; }
  mv "$out.tmp" "$out"
  rm -rf "$root"
}

# --- ssh -----------------------------------------------------------------------

# e2e_free_port: a TCP port in 20000-32767 that no socket of this host uses
# (below Linux's ephemeral ports, so outgoing connections do not take it).
e2e_free_port() {
  local used port i
  used=$(awk 'NR > 1 { split($2, a, ":"); print a[2] }' /proc/net/tcp /proc/net/tcp6 2> /dev/null | sort -u)
  for ((i = 0; i < 100; i++)); do
    port=$((20000 + RANDOM % 12768))
    grep -qx "$(printf '%04X' "$port")" <<< "$used" || { echo "$port"; return 0; }
  done
  e2e_die "no free TCP port found in 20000-32767"
}

# e2e_ssh_prepare: the VM's ssh files in $E2E_VMDIR/ssh (E2E_SSH_DIR), made
# once per VM folder: a key pair for root (id_ed25519), the guest's host key
# (host_key, dropbear's format), known_hosts (the host key under the VM's
# name, checked through HostKeyAlias, so a new port needs no new entry); and
# for each boot a free port (E2E_SSH_PORT) and ssh_config (E2E_SSH_CONFIG),
# whose Host is the VM's name.
e2e_ssh_prepare() {
  local name=${vm:-e2e-vm} extras pub
  mkdir -p "$E2E_VMDIR/ssh"
  E2E_SSH_DIR=$(cd "$E2E_VMDIR/ssh" && pwd)
  chmod 700 "$E2E_SSH_DIR"
  extras=$(e2e_guest_extras) || exit 1
  if [ ! -f "$E2E_SSH_DIR/id_ed25519" ]; then
    ssh-keygen -q -t ed25519 -N '' -C "root@$name (memtierd e2e VM)" -f "$E2E_SSH_DIR/id_ed25519" ||
      e2e_die "cannot make an ssh key in $E2E_SSH_DIR"
  fi
  if [ ! -f "$E2E_SSH_DIR/host_key" ]; then
    LD_LIBRARY_PATH=$extras/lib/x86_64-linux-gnu "$extras/usr/bin/dropbearkey" -t ed25519 \
      -f "$E2E_SSH_DIR/host_key" > /dev/null 2>&1 || e2e_die "cannot make the VM's ssh host key"
  fi
  pub=$(LD_LIBRARY_PATH=$extras/lib/x86_64-linux-gnu "$extras/usr/bin/dropbearkey" -y \
    -f "$E2E_SSH_DIR/host_key" 2> /dev/null | grep '^ssh-ed25519 ' | cut -d' ' -f1,2)
  [ -n "$pub" ] || e2e_die "cannot read the VM's ssh host key $E2E_SSH_DIR/host_key"
  echo "$name $pub" > "$E2E_SSH_DIR/known_hosts"
  E2E_SSH_PORT=$(e2e_free_port) || exit 1
  E2E_SSH_CONFIG=$E2E_SSH_DIR/ssh_config
  cat > "$E2E_SSH_CONFIG" << EOF
# ssh -F $E2E_SSH_CONFIG $name: root in the e2e VM $name (this boot's port)
Host $name
  HostName 127.0.0.1
  Port $E2E_SSH_PORT
  User root
  IdentityFile $E2E_SSH_DIR/id_ed25519
  IdentitiesOnly yes
  HostKeyAlias $name
  UserKnownHostsFile $E2E_SSH_DIR/known_hosts
  StrictHostKeyChecking yes
  LogLevel ERROR
EOF
  echo "$E2E_SSH_PORT" > "$E2E_SSH_DIR/port"
  export E2E_SSH_DIR E2E_SSH_PORT E2E_SSH_CONFIG
}

# e2e_ssh_lines: how to reach the VM with ssh and scp, for people.
e2e_ssh_lines() {
  local name=${vm:-e2e-vm}
  cat << EOF
ssh and scp reach this VM on 127.0.0.1:$E2E_SSH_PORT (from this host only), e.g. from another terminal:
  scp -F $E2E_SSH_CONFIG bin/memtierd $name:
  ssh -F $E2E_SSH_CONFIG $name "sudo mv memtierd /usr/local/bin"
  ssh -F $E2E_SSH_CONFIG $name
or: vm=$name tests/e2e/run.sh ssh [COMMAND]; without the config file:
  ssh -i $E2E_SSH_DIR/id_ed25519 -p $E2E_SSH_PORT -o UserKnownHostsFile=$E2E_SSH_DIR/known_hosts -o HostKeyAlias=$name root@127.0.0.1
EOF
}

# --- QEMU ------------------------------------------------------------------

# e2e_accel: the accelerator to use ($accel: auto (default), kvm or tcg). auto
# takes KVM only if a tiny VM actually boots with it (once per host boot).
e2e_accel() {
  local want=${accel:-auto} stamp dir result
  case "$want" in
    tcg | kvm)
      echo "$want"
      return
      ;;
    auto) ;;
    *) e2e_die "accel=$want: expected auto, kvm or tcg" ;;
  esac
  if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
    echo tcg
    return
  fi
  stamp=$E2E_CACHE/kvm-works.$(cat /proc/sys/kernel/random/boot_id)
  if [ ! -f "$stamp" ]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/e2e-kvm.XXXXXX")
    mkdir -p "$dir/root/bin"
    cp /bin/busybox "$dir/root/bin/"
    printf '#!/bin/busybox sh\n/bin/busybox echo E2E-KVM-WORKS\n/bin/busybox poweroff -f\n' > "$dir/root/init"
    chmod 755 "$dir/root/init"
    (cd "$dir/root" && find . | cpio --create --format=newc --quiet) > "$dir/initrd"
    result=no
    if timeout 60 qemu-system-x86_64 -nodefaults -no-user-config -display none -no-reboot \
      -accel kvm -cpu host -m 256 -kernel "$E2E_KERNEL_IMAGE" -initrd "$dir/initrd" \
      -append "console=ttyS0 panic=-1 quiet" -serial "file:$dir/console" > /dev/null 2>&1 &&
      grep -q E2E-KVM-WORKS "$dir/console"; then
      result=yes
    fi
    rm -rf "$dir"
    mkdir -p "$E2E_CACHE"
    rm -f "$E2E_CACHE"/kvm-works.*
    echo "$result" > "$stamp"
  fi
  if [ "$(cat "$stamp")" = yes ]; then echo kvm; else echo tcg; fi
}

# e2e_vm_start: boots a VM. Reads: vm (name), topology (JSON), E2E_VMDIR
# (state folder), E2E_MODE (test or interactive), memtierd_bin, meme_bin,
# kernel, accel, qemu_extra (more QEMU options). Sets E2E_QEMU_PID. In
# interactive mode the console is this terminal; otherwise console.log.
e2e_vm_start() {
  local mode=${E2E_MODE:-test} deno topo acc started cmdline initrd
  local -a topo_args accel_args console_args
  [ -n "${topology:-}" ] || e2e_die "no topology: set topology='[{\"cores\": 2, \"mem\": \"2G\", \"nodes\": 2}]'"
  [ -n "${E2E_VMDIR:-}" ] || e2e_die "internal: no E2E_VMDIR"
  e2e_need_tools
  deno=$(e2e_deno)
  topo=$("$deno" run --quiet "$E2E_DIR/lib/topology_cli.ts" qemu-args "$topology") ||
    e2e_die "bad topology: $topology"
  mapfile -t topo_args <<< "$topo"
  mkdir -p "$E2E_VMDIR"
  rm -f "$E2E_VMDIR"/{agent.in,agent.out,monitor.sock,qemu.pid,console.log,console.panic.log,qemu.log}
  mkfifo "$E2E_VMDIR/agent.in" "$E2E_VMDIR/agent.out"
  "$deno" run --quiet "$E2E_DIR/lib/topology_cli.ts" describe "$topology" > "$E2E_VMDIR/topology.txt"

  e2e_kernel
  initrd=$E2E_VMDIR/initramfs.cpio
  started=$(e2e_now)
  e2e_ssh_prepare
  e2e_build_initramfs "$initrd"
  acc=$(e2e_accel)
  if [ "$acc" = kvm ]; then
    accel_args=(-accel kvm -cpu host)
  else
    accel_args=(-accel tcg,thread=multi -cpu max)
  fi
  # Warnings (loglevel 5) go to the test's console log, not to a user's terminal.
  cmdline="console=ttyS0,115200 panic=-1 quiet loglevel=$([ "$mode" = interactive ] && echo 4 || echo 5)"
  cmdline+=" tsc=reliable numa_balancing=disable rdinit=/init"
  cmdline+=" e2e.mode=$mode e2e.vm=${vm:-e2e-vm}"
  if [ "$mode" = interactive ]; then
    if [ -t 0 ]; then
      cmdline+=" e2e.tty=$(stty size < /dev/tty 2> /dev/null | tr ' ' x)"
    fi
    console_args=(-chardev "stdio,id=con,mux=on,signal=off,logfile=$E2E_VMDIR/console.log"
      -serial chardev:con -mon chardev=con,mode=readline)
  else
    console_args=(-chardev "file,id=con,path=$E2E_VMDIR/console.log" -serial chardev:con)
  fi
  {
    echo "vm: ${vm:-e2e-vm}"
    echo "topology: $topology"
    echo "kernel: $E2E_KERNEL_NAME ($E2E_KERNEL_IMAGE)"
    echo "accel: $acc"
    echo "memtierd: ${memtierd_bin:-none}"
    echo "meme: ${meme_bin:-none}"
    echo "ssh: 127.0.0.1:$E2E_SSH_PORT ($E2E_SSH_CONFIG)"
  } > "$E2E_VMDIR/vm.txt"
  # shellcheck disable=SC2206 # qemu_extra is options separated by spaces
  local -a qemu=(qemu-system-x86_64 -name "${vm:-e2e-vm}" -nodefaults -no-user-config
    -display none -no-reboot "${accel_args[@]}" "${topo_args[@]}"
    -kernel "$E2E_KERNEL_IMAGE" -initrd "$initrd" -append "$cmdline"
    "${console_args[@]}"
    -device virtio-serial-pci,id=vser0
    -chardev "pipe,id=agent,path=$E2E_VMDIR/agent"
    -device "virtserialport,bus=vser0.0,chardev=agent,name=$E2E_AGENT_PORT"
    -monitor "unix:$E2E_VMDIR/monitor.sock,server=on,wait=off"
    -netdev "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:$E2E_SSH_PORT-:22"
    -device virtio-net-pci,netdev=net0
    ${qemu_extra:-})
  printf '%q ' "${qemu[@]}" > "$E2E_VMDIR/qemu.cmd"
  echo >> "$E2E_VMDIR/qemu.cmd"
  local attempt
  for attempt in 1 2; do
    if [ "$mode" = interactive ]; then
      "${qemu[@]}" <&0 2> "$E2E_VMDIR/qemu.log" &
    else
      "${qemu[@]}" < /dev/null > "$E2E_VMDIR/qemu.log" 2>&1 &
    fi
    E2E_QEMU_PID=$!
    echo "$E2E_QEMU_PID" > "$E2E_VMDIR/qemu.pid"
    e2e_vm_wait_ready "${boot_timeout:-180}" && break
    # A guest kernel that panicked while booting (seen once in a while under
    # TCG on a loaded host) powers QEMU off (panic=-1, -no-reboot): boot
    # again once, keeping the first console. Anything else is a failure.
    if [ "$attempt" = 1 ] && ! e2e_vm_alive && grep -q "Kernel panic" "$E2E_VMDIR/console.log"; then
      wait "$E2E_QEMU_PID" 2> /dev/null
      mv "$E2E_VMDIR/console.log" "$E2E_VMDIR/console.panic.log"
      e2e_log "VM ${vm:-e2e-vm}: the guest kernel panicked while booting ($(grep -m1 -o "Kernel panic.*" "$E2E_VMDIR/console.panic.log" | cut -c1-100)); booting once more (first console: console.panic.log)"
      continue
    fi
    e2e_log "VM ${vm:-e2e-vm} did not come up; its console (tail):"
    tail -n 30 "$E2E_VMDIR/console.log" >&2
    tail -n 5 "$E2E_VMDIR/qemu.log" >&2
    return 1
  done
  E2E_BOOT_SECONDS=$(e2e_elapsed "$started")
  echo "boot: $E2E_BOOT_SECONDS s" >> "$E2E_VMDIR/vm.txt"
  export E2E_VMDIR E2E_QEMU_PID
}

e2e_vm_alive() {
  local pid=${E2E_QEMU_PID:-}
  [ -n "$pid" ] || pid=$(cat "$E2E_VMDIR/qemu.pid" 2> /dev/null)
  [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null
}

# e2e_vm_stop: powers the VM off through the agent; kills QEMU after 10 s.
e2e_vm_stop() {
  local pid=${E2E_QEMU_PID:-} i
  [ -n "$pid" ] || pid=$(cat "${E2E_VMDIR:-/nonexistent}/qemu.pid" 2> /dev/null)
  if [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null; then
    e2e_agent_send "poweroff-$$" 10 "sync; poweroff -f" 2> /dev/null
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2> /dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2> /dev/null; then
      kill -TERM "$pid" 2> /dev/null
      sleep 1
      kill -KILL "$pid" 2> /dev/null
    fi
    wait "$pid" 2> /dev/null
  fi
  E2E_QEMU_PID=
  if [ -n "${E2E_VMDIR:-}" ]; then
    rm -f "$E2E_VMDIR"/{agent.in,agent.out,monitor.sock,qemu.pid,initramfs.cpio} "$E2E_VMDIR"/call.*.out "$E2E_VMDIR"/call.*.err
  fi
}

# --- The agent's client --------------------------------------------------------

# e2e_agent_send ID TIMEOUT SCRIPT: writes one request. The FIFO is opened
# read-write so that the open never blocks, even when QEMU is gone.
e2e_agent_send() {
  local fd
  exec {fd}<> "$E2E_VMDIR/agent.in" || return 1
  printf '@@REQ %s %s %s\n' "$1" "$2" "$(printf '%s' "$3" | base64 -w0)" >&"$fd"
  exec {fd}>&-
}

# _e2e_watchdog SECONDS TAG FD_PATH: after SECONDS, or as soon as QEMU or the
# calling shell is gone, writes "@@HOST TAG timeout|vm-gone" into the FIFO the
# caller reads, so that its blocking read ends.
_e2e_watchdog() {
  local tag=$2 caller=$3 end=$((SECONDS + $1)) why=timeout fd
  while [ $SECONDS -lt $end ]; do
    kill -0 "$caller" 2> /dev/null || return 0
    if ! e2e_vm_alive; then
      why=vm-gone
      break
    fi
    sleep 0.2
  done
  exec {fd}<> "$E2E_VMDIR/agent.out" || return 0
  printf '\n@@HOST %s %s\n' "$tag" "$why" >&"$fd"
  exec {fd}>&-
}

# e2e_vm_wait_ready SECONDS: waits for the agent's @@READY line.
e2e_vm_wait_ready() {
  local fd tag a wd rc=1
  exec {fd}<> "$E2E_VMDIR/agent.out"
  _e2e_watchdog "$1" ready "$BASHPID" {fd}<&- &
  wd=$!
  while IFS=' ' read -r tag a _ <&"$fd"; do
    case "$tag" in
      @@READY)
        rc=0
        break
        ;;
      @@HOST) [ "$a" = ready ] && break ;;
    esac
  done
  kill "$wd" 2> /dev/null
  wait "$wd" 2> /dev/null
  exec {fd}<&-
  return $rc
}

E2E_CALL_SEQ=0
# e2e_vm_call TIMEOUT SCRIPT: runs SCRIPT in the VM with sh, killed after
# TIMEOUT seconds. Returns its exit status; its stdout and stderr are in the
# files $E2E_CALL_OUT and $E2E_CALL_ERR. When the VM gives no answer
# (TIMEOUT + 15 s) or is gone, returns 255 with $E2E_CALL_FAILURE set.
e2e_vm_call() {
  local timeout=$1 script=$2 id fd lock wd tag rid kind n rc=255
  E2E_CALL_SEQ=$((E2E_CALL_SEQ + 1))
  id=$$-$E2E_CALL_SEQ-$RANDOM
  E2E_CALL_OUT=$E2E_VMDIR/call.$$.out
  E2E_CALL_ERR=$E2E_VMDIR/call.$$.err
  E2E_CALL_FAILURE=
  : > "$E2E_CALL_OUT"
  : > "$E2E_CALL_ERR"
  if ! e2e_vm_alive; then
    E2E_CALL_FAILURE="the VM is not running"
    return 255
  fi
  exec {lock}>> "$E2E_VMDIR/agent.lock"
  flock "$lock"
  exec {fd}<> "$E2E_VMDIR/agent.out"
  # The watchdog and its sleeps must not hold the lock.
  _e2e_watchdog $((timeout + 15)) "$id" "$BASHPID" {lock}>&- {fd}<&- &
  wd=$!
  e2e_agent_send "$id" "$timeout" "$script"
  while IFS=' ' read -r tag rid kind n <&"$fd"; do
    if [ "$tag" = @@HOST ] && [ "$rid" = "$id" ]; then
      E2E_CALL_FAILURE="no answer from the VM ($kind)"
      break
    fi
    [ "$tag" = @@RSP ] && [ "$rid" = "$id" ] || continue
    case "$kind" in
      OUT) base64 -d <<< "$n" > "$E2E_CALL_OUT" ;;
      ERR) base64 -d <<< "$n" > "$E2E_CALL_ERR" ;;
      RC)
        rc=$n
        break
        ;;
    esac
  done
  kill "$wd" 2> /dev/null
  wait "$wd" 2> /dev/null
  exec {fd}<&-
  exec {lock}>&-
  if [ -z "$E2E_CALL_FAILURE" ] && [ "$rc" = 137 ]; then
    E2E_CALL_FAILURE="killed after the ${timeout} s timeout (or by SIGKILL)"
  fi
  return "$rc"
}
