/**
 * A loopback HTTP proxy in front of the fake Ollama that notes, per chat request, when the request
 * reached the model and when the model's first token left it (the first body chunk of the answer).
 * Requests are told apart by a marker in their last message (the last match in the body).
 * It also reads the answer as it passes (Ollama's NDJSON lines), so a bench knows each request's full
 * answer text and when its last token left the model, and can find that text on the platform.
 */
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";

export interface ModelTiming {
  requestAt: number;
  firstTokenAt?: number;
  /** When the last chunk holding answer text left the model. */
  lastTokenAt?: number;
  /** The answer so far (the whole answer once `doneAt` is set). */
  answer: string;
  /** When the model's final line (`done: true`) left it. */
  doneAt?: number;
}

export interface ModelTimingProxy {
  host: string;
  /** Timings by marker. */
  timings: Map<string, ModelTiming>;
  close(): Promise<void>;
}

const now = () => performance.timeOrigin + performance.now();

const ndjsonLine = z.looseObject({
  message: z.looseObject({ content: z.string().optional() }).optional(),
  done: z.boolean().optional(),
});

/** Reads one complete NDJSON line of the answer into `timing`. */
function readLine(line: string, timing: ModelTiming, at: number): void {
  if (line.trim() === "") return;
  let parsed: z.infer<typeof ndjsonLine>;
  try {
    parsed = ndjsonLine.parse(JSON.parse(line));
  } catch {
    return;
  }
  const content = parsed.message?.content ?? "";
  if (content !== "") {
    timing.answer += content;
    timing.lastTokenAt = at;
  }
  if (parsed.done === true) timing.doneAt = at;
}

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
      const timing: ModelTiming = { requestAt: now(), answer: "" };
      let pending = "";
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
            const at = now();
            timing.firstTokenAt ??= at;
            response.write(chunk);
            const lines = (pending + chunk.toString("utf8")).split("\n");
            pending = lines.pop() ?? "";
            for (const line of lines) readLine(line, timing, at);
          });
          upstreamResponse.on("end", () => {
            readLine(pending, timing, now());
            response.end();
          });
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
