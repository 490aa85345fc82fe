/**
 * time: the clock components are given, so that tests run them on a fake
 * clock that never waits.
 *
 *   clock.ts  Clock, realClock, FakeClock
 *
 * @module
 */
export * from "./clock.ts";
