/**
 * The `-metrics ADDR` endpoint: an HTTP server (Deno.serve) answering
 * `GET /metrics` with the exposition text, computed at each request.
 *
 * A bare port (`9101` or `:9101`) listens on 127.0.0.1 only: metrics name
 * processes, so exposing them to the network is the operator's choice
 * (`0.0.0.0:9101`, `[::]:9101`), never a default.
 *
 * @module
 */
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
      `Invalid -metrics ${JSON.stringify(text)}: ${why} ` +
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
  close(): Promise<void>;
}

/**
 * Serves `render()` at `/metrics` on `addr`. When it cannot listen it throws,
 * saying the address: `Deno.errors.AddrInUse`, `Deno.errors.PermissionDenied`,
 * or `UsageError` for a host that does not resolve or is not this machine's.
 * A `render()` that throws gives a 500 with its message, and the server
 * stays up.
 */
export function serveMetrics(addr: MetricsAddress, render: () => string): MetricsServer {
  const handler = (req: Request): Response => {
    const path = new URL(req.url).pathname;
    if (path !== "/metrics") {
      return new Response("memtierd serves /metrics only\n", { status: 404 });
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("use GET\n", { status: 405, headers: { allow: "GET, HEAD" } });
    }
    try {
      return new Response(render(), { headers: { "content-type": EXPOSITION_CONTENT_TYPE } });
    } catch (e) {
      return new Response(`Cannot collect metrics: ${e instanceof Error ? e.message : e}\n`, {
        status: 500,
      });
    }
  };
  let server: Deno.HttpServer<Deno.NetAddr>;
  const shown = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  try {
    server = Deno.serve({ hostname: addr.hostname, port: addr.port, onListen: () => {} }, handler);
  } catch (e) {
    const where = `Cannot serve -metrics on ${shown}:${addr.port}`;
    // In use: a failure (exit 1); not permitted: exit 4; anything else
    // (a host that does not resolve or is not ours) is a bad value.
    if (e instanceof Deno.errors.AddrInUse) {
      throw new Deno.errors.AddrInUse(`${where}: address in use`);
    }
    if (e instanceof Deno.errors.PermissionDenied) {
      throw new Deno.errors.PermissionDenied(`${where}: not permitted`);
    }
    throw new UsageError(`${where}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return {
    url: `http://${shown}:${server.addr.port}/metrics`,
    close: () => server.shutdown(),
  };
}
