import { setMaxListeners } from "node:events";
/**
 * The HTTP side of the LLM fakes: a server that listens on 127.0.0.1 only, records every request,
 * and closes every socket (stalled ones too) on `close()` so a test run never hangs.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
}

export type RouteHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  recorded: RecordedRequest,
) => Promise<void> | void;

export interface LoopbackServer {
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Aborts when the server closes: streaming loops stop waiting. */
  readonly closing: AbortSignal;
  /** Destroy every open connection, keep listening (a network blip; ends stalled streams). */
  dropConnections(): void;
  close(): Promise<void>;
}

/** Starts an HTTP server on 127.0.0.1 (loopback only); `port` 0 picks a free one. */
export async function startLoopbackServer(handler: RouteHandler, port = 0): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  const requests: RecordedRequest[] = [];
  const closing = new AbortController();
  // Every stream in flight waits on this one signal; fifty at once is a benchmark, not a leak.
  setMaxListeners(0, closing.signal);

  const server = createServer((request, response) => {
    void (async () => {
      const recorded: RecordedRequest = {
        method: request.method ?? "GET",
        path: new URL(request.url ?? "/", "http://127.0.0.1").pathname,
        headers: request.headers,
        body: await readJson(request),
      };
      requests.push(recorded);
      await handler(request, response, recorded);
    })().catch((error: unknown) => {
      if (!response.headersSent && !response.destroyed) {
        sendJson(response, 500, { error: `fake failed: ${String(error)}` });
      } else {
        response.destroy();
      }
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;

  const dropConnections = (): void => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    port: address.port,
    requests,
    closing: closing.signal,
    dropConnections,
    async close() {
      closing.abort();
      dropConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  const text = Buffer.concat(parts).toString("utf8");
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  response.end(JSON.stringify(body));
}
