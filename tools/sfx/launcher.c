/*
 * Single-file launcher for memtierd's Deno programs.
 *
 * `deno compile` needs Deno's `denort` runtime, which is not always available.
 * Without it, `make bin/memtierd` builds this launcher and appends two
 * payloads and a trailer to it, giving one executable file:
 *
 *   [launcher ELF][zstd(deno runtime)][bundled program .js][trailer]
 *
 * On start the launcher makes sure that the runtime and the program sit in a
 * private cache folder (extracted once, atomically), then replaces itself
 * with `deno run -A <program> <user's arguments>`. Later starts do not read
 * the 95 MB runtime again: they compare cheap identifiers. Next to each
 * extracted file, `<file>.id` records the identity it had when extracted
 * (device, inode, size, modification and inode change times); a file runs
 * only if it is a regular file of ours, writable by nobody else, of the
 * embedded size, and its identity still matches. Any later write, chmod or
 * replacement changes the inode change time, which no unprivileged process
 * can set back, so a file modified after extraction is extracted again
 * rather than run. The runtime is shared by every
 * program built this way (memtierd and meme), keyed by its digest. It is run
 * through a symlink named after the program (`<cache>/bin/memtierd`), so that
 * the process is called memtierd in ps and /proc/PID/comm, not deno-<digest>.
 *
 * Cache folder, first usable of: $MEMTIERD_CACHE_DIR, $XDG_CACHE_HOME/memtierd,
 * $HOME/.cache/memtierd, /var/tmp/memtierd-<uid>, /tmp/memtierd-<uid>.
 * "Usable" means a real folder (not a symlink) owned by the effective user and
 * writable by nobody else: memtierd runs as root, so a folder that another
 * user could write to would let them run code as root.
 *
 * Built statically (glibc + libzstd) so that the file runs on any x86-64
 * Linux host with a glibc new enough for Deno itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zstd.h>

#define MAGIC "MEMTIERD-SFX-v1"

/* Written by tools/build.ts; all integers little-endian. */
struct trailer {
  char magic[16];
  uint64_t runtime_offset;
  uint64_t runtime_zsize;
  uint64_t runtime_size;
  uint64_t program_offset;
  uint64_t program_size;
  char runtime_id[32];
  char program_id[32];
  char program_name[32];
};

static const char *self_name = "memtierd";

static void die(const char *what, const char *detail) {
  fprintf(stderr, "%s: cannot start: %s%s%s\n", self_name, what,
          detail ? ": " : "", detail ? detail : "");
  exit(70); /* EX_SOFTWARE: the executable itself is broken or unusable here */
}

