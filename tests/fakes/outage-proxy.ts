/**
 * A platform having an outage, then coming back: an HTTP proxy on 127.0.0.1 in front of a fake
 * (Discord's REST, Slack's Web API). While `down`, every request gets the outage's answer (a 503,
 * or the connection cut with no answer); after `heal()`, requests go through to the fake unchanged
 * (or with `headers` put in place of the client's, to let a wrong token past REST only).
 * Only plain HTTP passes: the gateway and Socket Mode URLs the fakes hand out point at the fakes.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { request as httpRequest } from "node:http";
import { startLoopbackServer } from "./loopback-server.js";

export interface OutageProxy {
  /** The proxy's origin, `http://127.0.0.1:<port>`: put the fake's path after it. */
  readonly origin: string;
  /** Requests that met the outage. */
  readonly refused: number;
  heal(): void;
  close(): Promise<void>;
}

export async function startOutageProxy(options: {
  /** The fake's origin, `http://127.0.0.1:<port>`. */
  target: string;
  /** `503`: the platform answers Service Unavailable. `cut`: the connection drops, no answer. */
  outage: "503" | "cut";
  /** Start healed: no outage at all. */
  healthy?: boolean;
  /** Sent on in place of the client's headers of the same name. */
  headers?: Record<string, string>;
}): Promise<OutageProxy> {
  const target = new URL(options.target);
  let down = options.healthy !== true;
  let refused = 0;
  const loopback = await startLoopbackServer((incoming, response, recorded) => {
    if (down) {
      refused++;
      if (options.outage === "cut") return void incoming.socket.destroy();
      response.writeHead(503, { "content-type": "text/plain" }).end("Service Unavailable");
      return;
    }
    return forward(incoming, response, target, recorded.body, options.headers ?? {});
  });
  return {
    origin: `http://127.0.0.1:${loopback.port}`,
    get refused() {
      return refused;
    },
    heal() {
      down = false;
    },
    close: () => loopback.close(),
  };
}

/** The loopback server has read the body already (parsed when JSON): send it on as text. */
function forward(
  incoming: IncomingMessage,
  response: ServerResponse,
  target: URL,
  body: unknown,
  replaced: Record<string, string>,
): Promise<void> {
  const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
  const { "transfer-encoding": _chunked, ...sent } = incoming.headers;
  const headers = {
    ...sent,
    ...replaced,
    host: target.host,
    "content-length": String(Buffer.byteLength(text)),
  };
  return new Promise((resolve) => {
    const outgoing = httpRequest(
      { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
        answer.on("end", () => resolve());
      },
    );
    outgoing.on("error", () => {
      response.writeHead(502).end();
      resolve();
    });
    outgoing.end(text);
  });
}
