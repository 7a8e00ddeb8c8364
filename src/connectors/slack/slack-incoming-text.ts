/**
 * Slack message text → the plain text the model reads. Slack writes mentions, channels and links as
 * `<…>` control sequences and escapes `&`, `<`, `>` as entities; the model should read names
 * ("@Ada", "#general"), not `<@U123>`, and the bot's own mention is removed. Pure.
 */

const CONTROL = /<([^<>\n]+)>/g;
const USER_MENTION = /<@([A-Z0-9]+)(?:\|[^<>]*)?>/g;

/** The user ids mentioned in `text` (`<@U123>` or `<@U123|name>`), each once. */
export function mentionedUserIds(text: string): string[] {
  return [...new Set([...text.matchAll(USER_MENTION)].map((match) => match[1] ?? ""))].filter(
    (id) => id !== "",
  );
}

export function mentionsUser(text: string, userId: string): boolean {
  return mentionedUserIds(text).includes(userId);
}

export interface PlainTextContext {
  /** Removed from the text: "@bot persona tutor" reads "persona tutor". */
  botUserId: string;
  /** Display names by user id; an unknown id falls back to the label Slack sent, then the id. */
  names: ReadonlyMap<string, string>;
}

function controlToText(inner: string, context: PlainTextContext): string {
  const bar = inner.indexOf("|");
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : inner.slice(bar + 1);
  if (target.startsWith("@")) {
    const id = target.slice(1);
    if (id === context.botUserId) return "";
    return `@${context.names.get(id) ?? label?.replace(/^@/, "") ?? id}`;
  }
  if (target.startsWith("#")) return `#${label ?? target.slice(1)}`;
  if (target.startsWith("!")) {
    const special = target.slice(1);
    if (["here", "channel", "everyone"].includes(special)) return `@${special}`;
    return label ?? special.split("^")[0] ?? special;
  }
  const url = target.replace(/^mailto:/, "");
  return label !== undefined && label !== url && label !== target ? `${label} (${url})` : url;
}

function unescapeEntities(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

export function toPlainText(text: string, context: PlainTextContext): string {
  const replaced = text.replace(CONTROL, (_whole, inner: string) => controlToText(inner, context));
  return unescapeEntities(replaced)
    .replace(/[ \t]{2,}/g, " ")
    .replace(/^[ \t]*[,:]?[ \t]*/, "")
    .trim();
}
