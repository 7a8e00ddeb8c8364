/**
 * A loopback fake of Slack that the real Bolt app and Web API client talk to: `POST /api/<method>`
 * (form or JSON bodies, like the SDK sends), a Socket Mode WebSocket on the same port, and
 * `POST /respond/<n>` response URLs for slash commands. Records every call with its arrival time;
 * scripted failures (`failNext`, `rateLimitNext`, `refuseChannel`) exercise the bot's error paths.
 * Never contacts slack.com: every URL it hands out is 127.0.0.1.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson, startLoopbackServer } from "../loopback-server.js";
import {
  type FakeMessage,
  FakeSlackState,
  type FakeUser,
  type RecordedCall,
  type SeedMessage,
} from "./fake-slack-state.js";
import { SocketModeServer } from "./socket-mode-server.js";
import { createMethods, type FakeIdentity } from "./web-api-methods.js";

export type { FakeMessage, FakeUser, RecordedCall, SeedMessage } from "./fake-slack-state.js";
export type { FakeIdentity } from "./web-api-methods.js";

export interface FakeSlackOptions {
  identity?: Partial<FakeIdentity>;
  /** Scopes sent in auth.test's x-oauth-scopes header. */
  scopes?: string[];
}

export interface RecordedResponse {
  path: string;
  body: Record<string, unknown>;
  at: number;
}

export const DEFAULT_SCOPES = [
  "app_mentions:read",
  "channels:history",
  "groups:history",
  "im:history",
  "mpim:history",
  "chat:write",
  "chat:write.customize",
  "commands",
  "users:read",
  "reactions:read",
];

/** Call arguments: the SDK sends forms, response URLs get JSON. */
function argsOf(request: IncomingMessage, body: unknown): Record<string, unknown> {
  if (
    typeof body === "string" &&
    (request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")
  )
    return Object.fromEntries(new URLSearchParams(body));
  return typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
}

export async function startFakeSlack(options: FakeSlackOptions = {}) {
  const identity: FakeIdentity = {
    botToken: "xoxb-fake-bot-token",
    appToken: "xapp-fake-app-token",
    teamId: "TFAKE0001",
    botUserId: "UBOT00001",
    botId: "BBOT00001",
    botName: "troupe",
    ...options.identity,
  };
  const state = new FakeSlackState();
  const socket = new SocketModeServer();
  const methods = createMethods(identity);
  const responses: RecordedResponse[] = [];
  let scopes = options.scopes ?? DEFAULT_SCOPES;
  let responseCounter = 0;

  function api(
    method: string,
    args: Record<string, unknown>,
    token: string | undefined,
    response: ServerResponse,
  ) {
    state.calls.push({ method, args, at: performance.now(), token });
    const expected = method === "apps.connections.open" ? identity.appToken : identity.botToken;
    if (token === undefined) return sendJson(response, 200, { ok: false, error: "not_authed" });
    if (token !== expected) return sendJson(response, 200, { ok: false, error: "invalid_auth" });
    const failure = state.takeFailure(method);
    if (failure?.kind === "ratelimited") {
      return sendJson(
        response,
        429,
        { ok: false, error: "ratelimited" },
        { "retry-after": String(failure.retryAfterSeconds) },
      );
    }
    if (failure?.kind === "error") return sendJson(response, 200, { ok: false, error: failure.error });
    const refused = typeof args.channel === "string" ? state.refusedChannels.get(args.channel) : undefined;
    if (refused !== undefined && method.startsWith("chat."))
      return sendJson(response, 200, { ok: false, error: refused });
    if (method === "apps.connections.open")
      return sendJson(response, 200, { ok: true, url: socket.issueUrl(port) });
    const handler = methods[method];
    if (!handler) return sendJson(response, 200, { ok: false, error: "unknown_method" });
    const headers: Record<string, string> =
      method === "auth.test" ? { "x-oauth-scopes": scopes.join(",") } : {};
    sendJson(response, 200, handler(args, state), headers);
  }

  const loopback = await startLoopbackServer(
    (request, response, recorded) => {
      const body = argsOf(request, recorded.body);
      if (recorded.method === "POST" && recorded.path.startsWith("/api/")) {
        const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
        return api(recorded.path.slice("/api/".length), body, token, response);
      }
      if (recorded.method === "POST" && recorded.path.startsWith("/respond/")) {
        responses.push({ path: recorded.path, body, at: performance.now() });
        return sendJson(response, 200, { ok: true });
      }
      sendJson(response, 404, { ok: false, error: "not_found" });
    },
    { failureBody: (error) => ({ ok: false, error: String(error) }) },
  );
  loopback.server.on("upgrade", (request, stream, head) => socket.handleUpgrade(request, stream, head));
  const port = loopback.port;

  return {
    identity,
    state,
    socket,
    responses,
    port,
    /** The Web API base, with the trailing slash the SDK needs. */
    apiUrl: `http://127.0.0.1:${port}/api/`,
    calls: (method?: string): RecordedCall[] =>
      method === undefined ? state.calls : state.calls.filter((call) => call.method === method),
    nextTs: () => state.nextTs(),
    responseUrl: () => `http://127.0.0.1:${port}/respond/${++responseCounter}`,
    failNext(method: string, error: string, times = 1) {
      state.addFailure(method, { kind: "error", error }, times);
    },
    rateLimitNext(method: string, retryAfterSeconds: number, times = 1) {
      state.addFailure(method, { kind: "ratelimited", retryAfterSeconds }, times);
    },
    refuseChannel(channel: string, error: string) {
      state.refusedChannels.set(channel, error);
    },
    setScopes(next: string[]) {
      scopes = next;
    },
    addUser(user: FakeUser) {
      state.users.set(user.id, user);
    },
    seedThread(channel: string, threadTs: string, messages: SeedMessage[]) {
      state.threads.set(state.key(channel, threadTs), messages);
    },
    /** The bot's messages in a channel (a thread's, when given), oldest first. */
    botMessages(channel: string, threadTs?: string): FakeMessage[] {
      return [...state.messages.values()].filter(
        (message) => message.channel === channel && (threadTs === undefined || message.threadTs === threadTs),
      );
    },
    async close() {
      socket.close();
      await loopback.close();
    },
  };
}

export type FakeSlack = Awaited<ReturnType<typeof startFakeSlack>>;
