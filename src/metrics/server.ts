/**
 * The `-metrics ADDR` endpoint: an HTTP server (Deno.serve) answering
 * `GET /metrics` with the exposition text, computed at each request.
 *
 * A bare port (`9101` or `:9101`) listens on 127.0.0.1 only: metrics name
 * processes, so exposing them to the network is the operator's choice
 * (`0.0.0.0:9101`, `[::]:9101`), never a default, and is logged as a warning.
 *
 * The server is a small HTTP/1.1 responder of our own on `Deno.listen`, not
 * `Deno.serve`: memtierd runs as root beside production workloads, and
 * Deno.serve has no cap on connections and no timeout for a client that
 * never finishes its request, and an accept that failed for want of file
 * descriptors (EMFILE) rejected a promise nobody could catch, which ended
 * the process. Here every connection gets one request and one response
 * (`connection: close`), must send its request head within
 * `headerTimeoutMs` and is closed `connectionTimeoutMs` after it was
 * accepted whatever it does; beyond `maxConnections` open at once a new
 * connection is closed at once; an accept that fails is tried again
 * after a pause (`acceptRetryMs`), with one warning when they start failing
 * and one when none failed for 100 pauses. docs/metrics.md
 * says what this withstands.
 *
 * @module
 */
import { quoted } from "../common/excerpt.ts";
import { errorText } from "../common/error_text.ts";
import { UsageError } from "../errors.ts";
import { EXPOSITION_CONTENT_TYPE } from "./exposition.ts";

/** Where the endpoint listens. */
export interface MetricsAddress {
  hostname: string;
  /** 0 lets the kernel pick a free port (the log line says which). */
  port: number;
}

const HOST = /^(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)$/;

/**
 * Parses a `-metrics` value: `PORT`, `:PORT` (127.0.0.1), `HOST:PORT` or
 * `[IPV6]:PORT`. Throws `UsageError` naming what is accepted.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert";
 * import { parseMetricsAddress } from "./server.ts";
 * deepStrictEqual(parseMetricsAddress("9101"), { hostname: "127.0.0.1", port: 9101 });
 * deepStrictEqual(parseMetricsAddress("[::1]:9101"), { hostname: "::1", port: 9101 });
 * ```
 */
export function parseMetricsAddress(text: string): MetricsAddress {
  const bad = (why: string) =>
    new UsageError(
      `Invalid -metrics ${quoted(text)}: ${why} ` +
        "(accepted: PORT or :PORT for 127.0.0.1, HOST:PORT, [IPV6]:PORT; port 0 to 65535)",
    );
  let host: string;
  let portText: string;
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::(.*))?$/.exec(text);
  if (v6) {
    host = v6[1]!;
    portText = v6[2] ?? "";
  } else {
    const colon = text.lastIndexOf(":");
    host = colon < 0 ? "" : text.slice(0, colon);
    portText = colon < 0 ? text : text.slice(colon + 1);
    if (host !== "" && !HOST.test(host)) throw bad(`${JSON.stringify(host)} is no host name`);
    const octets = host.split(".");
    if (/^[0-9.]+$/.test(host) && (octets.length !== 4 || octets.some((o) => Number(o) > 255))) {
      throw bad(`${JSON.stringify(host)} is no IPv4 address`);
    }
  }
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw bad(portText === "" ? "the port is missing" : `${JSON.stringify(portText)} is no port`);
  }
  return { hostname: host === "" ? "127.0.0.1" : host, port: Number(portText) };
}

/** A running endpoint. */
export interface MetricsServer {
  /** The address it listens on (the real port when 0 was asked). */
  readonly url: string;
  /** Stops listening, closes open connections and waits for them. */
  close(): Promise<void>;
}

/** Limits of the endpoint; the defaults are what memtierd uses. */
export interface MetricsServerOptions {
  /** Connections served at once; more are closed as they come (default 64). */
  maxConnections?: number;
  /** Time a client has to send its whole request head (default 5000 ms). */
  headerTimeoutMs?: number;
  /** Time after which any connection is closed, answered or not (default 30000 ms). */
  connectionTimeoutMs?: number;
  /** Pause before accepting again after an accept failed (default 100 ms). */
  acceptRetryMs?: number;
  /** Where warnings go: a non-loopback address, failed accepts. */
  warn?: (message: string) => void;
}

