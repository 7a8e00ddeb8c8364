/**
 * The fake's HTTP side: REST under `/api/v10`, on 127.0.0.1 only. Routes are a table of method +
 * path pattern; every request is recorded (method, route, query, body, status, arrival time). The
 * same server accepts the gateway's WebSocket upgrade.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { startLoopbackServer } from "../loopback-server.js";

export interface DiscordRequest {
  at: number;
  method: string;
  /** The path after `/api/v10`, e.g. `/channels/123/messages`. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  authorization?: string;
  status?: number;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: string;
  pattern: RegExp;
  /** Needs `Authorization: Bot <token>` (webhook and interaction routes carry their own token). */
  auth: boolean;
  handle(request: DiscordRequest, params: string[]): RouteResult | Promise<RouteResult>;
}

export function discordError(status: number, code: number, message: string): RouteResult {
  return { status, body: { message, code } };
}

export const noContent: RouteResult = { status: 204 };

export interface DiscordHttp {
  server: Server;
  port: number;
  requests: DiscordRequest[];
  close(): Promise<void>;
}

const PREFIX = "/api/v10";

/** `token()`: the bot token accepted now (a test may reset it while the bot runs). */
export async function startDiscordHttp(routes: Route[], token: () => string): Promise<DiscordHttp> {
  const requests: DiscordRequest[] = [];

  async function handle(incoming: IncomingMessage, response: ServerResponse, body: unknown): Promise<void> {
    const url = new URL(incoming.url ?? "/", "http://127.0.0.1");
    const request: DiscordRequest = {
      // Milliseconds since the epoch, below a millisecond too (the bench times requests).
      at: performance.timeOrigin + performance.now(),
      method: incoming.method ?? "GET",
      path: decodeURIComponent(
        url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : url.pathname,
      ),
      query: url.searchParams,
      body,
      authorization: incoming.headers.authorization,
    };
    requests.push(request);
    let result: RouteResult = discordError(404, 0, "404: Not Found");
    for (const route of routes) {
      const match = route.method === request.method ? route.pattern.exec(request.path) : null;
      if (!match) continue;
      result =
        route.auth && request.authorization !== `Bot ${token()}`
          ? discordError(401, 0, "401: Unauthorized")
          : await route.handle(request, match.slice(1));
      break;
    }
    request.status = result.status;
    const headers = {
      ...(result.body === undefined ? {} : { "content-type": "application/json" }),
      ...result.headers,
    };
    response.writeHead(result.status, headers);
    response.end(result.body === undefined ? undefined : JSON.stringify(result.body));
  }

  const loopback = await startLoopbackServer(
    (incoming, response, recorded) => handle(incoming, response, recorded.body),
    { failureBody: (error) => ({ message: `fake failed: ${String(error)}`, code: 0 }) },
  );
  return { server: loopback.server, port: loopback.port, requests, close: () => loopback.close() };
}
