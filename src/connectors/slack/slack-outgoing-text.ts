/**
 * The model's Markdown → Slack text that renders well and can never broadcast. Pure.
 *
 * Slack's `text` is mrkdwn, not Markdown (`*bold*`, `_italic_`, `<url|text>`, no headings), so the
 * answer goes through slackify-markdown. Then escaping: Slack reads `&`, `<`, `>` as control
 * characters, and `<!channel>`, `<!here>`, `<!everyone>`, `<@U…>`, `<#C…>` in the text would ping
 * people. slackify passes raw HTML (`<!channel>` parses as HTML), code and `<@U…>` through
 * untouched, so every `<` is escaped afterwards except the `<https://…|text>` links the converter
 * produced, and every `&` that does not already start an entity.
 */
import { createRequire } from "node:module";
import type slackifyMarkdown from "slackify-markdown";
import { createTtlCache } from "../../lib/ttl-cache.js";

/**
 * slackify-markdown and the Markdown parser under it (~1 MB of heap once evaluated), loaded for the
 * first event that may need converting: an idle bot never converts, and held it from start-up
 * (`npm run bench -- start`). The handlers await `loadMarkdownConverter()` (a chunk of its own in
 * the bundle, read without blocking other events; a resolved promise afterwards); a conversion
 * before it (a test, a notice) loads it synchronously through createRequire instead.
 */
let slackify: typeof slackifyMarkdown | undefined;
let loading: Promise<void> | undefined;

export function loadMarkdownConverter(): Promise<void> {
  loading ??= import("slackify-markdown").then((module) => {
    slackify ??= module.default;
  });
  return loading;
}

function converter(): typeof slackifyMarkdown {
  slackify ??= createRequire(import.meta.url)("slackify-markdown") as typeof slackifyMarkdown;
  return slackify;
}

/** A link as slackify writes it: http(s) or mailto target, optional label without `<` or `>`. */
const SAFE_LINK = /<(?:https?:\/\/|mailto:)[^\s<>|]+(?:\|[^<>\n]*)?>/y;
const ENTITY = /&(?:amp|lt|gt);/y;
/** Plain "@channel" is not a mention in API text today; a zero-width space keeps it that way. */
const BROADCAST_WORD = /(^|[^\w@.])@(channel|here|everyone)\b(?!\.\w)/gi;
const BROADCAST_REPLACEMENT = "$1@\u200b$2";

function escapeAmpersands(text: string): string {
  return text.replace(/&(?!(?:amp|lt|gt);)/g, "&amp;");
}

/** A `>` that starts a line (possibly nested, `> > quote`) is mrkdwn's block quote: keep it. */
function isQuoteMarker(text: string, index: number): boolean {
  const lineStart = text.lastIndexOf("\n", index - 1) + 1;
  return /^[> ]*$/.test(text.slice(lineStart, index));
}

/** Escapes mrkdwn for Slack: only converter links stay `<…>`; entities are not escaped twice. */
export function escapeMrkdwn(text: string): string {
  let out = "";
  let index = 0;
  while (index < text.length) {
    const character = text[index];
    if (character === "<") {
      SAFE_LINK.lastIndex = index;
      const link = SAFE_LINK.exec(text);
      if (link) {
        out += escapeAmpersands(link[0]);
        index += link[0].length;
        continue;
      }
      out += "&lt;";
    } else if (character === ">") {
      out += isQuoteMarker(text, index) ? ">" : "&gt;";
    } else if (character === "&") {
      ENTITY.lastIndex = index;
      out += ENTITY.test(text) ? "&" : "&amp;";
    } else {
      out += character;
    }
    index++;
  }
  return out.replace(BROADCAST_WORD, BROADCAST_REPLACEMENT);
}

/** Escapes text that is not Markdown at all (a display name, a user's question echoed back). */
export function escapePlain(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(BROADCAST_WORD, BROADCAST_REPLACEMENT);
}

