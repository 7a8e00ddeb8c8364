/**
 * A loopback HTTP proxy in front of the fake Ollama that notes, per chat request, when the request
 * reached the model and when the model's first token left it (the first body chunk of the answer).
 * Requests are told apart by a marker in their last message (the last match in the body).
 */
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";

export interface ModelTiming {
  requestAt: number;
  firstTokenAt?: number;
}

export interface ModelTimingProxy {
  host: string;
  /** Timings by marker. */
  timings: Map<string, ModelTiming>;
  close(): Promise<void>;
}

const now = () => performance.timeOrigin + performance.now();

export async function startModelTimingProxy(upstream: string, marker: RegExp): Promise<ModelTimingProxy> {
  const target = new URL(upstream);
  const timings = new Map<string, ModelTiming>();
  const server = createServer((incoming, response) => {
    const parts: Buffer[] = [];
    incoming.on("data", (part: Buffer) => parts.push(part));
    incoming.on("end", () => {
      const body = Buffer.concat(parts);
      // The last match: history repeats the markers of earlier rounds.
      const key = [...body.toString("utf8").matchAll(new RegExp(marker.source, "g"))].at(-1)?.[0];
      const timing: ModelTiming = { requestAt: now() };
      if (key !== undefined && !timings.has(key)) timings.set(key, timing);
      const forward = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: incoming.url,
          method: incoming.method,
          headers: incoming.headers,
        },
        (upstreamResponse) => {
          response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
          upstreamResponse.on("data", (chunk: Buffer) => {
            timing.firstTokenAt ??= now();
            response.write(chunk);
          });
          upstreamResponse.on("end", () => response.end());
        },
      );
      forward.on("error", () => response.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    host: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    timings,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
