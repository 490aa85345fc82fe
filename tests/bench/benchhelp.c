/*
 * benchhelp: the small C reference and timing helper of `make bench`.
 *
 *   benchhelp move PID NODE [COUNT]   move PID's present anon/heap pages to NODE
 *   benchhelp run [-q] CMD [ARG...]   run CMD, then print "WALL_S MAXRSS_KB STATUS"
 *   benchhelp hold MB                 hold MB MiB of written memory until killed
 *   benchhelp softdirty PID SECONDS   softdirty tracker rounds on PID for SECONDS
 *   benchhelp idlepage PID SECONDS    idlepage tracker rounds on PID for SECONDS
 *
 * `move` is the limit memtierd's one-shot move is compared with: it does the
 * least work that finds the same pages and moves them the same way. It reads
 * /proc/PID/maps, keeps the anonymous and [heap] ranges (memtierd's
 * selection), reads their pagemap in large chunks to find the present pages,
 * and moves them with move_pages(2) in batches of 1024 pages (memtierd's
 * default; busy pages get a second try, as in memtierd), stopping after COUNT
 * pages (all without COUNT). It does not ask
 * where the pages are first: the bench starts it with every page on another
 * node. It prints "moved N pages, failed N, calls N, MS ms" and the failures
 * by errno.
 *
 * `run` times CMD with a monotonic clock around fork/exec/wait4 (no shell in
 * between) and reports CMD's own peak RSS (ru_maxrss of that child); -q sends
 * CMD's stdout to /dev/null. `hold` is a cheap big process for the status and
 * memory figures (one written byte per page, so no page is the zero page).
 *
 * `softdirty` and `idlepage` are the limits memtierd's trackers of the same
 * names are compared with: back-to-back rounds over PID's anonymous and
 * [heap] ranges of two pages or more (read from maps once), the files read
 * in large chunks. softdirty: pagemap, counting present and exclusive pages
 * and those soft-dirty, then "4" to clear_refs. idlepage: pagemap, then for
 * each run of consecutive page frames of present and exclusive pages their
 * kpageflags entries and idle bitmap words, counting frames not idle that
 * are not compound tails; at the end of the round every scanned frame is
 * marked idle, each 64-frame word written once with only those frames' bits.
 * They print "rounds R pages P seconds S" (P: pages scanned in all rounds).
 *
 * Built statically by the Makefile (`make build/bench/benchhelp`) and copied
 * into the bench VM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCH 1024
#define PAGE 4096UL
#define PM_PRESENT (1ULL << 63)

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what) {
  fprintf(stderr, "benchhelp: %s: %s\n", what, strerror(errno));
  exit(1);
}

struct pages {
  void **addr;
  size_t n, cap;
};

static void push(struct pages *p, uintptr_t a) {
  if (p->n == p->cap) {
    p->cap = p->cap ? p->cap * 2 : 65536;
    p->addr = realloc(p->addr, p->cap * sizeof *p->addr);
    if (!p->addr) die("realloc");
  }
  p->addr[p->n++] = (void *)a;
}

/* Present pages of PID's anonymous and [heap] ranges, in address order. */
static void present_pages(int pid, struct pages *out) {
  char path[64], line[4096];
  snprintf(path, sizeof path, "/proc/%d/maps", pid);
  FILE *maps = fopen(path, "r");
  if (!maps) die(path);
  snprintf(path, sizeof path, "/proc/%d/pagemap", pid);
  int pm = open(path, O_RDONLY);
  if (pm < 0) die(path);
  static uint64_t buf[65536];
  while (fgets(line, sizeof line, maps)) {
    unsigned long start, end;
    char perms[8];
    int name_at = 0;
    if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %n", &start, &end, perms, &name_at) < 3) continue;
    const char *name = line + name_at;
    int anon = name_at == 0 || *name == '\n' || *name == 0;
    if (!anon && strncmp(name, "[heap]", 6) != 0) continue;
    for (unsigned long a = start; a < end;) {
      size_t n = (end - a) / PAGE;
      if (n > 65536) n = 65536;
      ssize_t got = pread(pm, buf, n * 8, (off_t)(a / PAGE * 8));
      if (got <= 0) break;
      size_t k = (size_t)got / 8;
      for (size_t i = 0; i < k; i++)
        if (buf[i] & PM_PRESENT) push(out, a + i * PAGE);
      a += k * PAGE;
    }
  }
  close(pm);
  fclose(maps);
}

