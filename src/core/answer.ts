/**
 * Answering one prompt: history in, prompt built, model streamed through the think filter to the
 * sink, turns stored. A store that fails is logged and the answer goes on without memory, with a
 * short note to the conversation once per outage (store-outage.ts); a model that fails shows one
 * short line (or the text so far plus an "interrupted" note), and a failed or cut answer is never
 * stored, so history never holds a corrupted turn.
 *
 * Stopping (the bot's `signal`): the answer ends with the text so far plus the interrupted note,
 * and its question is stored as a user turn, so the next message after the restart sees it. Writes
 * that cannot be made before `deadline` are given up by the sink; the log says which happened.
 */

import type { Logger } from "../lib/logger.js";
import type { ChatModel } from "../model/chat-model.js";
import type { ConversationStore, Turn } from "../store/conversation-store.js";
import { knowledgeForAnswer, passagesLogField } from "./answer-knowledge.js";
import { logFieldsFor, readerOf, texts, userMessageFor } from "./errors.js";
import { type KnowledgeBase, type SourcesLog, sourcesLine } from "./knowledge.js";
import type { Learning } from "./learning.js";
import { selectLore } from "./lore.js";
import type { IncomingMessage } from "./message.js";
import type { Persona } from "./persona.js";
import { personaForSpeaker } from "./persona-macros.js";
import { buildPrompt, speakerLabel } from "./prompt.js";
import type { ReplySink } from "./reply-sink.js";
import type { StoreOutage } from "./store-outage.js";
import { AnswerStopped, type StreamOutcome, visibleText } from "./visible-text.js";

export interface AnswerSettings {
  contextTokens: number;
  /** Room kept for the answer when the persona sets no max_tokens. */
  replyTokens: number;
}

export interface AnswerDependencies {
  model: ChatModel;
  store: ConversationStore;
  logger: Logger;
  settings: AnswerSettings;
  /** Who has been told the store is down: the note comes once per conversation per outage. */
  outage: StoreOutage;
  /** Documents personas answer from (`knowledge:`); unset: none do. */
  knowledge?: KnowledgeBase;
  /** Where the passages each answer drew on are kept for `/sources`. */
  sources?: SourcesLog;
  /** Keeps each completed answer for feedback and datasets (src/feedback/); absent: not kept. */
  learning?: Learning;
}

export interface AnswerRequest {
  message: IncomingMessage;
  prompt: string;
  persona: Persona;
  sink: ReplySink;
  /**
   * The question's arrival order key: the answer reads the history as it stood then (blocks
   * before it), and stores its exchange there, so history follows the order of the questions.
   */
  order: number;
  /**
   * The history (as of `order`), when the caller started reading it already: the bot reads it
   * while it reads the persona bindings, so the two reads do not wait for each other.
   */
  history?: Promise<Turn[]>;
  /** Aborted when the bot stops: the model stops, the answer ends with the interrupted note. */
  signal: AbortSignal;
  /** Aborted when the process must exit: the sink gives up the writes still waiting. */
  deadline?: AbortSignal;
}

