/**
 * The reply sink for a slash command, after the connector deferred it (Discord shows "thinking…").
 * The deferred reply becomes the first message of the answer (edited as it grows); past 2000
 * characters it continues in follow-ups. Ephemeral posts (notices, error lines) are follow-ups only
 * the caller sees; a deferred reply that never received text is deleted at the end, so no
 * "thinking…" is left behind. The answer's writes are limited per interaction token (Discord reports
 * them) and count against the channel's budget too, shared with every other answer there; notes
 * only the caller sees spend only the interaction's own.
 */
import { type ChatInputCommandInteraction, MessageFlags } from "discord.js";
import type { PostOptions, ReplySink, StreamReplyOptions, StreamResult } from "../../core/reply-sink.js";
import type { Logger } from "../../lib/logger.js";
import { type MessageWriter, streamToMessages } from "../shared/edit-stream.js";
import { splitText } from "../shared/split-text.js";
import { deliveryError, discordErrorFields } from "./discord-errors.js";
import {
  channelBucket,
  type Pacing,
  paceAnswer,
  paceOnce,
  type WriteBuckets,
  webhookBucket,
} from "./discord-pacing.js";
import { MESSAGE_LIMIT, personaHeader } from "./discord-writers.js";

export interface InteractionSink extends ReplySink {
  /** Cleans up after the command: removes a deferred reply nothing was written to. */
  finish(): Promise<void>;
}

export interface InteractionSinkOptions {
  interaction: ChatInputCommandInteraction;
  pacing: Pacing;
  logger: Logger;
  editIntervalMs: number;
}

const ORIGINAL = "@original";
const NO_PINGS = { parse: [] };

export function createInteractionSink(options: InteractionSinkOptions): InteractionSink {
  const { interaction } = options;
  // Notes only the caller sees spend the interaction's bucket; the answer also the channel's.
  const own: WriteBuckets = { reportedBy: webhookBucket(interaction.applicationId, interaction.token) };
  const answerBuckets: WriteBuckets = { ...own, alsoCounts: [channelBucket(interaction.channelId)] };
  let created = 0;
  const logger = options.logger.child({ channel: interaction.channelId, command: interaction.commandName });
  let originalUsed = false;

  /** The deferred reply first, follow-ups after it. */
  const writer: MessageWriter<string> = {
    async create(text) {
      created++;
      if (!originalUsed) {
        originalUsed = true;
        await interaction.editReply({ content: text, allowedMentions: NO_PINGS });
        return ORIGINAL;
      }
      const message = await interaction.followUp({ content: text, allowedMentions: NO_PINGS });
      return message.id;
    },
    async edit(messageId, text) {
      await interaction.editReply({ message: messageId, content: text, allowedMentions: NO_PINGS });
    },
  };

  async function postEphemeral(text: string) {
    await paceOnce(options.pacing, own, () =>
      interaction.followUp({ content: text, flags: MessageFlags.Ephemeral, allowedMentions: NO_PINGS }),
    );
  }

  return {
    async post(text: string, postOptions: PostOptions = {}) {
      try {
        for (const chunk of splitText(text, MESSAGE_LIMIT)) {
          if (postOptions.ephemeral) {
            await postEphemeral(chunk);
          } else {
            await paceOnce(options.pacing, answerBuckets, () => writer.create(chunk));
          }
        }
      } catch (error) {
        logger.warn({ ...discordErrorFields(error) }, "could not answer a slash command");
      }
    },

    async stream(deltas: AsyncIterable<string>, streamOptions: StreamReplyOptions): Promise<StreamResult> {
      // The deferred reply already shows "thinking…": no typing indicator is needed.
      const result = await streamToMessages(deltas, {
        writer,
        pacing: paceAnswer(options.pacing, answerBuckets, () => created === 0),
        maxLength: MESSAGE_LIMIT,
        minEditIntervalMs: options.editIntervalMs,
        header: personaHeader(streamOptions.persona),
        interruptedNote: streamOptions.interruptedNote,
        deadline: streamOptions.deadline,
        onWriteError: (error, write) =>
          logger.warn({ write, ...discordErrorFields(error) }, "could not write a slash command's answer"),
      });
      return result.deliveryError === undefined
        ? result
        : { ...result, deliveryError: deliveryError(result.deliveryError) };
    },

    async finish() {
      if (originalUsed) return;
      try {
        await paceOnce(options.pacing, own, () => interaction.deleteReply());
      } catch (error) {
        logger.debug({ ...discordErrorFields(error) }, "could not remove the deferred reply");
      }
    },
  };
}
