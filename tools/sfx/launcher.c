/*
 * Single-file launcher for memtierd's Deno programs.
 *
 * `deno compile` needs Deno's `denort` runtime, which is not always available.
 * Without it, `make bin/memtierd` builds this launcher and appends the
 * payloads and a trailer to it, giving one executable file:
 *
 *   [launcher ELF][zstd(deno runtime)][zstd(each library)][library index]
 *   [bundled program .js][its chunks][trailer]
 *
 * The libraries are the Deno runtime's ELF interpreter (ld-linux, first in
 * the index) and every shared library it links, taken from the build host:
 * the file needs nothing from the target but a Linux kernel (no libc, no
 * /lib, no /etc). On start the launcher makes sure that the runtime, the
 * libraries and the program sit in a private cache folder (extracted once,
 * atomically), then replaces itself with the carried loader running
 * `deno run -A <entry> <user's arguments>` with only the carried
 * libraries (`ld-linux --library-path <libs> --inhibit-cache`: neither the
 * host's ld.so.cache nor, for these names, its /lib). Later starts do not read
 * the 95 MB runtime again: they compare cheap identifiers. Next to each
 * extracted file, `<file>.id` records the identity it had when extracted
 * (device, inode, size, modification and inode change times); a file runs
 * only if it is a regular file of ours, writable by nobody else, of the
 * embedded size, and its identity still matches. Any later write, chmod or
 * replacement changes the inode change time, which no unprivileged process
 * can set back, so a file modified after extraction is extracted again
 * rather than run. Starts that find something to extract take an exclusive
 * flock(2) on the cache folder first and check again once they hold it: the
 * memtierds that nri-plugins starts together, one per container, on a node
 * where none ran before, unpack the runtime once (the first), not once each
 * side by side (in a slow VM that doubled the seconds of a first start).
 * The runtime and its libraries (`deno-<id>` and
 * `deno-<id>.lib/`) are shared by every program built this way (memtierd and
 * meme), keyed by their digest. The loader is run through a symlink named
 * after the program (`<cache>/bin/memtierd`), so that the process is called
 * memtierd in ps and /proc/PID/comm; its /proc/PID/exe is the loader,
 * `<cache>/deno-<id>.lib/ld-linux-x86-64.so.2`.
 *
 * A start that had something to extract (a first start, and those that
 * waited for it) runs the program through a three-line module the launcher
 * writes beside it (`<name>-<id>.mjs`, under the same rules as every cache
 * file), which reads the program (`<name>-<id>.js`) and runs it as the body
 * of an async function: Deno's module graph then parses only those lines.
 * Its dependency analysis of a module is a full parse, 40 % of the CPU of a
 * start with Deno's caches empty (0.1 s natively, seconds under TCG). Later
 * starts run the program as a module: from the second on, Deno has the
 * analysis and V8's code cache for it, which make it start faster than as a
 * function body. tools/build.ts makes sure the program has no `import`,
 * `export` or `import.meta`, which a function body cannot hold.
 *
 * The program's chunks (tools/chunks.ts: the modules it imports only when
 * a command line or config needs them) are extracted beside it as
 * `<name>-<id>.chunks`, under the same rules; the program reads a chunk
 * from there when it first imports it.
 *
 * SIGHUP, SIGINT and SIGTERM are blocked from the launcher's first
 * instruction on, and stay blocked across exec: one that comes during the
 * start (a first start extracts 95 MB: seconds in a slow VM) is held, not
 * fatal. The program unblocks them on its JavaScript thread once its
 * handlers are in place (src/ffi/signal_mask.ts); child processes it
 * starts get an empty mask (Rust's process spawning clears it).
 *
 * Cache folder, first usable of: $MEMTIERD_CACHE_DIR, $XDG_CACHE_HOME/memtierd,
 * $HOME/.cache/memtierd, /var/tmp/memtierd-<uid>, /tmp/memtierd-<uid>.
 * "Usable" means a real folder (not a symlink) owned by the effective user and
 * writable by nobody else: memtierd runs as root, so a folder that another
 * user could write to would let them run code as root.
 *
 * Built statically (glibc + libzstd): the launcher needs no library of the
 * host's either.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zstd.h>

#define MAGIC "MEMTIERD-SFX-v3"

/* Written by tools/build.ts; all integers little-endian. */
struct trailer {
  char magic[16];
  uint64_t runtime_offset;
  uint64_t runtime_zsize;
  uint64_t runtime_size;
  uint64_t libs_offset; /* of the index: libs_count `struct lib` */
  uint64_t libs_count;
  uint64_t program_offset;
  uint64_t program_size;
  uint64_t chunks_offset; /* chunks_size 0: none */
  uint64_t chunks_size;
  char runtime_id[32];
  char program_id[32];
  char program_name[32];
};

