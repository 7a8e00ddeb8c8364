/**
 * Reasoning models (DeepSeek-R1, Qwen3, …) write their chain of thought between <think> and
 * </think> in the answer text itself. It must never reach users or stored history, so the answer
 * stream passes through this filter. Tags can be split across chunks, so a tail that could be the
 * start of a tag is held back until the next chunk decides it.
 */

const OPEN = "<think>";
const CLOSE = "</think>";

export interface ThinkFilter {
  /** Feed a chunk; returns the text that is safe to show now. */
  push(chunk: string): string;
  /** End of stream: returns what was held back (an unterminated <think> block is dropped). */
  flush(): string;
}

/** Length of the longest suffix of `text` that is a proper prefix of `tag`. */
function partialTagLength(text: string, tag: string): number {
  for (let length = Math.min(tag.length - 1, text.length); length > 0; length--) {
    if (text.endsWith(tag.slice(0, length))) return length;
  }
  return 0;
}

export function createThinkFilter(): ThinkFilter {
  let pending = "";
  let thinking = false;
  /** Whitespace before the first visible text (typically right after </think>) is noise. */
  let trimLeading = true;

  function emit(text: string): string {
    if (!trimLeading) return text;
    const trimmed = text.replace(/^\s+/, "");
    if (trimmed.length > 0) trimLeading = false;
    return trimmed;
  }

  return {
    push(chunk) {
      pending += chunk;
      let output = "";
      for (;;) {
        if (thinking) {
          const end = pending.indexOf(CLOSE);
          if (end === -1) {
            pending = pending.slice(pending.length - partialTagLength(pending, CLOSE));
            return output;
          }
          pending = pending.slice(end + CLOSE.length);
          thinking = false;
          continue;
        }
        const start = pending.indexOf(OPEN);
        if (start === -1) {
          const keep = partialTagLength(pending, OPEN);
          output += emit(pending.slice(0, pending.length - keep));
          pending = pending.slice(pending.length - keep);
          return output;
        }
        output += emit(pending.slice(0, start));
        pending = pending.slice(start + OPEN.length);
        thinking = true;
      }
    },
    flush() {
      const rest = thinking ? "" : emit(pending);
      pending = "";
      return rest;
    },
  };
}
