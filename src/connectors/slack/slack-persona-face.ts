/**
 * How a persona shows in Slack. With the `chat:write.customize` scope a message can carry its own
 * name and icon (`username` with `icon_url` or `icon_emoji`), so every answer looks like it comes
 * from that persona. Without it Slack ignores those fields, so the display name heads the message.
 * The icon is the persona's picture by URL (persona-avatar-url.ts: a local picture needs PUBLIC_URL).
 */
import type { StreamReplyOptions } from "../../core/reply-sink.js";
import { personaAvatarUrl } from "../shared/persona-avatar-url.js";
import { escapePlain, neutralizeMarkdownText } from "./slack-outgoing-text.js";

export type PersonaLook = StreamReplyOptions["persona"];

export interface PersonaFace {
  /** Fields for chat.postMessage / chat.startStream. */
  identity: { username?: string; icon_url?: string; icon_emoji?: string };
  /** mrkdwn put before the answer when Slack cannot show the persona's own name. */
  header?: string;
  /** The same for `markdown_text` (native streaming). */
  markdownHeader?: string;
}

/** icon_emoji takes Slack's `:shortcode:`, not a Unicode emoji. */
const SHORTCODE = /^:[a-z0-9_+'-]+:$/i;

export function personaFace(persona: PersonaLook, canCustomize: boolean, publicUrl?: string): PersonaFace {
  const name = persona.displayName;
  const emoji = persona.emoji;
  if (!canCustomize) {
    const heading = emoji === undefined ? name : `${emoji} ${name}`;
    return {
      identity: {},
      header: `*${escapePlain(heading)}*\n`,
      markdownHeader: `**${neutralizeMarkdownText(heading)}**\n\n`,
    };
  }
  const iconUrl = personaAvatarUrl(persona, publicUrl);
  if (iconUrl !== undefined) return { identity: { username: name, icon_url: iconUrl } };
  if (emoji !== undefined && SHORTCODE.test(emoji))
    return { identity: { username: name, icon_emoji: emoji } };
  // A Unicode emoji cannot be an icon: it goes in the name, so the persona is still recognisable.
  return { identity: { username: emoji === undefined ? name : `${emoji} ${name}` } };
}