/* One carried library, as listed in the index. */
struct lib {
  char name[48];
  uint64_t offset;
  uint64_t zsize;
  uint64_t size;
};

#define MAX_LIBS 32

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

/* The module Deno runs (see the header); `<name>-<id>.mjs` runs `<name>-<id>.js`. */
static const char entry_text[] =
    "// Written by the launcher (tools/sfx/launcher.c): runs the program beside it.\n"
    "const AsyncFunction = (async () => {}).constructor;\n"
    "const program = new URL(import.meta.url.replace(/\\.mjs$/, \".js\"));\n"
    "await new AsyncFunction(Deno.readTextFileSync(program))();\n";

/* Writes `text` to `dest` atomically, as extract() writes a payload. */
static void install_text(const char *dir, const char *dest, const char *text, mode_t mode) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s/.extract-XXXXXX", dir);
  int out = mkstemp(tmp);
  if (out < 0) die("cannot create a file in the cache folder", strerror(errno));
  if (write_full(out, text, strlen(text)) != 0 || fchmod(out, mode) != 0 || fsync(out) != 0 ||
      close(out) != 0 || rename(tmp, dest) != 0) {
    unlink(tmp);
    die("cannot write the cache", strerror(errno));
  }
  record_identity(dir, dest);
}

/*
 * Makes `link` a symlink to `target` (atomically replacing an older one);
 * returns whether it is in place. Failing to is not fatal: the loader is
 * then run under its own name.
 */
static int name_link(const char *bindir, const char *link, const char *target) {
  char have[256], tmp[4500];
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

/*
 * Takes the cache folder's extraction lock (see the header), held until the
 * exec of the runtime closes its descriptor. Where it cannot be had (no
 * flock on this file system), each start extracts on its own, atomically
 * as ever.
 */
static void lock_cache_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return;
  while (flock(fd, LOCK_EX) != 0)
    if (errno != EINTR) return;
}

/* A library's name is one path component of the index, NUL-terminated. */
static int plain_name(const char *name, size_t cap) {
  size_t len = strnlen(name, cap);
  return len > 0 && len < cap && strchr(name, '/') == NULL && strcmp(name, ".") != 0 &&
         strcmp(name, "..") != 0;
}

