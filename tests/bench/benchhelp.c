/*
 * benchhelp: the small C reference and timing helper of `make bench`.
 *
 *   benchhelp move PID NODE [COUNT]   move PID's present anon/heap pages to NODE
 *   benchhelp run [-q] CMD [ARG...]   run CMD, then print "WALL_S MAXRSS_KB STATUS"
 *   benchhelp hold MB                 hold MB MiB of written memory until killed
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

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "move") == 0) return cmd_move(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "run") == 0) return cmd_run(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "hold") == 0) return cmd_hold(argc - 2, argv + 2);
  fprintf(stderr, "usage: benchhelp move PID NODE [COUNT] | run [-q] CMD [ARG...] | hold MB\n");
  return 2;
}
