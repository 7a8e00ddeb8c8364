/**
 * The terminal chat, wired: what `npm start` opens when no platform token is set. Shows the model
 * notices and the persona files start-up skipped or warned about, names the person after their
 * login, picks the conversation (a piped run gets its own: terminal-conversation.ts), tells them
 * when a persona file changes, and asks the shutdown to stop when the chat is over: exit 1 when
 * piped and an answer failed, so a script notices; "Bye!" on a terminal.
 */
import { userInfo } from "node:os";
import type { Config } from "../config.js";
import { type ConsoleConnector, createConsoleConnector } from "../connectors/console/console-connector.js";
import type { Bot } from "../core/bot.js";
import type { Logger } from "../lib/logger.js";
import { describePersonaChange, describePersonaStartup } from "../personas/persona-change-text.js";
import type { PersonaDirectory } from "../personas/persona-directory.js";
import type { ConversationStore } from "../store/conversation-store.js";
import type { Shutdown } from "./shutdown.js";
import { chooseTerminalConversation } from "./terminal-conversation.js";

export interface TerminalChatOptions {
  bot: Bot;
  personas: Pick<PersonaDirectory, "onChange" | "startup">;
  logger: Logger;
  config: Pick<Config, "NO_COLOR">;
  /** Standard input is a terminal: greeting, prompt, notices. Otherwise line by line, answers only. */
  interactive: boolean;
  /** Shown before the greeting (interactive only): the model and any problem with it. */
  notices: string[];
  input: NodeJS.ReadableStream;
  /** Answers; coloured when it is a terminal and NO_COLOR is unset. */
  output: NodeJS.WritableStream & { isTTY?: boolean };
  /** Error lines for failed answers. */
  errorOutput: NodeJS.WritableStream;
  shutdown: Pick<Shutdown, "requestShutdown" | "track">;
  /** Remembers the last piped conversation, for `continueLast`. */
  store: Pick<ConversationStore, "getBinding" | "setBinding">;
  /** `--continue`: a piped run continues the last piped run's conversation instead of a new one. */
  continueLast?: boolean;
  /** Default: the login name (safeUserName). */
  userName?: string;
}

export async function startTerminalChat(options: TerminalChatOptions): Promise<ConsoleConnector> {
  const { interactive, output, shutdown } = options;
  const userName = options.userName ?? safeUserName();
  const conversation = await chooseTerminalConversation({
    interactive,
    continueLast: options.continueLast ?? false,
    userName,
    store: options.store,
    logger: options.logger,
  });
  if (conversation.note !== undefined) options.errorOutput.write(`${conversation.note}\n`);
  const chat = createConsoleConnector({
    bot: options.bot,
    logger: options.logger,
    input: options.input,
    output,
    errorOutput: options.errorOutput,
    interactive,
    color: output.isTTY === true && options.config.NO_COLOR === undefined,
    identity: { userName, channel: conversation.channel },
    notices: [...options.notices, ...describePersonaStartup(options.personas.startup)],
    onEnd({ failures, interrupted }) {
      if (interactive) output.write(interrupted ? "\nBye!\n" : "Bye!\n");
      // Piped: a non-zero exit tells a script that some answer failed.
      const exitCode = !interactive && failures > 0 ? 1 : 0;
      shutdown.requestShutdown(interrupted ? "ctrl-c" : "end of input", exitCode);
    },
  });
  // Tracked before it starts: piped input can end (and ask for the stop) before start() returns.
  shutdown.track(chat);
  await chat.start();
  // Someone writing a persona sees it arrive (or what is wrong with it) without reading logs.
  options.personas.onChange((changes) => {
    for (const change of changes) chat.notify(describePersonaChange(change));
  });
  return chat;
}

/** The login name, reduced to characters safe in a conversation id; "you" when there is none. */
export function safeUserName(read: () => { username: string } = () => userInfo()): string {
  try {
    return read().username.replace(/[^\w.-]/g, "") || "you";
  } catch {
    return "you";
  }
}
