/**
 * Slash commands (`/ask`, `/persona`, `/reset`, `/help`), rendered from the platform-neutral
 * commands: options are parsed from the text like the terminal's (`/ask persona:coder how …`,
 * `/persona coder workspace`). Notices go back through the command's response_url (ephemeral: only
 * the person sees them, and it works even where the bot is not a member); answers go in the channel.
 */
import type { Bot } from "../../core/bot.js";
import type { CommandOptions } from "../../core/command.js";
import type { ReplySink, StreamResult } from "../../core/reply-sink.js";
import { parseCommandLine } from "../../core/typed-commands.js";
import type { Logger } from "../../lib/logger.js";
import type { TtlCache } from "../../lib/ttl-cache.js";
import type { SlackBotIdentity } from "./slack-auth.js";
import { isDirectCommand, planSlashCommand, toCommandMessage } from "./slack-command-to-incoming.js";
import { describeSlackError, UNREACHABLE_ERRORS } from "./slack-errors.js";
import { mentionedUserIds, toPlainText } from "./slack-incoming-text.js";
import { slackConversationId } from "./slack-message-to-incoming.js";
import { escapePlain, loadMarkdownConverter } from "./slack-outgoing-text.js";
import { postedMessageSchema, type SlashCommandPayload, slashCommandSchema } from "./slack-payloads.js";
import { createSlackSink } from "./slack-sink.js";
import type { SinkContext } from "./slack-sink-context.js";
import type { UserDirectory } from "./slack-users.js";
import type { SlackApi } from "./slack-web-api.js";

export type Respond = (message: {
  response_type: "ephemeral" | "in_channel";
  text: string;
}) => Promise<unknown>;

export interface SlashCommandOptions {
  bot: Bot;
  api: SlackApi;
  users: UserDirectory;
  identity: SlackBotIdentity;
  sinkContext: SinkContext;
  threads: TtlCache<true>;
  adminUsers: readonly string[];
  logger: Logger;
}

const QUESTION_ECHO_LIMIT = 2_000;

export function createSlashCommandHandler(options: SlashCommandOptions) {
  const { bot, api, identity, logger } = options;
  const botName = identity.botName ?? "bot";
  const cannotPost = `I can't post here. Invite me with \`/invite @${botName}\`, or talk to me in my DMs.`;

  /** A sink for this command: ephemeral notices and short posts through the response_url. */
  function commandSink(payload: SlashCommandPayload, respond: Respond, threadTs?: string): ReplySink {
    const ephemeral = async (text: string) => {
      await respond({ response_type: "ephemeral", text });
    };
    const sink = createSlackSink(
      options.sinkContext,
      { channel: payload.channel_id, threadTs, userId: payload.user_id },
      { ephemeral, visible: async (text) => void (await respond({ response_type: "in_channel", text })) },
    );
    return {
      post: sink.post,
      async stream(deltas, streamOptions): Promise<StreamResult> {
        const result = await sink.stream(deltas, streamOptions);
        if (
          result.deliveryError !== undefined &&
          UNREACHABLE_ERRORS.has(describeSlackError(result.deliveryError).code)
        )
          await ephemeral(cannotPost).catch(() => {});
        return result;
      },
    };
  }

  /** `/ask` in a channel: the question opens a thread (others never see a slash command), the answer goes in it. */
  async function ask(
    payload: SlashCommandPayload,
    commandOptions: CommandOptions,
    respond: Respond,
    text: string,
  ) {
    const names = await options.users.names([payload.user_id]);
    const author = names.get(payload.user_id) ?? payload.user_name ?? payload.user_id;
    let threadTs: string | undefined;
    if (!isDirectCommand(payload) && (commandOptions.prompt ?? "").trim() !== "") {
      const question = (commandOptions.prompt ?? "").slice(0, QUESTION_ECHO_LIMIT);
      try {
        const root = await api.call("chat.postMessage", {
          channel: payload.channel_id,
          text: `*${escapePlain(author)}* asked: ${escapePlain(question)}`,
          unfurl_links: false,
        });
        threadTs = postedMessageSchema.parse(root).ts;
      } catch (error) {
        const { code } = describeSlackError(error);
        await respond({
          response_type: "ephemeral",
          text: UNREACHABLE_ERRORS.has(code) ? cannotPost : `Slack said ${code}.`,
        });
        return;
      }
      options.threads.set(slackConversationId(payload.team_id, payload.channel_id, threadTs), true);
    }
    const message = toCommandMessage(payload, { names, adminUsers: options.adminUsers, text, threadTs });
    await loadMarkdownConverter();
    await bot.runCommand("ask", commandOptions, message, commandSink(payload, respond, threadTs));
  }

  return async (body: unknown, respond: Respond): Promise<void> => {
    const parsed = slashCommandSchema.safeParse(body);
    if (!parsed.success) {
      logger.warn({ issues: parsed.error.issues }, "unexpected slash command payload: ignored");
      return;
    }
    const payload = parsed.data;
    // Socket Mode redelivers an envelope it thinks went unacknowledged, possibly to another
    // instance's connection: the trigger id names the invocation across processes.
    if (
      payload.trigger_id !== undefined &&
      !(await bot.claimEvent(`slack:command:${payload.team_id}:${payload.trigger_id}`))
    ) {
      logger.debug({ command: payload.command }, "slash command already handled (a redelivery): ignored");
      return;
    }
    const names = await options.users.names([payload.user_id, ...mentionedUserIds(payload.text)]);
    const text = toPlainText(payload.text, { botUserId: identity.botUserId, names });
    const name = payload.command.replace(/^\//, "").toLowerCase();
    const command = parseCommandLine(`/${name} ${text}`, bot.commands);
    if (command === undefined || command.kind === "unknown") {
      await respond({ response_type: "ephemeral", text: `I don't know \`/${name}\`. Try \`/help\`.` });
      return;
    }
    const message = toCommandMessage(payload, { names, adminUsers: options.adminUsers, text });
    const plan = planSlashCommand(command.command.name, command.options, message, botName);
    if (plan.kind === "note") {
      await respond({ response_type: "ephemeral", text: plan.text });
      return;
    }
    if (plan.kind === "ask") return ask(payload, plan.options, respond, text);
    await loadMarkdownConverter();
    await bot.runCommand(command.command.name, plan.options, message, commandSink(payload, respond));
  };
}
