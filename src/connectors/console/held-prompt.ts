/**
 * Typing while an answer streams: what is typed waits below the answer instead of landing inside
 * it. readline (terminal mode) echoes each key where the cursor is, and while an answer streams the
 * cursor is in the answer. So readline gets its own output, which passes its writes to the terminal
 * only while the prompt is showing: during an answer readline still reads every key (Ctrl-C still
 * quits, Enter still ends a line, its line buffer keeps what was typed) but draws nothing. When the
 * last answer is done, the prompt comes back on the line below it with what was typed meanwhile.
 *
 * Chosen over pausing the input (keys would wait in the terminal, but Ctrl-C would too, so a long
 * answer could not be interrupted) and over drawing the prompt below the streaming text (that means
 * moving the cursor up and down around every token, which breaks once the answer scrolls).
 */
import type { Interface } from "node:readline";
import { Writable } from "node:stream";
import { terminalSafe } from "../../lib/terminal-safe-text.js";

interface Terminal extends NodeJS.WritableStream {
  columns?: number;
}

/** readline's output: the terminal while `shown`, nowhere otherwise. */
class PromptOutput extends Writable {
  shown = true;

  constructor(private readonly terminal: Terminal) {
    super({ decodeStrings: false });
    // readline redraws a long line when the window's width changes.
    terminal.on("resize", () => this.emit("resize"));
  }

  /** readline wraps its line at the terminal's width. */
  get columns(): number | undefined {
    return this.terminal.columns;
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, callback: () => void): void {
    if (this.shown) this.terminal.write(chunk);
    callback();
  }
}

export interface HeldPrompt {
  /** readline's output. */
  readonly output: Writable;
  /** The prompt is hidden: an answer is on its way or streaming. */
  readonly held: boolean;
  /** From now on readline shows nothing (keys are still read). */
  hold(): void;
  /** The prompt back, on the line where the cursor is, with what was typed while it was held. */
  release(readline: Interface): void;
}

export function createHeldPrompt(terminal: Terminal): HeldPrompt {
  const output = new PromptOutput(terminal);
  return {
    output,
    get held() {
      return !output.shown;
    },
    hold() {
      output.shown = false;
    },
    release(readline) {
      if (output.shown) return;
      const typed = readline.line;
      // Emptied while still hidden, then typed again once shown: readline keeps its idea of where
      // the line is on the screen (a long line typed unseen would have it move the cursor up into
      // the answer to redraw), so it has to draw the line itself, from an empty one.
      readline.write(null, { ctrl: true, name: "e" });
      readline.write(null, { ctrl: true, name: "u" });
      output.shown = true;
      readline.prompt();
      if (typed === "") return;
      if (readline.line === "") readline.write(typed);
      // With TERM=dumb readline edits nothing (Ctrl-U is ignored) and redraws nothing: it only
      // appends what is typed. Its line is intact, so showing it is all there is to do.
      else output.write(terminalSafe(typed));
    },
  };
}
