/**
 * The HTTP side of every fake (Ollama, OpenAI, Discord, Slack): a server that listens on 127.0.0.1
 * only, records every request with its body read, and closes every socket (stalled ones too) on
 * `close()` so a test run never hangs. The fakes differ only in their routes and error bodies.
 */
import { setMaxListeners } from "node:events";
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON; the raw text when it is not JSON (a form); undefined for an empty body. */
  body: unknown;
  /** The body's bytes as received (a binary upload, e.g. Ollama's blobs). */
  raw: Buffer;
}

export type RouteHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  recorded: RecordedRequest,
) => Promise<void> | void;

export interface LoopbackServer {
  /** For a WebSocket server on the same port (Discord's gateway, Slack's Socket Mode). */
  readonly server: Server;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Aborts when the server closes: streaming loops stop waiting. */
  readonly closing: AbortSignal;
  /** Destroy every open connection, keep listening (a network blip; ends stalled streams). */
  dropConnections(): void;
  /** TCP connections accepted so far: a client that keeps its connections alive opens few. */
  connectionsOpened(): number;
  close(): Promise<void>;
}

export interface LoopbackOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The JSON body of the 500 sent when a handler throws, in the faked service's error shape. */
  failureBody?: (error: unknown) => unknown;
}

/** Starts an HTTP server on 127.0.0.1 (loopback only). */
export async function startLoopbackServer(
  handler: RouteHandler,
  options: LoopbackOptions = {},
): Promise<LoopbackServer> {
  const failureBody = options.failureBody ?? ((error) => ({ error: `fake failed: ${String(error)}` }));
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
        ...(await readBody(request)),
      };
      requests.push(recorded);
      await handler(request, response, recorded);
    })().catch((error: unknown) => {
      if (!response.headersSent && !response.destroyed) {
        sendJson(response, 500, failureBody(error));
      } else {
        response.destroy();
      }
    });
  });
  let connectionsOpened = 0;
  server.on("connection", (socket) => {
    connectionsOpened += 1;
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;

  const dropConnections = (): void => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    server,
    port: address.port,
    requests,
    closing: closing.signal,
    dropConnections,
    connectionsOpened: () => connectionsOpened,
    async close() {
      closing.abort();
      dropConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readBody(request: IncomingMessage): Promise<{ body: unknown; raw: Buffer }> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  const raw = Buffer.concat(parts);
  const text = raw.toString("utf8");
  if (text === "") return { body: undefined, raw };
  try {
    return { body: JSON.parse(text), raw };
  } catch {
    return { body: text, raw };
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
