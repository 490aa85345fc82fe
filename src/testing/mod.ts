/**
 * testing: test doubles for the kernel.
 *
 *   fake_kernel.ts  FakeKernel: fake processes and nodes behind the
 *                   `Syscalls` interface, and the /proc and /sys files
 *                   that describe them, written to fixture folders
 *
 * @module
 */
export * from "./fake_kernel.ts";
export * from "./fake_system.ts";
