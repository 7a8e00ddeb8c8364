import { describe, expect, it } from "vitest";
import { createTerminalSafeStream, terminalSafe } from "../../src/lib/terminal-safe-text.js";

const ESC = "\u001b";
const BEL = "\u0007";

/** Every character a terminal would act on, other than tab and line feed (CR LF is checked apart). */
function rawControls(text: string): string[] {
  return [...text.replaceAll("\r\n", "")].filter((character) => /(?![\t\n])\p{Cc}/u.test(character));
}

/** The families a hostile answer uses, each with what the reader sees instead. */
const families: [name: string, raw: string, shown: string][] = [
  ["window title (OSC 0, BEL)", `${ESC}]0;pwned${BEL}`, "^[]0;pwned^G"],
  ["window title (OSC 2, ST)", `${ESC}]2;pwned${ESC}\\`, "^[]2;pwned^[\\"],
  ["clear screen", `${ESC}[2J${ESC}[H`, "^[[2J^[[H"],
  ["cursor moves", `${ESC}[5A${ESC}[10;20H${ESC}7${ESC}8`, "^[[5A^[[10;20H^[7^[8"],
  ["clipboard write (OSC 52)", `${ESC}]52;c;cm0gLXJmIH4=${BEL}`, "^[]52;c;cm0gLXJmIH4=^G"],
  ["bracketed paste on and off", `${ESC}[?2004h${ESC}[?2004l`, "^[[?2004h^[[?2004l"],
  ["paste end marker", `${ESC}[201~`, "^[[201~"],
  ["colours", `${ESC}[31mred${ESC}[0m`, "^[[31mred^[[0m"],
  ["C1 CSI (U+009B)", "\u009b2J", "^[[2J"],
  ["C1 OSC (U+009D) and ST (U+009C)", "\u009d0;pwned\u009c", "^[]0;pwned^[\\"],
  ["C1 NEL (U+0085)", "a\u0085b", "a^[Eb"],
  ["bell", `ding${BEL}`, "ding^G"],
  ["backspace overwrite", "safe\b\b\b\brm -rf", "safe^H^H^H^Hrm -rf"],
  ["carriage return overwrite", "ok: yes\rok: no ", "ok: yes^Mok: no "],
  ["NUL, vertical tab, form feed, DEL", "a\u0000b\u000bc\u000cd\u007f", "a^@b^Kc^Ld^?"],
];

describe("terminalSafe", () => {
  it.each(families)("shows a %s sequence instead of letting it act", (_name, raw, shown) => {
    const safe = terminalSafe(raw);
    expect(safe).toBe(shown);
    expect(rawControls(safe)).toEqual([]);
  });

  it("keeps tabs, line feeds and CR LF, which carry layout, not commands", () => {
    const text = "col1\tcol2\nline two\r\nline three\n";
    expect(terminalSafe(text)).toBe(text);
  });

  it("leaves multibyte text and emoji exactly as they are", () => {
    const text = "Grüße, café, 日本語, עברית, 🎓🏴‍☠️👩🏽‍💻 and ｆｕｌｌｗｉｄｔｈ";
    expect(terminalSafe(text)).toBe(text);
  });

  it("leaves text that only looks like an escape (written out, not the control character) alone", () => {
    const text = 'printf "\\033[31mred\\033[0m" and ^[[2J';
    expect(terminalSafe(text)).toBe(text);
  });
});

/** Feeds `chunks` one by one, as deltas arrive, and returns what would be written. */
function streamed(chunks: string[]): string {
  const stream = createTerminalSafeStream();
  return chunks.map((chunk) => stream.push(chunk)).join("") + stream.flush();
}

describe("createTerminalSafeStream", () => {
  it.each(families)("catches a %s sequence at every split point", (_name, raw, shown) => {
    for (let cut = 0; cut <= raw.length; cut++) {
      expect(streamed([raw.slice(0, cut), raw.slice(cut)])).toBe(shown);
    }
  });

  it("catches a sequence spread one character per delta", () => {
    const raw = `before ${ESC}]0;title${BEL} after`;
    expect(streamed([...raw])).toBe("before ^[]0;title^G after");
  });

  it("keeps CR LF when the CR ends one delta and the LF starts the next", () => {
    expect(streamed(["one\r", "\ntwo"])).toBe("one\r\ntwo");
  });

  it("shows a lone CR that ends a delta once the next one shows it is alone, or at the end", () => {
    expect(streamed(["one\r", "two"])).toBe("one^Mtwo");
    expect(streamed(["one\r"])).toBe("one^M");
  });

  it("writes an emoji split between deltas whole, never as two halves", () => {
    const stream = createTerminalSafeStream();
    const emoji = "🎓";
    const first = stream.push(`hi ${emoji[0]}`);
    // The first half waits: written alone it would print as a replacement character.
    expect(first).toBe("hi ");
    expect(first + stream.push(`${emoji[1]} there`) + stream.flush()).toBe("hi 🎓 there");
  });

  it("passes multibyte text through delta by delta without holding it back", () => {
    const stream = createTerminalSafeStream();
    expect(stream.push("Grüße ")).toBe("Grüße ");
    expect(stream.push("日本語 👩🏽‍💻")).toBe("日本語 👩🏽‍💻");
    expect(stream.flush()).toBe("");
  });
});
