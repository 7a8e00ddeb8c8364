/**
 * One terminal line → the bot: a `/name …` line runs that command, anything else is a chat message
 * (a prompt, or a chat verb such as `persona coder`). The simplest instance of a platform's
 * on-message: no addressing, no de-duplication, one person.
 */
import type { Bot } from "../../core/bot.js";
import type { ReplySink } from "../../core/reply-sink.js";
import { parseCommandLine } from "../../core/typed-commands.js";
import { type ConsoleIdentity, toIncomingMessage } from "./console-to-incoming.js";

export interface LineHandlerOptions {
  bot: Bot;
  identity: ConsoleIdentity;
  sink: ReplySink;
}

export function createLineHandler(options: LineHandlerOptions): (line: string) => Promise<void> {
  const { bot, sink } = options;
  return async function handleLine(line) {
    const text = line.trim();
    if (text.length === 0) return;
    const message = toIncomingMessage(text, options.identity);
    const parsed = parseCommandLine(text, bot.commands);
    if (parsed === undefined) return bot.handleMessage(message, sink);
    if (parsed.kind === "unknown") {
      return sink.post(`Unknown command \`/${parsed.name}\`. Type \`/help\` for the list.`, { error: true });
    }
    return bot.runCommand(parsed.command.name, parsed.options, message, sink);
  };
}
