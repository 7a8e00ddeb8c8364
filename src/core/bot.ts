/**
 * The bot: handles a message or a command from any connector. It owns ordering and the one error
 * boundary per inbound event: whatever fails inside, the user gets one short line and the log gets
 * one structured line with the cause; nothing escapes to crash the process.
 *
 * Ordering: each event is stamped with its arrival order key the moment it enters, before any
 * waiting. Events of one person in one conversation then run strictly one after another (through
 * the store's `inOrder`, so across instances too when the store is shared); different people in one
 * conversation are answered at once. An answer reads the history as it stood when its question
 * arrived and stores its exchange at that arrival key, so the history follows the order of the
 * questions, not of the answers.
 */
import { setMaxListeners } from "node:events";
import { nextArrivalOrder } from "../lib/arrival-order.js";
import { createConcurrencyGate } from "../lib/concurrency-gate.js";
import type { Logger } from "../lib/logger.js";
import type { ChatModel } from "../model/chat-model.js";
import type { ConversationStore, Turn } from "../store/conversation-store.js";
import { type AnswerSettings, answerPrompt } from "./answer.js";
import { type BindingScope, bindingKeys, type ResolvedPersona, resolvePersona } from "./binding.js";
import type { Command, CommandContext, CommandOptions } from "./command.js";
import { logFieldsFor, readerOf, texts, userMessageFor } from "./errors.js";
import { type KnowledgeBase, SourcesLog } from "./knowledge.js";
import type { Learning, Reaction } from "./learning.js";
import type { IncomingMessage, ThreadMessage } from "./message.js";
import type { Persona, PersonaCatalog } from "./persona.js";
import { findNamedPersona } from "./persona-lookup.js";
import { createPlatformHelpers } from "./platform-helpers.js";
import type { ReplySink } from "./reply-sink.js";
import { createStoreOutage } from "./store-outage.js";
import { parseChatMessage } from "./typed-commands.js";

/** One person in one conversation: their events run in order; different keys run at once. */
function personKey(message: IncomingMessage): string {
  return `${message.conversationId}/${message.author.id}`;
}

export interface BotSettings extends AnswerSettings {
  defaultPersona: string;
  /**
   * How many events' work (answers, commands) runs at once; later ones wait in arrival order.
   * Unset: no limit.
   */
  maxConcurrentAnswers?: number;
}

export interface BotDependencies {
  model: ChatModel;
  store: ConversationStore;
  personas: PersonaCatalog;
  commands: readonly Command[];
  logger: Logger;
  settings: BotSettings;
  /** Documents personas answer from; unset: none do. */
  knowledge?: KnowledgeBase;
  /** Feedback and forgetting (src/feedback/); absent: answers are not kept for rating. */
  learning?: Learning;
}

export interface Bot {
  readonly commands: readonly Command[];
  readonly personas: PersonaCatalog;
  /** A chat message (mention, DM, thread reply, console line): a prompt or a text verb. */
  handleMessage(message: IncomingMessage, sink: ReplySink): Promise<void>;
  /** A slash command, with options already parsed by the connector. */
  runCommand(name: string, options: CommandOptions, message: IncomingMessage, sink: ReplySink): Promise<void>;
  /** Events whose turn has come but which wait for one of the `maxConcurrentAnswers` places. */
  waitingForPlace(): number;
  /** A 👍/👎 on a message (or its withdrawal): rates the answer it is on; anything else is ignored. */
  handleReaction(reaction: Reaction): Promise<void>;
  /** The persona that would answer this message now. */
  currentPersona(message: IncomingMessage): Promise<ResolvedPersona>;
  /**
   * Records a platform event id and says whether this is its first delivery (platforms retry, and
   * Slack sends one mention as two events). Shared across processes when the store is. A store
   * failure counts as first delivery: answering twice beats never answering.
   */
  claimEvent(eventId: string): Promise<boolean>;
  /**
   * Gives a conversation the earlier messages of its thread as history, when it has none yet (the
   * bot was mentioned mid-thread). Returns whether it did.
   */
  seedThread(conversationId: string, messages: readonly ThreadMessage[]): Promise<boolean>;
  /** Whether the conversation has history (the bot takes part in it). A store failure counts as no. */
  hasHistory(conversationId: string): Promise<boolean>;
  /**
   * Stops answering: aborts streams in flight (each ends with the text so far and the interrupted
   * note, its question stored) and waits for every handler to settle. Writes still waiting after
   * `deliverWithinMs` are given up (logged, question stored); unset: they wait as long as it takes.
   */
  stop(deliverWithinMs?: number): Promise<void>;
}

