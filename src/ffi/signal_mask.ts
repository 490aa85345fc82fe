/**
 * The signals the single-file launcher (tools/sfx/launcher.c) holds while
 * it starts: SIGHUP, SIGINT and SIGTERM are blocked from its first
 * instruction on and stay blocked across exec, so one that comes during a
 * first start (the runtime's extraction takes seconds in a slow VM) waits
 * instead of ending the process by its default action. The program releases
 * them once its handlers are in place, or at once where the default action
 * is what it wants; a held one is delivered then. Started without the
 * launcher, nothing is blocked and releasing changes nothing.
 *
 * The mask belongs to a thread: releasing on the JavaScript thread lets
 * that thread take them, which is enough for signals sent to the process
 * (the runtime's other threads keep them blocked). Child processes start
 * with an empty mask whatever thread starts them: Rust's process spawning,
 * which Deno uses, clears the mask in the child.
 *
 * @module
 */

const SIG_UNBLOCK = 1;
const SIGHUP = 1;
const SIGINT = 2;
const SIGTERM = 15;

const SYMBOLS = {
  // int pthread_sigmask(int how, const sigset_t *set, sigset_t *oldset)
  pthread_sigmask: { parameters: ["i32", "buffer", "pointer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** Unblocks SIGHUP, SIGINT and SIGTERM on the calling thread. */
export function releaseStartSignals(): void {
  // glibc's sigset_t is 128 bytes; signal N is bit N-1.
  const set = new Uint32Array(32);
  set[0] = (1 << (SIGHUP - 1)) | (1 << (SIGINT - 1)) | (1 << (SIGTERM - 1));
  const libc = Deno.dlopen("libc.so.6", SYMBOLS);
  try {
    const rc = libc.symbols.pthread_sigmask(SIG_UNBLOCK, set, null);
    if (rc !== 0) throw new Error(`Cannot unblock SIGHUP, SIGINT and SIGTERM: error ${rc}`);
  } finally {
    libc.close();
  }
}