/** Longest request head read (request line and headers). */
export const MAX_REQUEST_HEAD_BYTES = 8192;

const REASONS: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  505: "HTTP Version Not Supported",
};

/** An answer to one request. */
export interface MetricsResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/**
 * The answer to a request head (the text up to the blank line): `/metrics`
 * for GET and HEAD, 404 for another path, 405 for another method, 400 for
 * what is no HTTP/1.x request line.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert";
 * import { answerRequest } from "./server.ts";
 * strictEqual(answerRequest("GET /metrics HTTP/1.1\r\nHost: x", () => "m 1\n").status, 200);
 * strictEqual(answerRequest("GET / HTTP/1.1", () => "").status, 404);
 * ```
 */
export function answerRequest(head: string, render: () => string): MetricsResponse {
  const plain = (status: number, body: string, headers: Record<string, string> = {}) => ({
    status,
    body,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
  const line = /^([A-Z]+) (\S+) HTTP\/(\d)\.(\d)$/.exec(head.split(/\r?\n/, 1)[0]!);
  if (!line) return plain(400, "bad request\n");
  const [, method, target, major] = line;
  if (major !== "1") return plain(505, "use HTTP/1.1\n");
  let path: string;
  try {
    path = new URL(target!, "http://memtierd").pathname;
  } catch {
    return plain(400, "bad request target\n");
  }
  if (path !== "/metrics") return plain(404, "memtierd serves /metrics only\n");
  if (method !== "GET" && method !== "HEAD") {
    return plain(405, "use GET\n", { allow: "GET, HEAD" });
  }
  try {
    return { status: 200, body: render(), headers: { "content-type": EXPOSITION_CONTENT_TYPE } };
  } catch (e) {
    return plain(500, `Cannot collect metrics: ${errorText(e)}\n`);
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The index just past the blank line that ends a request head, or -1. */
function headEnd(bytes: Uint8Array, length: number): number {
  for (let i = 0; i + 1 < length; i++) {
    if (bytes[i] !== 10) continue;
    if (bytes[i + 1] === 10) return i + 2;
    if (bytes[i + 1] === 13 && bytes[i + 2] === 10) return i + 3;
  }
  return -1;
}

function isLoopback(hostname: string): boolean {
  return /^127\./.test(hostname) || /^::ffff:127\./i.test(hostname) || hostname === "::1";
}

/**
 * Serves `render()` at `/metrics` on `addr` (see the module's note for the
 * limits). When it cannot listen it throws, saying the address:
 * `Deno.errors.AddrInUse`, `Deno.errors.PermissionDenied`, or `UsageError`
 * for a host that does not resolve or is not this machine's. A `render()`
 * that throws gives a 500 with its message, and the server stays up.
 */
export function serveMetrics(
  addr: MetricsAddress,
  render: () => string,
  options: MetricsServerOptions = {},
): MetricsServer {
  const maxConnections = options.maxConnections ?? 64;
  const headerTimeoutMs = options.headerTimeoutMs ?? 5000;
  const connectionTimeoutMs = options.connectionTimeoutMs ?? 30_000;
  const acceptRetryMs = options.acceptRetryMs ?? 100;
  const warn = options.warn ?? (() => {});
  const shown = (host: string) => host.includes(":") ? `[${host}]` : host;
  let listener: Deno.Listener<Deno.TcpConn, Deno.NetAddr>;
  try {
    listener = Deno.listen({ hostname: addr.hostname, port: addr.port });
  } catch (e) {
    const where = `Cannot serve -metrics on ${shown(addr.hostname)}:${addr.port}`;
    // In use: a failure (exit 1); not permitted: exit 4; anything else
    // (a host that does not resolve or is not ours) is a bad value.
    if (e instanceof Deno.errors.AddrInUse) {
      throw new Deno.errors.AddrInUse(`${where}: address in use`);
    }
    if (e instanceof Deno.errors.PermissionDenied) {
      throw new Deno.errors.PermissionDenied(`${where}: not permitted`);
    }
    throw new UsageError(`${where}: ${errorText(e)}`);
  }
  const bound = listener.addr;
  const url = `http://${shown(bound.hostname)}:${bound.port}/metrics`;
  if (!isLoopback(bound.hostname)) {
    warn(
      `metrics: ${url} is reachable from other machines: anyone who can connect ` +
        "sees the pids and memory of the processes memtierd manages",
    );
  }

  const open = new Set<Deno.TcpConn>();
  const handlers = new Set<Promise<void>>();
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let wakeRetry: (() => void) | undefined;

  const closeConn = (conn: Deno.TcpConn) => {
    if (!open.delete(conn)) return;
    try {
      conn.close();
    } catch {
      // Closed already.
    }
  };

  const handle = async (conn: Deno.TcpConn) => {
    const headTimer = setTimeout(() => closeConn(conn), headerTimeoutMs);
    const connTimer = setTimeout(() => closeConn(conn), connectionTimeoutMs);
    try {
      const buf = new Uint8Array(MAX_REQUEST_HEAD_BYTES);
      let length = 0;
      let end = -1;
      while (end < 0 && length < buf.length) {
        const n = await conn.read(buf.subarray(length));
        if (n === null) return;
        const from = Math.max(0, length - 2);
        length += n;
        end = headEnd(buf.subarray(from), length - from);
        if (end >= 0) end += from;
      }
      clearTimeout(headTimer);
      const answer = end < 0
        ? {
          status: 431,
          body: `request head longer than ${MAX_REQUEST_HEAD_BYTES} bytes\n`,
          headers: { "content-type": "text/plain; charset=utf-8" },
        }
        : answerRequest(decoder.decode(buf.subarray(0, end)), render);
      const head = decoder.decode(buf.subarray(0, Math.max(end, 0)));
      const body = encoder.encode(answer.body);
      const lines = [
        `HTTP/1.1 ${answer.status} ${REASONS[answer.status] ?? ""}`,
        ...Object.entries(answer.headers).map(([k, v]) => `${k}: ${v}`),
        `content-length: ${body.length}`,
        "connection: close",
        "",
        "",
      ];
      const bytes = /^HEAD /.test(head)
        ? encoder.encode(lines.join("\r\n"))
        : new Uint8Array([...encoder.encode(lines.join("\r\n")), ...body]);
      for (let off = 0; off < bytes.length;) off += await conn.write(bytes.subarray(off));
    } catch {
      // The client went away, or a timeout closed the connection.
    } finally {
      clearTimeout(headTimer);
      clearTimeout(connTimer);
      closeConn(conn);
    }
  };

  // One warning when accepts start failing, one when they have not failed
  // for a while: under a flood they fail and succeed by turns as
  // connections end, and a line per turn would fill the log.
  let failures = 0;
  let quietTimer: ReturnType<typeof setTimeout> | undefined;
  const acceptFailed = (e: unknown) => {
    if (failures++ === 0) {
      warn(
        `metrics: cannot accept a connection: ${errorText(e)}; ` +
          `trying again every ${acceptRetryMs} ms`,
      );
    }
    clearTimeout(quietTimer);
    quietTimer = setTimeout(() => {
      warn(`metrics: accepting connections again (${failures} accepts failed)`);
      failures = 0;
    }, acceptRetryMs * 100);
  };

  const acceptLoop = async () => {
    while (!closed) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (e) {
        if (closed) return;
        acceptFailed(e);
        await new Promise<void>((resolve) => {
          wakeRetry = resolve;
          retryTimer = setTimeout(resolve, acceptRetryMs);
        });
        continue;
      }
      if (closed || open.size >= maxConnections) {
        try {
          conn.close();
        } catch {
          // Gone already.
        }
        continue;
      }
      open.add(conn);
      const h = handle(conn);
      handlers.add(h);
      h.finally(() => handlers.delete(h));
    }
  };
  const loop = acceptLoop();

  return {
    url,
    async close() {
      if (closed) return;
      closed = true;
      listener.close();
      clearTimeout(retryTimer);
      clearTimeout(quietTimer);
      wakeRetry?.();
      for (const conn of [...open]) closeConn(conn);
      await loop;
      await Promise.all([...handlers]);
    },
  };
}
