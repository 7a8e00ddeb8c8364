/**
 * The terminal chat's own styling: the few SGR sequences rendered Markdown uses, and the one rule
 * that makes nesting work. These are the only escape sequences the console sink ever writes raw
 * (what the model says is neutralised before it is rendered: see console-sink.ts).
 *
 * Nesting: several styles share one "off" code (SGR 22 ends both bold and dim), so ending bold
 * inside a dimmed or bold line would end the outer style too. `paint` therefore turns back on the
 * outer styles that the inner one's "off" code cleared. Every painted piece is closed where it
 * ends, so the terminal is never left styled between two writes (or when an answer breaks off).
 */

export interface Style {
  readonly on: string;
  readonly off: string;
}

const sgr = (on: number, off: number): Style => ({ on: `\u001b[${on}m`, off: `\u001b[${off}m` });

export const BOLD = sgr(1, 22);
export const DIM = sgr(2, 22);
export const ITALIC = sgr(3, 23);
export const UNDERLINE = sgr(4, 24);
export const STRIKE = sgr(9, 29);
export const CYAN = sgr(36, 39);

/**
 * `text` in `style` inside the styles `outer` (innermost last); just `text` when colour is off.
 * `text` may hold pieces painted with `[...outer, style]` as their own outer styles.
 */
export function paint(text: string, style: Style, outer: readonly Style[], color: boolean): string {
  if (!color || text.length === 0) return text;
  const restore = outer.filter((active) => active.off === style.off).map((active) => active.on);
  return `${style.on}${text}${style.off}${restore.join("")}`;
}