static int cmd_move(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: benchhelp move PID NODE [COUNT]\n");
    return 2;
  }
  int pid = atoi(argv[0]), node = atoi(argv[1]);
  size_t count = argc > 2 ? strtoull(argv[2], NULL, 10) : SIZE_MAX;
  double t0 = now_s();
  struct pages p = {0};
  present_pages(pid, &p);
  int nodes[BATCH], status[BATCH];
  for (int i = 0; i < BATCH; i++) nodes[i] = node;
  size_t moved = 0, failed = 0, calls = 0, by_errno[64] = {0};
  for (size_t off = 0; off < p.n && moved < count; off += BATCH) {
    size_t n = p.n - off < BATCH ? p.n - off : BATCH;
    if (count - moved < n) n = count - moved;
    long r = syscall(SYS_move_pages, pid, n, p.addr + off, nodes, status, 0);
    calls++;
    if (r < 0) die("move_pages");
    /* Busy pages get a second try, as memtierd gives them. */
    void *busy[BATCH];
    int busy_status[BATCH];
    size_t nbusy = 0, at[BATCH];
    for (size_t i = 0; i < n; i++)
      if (status[i] == -EBUSY) {
        at[nbusy] = i;
        busy[nbusy++] = p.addr[off + i];
      }
    if (nbusy > 0) {
      calls++;
      if (syscall(SYS_move_pages, pid, nbusy, busy, nodes, busy_status, 0) < 0)
        die("move_pages");
      for (size_t j = 0; j < nbusy; j++) status[at[j]] = busy_status[j];
    }
    for (size_t i = 0; i < n; i++) {
      if (status[i] == node) {
        moved++;
      } else {
        failed++;
        if (status[i] < 0 && -status[i] < 64) by_errno[-status[i]]++;
      }
    }
  }
  double ms = (now_s() - t0) * 1000;
  printf("moved %zu pages, failed %zu, calls %zu, %.1f ms", moved, failed, calls, ms);
  for (int e = 1; e < 64; e++)
    if (by_errno[e]) printf(", %s %zu", strerrorname_np(e), by_errno[e]);
  printf("\n");
  return 0;
}

