/**
 * Text from outside (a model's answer, a persona file someone else wrote) made harmless for a
 * terminal. A terminal obeys control characters: ESC and the C1 controls (U+0080–U+009F) start
 * sequences that set the window title, clear the screen, move the cursor, write the clipboard
 * (OSC 52) or toggle bracketed paste; BEL, backspace and a lone carriage return overwrite or hide
 * what was printed. Every such character is shown instead, in caret notation (`^[`, `^G`, `^H`,
 * `^M`; a C1 control as its 7-bit form, U+009B → `^[[`), the convention of `cat -v`.
 *
 * Shown rather than removed: the reader sees that something odd came and nothing is silently lost,
 * and there is no sequence grammar to get wrong (an unterminated title sequence cannot swallow the
 * rest of an answer), because a sequence whose introducer is printable text does nothing. Tab, line
 * feed and CR LF stay as they are; printable Unicode (accents, CJK, emoji) is never touched.
 */

const CARRIAGE_RETURN = 0x0d;
const DELETE = 0x7f;

/**
 * Unicode's control characters (Cc: C0, DEL, C1) but tab and line feed; and CR LF, matched whole so
 * it is kept.
 */
const CONTROL = /\r\n|(?![\t\n])\p{Cc}/gu;

function shown(character: string): string {
  const code = character.charCodeAt(0);
  if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
  if (code === DELETE) return "^?";
  // A C1 control is the one-character form of ESC followed by (code − 0x40): CSI U+009B is ESC [.
  return `^[${String.fromCharCode(code - 0x40)}`;
}

/** `text` with every control character but tab, line feed and CR LF shown in caret notation. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (match) => (match === "\r\n" ? match : shown(match)));
}

export interface TerminalSafeStream {
  /** The safe form of everything pushed so far that can be decided; at most one character waits. */
  push(chunk: string): string;
  /** The rest, at the end of the stream. */
  flush(): string;
}

/**
 * `terminalSafe` for text that arrives in pieces. Each control character is shown on its own, so an
 * escape sequence split between two pieces is caught like a whole one; only two things need the
 * next piece: a carriage return (CR LF is kept, a lone CR is shown) and the first half of a UTF-16
 * surrogate pair (an emoji split between pieces must be written whole, or it prints as two �).
 */
export function createTerminalSafeStream(): TerminalSafeStream {
  let carry = "";
  return {
    push(chunk) {
      const text = carry + chunk;
      const last = text.charCodeAt(text.length - 1);
      const waits = last === CARRIAGE_RETURN || (last >= 0xd800 && last <= 0xdbff);
      const ready = waits ? text.slice(0, -1) : text;
      carry = waits ? text.slice(-1) : "";
      return terminalSafe(ready);
    },
    flush() {
      const rest = carry;
      carry = "";
      return terminalSafe(rest);
    },
  };
}
