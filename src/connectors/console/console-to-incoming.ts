/**
 * A terminal line as an IncomingMessage: one person, in the conversation its channel names. The
 * interactive chat's channel is the login name, so it survives restarts; a piped run has its own
 * (src/app/terminal-conversation.ts chooses it), so scripts never share the chat's history.
 */
import { conversationId, type IncomingMessage } from "../../core/message.js";

export interface ConsoleIdentity {
  /** The local user's name: names the speaker. */
  userName: string;
  /** Names the conversation (`console:<channel>`); default: the user's name. */
  channel?: string;
}

export function toIncomingMessage(text: string, identity: ConsoleIdentity): IncomingMessage {
  const channelId = identity.channel ?? identity.userName;
  return {
    platform: "console",
    conversationId: conversationId({ platform: "console", channelId }),
    channelId,
    author: {
      id: `console:${identity.userName}`,
      name: identity.userName,
      // The person at the terminal runs the bot: every scope is theirs to set.
      canManageChannel: true,
      canManageServer: true,
      runsTroupe: true,
    },
    text,
    isDirect: true,
    attachments: [],
  };
}