export function createBot(dependencies: BotDependencies): Bot {
  const { store, personas, commands, settings } = dependencies;
  const logger = dependencies.logger.child({ component: "bot" });
  /** Every event being handled, for stop() to wait on. */
  const handling = new Set<Promise<unknown>>();
  const stopping = new AbortController();
  /** Aborted when the answers' last writes must give up: the process is about to exit. */
  const giveUp = new AbortController();
  // Every answer in flight listens to these signals; dozens at once are normal, not a leak.
  setMaxListeners(0, stopping.signal, giveUp.signal);
  // A store outage swaps the chosen persona for the default: the answer says so, once per outage.
  const outage = createStoreOutage();
  const sources = new SourcesLog();
  // A burst faster than the model waits here, small, instead of as thousands of answers in flight.
  const places = createConcurrencyGate(settings.maxConcurrentAnswers ?? Number.POSITIVE_INFINITY);

  async function readBindings(message: IncomingMessage): Promise<Partial<Record<BindingScope, string>>> {
    const keys = bindingKeys(message);
    const bindings: Partial<Record<BindingScope, string>> = {};
    try {
      const scoped = Object.entries(keys) as [BindingScope, string][];
      const found = await store.getBindings(scoped.map(([, key]) => key));
      scoped.forEach(([scope], index) => {
        bindings[scope] = found[index];
      });
    } catch (error) {
      logger.warn(
        { err: error, conversation: message.conversationId },
        "store unavailable: using the default persona",
      );
      outage.failed(message.conversationId);
    }
    return bindings;
  }

  async function currentPersona(message: IncomingMessage, override?: string): Promise<ResolvedPersona> {
    return resolvePersona(personas, await readBindings(message), settings.defaultPersona, override);
  }

  function answer(
    message: IncomingMessage,
    prompt: string,
    persona: Persona,
    sink: ReplySink,
    order: number,
    history?: Promise<Turn[]>,
  ): Promise<void> {
    if (prompt.trim().length === 0) return sink.post(texts.emptyMessage, { ephemeral: true });
    return answerPrompt(
      { ...dependencies, outage, sources },
      { message, prompt, persona, sink, order, history, signal: stopping.signal, deadline: giveUp.signal },
    );
  }

  /**
   * The history as of `order`, read now, for an answer that first resolves its persona: the two
   * reads go out together. A failure surfaces where the answer awaits it (and is handled there).
   */
  function startReadingHistory(message: IncomingMessage, order: number): Promise<Turn[]> {
    const reading = store.getHistory(message.conversationId, { before: order });
    reading.catch(() => undefined);
    return reading;
  }

  function contextFor(
    message: IncomingMessage,
    options: CommandOptions,
    sink: ReplySink,
    order: number,
  ): CommandContext {
    return {
      message,
      options,
      sink,
      personas,
      commands,
      learning: dependencies.learning,
      findPersona: (name) => findNamedPersona(personas, name, sink),
      currentPersona: () => currentPersona(message),
      async bindPersona(scope, persona) {
        const key = bindingKeys(message)[scope];
        if (key === undefined) throw new Error(`no ${scope} scope for this conversation`);
        await store.setBinding(key, persona.name);
        logger.info({ conversation: message.conversationId, scope, persona: persona.name }, "persona bound");
      },
      // At the reset's arrival: an answer to an earlier question still in flight is not stored after it.
      resetConversation: () => store.clearHistory(message.conversationId, { order }),
      lastSources: () => sources.last(message.conversationId),
      async answer(prompt, answerOptions) {
        const persona = answerOptions?.persona ?? (await currentPersona(message)).persona;
        await answer(message, prompt, persona, sink, order);
      },
    };
  }

  async function dispatch(
    name: string,
    options: CommandOptions,
    message: IncomingMessage,
    sink: ReplySink,
    order: number,
  ) {
    const command = commands.find((candidate) => candidate.name === name);
    if (!command) throw new Error(`unknown command ${name}`);
    await command.run(contextFor(message, options, sink, order));
  }

  /** Counts `work` as in flight until it settles, so stop() waits for it. */
  function track<T>(work: Promise<T>): Promise<T> {
    handling.add(work);
    const forget = () => handling.delete(work);
    work.then(forget, forget);
    return work;
  }

  /** The one error boundary per inbound event, run in its person's order. */
  function guarded(message: IncomingMessage, sink: ReplySink, work: () => Promise<void>): Promise<void> {
    return track(boundary(message, sink, work));
  }

  async function boundary(
    message: IncomingMessage,
    sink: ReplySink,
    work: () => Promise<void>,
  ): Promise<void> {
    try {
      // Stopping ends a wait for the turn; the work then sees the stop and keeps only the question.
      // A place is taken once the person's turn has come, so one person's queue of messages waits
      // in its own order and never holds places that other people's answers could use.
      await store.inOrder(personKey(message), () => places.run(work), { signal: stopping.signal });
    } catch (error) {
      logger.error(
        { ...logFieldsFor(error), conversation: message.conversationId },
        "failed to handle an event",
      );
      try {
        await sink.post(userMessageFor(error, readerOf(message)), { ephemeral: true, error: true });
      } catch (postError) {
        logger.error(
          { err: postError, conversation: message.conversationId },
          "could not tell the user either",
        );
      }
    }
  }

  return {
    commands,
    personas,
    handleMessage(message, sink) {
      const order = nextArrivalOrder();
      return guarded(message, sink, async () => {
        const parsed = parseChatMessage(message.text, commands);
        if (parsed.kind === "command")
          return dispatch(parsed.command.name, parsed.options, message, sink, order);
        if (parsed.kind === "one-off") {
          const persona = await findNamedPersona(personas, parsed.persona, sink);
          if (persona) await answer(message, parsed.prompt, persona, sink, order);
          return;
        }
        const history =
          parsed.text.trim().length === 0 || stopping.signal.aborted
            ? undefined
            : startReadingHistory(message, order);
        const { persona } = await currentPersona(message);
        return answer(message, parsed.text, persona, sink, order, history);
      });
    },
    runCommand(name, options, message, sink) {
      const order = nextArrivalOrder();
      return guarded(message, sink, () => dispatch(name, options, message, sink, order));
    },
    handleReaction(reaction) {
      const { learning } = dependencies;
      if (learning === undefined) return Promise.resolve();
      return track(
        learning.react(reaction).then(
          (outcome) => {
            if (outcome !== "no-answer")
              logger.info({ platform: reaction.platform, outcome }, "answer rated");
          },
          (error: unknown) =>
            logger.warn({ err: error, platform: reaction.platform }, "store unavailable: a rating was lost"),
        ),
      );
    },
    currentPersona: (message) => currentPersona(message),
    waitingForPlace: () => places.waiting(),
    ...createPlatformHelpers({ store, logger, track }),
    async stop(deliverWithinMs) {
      stopping.abort();
      // What still waits for a place starts now, sees the stop and keeps only its question.
      places.open();
      const timer =
        deliverWithinMs === undefined ? undefined : setTimeout(() => giveUp.abort(), deliverWithinMs);
      try {
        while (handling.size > 0) await Promise.allSettled([...handling]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