export async function answerPrompt(dependencies: AnswerDependencies, request: AnswerRequest): Promise<void> {
  const { model, store, settings } = dependencies;
  const { message, persona, sink } = request;
  const logger = dependencies.logger.child({
    conversation: message.conversationId,
    persona: persona.name,
    platform: message.platform,
  });
  const started = Date.now();
  const userTurn: Turn = {
    role: "user",
    content: request.prompt,
    author: { id: message.author.id, name: message.author.name },
    at: started,
  };
  async function remember(turns: Turn[]): Promise<void> {
    try {
      await store.appendTurns(message.conversationId, turns, { order: request.order });
    } catch (error) {
      logger.warn({ err: error }, "store unavailable: this exchange was not remembered");
    }
  }

  // Queued behind an answer when the stop came: nothing is written, the question is kept.
  if (request.signal.aborted) {
    logger.warn("stopping: not answered; the question is kept in the history for after the restart");
    return remember([userTurn]);
  }

  let history: Turn[] = [];
  let memory = true;
  try {
    // Not an exchange still in flight (it is stored later), nor one whose question came after this.
    history = await (request.history ?? store.getHistory(message.conversationId, { before: request.order }));
  } catch (error) {
    memory = false;
    logger.warn({ err: error }, "store unavailable: answering without memory");
    dependencies.outage.failed(message.conversationId);
  }
  // The answer still comes; the note says why it may not remember or be the persona they chose.
  if (dependencies.outage.takeNotice(message.conversationId)) {
    try {
      await sink.post(texts.storeOutage(persona.displayName), { ephemeral: true, note: true });
    } catch (error) {
      logger.warn({ err: error }, "could not post the store-outage note; answering anyway");
    }
  }

  // Several people can share a channel conversation; a DM (the console is one) has one speaker.
  const labelSpeakers = !message.isDirect;
  // {{char}} and {{user}} filled in for this speaker (persona-macros.ts), lore entries included.
  const speakerPersona = personaForSpeaker(persona, message.author.name);
  const scanned = persona.lore === undefined ? [] : history.slice(-persona.lore.scanDepth);
  const lore = selectLore(speakerPersona.lore, [...scanned.map((turn) => turn.content), request.prompt]);
  for (const problem of lore.problems)
    logger.warn({ lore: problem }, "a lorebook key is not a valid regex: that key is skipped");
  const replyTokens = persona.maxTokens ?? settings.replyTokens;
  const grounding = await knowledgeForAnswer(
    dependencies.knowledge,
    persona,
    request.prompt,
    { contextTokens: settings.contextTokens, replyTokens },
    logger,
  );
  const built = buildPrompt({
    lore,
    persona: speakerPersona,
    history,
    message: speakerLabel(userTurn, labelSpeakers),
    contextTokens: settings.contextTokens,
    replyTokens,
    labelSpeakers,
    context: grounding.context,
  });
  if (built.cut) {
    logger.info({ ...built.cut }, "message cut to fit the context");
    await sink.post(texts.messageCut(built.cut.originalChars, built.cut.keptChars), {
      ephemeral: true,
      note: true,
    });
  }

  const outcome: StreamOutcome = {};
  const parts = model.stream(
    {
      messages: built.messages,
      model: persona.model,
      adapter: persona.adapter,
      temperature: persona.temperature,
      topP: persona.topP,
      maxTokens: persona.maxTokens,
      stop: persona.stop,
    },
    { signal: request.signal },
  );
  const ending = grounding.passages.length > 0 ? `\n\n${sourcesLine(grounding.passages)}` : undefined;
  const result = await sink.stream(visibleText(parts, outcome, request.signal, ending), {
    persona: {
      name: persona.name,
      displayName: persona.displayName,
      emoji: persona.emoji,
      avatar: persona.avatar,
      ...(persona.avatarFile === undefined ? {} : { avatarFile: persona.avatarFile }),
    },
    interruptedNote: texts.interruptedNote,
    deadline: request.deadline,
  });

  const logFields = {
    promptTokensEstimated: built.estimatedTokens,
    droppedTurns: built.droppedTurns,
    ...(persona.lore === undefined ? {} : { lore: lore.fired }),
    ...(lore.overBudget.length === 0 ? {} : { loreOverBudget: lore.overBudget }),
    ms: Date.now() - started,
    usage: outcome.finish?.usage,
    ...(grounding.passages.length > 0 ? { passages: passagesLogField(grounding.passages) } : {}),
    // Found but below the relevance cut-off: why an answer came without sources is visible here.
    ...(grounding.cut.length > 0 ? { passagesCut: passagesLogField(grounding.cut) } : {}),
  };
  if (grounding.passages.length > 0)
    dependencies.sources?.record(message.conversationId, {
      persona: persona.name,
      question: request.prompt,
      passages: grounding.passages,
      at: Date.now(),
    });
  if (result.cutOff !== undefined) {
    logger.warn(
      { ...logFields, cutOff: result.cutOff },
      result.cutOff === "first-post"
        ? "stopping: the answer could not be posted before exit; the question is kept in the history for after the restart"
        : "stopping: the answer's last edit could not be made before exit (people see part of it); the question is kept in the history for after the restart",
    );
  } else if (result.deliveryError !== undefined) {
    logger.warn({ ...logFields, err: result.deliveryError }, "could not deliver the answer to the platform");
  } else if (result.error instanceof AnswerStopped) {
    if (result.text.length > 0)
      logger.info(
        logFields,
        "stopping: the answer so far was posted with the interrupted note; the question is kept in the history for after the restart",
      );
    else
      logger.warn(
        logFields,
        "stopping: the answer had not begun; the question is kept in the history for after the restart",
      );
  } else if (result.error !== undefined) {
    const interrupted = result.text.length > 0;
    logger.error(
      { ...logFields, ...logFieldsFor(result.error), interrupted },
      "model failed while answering",
    );
    if (!interrupted) {
      await sink.post(userMessageFor(result.error, readerOf(message)), { ephemeral: true, error: true });
    }
  } else if (outcome.finish === undefined) {
    logger.warn(logFields, "the model's stream ended without saying it finished");
  } else if (result.text.trim().length === 0) {
    logger.warn(logFields, "model returned an empty answer");
    await sink.post(texts.emptyAnswer);
  } else {
    logger.info({ ...logFields, finish: outcome.finish.reason }, "answered");
    if (outcome.finish.reason === "length") await sink.post(texts.lengthNote, { note: true });
  }

  if (!memory) return;
  const complete =
    result.error === undefined &&
    result.deliveryError === undefined &&
    result.cutOff === undefined &&
    outcome.finish !== undefined &&
    result.text.trim().length > 0;
  // The question is kept even when its answer failed: the next prompt joins it to the next message
  // (buildPrompt keeps the turns alternating), so the model sees what went unanswered.
  const turns: Turn[] = [userTurn];
  // Stored without the sources line: the model is told not to write one, and history must not teach it to.
  const content =
    ending !== undefined && result.text.endsWith(ending) ? result.text.slice(0, -ending.length) : result.text;
  if (complete) turns.push({ role: "assistant", content, persona: persona.name, at: Date.now() });
  await remember(turns);
  if (complete && dependencies.learning !== undefined) {
    const speakers = new Set<string>();
    if (labelSpeakers)
      for (const turn of [...history, userTurn]) if (turn.author) speakers.add(turn.author.name);
    try {
      await dependencies.learning.answered({
        message,
        persona: persona.name,
        model: persona.model,
        messages: built.messages,
        answer: content,
        messageIds: result.messageIds ?? [],
        speakers: [...speakers],
        at: Date.now(),
        order: request.order,
      });
    } catch (error) {
      logger.warn({ err: error }, "store unavailable: this answer cannot be rated");
    }
  }
}
