/**
 * The Bolt app: Socket Mode when an app-level token is set (no public URL needed), otherwise the
 * HTTP Events API on PORT, where every request passes slack-http-guard.ts first (signature, replay
 * window both ways, and a body Bolt can handle: a hostile one gets a 4xx at once); Bolt, handed the
 * verified request, does not verify it again. Bolt types stay in this folder. With PUBLIC_URL set,
 * the same server also answers `GET|HEAD /avatars/<file>` (the app's avatar handler, before the
 * guard and Bolt), so PUBLIC_URL can simply be the Slack events host.
 *
 * Bolt is given the identity that auth.test already returned, so it makes no second call; its own
 * Web API client only serves Socket Mode (apps.connections.open, with the SDK's patient retries for
 * reconnecting): replies go through slack-api.ts. A reconnect that fails for good is reported
 * (`onFatal`), never left as an unhandled rejection.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { App, HTTPReceiver, SocketModeReceiver } from "@slack/bolt";
import type { Logger } from "../../lib/logger.js";
import { type OnFatal, PlatformFatalError } from "../connector.js";
import { SlackStartError } from "./slack-auth.js";
import { createSdkLogger } from "./slack-bolt-logger.js";
import { AUTH_ERRORS, describeSlackError } from "./slack-errors.js";
import { createRequestGuard } from "./slack-http-guard.js";
import { slackApiBase } from "./slack-web-api.js";

export interface BoltAppOptions {
  botToken: string;
  botUserId: string;
  botId?: string;
  appToken?: string;
  signingSecret?: string;
  apiUrl?: string;
  port: number;
  /** The slash commands the app listens for, with their slash (HTTP mode refuses any other). */
  commands: readonly string[];
  /** HTTP mode's listening address; all interfaces when unset. */
  host?: string;
  /** Socket Mode keep-alive: pings every third of it, reconnects after it (times failures). Default 5000. */
  socketPingTimeoutMs?: number;
  logger: Logger;
  /** Socket Mode failed to reconnect and will not try again (see reportReconnectFailures). */
  onFatal?: OnFatal;
  /** False while troupe stops: HTTP mode answers Slack 503, so Slack retries the event elsewhere. */
  accepting?: () => boolean;
  /** HTTP mode: answers GET/HEAD `/avatars/<file>` (the personas' pictures, for PUBLIC_URL). */
  avatars?: HttpHandler;
}

/** The personas' pictures' path on the events server (PUBLIC_URL's /avatars/). */
const AVATARS_PREFIX = "/avatars/";

export type HttpHandler = (request: IncomingMessage, response: ServerResponse) => void;

export interface BoltApp {
  app: App;
  mode: "socket" | "http";
  /** Connects (Socket Mode) or listens (HTTP); resolves with the HTTP port, if any. */
  start(): Promise<number | undefined>;
  stop(): Promise<void>;
  /** The socket is open (Socket Mode) or the server listens (HTTP). */
  connected(): boolean;
}

