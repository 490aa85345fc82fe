import { UsageError } from "../errors.ts";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { parseMetricsAddress, serveMetrics } from "./server.ts";

Deno.test("parseMetricsAddress() takes a bare port or :PORT as 127.0.0.1 only", () => {
  assertEquals(parseMetricsAddress("9101"), { hostname: "127.0.0.1", port: 9101 });
  assertEquals(parseMetricsAddress(":9101"), { hostname: "127.0.0.1", port: 9101 });
  assertEquals(parseMetricsAddress("0"), { hostname: "127.0.0.1", port: 0 });
});

Deno.test("parseMetricsAddress() takes HOST:PORT and [IPV6]:PORT as given", () => {
  assertEquals(parseMetricsAddress("0.0.0.0:9101"), { hostname: "0.0.0.0", port: 9101 });
  assertEquals(parseMetricsAddress("node-7.example:80"), { hostname: "node-7.example", port: 80 });
  assertEquals(parseMetricsAddress("[::]:9101"), { hostname: "::", port: 9101 });
});

Deno.test("parseMetricsAddress() refuses a bad port or host with one line saying what is accepted", () => {
  const accepted =
    "(accepted: PORT or :PORT for 127.0.0.1, HOST:PORT, [IPV6]:PORT; port 0 to 65535)";
  assertThrows(
    () => parseMetricsAddress("65536"),
    UsageError,
    `Invalid -metrics "65536": "65536" is no port ${accepted}`,
  );
  assertThrows(
    () => parseMetricsAddress("host:"),
    UsageError,
    'Invalid -metrics "host:": the port is missing',
  );
  assertThrows(() => parseMetricsAddress("http"), UsageError, '"http" is no port');
  assertThrows(() => parseMetricsAddress("-1"), UsageError, '"-1" is no port');
  assertThrows(() => parseMetricsAddress("a b:80"), UsageError, '"a b" is no host name');
  assertThrows(
    () => parseMetricsAddress("256.0.0.1:80"),
    UsageError,
    '"256.0.0.1" is no IPv4 address',
  );
  assertThrows(
    () => parseMetricsAddress("1.2.3.4.5:80"),
    UsageError,
    '"1.2.3.4.5" is no IPv4 address',
  );
  assertThrows(() => parseMetricsAddress("::1:80"), UsageError, '"::1" is no host name');
});

Deno.test("serveMetrics() answers GET /metrics with the text format, 404 elsewhere, 405 for POST", async () => {
  let scrapes = 0;
  const server = serveMetrics({ hostname: "127.0.0.1", port: 0 }, () => `m ${++scrapes}\n`);
  try {
    const base = server.url.replace(/\/metrics$/, "");
    const r = await fetch(server.url);
    assertEquals(r.status, 200);
    assertEquals(r.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    assertEquals(await r.text(), "m 1\n");
    assertEquals(await (await fetch(server.url)).text(), "m 2\n");
    const other = await fetch(`${base}/`);
    assertEquals(other.status, 404);
    await other.body?.cancel();
    const post = await fetch(server.url, { method: "POST" });
    assertEquals(post.status, 405);
    await post.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("serveMetrics() gives 500 with the message when collecting fails, and stays up", async () => {
  let fail = true;
  const server = serveMetrics({ hostname: "127.0.0.1", port: 0 }, () => {
    if (fail) throw new Error("numa_maps unreadable");
    return "ok 1\n";
  });
  try {
    const r = await fetch(server.url);
    assertEquals(r.status, 500);
    assertEquals(await r.text(), "Cannot collect metrics: numa_maps unreadable\n");
    fail = false;
    assertEquals(await (await fetch(server.url)).text(), "ok 1\n");
  } finally {
    await server.close();
  }
});

Deno.test("serveMetrics() on a port in use throws AddrInUse naming the address", async () => {
  const first = serveMetrics({ hostname: "127.0.0.1", port: 0 }, () => "");
  try {
    const port = Number(new URL(first.url).port);
    assertThrows(
      () => serveMetrics({ hostname: "127.0.0.1", port }, () => ""),
      Deno.errors.AddrInUse,
      `Cannot serve -metrics on 127.0.0.1:${port}: address in use`,
    );
  } finally {
    await first.close();
  }
});
