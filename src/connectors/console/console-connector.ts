/**
 * The terminal chat: what `npm start` opens when no platform token is set. Interactive on a
 * terminal (greeting, streamed answers, pasted lines kept together, Ctrl-C to leave; what is typed
 * during an answer waits on the prompt line below it: held-prompt.ts); line-by-line when piped,
 * where standard output holds only the answers and the process ends with the input.
 * This file owns the readline's life; what one line means is console-on-message.ts.
 */
import { createInterface, type Interface } from "node:readline";
import type { Bot } from "../../core/bot.js";
import type { Persona } from "../../core/persona.js";
import { renderMacros } from "../../core/persona-macros.js";
import type { Logger } from "../../lib/logger.js";
import { terminalSafe } from "../../lib/terminal-safe-text.js";
import type { Connector } from "../connector.js";
import { createLineHandler } from "./console-on-message.js";
import { type ConsoleSink, createConsoleSink, speakerHeading } from "./console-sink.js";
import { type ConsoleIdentity, toIncomingMessage } from "./console-to-incoming.js";
import { createHeldPrompt } from "./held-prompt.js";
import { renderMarkdown } from "./markdown-stream.js";

/** Lines closer together than this came from one paste, not from typing. */
const PASTE_WINDOW_MS = 30;
const PROMPT = "› ";

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
  const prompt = createHeldPrompt(options.output);
  /** Notices that came while the prompt was held: shown when it comes back, not inside an answer. */
  let heldNotices: string[] = [];
  let readline: Interface | undefined;
  let ended = false;
  /** The bot's own text (Markdown) as the terminal shows it. */
  const shown = (text: string) => renderMarkdown(terminalSafe(text), { color: options.color });

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
      : renderMarkdown(terminalSafe(greetingFor(persona, options.identity.userName)), {
          color: options.color,
          afterLabel: true,
        });
    options.output.write(`${speakerHeading(persona)}: ${greeting}\n`);
    options.output.write("(Type a message, /help for commands, Ctrl-C to leave.)\n");
  }

  /** Notices that came during an answer, shown once it has ended. */
  function showHeldNotices() {
    for (const notice of heldNotices) options.output.write(`${notice}\n`);
    heldNotices = [];
  }

  async function runInteractive(rl: Interface) {
    await greet();
    rl.setPrompt(PROMPT);
    rl.prompt();
    // Lines typed while an answer streams wait their turn in the bot's per-conversation queue.
    let pending = Promise.resolve();
    /** Messages sent and not yet answered: the prompt comes back when none is left. */
    let unanswered = 0;
    // A paste arrives as several lines within a few milliseconds; a person types one at a time.
    // Lines that arrive together are one message, so pasted code is not sent line by line.
    let pasted: { text: string; echoed: boolean }[] = [];
    let pasteTimer: NodeJS.Timeout | undefined;
    const send = () => {
      const lines = pasted;
      pasted = [];
      unanswered++;
      pending = pending
        .then(() => {
          showHeldNotices();
          // Lines entered while the prompt was held were never shown: shown now, above their answer.
          lines.forEach((line, index) => {
            if (!line.echoed)
              options.output.write(`${index === 0 ? PROMPT : ""}${terminalSafe(line.text)}\n`);
          });
          return handleLine(lines.map((line) => line.text).join("\n"));
        })
        .catch((error: unknown) => {
          // The queue goes on: one failed line must not silence the ones after it.
          logger.error({ err: error }, "terminal message failed");
          options.output.write("That message could not be handled; see the log.\n");
        })
        .then(() => {
          unanswered--;
          if (ended || unanswered > 0 || pasted.length > 0) return;
          showHeldNotices();
          prompt.release(rl);
        });
    };
    rl.on("line", (line) => {
      // Enter: readline has moved to a fresh line. Until the answer is done, typing is not drawn.
      pasted.push({ text: line, echoed: !prompt.held });
      prompt.hold();
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
      // The text names persona files, which may come from anyone: shown, never acted on.
      const notice = shown(text);
      // During an answer it waits for the answer to end rather than break into it.
      if (prompt.held) {
        heldNotices.push(notice);
        return;
      }
      // Clear the prompt line, say it, and give the prompt (with what was typed) back.
      options.output.write(`\r\u001b[K${notice}\n`);
      readline.prompt(true);
    },
    async start() {
      readline = createInterface({
        input: options.input,
        output: interactive ? prompt.output : undefined,
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

/** The persona's greeting ({{char}}/{{user}} filled in for the person at the terminal), or a hello. */
function greetingFor(persona: Persona, userName: string): string {
  if (persona.greeting === undefined) return `Hello! I'm ${persona.displayName}.`;
  return renderMacros(persona.greeting, { char: persona.displayName, user: userName });
}