int main(int argc, char **argv) {
  /* Held until the program has its handlers (see the header). */
  sigset_t held;
  sigemptyset(&held);
  sigaddset(&held, SIGHUP);
  sigaddset(&held, SIGINT);
  sigaddset(&held, SIGTERM);
  sigprocmask(SIG_BLOCK, &held, NULL);

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
  struct lib libs[MAX_LIBS];
  if (t.libs_count < 1 || t.libs_count > MAX_LIBS ||
      pread_full(self, libs, t.libs_count * sizeof libs[0], (off_t)t.libs_offset) != 0)
    die("this file has no valid library index", NULL);
  for (uint64_t i = 0; i < t.libs_count; i++)
    if (!plain_name(libs[i].name, sizeof libs[i].name))
      die("this file has no valid library index", NULL);

  char dir[4096], runtime[4300], program[4300], entry[4300], denodir[4300], bindir[4300], link[4400];
  char chunks[4300];
  char libdir[4300], path[4400], loader[4400], target[256];
  pick_cache_dir(dir, sizeof dir);
  snprintf(runtime, sizeof runtime, "%s/deno-%s", dir, t.runtime_id);
  snprintf(libdir, sizeof libdir, "%s/deno-%s.lib", dir, t.runtime_id);
  snprintf(program, sizeof program, "%s/%s-%s.js", dir, t.program_name, t.program_id);
  snprintf(entry, sizeof entry, "%s/%s-%s.mjs", dir, t.program_name, t.program_id);
  snprintf(chunks, sizeof chunks, "%s/%s-%s.chunks", dir, t.program_name, t.program_id);
  snprintf(denodir, sizeof denodir, "%s/deno-dir", dir);
  int missing = !intact(runtime, t.runtime_size) || !intact(program, t.program_size) ||
                !intact(entry, strlen(entry_text)) ||
                (t.chunks_size > 0 && !intact(chunks, t.chunks_size));
  for (uint64_t i = 0; i < t.libs_count && !missing; i++) {
    snprintf(path, sizeof path, "%s/%.47s", libdir, libs[i].name);
    missing = !intact(path, libs[i].size);
  }
  if (missing) lock_cache_dir(dir);
  if (!intact(runtime, t.runtime_size))
    extract(self, dir, runtime, t.runtime_offset, t.runtime_zsize, t.runtime_size, 0700);
  /* The library folder holds to the cache folder's rules. */
  ensure_dir(libdir, 0700);
  if (!trusted_dir(libdir))
    die("the cache's library folder is not a private folder of this user", libdir);
  for (uint64_t i = 0; i < t.libs_count; i++) {
    snprintf(path, sizeof path, "%s/%.47s", libdir, libs[i].name);
    if (!intact(path, libs[i].size))
      extract(self, libdir, path, libs[i].offset, libs[i].zsize, libs[i].size, 0700);
  }
  snprintf(loader, sizeof loader, "%s/%.47s", libdir, libs[0].name);
  if (!intact(program, t.program_size))
    extract(self, dir, program, t.program_offset, 0, t.program_size, 0600);
  if (t.chunks_size > 0 && !intact(chunks, t.chunks_size))
    extract(self, dir, chunks, t.chunks_offset, 0, t.chunks_size, 0600);
  if (!intact(entry, strlen(entry_text))) install_text(dir, entry, entry_text, 0600);
  close(self);
  snprintf(bindir, sizeof bindir, "%s/bin", dir);
  snprintf(link, sizeof link, "%s/%s", bindir, t.program_name);
  snprintf(target, sizeof target, "../deno-%s.lib/%.47s", t.runtime_id, libs[0].name);
  const char *exe = loader;
  if (name_link(bindir, link, target)) exe = link;

  /* The program is fully bundled: keep Deno from reading the user's
     deno.json, package.json or lock file from the current folder. */
  setenv("DENO_DIR", denodir, 1);
  setenv("DENO_NO_UPDATE_CHECK", "1", 1);
  setenv("DENO_NO_PACKAGE_JSON", "1", 1);

  /* The loader's options, then the runtime's: libraries only from the
     carried folder (no ld.so.cache), argv[0] as the user gave it. */
  const char *fixed[] = {"--library-path", libdir, "--inhibit-cache", "--argv0", argv[0],
                         runtime, "run", "-A", "--no-config", "--no-lock",
                         "--cached-only", "--quiet"};
  size_t nfixed = sizeof fixed / sizeof fixed[0];
  char **args = calloc((size_t)argc + nfixed + 2, sizeof(char *));
  if (!args) die("out of memory", NULL);
  size_t k = 0;
  args[k++] = argv[0];
  for (size_t i = 0; i < nfixed; i++) args[k++] = (char *)fixed[i];
  args[k++] = missing ? entry : program;
  for (int i = 1; i < argc; i++) args[k++] = argv[i];
  args[k] = NULL;
  execv(exe, args);
  die("cannot run the Deno runtime", strerror(errno));
  return 70;
}
