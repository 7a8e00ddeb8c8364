import KeyvRedis, { createClient } from "@keyv/redis";
import { Keyv } from "keyv";
import type { Logger } from "../lib/logger.js";
import { bounded } from "./bounded.js";
import { type SetIfAbsent, STORE_NAMESPACE } from "./keyv-store.js";
import type { EvalScript } from "./redis-history.js";
import { errorText } from "./store-error-text.js";

export interface RedisBackend {
  keyv: Keyv;
  setIfAbsent: SetIfAbsent;
  /** EVAL on the same connection: the history log and the order lock are Lua scripts. */
  evalScript: EvalScript;
  disconnect(): Promise<void>;
}

export interface RedisOptions {
  /** The URL without its password, for messages. */
  display: string;
  timeoutMs: number;
  logger?: Logger;
}

/** Reconnects after start-up back off like this, capped so a returning Redis is used within 2 s. */
function backoffMs(retries: number): number {
  return Math.min(100 * 2 ** retries, 2_000);
}

/**
 * Connects to Redis (or rediss://) and returns a keyv over it. Rejects with the connection's own
 * error when Redis cannot be reached within `timeoutMs`; the caller words the start-up message.
 */
export async function openRedis(
  url: string,
  { display, timeoutMs, logger }: RedisOptions,
): Promise<RedisBackend> {
  let started = false;
  let closing = false;
  const client = createClient({
    url,
    // While the connection is down, commands fail at once (ClientOfflineError) instead of
    // waiting in an offline queue until Redis returns: a chat reply must not hang on the store.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: timeoutMs,
      // The client's default retries the first connection forever. At start-up a refused
      // connection is a configuration error, so fail at once; once running, reconnect in the background.
      reconnectStrategy: (retries) => (started && !closing ? backoffMs(retries) : false),
    },
  });

  // @redis/client is a Node EventEmitter: an 'error' event with no listener would kill the process.
  let healthy = true;
  client.on("error", (error: unknown) => {
    if (!started || closing) return; // start-up failures reach the caller through connect()
    if (healthy)
      logger?.warn({ store: display, error: errorText(error) }, "lost the Redis connection; retrying");
    else logger?.debug({ store: display, error: errorText(error) }, "Redis still unreachable");
    healthy = false;
  });
  client.on("ready", () => {
    if (!healthy) logger?.info({ store: display }, "reconnected to Redis");
    healthy = true;
  });

  try {
    // connectTimeout covers the TCP handshake only; this also bounds a server that accepts and never answers.
    await bounded(`connecting to ${display}`, timeoutMs, () => client.connect());
  } catch (error) {
    if (client.isOpen) client.destroy();
    throw error;
  }
  started = true;

  const adapter = new KeyvRedis(client, { namespace: STORE_NAMESPACE, throwOnErrors: true });
  // KeyvRedis prefixes keys with its own namespace ("troupe::history:…"): keyv must not add a second prefix.
  const keyv = new Keyv(adapter, { namespace: STORE_NAMESPACE, useKeyPrefix: false });

  const setIfAbsent: SetIfAbsent = async (key, value, ttlMs) => {
    // SET NX PX is one atomic command: two instances given the same event cannot both see it as new.
    const reply = await client.set(adapter.createKeyPrefix(key, adapter.namespace), value, {
      condition: "NX",
      expiration: { type: "PX", value: ttlMs },
    });
    return reply !== null;
  };

  const disconnect = async () => {
    closing = true;
    // The store waits for its own operations first; destroy() (not close()) so that a command
    // stuck on a hung server cannot hold the socket, and the process, open.
    if (client.isOpen) client.destroy();
  };

  const evalScript: EvalScript = (script, keys, args) => client.eval(script, { keys, arguments: args });

  return { keyv, setIfAbsent, evalScript, disconnect };
}
