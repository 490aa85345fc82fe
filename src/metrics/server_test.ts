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

/** Resolves when the server closes `conn` (a read gives end of file or fails). */
async function closedByServer(conn: Deno.Conn): Promise<"closed"> {
  const buf = new Uint8Array(4096);
  try {
    while (await conn.read(buf) !== null) {
      // an answer: read on to the end
    }
  } catch {
    // reset by the server: closed too
  }
  return "closed";
}

/** `p`, or "still open" when it has not settled after `ms` (a bound, not a measure). */
function within<T>(p: Promise<T>, ms: number): Promise<T | "still open"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"still open">((r) => timer = setTimeout(() => r("still open"), ms));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function connectTo(server: { url: string }): Promise<Deno.TcpConn> {
  return Deno.connect({ hostname: "127.0.0.1", port: Number(new URL(server.url).port) });
}

async function request(server: { url: string }, text: string): Promise<string> {
  const conn = await connectTo(server);
  await conn.write(new TextEncoder().encode(text));
  let answer = "";
  const buf = new Uint8Array(4096);
  for (let n; (n = await conn.read(buf)) !== null;) {
    answer += new TextDecoder().decode(buf.subarray(0, n));
  }
  conn.close();
  return answer;
}

Deno.test("serveMetrics() closes a connection that does not finish its request head in time (slowloris)", async () => {
  const server = serveMetrics({ hostname: "127.0.0.1", port: 0 }, () => "m 1\n", {
    headerTimeoutMs: 50,
  });
  const conn = await connectTo(server);
  try {
    await conn.write(new TextEncoder().encode("GET /metrics HTTP/1.1\r\nX-a: b\r\n"));
    assertEquals(await within(closedByServer(conn), 10_000), "closed");
  } finally {
    conn.close();
    await server.close();
  }
});

Deno.test("serveMetrics() closes a connection that sends nothing, then answers the next one", async () => {
  const server = serveMetrics({ hostname: "127.0.0.1", port: 0 }, () => "m 1\n", {
    headerTimeoutMs: 50,
  });
  const idle = await connectTo(server);
  try {
    assertEquals(await within(closedByServer(idle), 10_000), "closed");
    assertEquals(await (await fetch(server.url)).text(), "m 1\n");
  } finally {
    idle.close();
    await server.close();
  }
});

Deno.test("serveMetrics() closes connections beyond maxConnections at once and serves again when they end", async () => {
  const server = serveMetrics({ hostname: "127.0.0.1", port: 0 }, () => "m 1\n", {
    maxConnections: 2,
    headerTimeoutMs: 60_000,
  });
  const held = [await connectTo(server), await connectTo(server)];
  const extra = await connectTo(server);
  try {
    assertEquals(await within(closedByServer(extra), 10_000), "closed");
    // The two held ones are still served: one sends its request now.
    await held[0]!.write(new TextEncoder().encode("GET /metrics HTTP/1.1\r\n\r\n"));
    let answer = "";
    const buf = new Uint8Array(4096);
    for (let n; (n = await held[0]!.read(buf)) !== null;) {
      answer += new TextDecoder().decode(buf.subarray(0, n));
    }
    assertEquals(answer.split("\r\n")[0], "HTTP/1.1 200 OK");
    assertEquals(answer.slice(answer.indexOf("\r\n\r\n") + 4), "m 1\n");
  } finally {
    for (const c of [...held, extra]) c.close();
    await server.close();
  }
});

Deno.test("serveMetrics() answers a request head longer than 8 KiB with 431, HEAD without a body", async () => {
  const server = serveMetrics({ hostname: "127.0.0.1", port: 0 }, () => "m 1\n");
  try {
    const long = await request(server, `GET /metrics HTTP/1.1\r\nX: ${"a".repeat(9000)}\r\n\r\n`);
    assertEquals(long.split("\r\n")[0], "HTTP/1.1 431 Request Header Fields Too Large");
    const head = await request(server, "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    assertEquals(
      head,
      "HTTP/1.1 200 OK\r\ncontent-type: text/plain; version=0.0.4; charset=utf-8\r\n" +
        "content-length: 4\r\nconnection: close\r\n\r\n",
    );
    const bad = await request(server, "hello\r\n\r\n");
    assertEquals(bad.split("\r\n")[0], "HTTP/1.1 400 Bad Request");
  } finally {
    await server.close();
  }
});

Deno.test("serveMetrics() warns in one line when it listens on an address other machines reach", async () => {
  const warnings: string[] = [];
  const local = serveMetrics({ hostname: "127.0.0.1", port: 0 }, () => "", {
    warn: (m) => warnings.push(m),
  });
  await local.close();
  assertEquals(warnings, []);
  const all = serveMetrics({ hostname: "0.0.0.0", port: 0 }, () => "", {
    warn: (m) => warnings.push(m),
  });
  try {
    const port = new URL(all.url).port;
    assertEquals(warnings, [
      `metrics: http://0.0.0.0:${port}/metrics is reachable from other machines: anyone who ` +
      "can connect sees the pids and memory of the processes memtierd manages",
    ]);
  } finally {
    await all.close();
  }
});