static int cmd_run(int argc, char **argv) {
  int quiet = argc > 0 && strcmp(argv[0], "-q") == 0;
  argv += quiet;
  argc -= quiet;
  if (argc < 1) {
    fprintf(stderr, "usage: benchhelp run [-q] CMD [ARG...]\n");
    return 2;
  }
  fflush(stdout);
  double t0 = now_s();
  pid_t child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    if (quiet) {
      int null = open("/dev/null", O_WRONLY);
      if (null >= 0) dup2(null, 1);
    }
    execvp(argv[0], argv);
    fprintf(stderr, "benchhelp: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  int st;
  struct rusage ru;
  if (wait4(child, &st, 0, &ru) < 0) die("wait4");
  double wall = now_s() - t0;
  printf("%.4f %ld %d\n", wall, ru.ru_maxrss,
         WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
  return 0;
}

static int cmd_hold(int argc, char **argv) {
  if (argc < 1) {
    fprintf(stderr, "usage: benchhelp hold MB\n");
    return 2;
  }
  size_t len = strtoull(argv[0], NULL, 10) << 20;
  char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) die("mmap");
  for (size_t i = 0; i < len; i += PAGE) m[i] = 1;
  printf("ready %d %zu pages\n", (int)getpid(), len / PAGE);
  fflush(stdout);
  for (;;) pause();
}

#define PM_EXCLUSIVE (1ULL << 56)
#define PM_SOFT_DIRTY (1ULL << 55)
#define PM_PFN_MASK ((1ULL << 55) - 1)
#define KPF_COMPOUND_TAIL (1ULL << 16)
#define CHUNK 65536

struct range {
  unsigned long start, end;
};

/* PID's anonymous and [heap] ranges of two pages or more (memtierd's tracker regions). */
static size_t tracker_ranges(int pid, struct range **out) {
  char path[64], line[4096];
  snprintf(path, sizeof path, "/proc/%d/maps", pid);
  FILE *maps = fopen(path, "r");
  if (!maps) die(path);
  size_t n = 0, cap = 0;
  *out = NULL;
  while (fgets(line, sizeof line, maps)) {
    unsigned long start, end;
    int name_at = 0;
    if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %n", &start, &end, &name_at) < 2) continue;
    const char *name = line + name_at;
    int anon = name_at == 0 || *name == '\n' || *name == 0;
    if (!anon && strncmp(name, "[heap]", 6) != 0) continue;
    if (end - start <= PAGE) continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 256;
      *out = realloc(*out, cap * sizeof **out);
      if (!*out) die("realloc");
    }
    (*out)[n++] = (struct range){start, end};
  }
  fclose(maps);
  return n;
}

static int open_proc(int pid, const char *file, int flags) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
  int fd = open(path, flags);
  if (fd < 0) die(path);
  return fd;
}

static void print_rounds(size_t rounds, size_t pages, double s) {
  printf("rounds %zu pages %zu seconds %.3f\n", rounds, pages, s);
}

static int cmd_softdirty(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: benchhelp softdirty PID SECONDS\n");
    return 2;
  }
  int pid = atoi(argv[0]);
  double seconds = atof(argv[1]);
  struct range *r;
  size_t nr = tracker_ranges(pid, &r);
  int pm = open_proc(pid, "pagemap", O_RDONLY), cr = open_proc(pid, "clear_refs", O_WRONLY);
  static uint64_t buf[CHUNK];
  size_t rounds = 0, pages = 0, written = 0;
  double t0 = now_s(), t;
  do {
    for (size_t i = 0; i < nr; i++) {
      for (unsigned long a = r[i].start; a < r[i].end;) {
        size_t n = (r[i].end - a) / PAGE;
        if (n > CHUNK) n = CHUNK;
        ssize_t got = pread(pm, buf, n * 8, (off_t)(a / PAGE * 8));
        if (got <= 0) break;
        size_t k = (size_t)got / 8;
        for (size_t j = 0; j < k; j++) {
          if ((buf[j] & (PM_PRESENT | PM_EXCLUSIVE)) != (PM_PRESENT | PM_EXCLUSIVE)) continue;
          pages++;
          if (buf[j] & PM_SOFT_DIRTY) written++;
        }
        a += k * PAGE;
      }
    }
    if (write(cr, "4", 1) != 1) die("clear_refs");
    rounds++;
    t = now_s() - t0;
  } while (t < seconds);
  print_rounds(rounds, pages, t);
  fprintf(stderr, "written pages seen: %zu\n", written);
  return 0;
}

/* Idle-mark bits of the round, one 64-bit word per 64 frames, grown as frames show up. */
static uint64_t *marks;
static size_t nmarks;

static void mark(uint64_t pfn) {
  size_t w = pfn / 64;
  if (w >= nmarks) {
    size_t n = nmarks ? nmarks : 4096;
    while (n <= w) n *= 2;
    marks = realloc(marks, n * 8);
    if (!marks) die("realloc");
    memset(marks + nmarks, 0, (n - nmarks) * 8);
    nmarks = n;
  }
  marks[w] |= 1ULL << (pfn % 64);
}

static void pread_all(int fd, void *buf, size_t len, off_t off, const char *what) {
  for (size_t done = 0; done < len;) {
    ssize_t got = pread(fd, (char *)buf + done, len - done, off + (off_t)done);
    if (got <= 0) die(what);
    done += (size_t)got;
  }
}

