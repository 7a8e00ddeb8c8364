/**
 * Markdown's inline spans for the terminal: `**bold**` / `__bold__`, `*italic*` / `_italic_`,
 * `***both***`, `~~struck~~`, `` `code` ``, `[text](url)` and `![alt](url)` (shown as
 * `text (url)`), and backslash escapes. Anything else (HTML, autolinks, entities) stays as written:
 * nothing is decoded, so no character reference can turn into a control character.
 *
 * Rendered for a stream: `renderInline(text, false)` returns only the part of the rendering that no
 * later text can change. Plain text is returned at once; a span is returned when its closing marker
 * has arrived; from an opening marker whose fate is still open (its closer may be in the next chunk)
 * on, nothing is returned until more text, or the end of the line (`final`), decides it. So the
 * rendering of a line only ever grows as its text grows, and the caller can write the difference
 * without rewriting what is on the screen.
 *
 * Deliberately simpler than CommonMark: an opener takes the first fitting closer on the same line
 * (a run of the same marker and length, not preceded by a space; for `_` not followed by a letter),
 * and an opener must not be followed by a space (`2 * 3` stays as it is) nor `_` preceded by a
 * letter (`snake_case` stays as it is).
 *
 * Without colour the emphasis markers are still removed (the words stay), and code spans keep their
 * backticks: that they are code is information, not decoration.
 */
import { BOLD, CYAN, ITALIC, paint, STRIKE, type Style, UNDERLINE } from "./terminal-style.js";

export interface InlineOptions {
  color: boolean;
  /** Styles the text already stands in (a heading's bold, a dimmed notice): kept through spans. */
  outer: readonly Style[];
}

/** A span rendered and where the text after it starts; WAIT: the next text decides. */
type Step = { rendered: string; next: number } | typeof WAIT;
const WAIT = "wait";

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const WORD = /[\p{L}\p{N}]/u;
const isSpace = (character: string) => character === "" || /\s/u.test(character);

function runLength(text: string, start: number, marker: string): number {
  let end = start;
  while (text.charAt(end) === marker) end++;
  return end - start;
}

/** The rendering of `text` that later text cannot change; all of it when `final`. */
export function renderInline(text: string, final: boolean, options: InlineOptions): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const step = spanAt(text, i, final, options);
    if (step === WAIT) break;
    out += step.rendered;
    i = step.next;
  }
  return out;
}

function spanAt(text: string, i: number, final: boolean, options: InlineOptions): Step {
  const character = text.charAt(i);
  switch (character) {
    case "\\":
      return escaped(text, i, final);
    case "`":
      return codeSpan(text, i, final, options);
    case "*":
    case "_":
      return emphasis(text, i, final, options);
    case "~":
      return strikethrough(text, i, final, options);
    case "[":
    case "!":
      return link(text, i, final, options);
    default:
      return { rendered: character, next: i + 1 };
  }
}

const literal = (text: string, from: number, to: number): Step => ({
  rendered: text.slice(from, to),
  next: to,
});

function escaped(text: string, i: number, final: boolean): Step {
  if (i + 1 >= text.length) return final ? literal(text, i, i + 1) : WAIT;
  const next = text.charAt(i + 1);
  return ASCII_PUNCTUATION.test(next) ? { rendered: next, next: i + 2 } : literal(text, i, i + 1);
}

function codeSpan(text: string, i: number, final: boolean, options: InlineOptions): Step {
  const length = runLength(text, i, "`");
  if (i + length >= text.length && !final) return WAIT;
  for (let j = i + length; j < text.length; ) {
    if (text.charAt(j) !== "`") {
      j++;
      continue;
    }
    const closing = runLength(text, j, "`");
    // A run at the end of what has arrived may still grow into (or out of) the right length.
    if (j + closing >= text.length && !final) return WAIT;
    if (closing === length) {
      const end = j + closing;
      if (!options.color) return literal(text, i, end);
      let code = text.slice(i + length, j);
      if (code.length > 2 && code.startsWith(" ") && code.endsWith(" ") && code.trim() !== "") {
        code = code.slice(1, -1);
      }
      return { rendered: paint(code, CYAN, options.outer, true), next: end };
    }
    j += closing;
  }
  return final ? literal(text, i, i + length) : WAIT;
}

