/**
 * The terminal chat: what `npm start` opens when no platform token is set. Interactive on a
 * terminal (greeting, streamed answers, pasted lines kept together, Ctrl-C to leave); line-by-line
 * when piped, where standard output holds only the answers and the process ends with the input.
 * This file owns the readline's life; what one line means is console-on-message.ts.
 */
import { createInterface, type Interface } from "node:readline";
import type { Bot } from "../../core/bot.js";
import type { Logger } from "../../lib/logger.js";
import { terminalSafe } from "../../lib/terminal-safe-text.js";
import type { Connector } from "../connector.js";
import { createLineHandler } from "./console-on-message.js";
import { type ConsoleSink, createConsoleSink, speakerHeading } from "./console-sink.js";
import { type ConsoleIdentity, toIncomingMessage } from "./console-to-incoming.js";

/** Lines closer together than this came from one paste, not from typing. */
const PASTE_WINDOW_MS = 30;

export interface ConsoleConnectorOptions {
  bot: Bot;
  logger: Logger;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  errorOutput: NodeJS.WritableStream;
  interactive: boolean;
  color: boolean;
  identity: ConsoleIdentity;
  /** Start-up problems worth showing a person (e.g. "Ollama isn't answering"), interactive only. */
  notices?: string[];
  /** Called once when the chat is over: input ended or Ctrl-C. `failures` counts failed answers. */
  onEnd(result: { failures: number; interrupted: boolean }): void;
}

export interface ConsoleConnector extends Connector {
  /** Shows a line to the person at the terminal (e.g. "persona pirate added"); nothing when piped. */
  notify(text: string): void;
}

export function createConsoleConnector(options: ConsoleConnectorOptions): ConsoleConnector {
  const { bot, interactive } = options;
  const logger = options.logger.child({ connector: "console" });
  const sink: ConsoleSink = createConsoleSink(options);
  let readline: Interface | undefined;
  let ended = false;

  function end(interrupted: boolean) {
    if (ended) return;
    ended = true;
    options.onEnd({ failures: sink.failures, interrupted });
  }

  const handleLine = createLineHandler({ bot, identity: options.identity, sink });

  async function greet() {
    for (const notice of options.notices ?? []) options.output.write(`${terminalSafe(notice)}\n`);
    const here = toIncomingMessage("", options.identity);
    const { persona } = await bot.currentPersona(here);
    // A restart picks up where the person left: greeting them as new would hide that it remembers.
    const greeting = (await bot.hasHistory(here.conversationId))
      ? "continuing our conversation (/reset to start over)"
      : terminalSafe(persona.greeting ?? `Hello! I'm ${persona.displayName}.`);
    options.output.write(`${speakerHeading(persona)}: ${greeting}\n`);
    options.output.write("(Type a message, /help for commands, Ctrl-C to leave.)\n");
  }

  async function runInteractive(rl: Interface) {
    await greet();
    rl.setPrompt("› ");
    rl.prompt();
    // Lines typed while an answer streams wait their turn in the bot's per-conversation queue.
    let pending = Promise.resolve();
    // A paste arrives as several lines within a few milliseconds; a person types one at a time.
    // Lines that arrive together are one message, so pasted code is not sent line by line.
    let pasted: string[] = [];
    let pasteTimer: NodeJS.Timeout | undefined;
    const send = () => {
      const text = pasted.join("\n");
      pasted = [];
      pending = pending
        .then(() => handleLine(text))
        .then(() => {
          if (!ended) rl.prompt();
        });
    };
    rl.on("line", (line) => {
      pasted.push(line);
      clearTimeout(pasteTimer);
      pasteTimer = setTimeout(send, PASTE_WINDOW_MS);
    });
    rl.on("SIGINT", () => end(true));
    rl.on("close", () => {
      if (pasted.length > 0) {
        clearTimeout(pasteTimer);
        send();
      }
      void pending.then(() => end(false));
    });
  }

  async function runPiped(rl: Interface) {
    for await (const line of rl) {
      if (ended) break;
      await handleLine(line);
    }
    end(false);
  }

  return {
    name: "console",
    notify(text) {
      // Piped, standard output belongs to the answers alone.
      if (!interactive || ended || readline === undefined) return;
      // Clear the prompt line, say it, and give the prompt (with what was typed) back.
      // The text names persona files, which may come from anyone: shown, never acted on.
      options.output.write(`\r\u001b[K${terminalSafe(text)}\n`);
      readline.prompt(true);
    },
    async start() {
      readline = createInterface({
        input: options.input,
        output: interactive ? options.output : undefined,
        terminal: interactive,
      });
      logger.debug({ interactive }, "terminal chat started");
      if (interactive) await runInteractive(readline);
      else {
        // Not awaited: start() returns once reading has begun; onEnd reports the end.
        void runPiped(readline).catch((error: unknown) => {
          logger.error({ err: error }, "terminal input failed");
          end(false);
        });
      }
    },
    async stop() {
      ended = true;
      readline?.close();
    },
  };
}
