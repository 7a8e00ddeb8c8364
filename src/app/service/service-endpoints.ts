/**
 * The one HTTP server troupe runs for its operator, on METRICS_PORT (METRICS_HOST, all interfaces
 * by default): `GET /healthz` (200 while the process lives), `GET /readyz` (200 or 503 with a short
 * JSON body naming each part's state) and `GET /metrics` (Prometheus text). Read-only by design:
 * other paths are 404, other methods 405, and nothing here changes state, so exposing the port
 * to a scraper or a load balancer exposes nothing else. With PUBLIC_URL set it also serves the
 * personas' pictures at `/avatars/<file>` (avatar-route.ts), the one thing here meant for strangers:
 * Discord and Slack fetch a persona's face from there.
 *
 * A port already in use at start-up is a configuration error naming METRICS_PORT.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { Logger } from "../../lib/logger.js";
import { FatalError } from "../fatal.js";
import { type AvatarHandler, isAvatarPath } from "./avatar-route.js";
import type { ReadinessReport } from "./readiness.js";

export interface ServiceEndpointsOptions {
  port: number;
  host: string;
  registry: Registry;
  readiness: { report(): Promise<ReadinessReport> };
  logger: Logger;
  /** Set (PUBLIC_URL): `/avatars/<file>` serves the personas' pictures. */
  avatars?: AvatarHandler;
}

export interface ServiceEndpoints {
  /** The port listened on (the one asked for; tests may ask for 0). */
  readonly port: number;
  close(): Promise<void>;
}

const PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

function send(response: ServerResponse, status: number, type: string, body: string, extra = {}): void {
  response.writeHead(status, { "content-type": type, "cache-control": "no-store", ...extra });
  response.end(body);
}

export async function startServiceEndpoints(options: ServiceEndpointsOptions): Promise<ServiceEndpoints> {
  const { registry, readiness, logger } = options;

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? "/", "http://troupe").pathname;
    if (!PATHS.has(path)) return send(response, 404, "text/plain", "not found\n");
    if (request.method !== "GET" && request.method !== "HEAD")
      return send(response, 405, "text/plain", "method not allowed\n", { allow: "GET, HEAD" });
    if (path === "/healthz") return send(response, 200, "text/plain", "ok\n");
    if (path === "/readyz") {
      const report = await readiness.report();
      return send(response, report.ready ? 200 : 503, "application/json", `${JSON.stringify(report)}\n`);
    }
    send(response, 200, registry.contentType, await registry.metrics());
  }

  const server: Server = createServer((request, response) => {
    const { avatars } = options;
    if (avatars !== undefined && isAvatarPath(new URL(request.url ?? "/", "http://troupe").pathname)) {
      return avatars(request, response);
    }
    // The body is never read: these endpoints take no input.
    request.resume();
    route(request, response).catch((error: unknown) => {
      logger.error({ err: error, url: request.url }, "a service endpoint failed");
      if (!response.headersSent) send(response, 500, "text/plain", "internal error\n");
      else response.end();
    });
  });
  // A scraper's idle keep-alive connection must not hold the exit back.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "EADDRINUSE"
        ? `port ${options.port} is already in use on ${options.host}`
        : code === "EACCES"
          ? `troupe may not listen on port ${options.port}`
          : `troupe cannot listen on ${options.host}:${options.port} (${code ?? String(error)})`;
    throw new FatalError(
      `METRICS_PORT=${options.port}: ${why}. Fix: choose a free port for METRICS_PORT (or METRICS_HOST), or unset it.`,
      { cause: error },
    );
  });
  server.unref();
  const port = (server.address() as AddressInfo).port;
  logger.info(
    { port, host: options.host },
    options.avatars === undefined
      ? "serving /healthz, /readyz and /metrics"
      : "serving /healthz, /readyz, /metrics and the personas' pictures at /avatars/",
  );
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