export function createBoltApp(options: BoltAppOptions): BoltApp {
  const sdkLogger = createSdkLogger(options.logger);
  const clientOptions = { slackApiUrl: slackApiBase(options.apiUrl), logger: sdkLogger };
  const common = {
    token: options.botToken,
    botUserId: options.botUserId,
    botId: options.botId,
    tokenVerificationEnabled: false,
    convoStore: false as const,
    logger: sdkLogger,
    clientOptions,
  };

  if (options.appToken !== undefined) {
    const receiver = new SocketModeReceiver({
      appToken: options.appToken,
      logger: sdkLogger,
      clientPingTimeout: options.socketPingTimeoutMs,
      // Bolt hands these to the Socket Mode client: apps.connections.open goes to SLACK_API_URL too.
      installerOptions: { clientOptions },
    });
    const app = new App({ ...common, receiver, socketMode: true });
    reportReconnectFailures(receiver.client, options.onFatal);
    let open = false;
    receiver.client.on("connected", () => {
      open = true;
    });
    for (const state of ["disconnected", "reconnecting"])
      receiver.client.on(state, () => {
        open = false;
      });
    return {
      app,
      mode: "socket",
      connected: () => open,
      async start() {
        try {
          await receiver.start();
        } catch (error) {
          await receiver.client.disconnect().catch(() => {});
          const { code } = describeSlackError(error);
          throw new SlackStartError(
            AUTH_ERRORS.has(code)
              ? `Slack rejected SLACK_APP_TOKEN (${code}). Create an app-level token with the connections:write scope ` +
                  '("Basic Information" → "App-Level Tokens") and make sure Socket Mode is enabled for the app.'
              : `Could not open a Socket Mode connection with SLACK_APP_TOKEN: ${code}.`,
            { cause: error },
          );
        }
        return undefined;
      },
      async stop() {
        // Bolt's own stop() does not wait for the socket to close; this does (a socket that is
        // already gone may never report it, hence the bound).
        await Promise.race([
          receiver.client.disconnect(),
          new Promise((resolve) => setTimeout(resolve, 3_000).unref()),
        ]);
      },
    };
  }

  if (options.signingSecret === undefined) {
    throw new SlackStartError(
      "Slack needs SLACK_APP_TOKEN (Socket Mode, no public URL needed) or SLACK_SIGNING_SECRET (HTTP Events API on PORT).",
    );
  }
  const endpoint = "/slack/events";
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: endpoint,
    logger: sdkLogger,
    // The guard below has verified every POST to the endpoint before Bolt sees it (the only
    // requests Bolt processes; other paths and methods get its 404), so Bolt does not compute the
    // same HMAC a second time per event.
    signatureVerification: false,
  });
  // Its server calls this property per request: the guard answers hostile requests, Bolt the rest.
  const guarded = createRequestGuard(receiver.requestListener, {
    signingSecret: options.signingSecret,
    endpoint,
    commands: options.commands,
    logger: options.logger,
    accepting: options.accepting,
  });
  const { avatars } = options;
  // Not one of Bolt's customRoutes: Bolt decodes a route's parameters itself, and a bad escape in
  // a stranger's URL (`%E0%A4%A`) throws there and becomes a 500 with an error logged per request.
  receiver.requestListener =
    avatars === undefined
      ? guarded
      : (request, response) =>
          (request.url ?? "").startsWith(AVATARS_PREFIX)
            ? avatars(request, response)
            : guarded(request, response);
  const app = new App({ ...common, receiver });
  let started = false;
  return {
    app,
    mode: "http",
    connected: () => started,
    async start() {
      const server = await receiver
        .start({ port: options.port, host: options.host })
        .catch((error: unknown) => {
          throw new SlackStartError(
            `Could not listen on PORT=${options.port} for Slack's Events API: ${String(error)}`,
            {
              cause: error,
            },
          );
        });
      started = true;
      return (server.address() as AddressInfo).port;
    },
    async stop() {
      if (started) await receiver.stop();
      started = false;
    },
  };
}

type SocketModeClient = SocketModeReceiver["client"];

/**
 * The Socket Mode client reconnects by calling its own `start()` from a timer and never handles
 * that call's failure: an app-level token revoked meanwhile (`invalid_auth`), or Slack unreachable
 * past the client's retries, becomes an unhandled rejection and Socket Mode is gone for good while
 * the process idles on. Its `start` is wrapped so that a failure after the first connection goes
 * to `onFatal` instead; the first connection's failure still rejects (start-up reports it).
 */
function reportReconnectFailures(client: SocketModeClient, onFatal: OnFatal | undefined): void {
  const connect = client.start.bind(client);
  let connected = false;
  client.start = async () => {
    try {
      const opened = await connect();
      connected = true;
      return opened;
    } catch (error) {
      if (!connected) throw error;
      const { code } = describeSlackError(error);
      onFatal?.(
        AUTH_ERRORS.has(code)
          ? new PlatformFatalError(
              `Slack refused the app-level token while reconnecting Socket Mode (${code})`,
              'create a new app-level token with the connections:write scope ("Basic Information" → "App-Level Tokens") ' +
                "and make sure Socket Mode is still enabled for the app",
              { cause: error, variable: "SLACK_APP_TOKEN" },
            )
          : new PlatformFatalError(
              `Socket Mode could not reconnect to Slack and gave up (${code})`,
              "check the network (and SLACK_API_URL if you set it); a service manager that restarts troupe on failure reconnects it",
              { cause: error, variable: "SLACK_APP_TOKEN" },
            ),
      );
      return { ok: false, error: code };
    }
  };
}