/**
 * slackify's lists read `•   item` and `1.  item`; Slack looks better with one space. The bullet is
 * written \u2022: esbuild leaves a regex as written, and one character past U+00FF makes Node hold
 * the whole Slack chunk of the start bundle (2 MB) as a two-byte string (scripts/dist.js).
 */
function tidyLists(mrkdwn: string): string {
  let inFence = false;
  return mrkdwn
    .split("\n")
    .map((line) => {
      if (line.startsWith("```")) inFence = !inFence;
      if (inFence) return line;
      return line.replace(/^(\s*)\u2022\s{2,}/, "$1\u2022 ").replace(/^(\s*)(\d+)\.\s{2,}/, "$1$2. ");
    })
    .join("\n");
}

/**
 * One line of words and plain punctuation, which Markdown leaves as it is (no syntax character, no
 * leading digit or dash that could start a list, no autolink or e-mail, no doubled space), and
 * which nothing after the converter changes either; trailing spaces and newlines, which the
 * converter drops, are dropped here too. Parsing and printing costs about 0.3 ms, an answer is
 * rendered at every write while it streams, and many pieces of a streamed answer are this plain.
 * A test compares the two on many random strings of these characters.
 */
const PLAIN_LINE = /^[\p{L}\p{N}](?:[\p{L}\p{N},.?!'";:-]| (?! ))*$/u;
const AUTOLINK_HINT = /www\.|https?:|mailto:|xmpp:/i;

/** The text's mrkdwn when it is a plain line (see PLAIN_LINE), else undefined. */
export function plainLineMrkdwn(markdown: string): string | undefined {
  const trimmed = markdown.replace(/[ \n]+$/, "");
  if (!PLAIN_LINE.test(trimmed) || /^\p{N}/u.test(trimmed) || AUTOLINK_HINT.test(trimmed)) return undefined;
  return trimmed;
}

/**
 * Texts converted lately. troupe's own notices (the store did not answer, the model is busy) are
 * the same text every time, and under a burst they go out once per event: the Markdown parser
 * ran for each, the largest item of the slack-load profile while the store fell behind. Short
 * texts only, so a cache of a few hundred stays small; the least recently used go first.
 */
const recentlyConverted = createTtlCache<string>({ maxEntries: 256 });
const CACHED_UP_TO_CHARS = 2_000;

export function markdownToMrkdwn(markdown: string): string {
  const plain = plainLineMrkdwn(markdown);
  if (plain !== undefined) return plain;
  if (markdown.length > CACHED_UP_TO_CHARS) return convert(markdown);
  const known = recentlyConverted.get(markdown);
  if (known !== undefined) return known;
  const mrkdwn = convert(markdown);
  recentlyConverted.set(markdown, mrkdwn);
  return mrkdwn;
}

function convert(markdown: string): string {
  const toMrkdwn = converter();
  let converted: string;
  try {
    converted = toMrkdwn(markdown);
  } catch {
    // A parser failure must not lose the answer: show it unformatted.
    converted = markdown;
  }
  return escapeMrkdwn(tidyLists(converted.replace(/\n+$/, "")));
}

/**
 * For `markdown_text` (native streaming), which Slack renders as standard Markdown: the text keeps
 * its Markdown, and any `<` (or its entity) before `!`, `@` or `#` gets a zero-width space so no
 * special mention, user or channel reference can form.
 */
export function neutralizeMarkdownText(markdown: string): string {
  return markdown
    .replace(/(<|&lt;|&#0*60;|&#x0*3c;)(?=[!@#])/gi, "$1\u200b")
    .replace(BROADCAST_WORD, BROADCAST_REPLACEMENT);
}

/** Characters at the end of a streamed piece that could start a sequence the next piece completes. */
export function unsafeTailLength(markdown: string): number {
  const tail = /(?:<|&[#a-z0-9]{0,6};?|@[a-z]{0,7})$/i.exec(markdown);
  return tail ? tail[0].length : 0;
}
