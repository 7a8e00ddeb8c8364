/**
 * Splits an answer into messages that fit a platform's length limit (Discord 2000 characters,
 * Slack about 4000), cutting at a paragraph, then a line, then a space. A fenced code block cut by a
 * split is closed at the end of one message and reopened, with its language, at the start of the
 * next, so both halves still render as code.
 */

const FENCE_LINE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

interface OpenFence {
  /** The whole opening line, e.g. "```ts": repeated to reopen the block. */
  line: string;
  /** The marker alone, e.g. "```": closes the block. */
  marker: string;
}

/** The fence still open at the end of `text`, if any. */
export function openFenceAtEnd(text: string): OpenFence | undefined {
  let open: OpenFence | undefined;
  for (const line of text.split("\n")) {
    const match = FENCE_LINE.exec(line);
    if (!match) continue;
    const marker = match[1] ?? "";
    const info = (match[2] ?? "").trim();
    if (open === undefined) {
      open = { line: line.trimStart(), marker };
    } else if (marker[0] === open.marker[0] && marker.length >= open.marker.length && info === "") {
      open = undefined;
    }
  }
  return open;
}

/** Where to cut `text` so the head is at most `room` long: the latest natural boundary. */
function cutIndex(text: string, room: number): number {
  const floor = Math.floor(room * 0.3);
  for (const boundary of ["\n\n", "\n", " "]) {
    const index = text.lastIndexOf(boundary, room - boundary.length);
    if (index > floor) return index;
  }
  // No boundary: cut hard, but never between the halves of a surrogate pair (an emoji).
  const code = text.charCodeAt(room - 1);
  return code >= 0xd800 && code <= 0xdbff ? room - 1 : room;
}

export function splitText(text: string, maxLength: number): string[] {
  if (text.length <= maxLength) return [text];
  const longestMarker = Math.max(
    3,
    ...[...text.matchAll(/^ {0,3}(`{3,}|~{3,})/gm)].map((match) => match[1]?.length ?? 0),
  );
  const closeReserve = longestMarker + 1;
  const chunks: string[] = [];
  let prefix = "";
  let rest = text;
  for (;;) {
    if (prefix.length + rest.length <= maxLength) {
      chunks.push(prefix + rest);
      return chunks;
    }
    // A reopening line too long to leave room for text is dropped rather than looping forever.
    if (prefix.length > maxLength / 2) prefix = "";
    const room = maxLength - prefix.length - closeReserve;
    const cut = Math.max(1, cutIndex(rest, room));
    const head = rest.slice(0, cut).trimEnd();
    rest = rest
      .slice(cut)
      .replace(/^[ \t]*\n+/, "")
      .replace(/^ /, "");
    const body = prefix + head;
    const open = openFenceAtEnd(body);
    if (open) {
      chunks.push(`${body}\n${open.marker}`);
      prefix = `${open.line}\n`;
    } else {
      chunks.push(body);
      prefix = "";
    }
    if (rest.length === 0) return chunks;
  }
}
