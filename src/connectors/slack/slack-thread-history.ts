/**
 * A thread the bot joins late: when first mentioned in the middle of a thread, the messages before
 * the mention (conversations.replies) become the conversation's history, so the answer knows what
 * was said. Read once per thread: conversations.replies is Tier 3, and stricter still for apps
 * outside the Slack Marketplace, so after that the store's own transcript is the memory.
 */
import type { ThreadMessage } from "../../core/message.js";
import { mentionedUserIds, toPlainText } from "./slack-incoming-text.js";
import type { SlackIdentity } from "./slack-message-to-incoming.js";
import { type SlackThreadReply, threadRepliesSchema } from "./slack-payloads.js";
import type { UserDirectory } from "./slack-users.js";
import type { SlackApi } from "./slack-web-api.js";

const PERSON_SUBTYPES = new Set([undefined, "file_share", "thread_broadcast", "bot_message"]);
/** The heading this bot puts on answers when it cannot set a persona's name: not part of the text. */
const OWN_HEADER = /^\*[^*\n]{1,100}\*\n/;

function isOwn(reply: SlackThreadReply, identity: SlackIdentity): boolean {
  return reply.user === identity.botUserId || (reply.bot_id !== undefined && reply.bot_id === identity.botId);
}

/** Pure: Slack replies (oldest first) → thread messages before `beforeTs`. */
export function toThreadMessages(
  replies: readonly SlackThreadReply[],
  context: { identity: SlackIdentity; names: ReadonlyMap<string, string>; beforeTs: string },
): ThreadMessage[] {
  const before = Number.parseFloat(context.beforeTs);
  return replies
    .filter((reply) => Number.parseFloat(reply.ts) < before && PERSON_SUBTYPES.has(reply.subtype))
    .map((reply) => {
      const own = isOwn(reply, context.identity);
      const plain = toPlainText(reply.text, { botUserId: context.identity.botUserId, names: context.names });
      const id = reply.user ?? reply.bot_id ?? "unknown";
      const name = reply.user === undefined ? (reply.username ?? reply.bot_profile?.name ?? "a bot") : id;
      return {
        author: { id, name: context.names.get(id) ?? name },
        text: own ? plain.replace(OWN_HEADER, "") : plain,
        fromBot: own,
        at: Math.round(Number.parseFloat(reply.ts) * 1000),
      };
    })
    .filter((message) => message.text.length > 0);
}

export interface ThreadHistoryRequest {
  api: SlackApi;
  users: UserDirectory;
  identity: SlackIdentity;
  channel: string;
  threadTs: string;
  /** The mention's ts: it and anything after it are not history. */
  beforeTs: string;
}

export async function fetchThreadHistory(request: ThreadHistoryRequest): Promise<ThreadMessage[]> {
  const result = await request.api.call("conversations.replies", {
    channel: request.channel,
    ts: request.threadTs,
    limit: 100,
  });
  const { messages } = threadRepliesSchema.parse(result);
  const ids = messages.flatMap((reply) => [
    ...(reply.user ? [reply.user] : []),
    ...mentionedUserIds(reply.text),
  ]);
  const names = await request.users.names(ids);
  return toThreadMessages(messages, { identity: request.identity, names, beforeTs: request.beforeTs });
}