static int pread_full(int fd, void *buf, size_t len, off_t off) {
  char *p = buf;
  while (len > 0) {
    ssize_t n = pread(fd, p, len, off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
    off += n;
  }
  return 0;
}

static int write_full(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

/* mkdir -p for one level; returns 0 when the folder exists afterwards. */
static int ensure_dir(const char *path, mode_t mode) {
  if (mkdir(path, mode) == 0 || errno == EEXIST) return 0;
  return -1;
}

/* A folder is trusted only if it is ours and nobody else can write to it. */
static int trusted_dir(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return 0;
  if (!S_ISDIR(st.st_mode)) return 0;
  if (st.st_uid != geteuid()) return 0;
  if (st.st_mode & (S_IWGRP | S_IWOTH)) return 0;
  return access(path, W_OK | X_OK) == 0;
}

static int try_cache_dir(char *out, size_t outlen, const char *parent,
                         const char *leaf) {
  if (!parent || !*parent) return 0;
  if (leaf) {
    ensure_dir(parent, 0700);
    if (snprintf(out, outlen, "%s/%s", parent, leaf) >= (int)outlen) return 0;
  } else if (snprintf(out, outlen, "%s", parent) >= (int)outlen) {
    return 0;
  }
  ensure_dir(out, 0700);
  return trusted_dir(out);
}

static void pick_cache_dir(char *out, size_t outlen) {
  char tmp[4096], leaf[64];
  if (try_cache_dir(out, outlen, getenv("MEMTIERD_CACHE_DIR"), NULL)) return;
  if (try_cache_dir(out, outlen, getenv("XDG_CACHE_HOME"), "memtierd")) return;
  const char *home = getenv("HOME");
  if (home && *home && snprintf(tmp, sizeof tmp, "%s/.cache", home) < (int)sizeof tmp &&
      try_cache_dir(out, outlen, tmp, "memtierd"))
    return;
  snprintf(leaf, sizeof leaf, "memtierd-%u", (unsigned)geteuid());
  if (try_cache_dir(out, outlen, "/var/tmp", leaf)) return;
  if (try_cache_dir(out, outlen, "/tmp", leaf)) return;
  die("no private writable cache folder for the Deno runtime",
      "set MEMTIERD_CACHE_DIR to a folder owned by you and writable only by you");
}

/* The identifiers of an extracted file, as written to and read from `.id`. */
static int identity(const char *path, char *out, size_t outlen) {
  struct stat st;
  if (lstat(path, &st) != 0) return -1;
  int n = snprintf(out, outlen, "%llu %llu %llu %lld.%09ld %lld.%09ld\n",
                   (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
                   (unsigned long long)st.st_size, (long long)st.st_mtim.tv_sec,
                   st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
  return n > 0 && (size_t)n < outlen ? 0 : -1;
}

/* Whether `path` is the file this launcher extracted, unchanged since. */
static int intact(const char *path, uint64_t size) {
  struct stat st;
  if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != size ||
      st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)))
    return 0;
  char idpath[4400], want[160], have[160];
  snprintf(idpath, sizeof idpath, "%s.id", path);
  int fd = open(idpath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return 0;
  ssize_t n = read(fd, have, sizeof have - 1);
  close(fd);
  if (n <= 0) return 0;
  have[n] = 0;
  return identity(path, want, sizeof want) == 0 && strcmp(want, have) == 0;
}

/* Records the identity of the file just extracted at `path`. */
static void record_identity(const char *dir, const char *path) {
  char id[160], idpath[4400], tmp[4200];
  if (identity(path, id, sizeof id) != 0) die("cannot stat the cache file", path);
  snprintf(idpath, sizeof idpath, "%s.id", path);
  snprintf(tmp, sizeof tmp, "%s/.id-XXXXXX", dir);
  int fd = mkstemp(tmp);
  if (fd < 0) die("cannot create a file in the cache folder", strerror(errno));
  if (write_full(fd, id, strlen(id)) != 0 || close(fd) != 0 || rename(tmp, idpath) != 0) {
    unlink(tmp);
    die("cannot write the cache's identity file", strerror(errno));
  }
}

/* Copy (or, with zsize != 0, decompress) a payload into `dest` atomically. */
static void extract(int self, const char *dir, const char *dest, uint64_t offset,
                    uint64_t zsize, uint64_t size, mode_t mode) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s/.extract-XXXXXX", dir);
  int out = mkstemp(tmp);
  if (out < 0) die("cannot create a file in the cache folder", strerror(errno));
  size_t inlen = 1 << 20;
  char *in = malloc(inlen);
  size_t outcap = ZSTD_DStreamOutSize();
  char *obuf = malloc(outcap);
  ZSTD_DCtx *dctx = zsize ? ZSTD_createDCtx() : NULL;
  if (!in || !obuf || (zsize && !dctx)) die("out of memory", NULL);
  uint64_t remaining = zsize ? zsize : size, written = 0;
  off_t pos = (off_t)offset;
  while (remaining > 0) {
    size_t n = remaining < inlen ? (size_t)remaining : inlen;
    if (pread_full(self, in, n, pos) != 0) die("cannot read the embedded payload", NULL);
    pos += (off_t)n;
    remaining -= n;
    if (!zsize) {
      if (write_full(out, in, n) != 0) die("cannot write the cache", strerror(errno));
      written += n;
      continue;
    }
    ZSTD_inBuffer ib = {in, n, 0};
    while (ib.pos < ib.size) {
      ZSTD_outBuffer ob = {obuf, outcap, 0};
      size_t r = ZSTD_decompressStream(dctx, &ob, &ib);
      if (ZSTD_isError(r)) die("corrupt embedded runtime", ZSTD_getErrorName(r));
      if (write_full(out, obuf, ob.pos) != 0) die("cannot write the cache", strerror(errno));
      written += ob.pos;
    }
  }
  if (dctx) ZSTD_freeDCtx(dctx);
  free(in);
  free(obuf);
  if (written != size) {
    unlink(tmp);
    die("embedded payload has the wrong size", dest);
  }
  if (fchmod(out, mode) != 0 || fsync(out) != 0 || close(out) != 0) {
    unlink(tmp);
    die("cannot finish the cache file", strerror(errno));
  }
  if (rename(tmp, dest) != 0) {
    unlink(tmp);
    die("cannot install the cache file", strerror(errno));
  }
  record_identity(dir, dest);
}

/*
 * Makes `link` a symlink to ../deno-<id> (atomically replacing an older one);
 * returns whether it is in place. Failing to is not fatal: the runtime is
 * then run under its own name.
 */
static int name_link(const char *bindir, const char *link, const char *runtime_id) {
  char target[128], have[128], tmp[4500];
  snprintf(target, sizeof target, "../deno-%s", runtime_id);
  ssize_t n = readlink(link, have, sizeof have - 1);
  if (n >= 0) {
    have[n] = 0;
    if (strcmp(have, target) == 0) return 1;
  }
  if (ensure_dir(bindir, 0700) != 0) return 0;
  snprintf(tmp, sizeof tmp, "%s.%d", link, (int)getpid());
  unlink(tmp);
  if (symlink(target, tmp) != 0) return 0;
  if (rename(tmp, link) != 0) {
    unlink(tmp);
    return 0;
  }
  return 1;
}

int main(int argc, char **argv) {
  int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (self < 0) die("cannot open /proc/self/exe", strerror(errno));
  struct stat st;
  if (fstat(self, &st) != 0 || (size_t)st.st_size < sizeof(struct trailer))
    die("this file has no embedded program", NULL);
  struct trailer t;
  if (pread_full(self, &t, sizeof t, st.st_size - (off_t)sizeof t) != 0 ||
      memcmp(t.magic, MAGIC, sizeof MAGIC) != 0)
    die("this file has no embedded program", NULL);
  t.runtime_id[sizeof t.runtime_id - 1] = 0;
  t.program_id[sizeof t.program_id - 1] = 0;
  t.program_name[sizeof t.program_name - 1] = 0;
  self_name = t.program_name;

  char dir[4096], runtime[4300], program[4300], denodir[4300], bindir[4300], link[4400];
  pick_cache_dir(dir, sizeof dir);
  snprintf(runtime, sizeof runtime, "%s/deno-%s", dir, t.runtime_id);
  snprintf(program, sizeof program, "%s/%s-%s.js", dir, t.program_name, t.program_id);
  snprintf(denodir, sizeof denodir, "%s/deno-dir", dir);
  if (!intact(runtime, t.runtime_size))
    extract(self, dir, runtime, t.runtime_offset, t.runtime_zsize, t.runtime_size, 0700);
  if (!intact(program, t.program_size))
    extract(self, dir, program, t.program_offset, 0, t.program_size, 0600);
  close(self);
  snprintf(bindir, sizeof bindir, "%s/bin", dir);
  snprintf(link, sizeof link, "%s/%s", bindir, t.program_name);
  const char *exe = runtime;
  if (name_link(bindir, link, t.runtime_id)) exe = link;

  /* The program is fully bundled: keep Deno from reading the user's
     deno.json, package.json or lock file from the current folder. */
  setenv("DENO_DIR", denodir, 1);
  setenv("DENO_NO_UPDATE_CHECK", "1", 1);
  setenv("DENO_NO_PACKAGE_JSON", "1", 1);

  const char *fixed[] = {"run", "-A", "--no-config", "--no-lock", "--cached-only", "--quiet"};
  size_t nfixed = sizeof fixed / sizeof fixed[0];
  char **args = calloc((size_t)argc + nfixed + 2, sizeof(char *));
  if (!args) die("out of memory", NULL);
  size_t k = 0;
  args[k++] = argv[0];
  for (size_t i = 0; i < nfixed; i++) args[k++] = (char *)fixed[i];
  args[k++] = program;
  for (int i = 1; i < argc; i++) args[k++] = argv[i];
  args[k] = NULL;
  execv(exe, args);
  die("cannot run the Deno runtime", strerror(errno));
  return 70;
}
