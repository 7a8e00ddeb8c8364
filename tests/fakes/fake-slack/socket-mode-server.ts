/**
 * The fake's Socket Mode side: a `ws` server on the fake's own port. apps.connections.open hands out
 * a fresh `ws://127.0.0.1:<port>/link/?ticket=<one-time ticket>&app_id=…` URL each time, shaped like
 * Slack's (a reconnect gets a new one; the ticket is a secret that must never reach a log); a
 * connection gets `hello`, then envelopes on demand; acks are recorded by envelope_id.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { z } from "zod";

export interface RecordedAck {
  envelopeId: string;
  payload: unknown;
  at: number;
}

const ackSchema = z.looseObject({ envelope_id: z.string(), payload: z.unknown().optional() });

export interface EnvelopeOptions {
  retryAttempt?: number;
  acceptsResponsePayload?: boolean;
}

export class SocketModeServer {
  readonly acks = new Map<string, RecordedAck>();
  /** Connections that completed (hello sent), ever. */
  connectionsOpened = 0;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sockets = new Set<WebSocket>();
  readonly #issued = new Set<string>();
  readonly #waiters: (() => void)[] = [];
  #counter = 0;

  /** Every ticket handed out, ever (tests check none of them was logged). */
  readonly tickets: string[] = [];

  issueUrl(port: number): string {
    const ticket = `${++this.#counter}-${randomUUID()}`;
    this.#issued.add(ticket);
    this.tickets.push(ticket);
    return `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=AFAKE`;
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const ticket = new URL(request.url ?? "/", "http://127.0.0.1").searchParams.get("ticket") ?? "";
    // A ticket works once: a reconnect must ask apps.connections.open again.
    if (!this.#issued.delete(ticket)) {
      socket.destroy();
      return;
    }
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      this.#sockets.add(ws);
      ws.on("close", () => this.#sockets.delete(ws));
      ws.on("message", (data) => this.#onMessage(String(data)));
      ws.send(
        JSON.stringify({
          type: "hello",
          num_connections: this.#sockets.size,
          connection_info: { app_id: "AFAKE" },
        }),
      );
      this.connectionsOpened++;
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  #onMessage(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return;
    }
    const ack = ackSchema.safeParse(json);
    if (!ack.success) return;
    this.acks.set(ack.data.envelope_id, {
      envelopeId: ack.data.envelope_id,
      payload: ack.data.payload,
      at: performance.now(),
    });
    for (const wake of this.#waiters.splice(0)) wake();
  }

  get openConnections(): number {
    return [...this.#sockets].filter((socket) => socket.readyState === socket.OPEN).length;
  }

  /** Sends an envelope on the newest connection; returns its envelope_id. */
  send(type: "events_api" | "slash_commands", payload: unknown, options: EnvelopeOptions = {}): string {
    const socket = [...this.#sockets].reverse().find((candidate) => candidate.readyState === candidate.OPEN);
    if (!socket) throw new Error("fake Slack: no Socket Mode connection to send on");
    const envelopeId = randomUUID();
    const retryAttempt = options.retryAttempt ?? 0;
    socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: options.acceptsResponsePayload ?? type === "slash_commands",
        ...(type === "events_api"
          ? { retry_attempt: retryAttempt, retry_reason: retryAttempt > 0 ? "timeout" : "" }
          : {}),
      }),
    );
    return envelopeId;
  }

  /** Resolves when `check()` holds, re-checked after each connection and ack. */
  async until(check: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`fake Slack: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The network drops: every connection ends abruptly, without a close frame. */
  dropConnections(): void {
    for (const socket of this.#sockets) socket.terminate();
  }

  /** Slack asks the client to reconnect (`{"type":"disconnect"}`), as it does when it recycles a server. */
  askToReconnect(reason = "refresh_requested"): void {
    for (const socket of this.#sockets) socket.send(JSON.stringify({ type: "disconnect", reason }));
  }

  close(): void {
    for (const socket of this.#sockets) socket.terminate();
    this.#wss.close();
  }
}