/** `*`, `**`, `***` and the same with `_`. */
function emphasis(text: string, i: number, final: boolean, options: InlineOptions): Step {
  const marker = text.charAt(i);
  const length = runLength(text, i, marker);
  const after = i + length;
  if (after >= text.length) return final ? literal(text, i, after) : WAIT;
  const opens =
    length <= 3 && !isSpace(text.charAt(after)) && !(marker === "_" && WORD.test(text.charAt(i - 1)));
  if (!opens) return literal(text, i, after);
  const closer = findCloser(text, after, marker, length, final);
  if (closer === WAIT) return final ? literal(text, i, after) : WAIT;
  const styles = length === 1 ? [ITALIC] : length === 2 ? [BOLD] : [BOLD, ITALIC];
  return { rendered: styled(text.slice(after, closer), styles, options), next: closer + length };
}

function strikethrough(text: string, i: number, final: boolean, options: InlineOptions): Step {
  const length = runLength(text, i, "~");
  const after = i + length;
  if (after >= text.length) return final ? literal(text, i, after) : WAIT;
  if (length !== 2 || isSpace(text.charAt(after))) return literal(text, i, after);
  const closer = findCloser(text, after, "~", 2, final);
  if (closer === WAIT) return final ? literal(text, i, after) : WAIT;
  return { rendered: styled(text.slice(after, closer), [STRIKE], options), next: closer + 2 };
}

/**
 * Where the run closing an opener of `length` × `marker` starts, searching from `from`; WAIT when
 * there is none yet (at the end of a line: none at all).
 */
function findCloser(
  text: string,
  from: number,
  marker: string,
  length: number,
  final: boolean,
): number | typeof WAIT {
  for (let j = from; j < text.length; ) {
    const character = text.charAt(j);
    if (character === "\\") {
      j += 2;
      continue;
    }
    if (character !== marker) {
      j++;
      continue;
    }
    const run = runLength(text, j, marker);
    if (j + run >= text.length && !final) return WAIT;
    const fits =
      run === length &&
      j > from &&
      !isSpace(text.charAt(j - 1)) &&
      !(marker === "_" && WORD.test(text.charAt(j + run)));
    if (fits) return j;
    j += run;
  }
  return WAIT;
}

/** `inner` rendered inside `styles` (outermost first), each kept through the spans inside it. */
export function styled(inner: string, styles: readonly Style[], options: InlineOptions): string {
  const all = [...options.outer, ...styles];
  let rendered = renderInline(inner, true, { color: options.color, outer: all });
  for (let depth = styles.length - 1; depth >= 0; depth--) {
    const style = styles[depth];
    if (style) rendered = paint(rendered, style, all.slice(0, options.outer.length + depth), options.color);
  }
  return rendered;
}

/** `[text](url)` → `text (url)`; `![alt](url)` the same; `[text]` alone stays as written. */
function link(text: string, i: number, final: boolean, options: InlineOptions): Step {
  let open = i;
  if (text.charAt(i) === "!") {
    if (i + 1 >= text.length) return final ? literal(text, i, i + 1) : WAIT;
    if (text.charAt(i + 1) !== "[") return literal(text, i, i + 1);
    open = i + 1;
  }
  const notALink = literal(text, i, open + 1);
  const close = matching(text, open, "[", "]");
  if (close === undefined || close + 1 >= text.length) return final ? notALink : WAIT;
  if (text.charAt(close + 1) !== "(") return notALink;
  const end = matching(text, close + 1, "(", ")");
  if (end === undefined) return final ? notALink : WAIT;
  const label = text.slice(open + 1, close);
  const destination = linkDestination(text.slice(close + 2, end));
  const url = paint(destination, UNDERLINE, options.outer, options.color);
  const shownLabel = renderInline(label, true, options);
  const rendered =
    destination === ""
      ? shownLabel
      : label.trim() === "" || label === destination
        ? url
        : `${shownLabel} (${url})`;
  return { rendered, next: end + 1 };
}

/** The index of the bracket closing the one at `open` (nested pairs and escapes skipped). */
function matching(text: string, open: number, opening: string, closing: string): number | undefined {
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    const character = text.charAt(j);
    if (character === "\\") j++;
    else if (character === opening) depth++;
    else if (character === closing && --depth === 0) return j;
  }
  return undefined;
}

/** `url "title"` → `url`; `<url with spaces>` → `url with spaces`. */
function linkDestination(inside: string): string {
  const trimmed = inside.trim();
  if (trimmed.startsWith("<")) {
    const close = trimmed.indexOf(">");
    if (close > 0) return trimmed.slice(1, close);
  }
  return trimmed.split(/\s+/u)[0] ?? "";
}
