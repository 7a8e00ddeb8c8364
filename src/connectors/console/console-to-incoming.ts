/** A terminal line as an IncomingMessage: one person, one conversation that survives restarts. */
import { conversationId, type IncomingMessage } from "../../core/message.js";

export interface ConsoleIdentity {
  /** The local user's name: names the conversation and the speaker. */
  userName: string;
}

export function toIncomingMessage(text: string, identity: ConsoleIdentity): IncomingMessage {
  return {
    platform: "console",
    conversationId: conversationId({ platform: "console", channelId: identity.userName }),
    channelId: identity.userName,
    author: {
      id: `console:${identity.userName}`,
      name: identity.userName,
      // The person at the terminal runs the bot: every scope is theirs to set.
      canManageChannel: true,
      canManageServer: true,
    },
    text,
    isDirect: true,
    attachments: [],
  };
}