static int cmd_idlepage(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: benchhelp idlepage PID SECONDS\n");
    return 2;
  }
  int pid = atoi(argv[0]);
  double seconds = atof(argv[1]);
  struct range *r;
  size_t nr = tracker_ranges(pid, &r);
  int pm = open_proc(pid, "pagemap", O_RDONLY);
  int kpf = open("/proc/kpageflags", O_RDONLY);
  if (kpf < 0) die("/proc/kpageflags");
  int bm = open("/sys/kernel/mm/page_idle/bitmap", O_RDWR);
  if (bm < 0) die("/sys/kernel/mm/page_idle/bitmap");
  static uint64_t buf[CHUNK], pfns[CHUNK], flags[CHUNK], words[CHUNK / 64 + 2];
  size_t rounds = 0, pages = 0, accessed = 0;
  double t0 = now_s(), t;
  do {
    for (size_t i = 0; i < nr; i++) {
      for (unsigned long a = r[i].start; a < r[i].end;) {
        size_t n = (r[i].end - a) / PAGE;
        if (n > CHUNK) n = CHUNK;
        ssize_t got = pread(pm, buf, n * 8, (off_t)(a / PAGE * 8));
        if (got <= 0) break;
        size_t k = (size_t)got / 8, np = 0;
        for (size_t j = 0; j < k; j++)
          if ((buf[j] & (PM_PRESENT | PM_EXCLUSIVE)) == (PM_PRESENT | PM_EXCLUSIVE))
            pfns[np++] = buf[j] & PM_PFN_MASK;
        /* Runs of consecutive frames: one read of kpageflags and of the bitmap each. */
        for (size_t s = 0; s < np;) {
          size_t e = s + 1;
          while (e < np && pfns[e] == pfns[e - 1] + 1) e++;
          uint64_t p0 = pfns[s], len = e - s, w0 = p0 / 64, nw = (p0 + len - 1) / 64 - w0 + 1;
          pread_all(kpf, flags, len * 8, (off_t)(p0 * 8), "/proc/kpageflags");
          pread_all(bm, words, nw * 8, (off_t)(w0 * 8), "page_idle/bitmap");
          for (uint64_t q = 0; q < len; q++) {
            uint64_t pfn = p0 + q;
            int idle = (words[pfn / 64 - w0] >> (pfn % 64)) & 1;
            if (!idle && !(flags[q] & KPF_COMPOUND_TAIL)) accessed++;
            mark(pfn);
          }
          pages += len;
          s = e;
        }
        a += k * PAGE;
      }
    }
    /* Mark the scanned frames idle: spans of words with bits, at most a page per write. */
    for (size_t w = 0; w < nmarks;) {
      if (!marks[w]) {
        w++;
        continue;
      }
      size_t e = w + 1;
      while (e < nmarks && e - w < PAGE / 8 && marks[e]) e++;
      ssize_t put = pwrite(bm, marks + w, (e - w) * 8, (off_t)(w * 8));
      if (put <= 0) die("page_idle/bitmap write");
      size_t done = (size_t)put / 8;
      memset(marks + w, 0, done * 8);
      w += done;
    }
    rounds++;
    t = now_s() - t0;
  } while (t < seconds);
  print_rounds(rounds, pages, t);
  fprintf(stderr, "accessed pages seen: %zu\n", accessed);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "move") == 0) return cmd_move(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "run") == 0) return cmd_run(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "hold") == 0) return cmd_hold(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "softdirty") == 0) return cmd_softdirty(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "idlepage") == 0) return cmd_idlepage(argc - 2, argv + 2);
  fprintf(stderr, "usage: benchhelp move PID NODE [COUNT] | run [-q] CMD [ARG...] | hold MB |\n"
                  "       softdirty PID SECONDS | idlepage PID SECONDS\n");
  return 2;
}
