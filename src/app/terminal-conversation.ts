/**
 * Which conversation the terminal chat speaks in. Interactive: the person's own (`console:<login>`),
 * which survives restarts. Piped: a new one for every run (`console:<login>:piped:<run>`), so a
 * script starts with the default persona and no history, may run alongside others, and never
 * touches the interactive chat's history or persona. `--continue` picks the last piped run's
 * conversation instead, which the store remembers under one key per login.
 */
import { randomBytes } from "node:crypto";
import escapeStringRegexp from "escape-string-regexp";
import { z } from "zod";
import type { Logger } from "../lib/logger.js";
import type { ConversationStore } from "../store/conversation-store.js";

export interface TerminalConversationOptions {
  interactive: boolean;
  /** Piped only: continue the last piped run's conversation. */
  continueLast: boolean;
  /** The login name (safeUserName): every conversation here is theirs. */
  userName: string;
  /** Where the last piped conversation is remembered. */
  store: Pick<ConversationStore, "getBinding" | "setBinding">;
  logger: Logger;
  /** Default: the time and a few random bytes, unique enough for runs of one person. */
  newRunId?: () => string;
}

export interface TerminalConversation {
  /** The console channel, which names the conversation (see toIncomingMessage). */
  channel: string;
  /** A line for standard error when `--continue` had nothing to continue. */
  note?: string;
}

export const NOTHING_TO_CONTINUE = "No earlier piped conversation to continue: starting a new one.";

/**
 * The store's binding table holds small named values that do not expire; this key names the last
 * piped conversation rather than a persona.
 */
export function lastPipedKey(userName: string): string {
  return `last-piped:console:${userName}`;
}

const runId = () => `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;

export async function chooseTerminalConversation(
  options: TerminalConversationOptions,
): Promise<TerminalConversation> {
  const { userName, store, logger } = options;
  if (options.interactive) return { channel: userName };
  const key = lastPipedKey(userName);
  // Stored data: only a piped channel of this very login is continued.
  const pipedChannel = z.string().regex(new RegExp(`^${escapeStringRegexp(userName)}:piped:[a-z0-9-]+$`));

  if (options.continueLast) {
    try {
      const last = pipedChannel.safeParse(await store.getBinding(key));
      if (last.success) return { channel: last.data };
    } catch (error) {
      logger.warn({ err: error }, "store unavailable: cannot find the last piped conversation");
    }
  }
  const channel = `${userName}:piped:${(options.newRunId ?? runId)()}`;
  try {
    await store.setBinding(key, channel);
  } catch (error) {
    // This run still works; only a later --continue will not find it.
    logger.warn({ err: error }, "store unavailable: this piped conversation cannot be continued");
  }
  return options.continueLast ? { channel, note: NOTHING_TO_CONTINUE } : { channel };
}
