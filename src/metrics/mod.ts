/**
 * metrics: the `-metrics ADDR` endpoint, `/metrics` in the Prometheus text
 * format, for command mode and daemon mode alike.
 *
 *   session_source.ts  sessionMetricsSource(): what a scrape reads of a
 *                      session (stats, mover, pidwatchers, selection)
 *   collect.ts         collectMetrics(): the metric families of one scrape,
 *                      from a MetricsSource (numa_maps read now, bounded)
 *   exposition.ts      renderExposition(): families -> the text format
 *   server.ts          parseMetricsAddress(), serveMetrics() (Deno.listen, bounded)
 *
 *   Stats, mover, pidwatchers, /proc ──read──> collect.ts ──> exposition.ts
 *                                                   ^               │
 *                        GET /metrics ──> server.ts ┘<──── text ────┘
 *
 * A writer of our own instead of npm `prom-client`: prom-client 15 is
 * CommonJS that requires Node's cluster, v8, perf_hooks, zlib, http and fs
 * modules when loaded, so it cannot go into the browser-platform bundle
 * (tools/build.ts refuses a static `node:` import: loading Node's
 * compatibility layer cost 50 ms at every start), and its model (metrics
 * objects updated as events happen) would copy what the Stats store
 * already counts. Everything here is computed from the store at scrape
 * time; the text format is a few lines of rules.
 *
 * @module
 */
export * from "./collect.ts";
export * from "./exposition.ts";
export * from "./server.ts";
export * from "./session_source.ts";
