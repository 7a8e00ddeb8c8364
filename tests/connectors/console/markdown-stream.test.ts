/**
 * Markdown for the terminal: each element with colour and without, streamed in pieces split at
 * awkward points (the result never depends on where the chunks were cut), and safe: the only escape
 * sequences in the output are the renderer's own styling.
 */
import { describe, expect, it } from "vitest";
import {
  createMarkdownStream,
  type MarkdownOptions,
  renderMarkdown,
} from "../../../src/connectors/console/markdown-stream.js";
import { terminalSafe } from "../../../src/lib/terminal-safe-text.js";
import { createRng, fuzzIterations } from "../../helpers/fuzz.js";

const ESC = "\u001b";
const bold = (text: string) => `${ESC}[1m${text}${ESC}[22m`;
const italic = (text: string) => `${ESC}[3m${text}${ESC}[23m`;
const dim = (text: string) => `${ESC}[2m${text}${ESC}[22m`;
const underline = (text: string) => `${ESC}[4m${text}${ESC}[24m`;
const cyan = (text: string) => `${ESC}[36m${text}${ESC}[39m`;
const RULE = "─".repeat(40);

const color = (text: string) => renderMarkdown(text, { color: true });
const plain = (text: string) => renderMarkdown(text, { color: false });

/** Streams `chunks` and returns what each push wrote, then what end() wrote. */
function streamed(chunks: string[], options: MarkdownOptions = { color: true }): string[] {
  const stream = createMarkdownStream(options);
  return [...chunks.map((chunk) => stream.push(chunk)), stream.end()];
}

const SAMPLE = [
  "# Primes",
  "A **prime** has *exactly* two divisors: see `isPrime()` and [the article](https://example.org/p).",
  "",
  "- one **bold** item",
  "  * a nested `code` item",
  "1. first",
  "> a **quoted** line",
  "---",
  "```python",
  "def add(a, b):",
  "    return a * b  # **not bold**",
  "```",
  "snake_case, 2 * 3, ~~gone~~, ***both***, \\*escaped\\*, ![a cat](cat.png) and [1].",
].join("\n");

describe("terminal Markdown: each element, with colour", () => {
  it("renders emphasis without its markers", () => {
    expect(color("a **bold** b")).toBe(`a ${bold("bold")} b`);
    expect(color("a __bold__ b")).toBe(`a ${bold("bold")} b`);
    expect(color("an *italic* and _italic_")).toBe(`an ${italic("italic")} and ${italic("italic")}`);
    expect(color("***both***")).toBe(bold(italic("both")));
    expect(color("~~gone~~")).toBe(`${ESC}[9mgone${ESC}[29m`);
    expect(color("**bold with *italic* inside**")).toBe(bold(`bold with ${italic("italic")} inside`));
  });

  it("leaves markers that open nothing as they are", () => {
    for (const text of ["2 * 3 = 6", "snake_case_name", "a ** b", "**unclosed", "~single~", "[1] and [x]"]) {
      expect(color(text)).toBe(text);
    }
    expect(color("\\*not italic\\*")).toBe("*not italic*");
  });

  it("shows inline code in colour, its content untouched", () => {
    expect(color("run `npm **test**` now")).toBe(`run ${cyan("npm **test**")} now`);
    expect(color("``a ` b``")).toBe(cyan("a ` b"));
  });

  it("shows links as text (url)", () => {
    expect(color("[the docs](https://example.org/d)")).toBe(
      `the docs (${underline("https://example.org/d")})`,
    );
    expect(color('[**bold** docs](https://x.y "Title")')).toBe(
      `${bold("bold")} docs (${underline("https://x.y")})`,
    );
    expect(color("[https://x.y](https://x.y)")).toBe(underline("https://x.y"));
    expect(color("![a cat](cat.png)")).toBe(`a cat (${underline("cat.png")})`);
  });

  it("renders headings bold without their # marks", () => {
    expect(color("# Title")).toBe(bold(underline("Title")));
    expect(color("## Part **two** ##")).toBe(bold(`Part ${bold("two")}${ESC}[1m`));
    expect(color("#hashtag")).toBe("#hashtag");
  });

  it("renders lists, quotes and rules", () => {
    expect(color("- one\n* two\n+ three\n  - nested")).toBe("• one\n• two\n• three\n  • nested");
    expect(color("1. first\n2) second")).toBe("1. first\n2) second");
    expect(color("> said **so**\n> > deeper")).toBe(
      `${dim("│")} said ${bold("so")}\n${dim("│")} ${dim("│")} deeper`,
    );
    expect(color("---\n***\n_ _ _")).toBe([dim(RULE), dim(RULE), dim(RULE)].join("\n"));
  });

  it("sets a code block apart: a dim line with the language, the code indented and untouched", () => {
    expect(color("Code:\n```python\ndef f(**kw):\n\n    return `x`\n```\nDone.")).toBe(
      [
        "Code:",
        `  ${dim("── python")}`,
        "    def f(**kw):",
        "",
        "        return `x`",
        `  ${dim("──")}`,
        "Done.",
      ].join("\n"),
    );
    // Inside a list item the block keeps the item's indentation.
    expect(color("- step:\n   ~~~\n   ls -l\n   ~~~")).toBe(
      ["• step:", `     ${dim("──")}`, "       ls -l", `     ${dim("──")}`].join("\n"),
    );
  });

  it("closes a code block the text left open", () => {
    expect(color("```\nx = 1")).toBe(`  ${dim("──")}\n    x = 1\n  ${dim("──")}`);
    const stream = createMarkdownStream({ color: false });
    expect(stream.push("```sh\nrm -rf bu")).toBe("  ── sh\n    rm -rf bu");
    expect(stream.end(" (interrupted)")).toBe(" (interrupted)\n  ──");
  });

  it("starts a block on its own line after the speaker's label", () => {
    expect(renderMarkdown("- a\n- b", { color: false, afterLabel: true })).toBe("\n• a\n• b");
    expect(renderMarkdown("Hello\n- b", { color: false, afterLabel: true })).toBe("Hello\n• b");
  });

  it("dims a notice throughout, keeping it dim after a span ends", () => {
    expect(renderMarkdown("**Tutor** now", { color: true, dim: true })).toBe(
      dim(`${ESC}[1mTutor${ESC}[22m${ESC}[2m now`),
    );
  });
});

describe("terminal Markdown without colour (NO_COLOR, or the color option off)", () => {
  it("writes no escape sequence at all and keeps the layout", () => {
    const out = plain(SAMPLE);
    expect(out).not.toContain(ESC);
    expect(out).toBe(
      [
        "# Primes",
        "A prime has exactly two divisors: see `isPrime()` and the article (https://example.org/p).",
        "",
        "• one bold item",
        "  • a nested `code` item",
        "1. first",
        "│ a quoted line",
        RULE,
        "  ── python",
        "    def add(a, b):",
        "        return a * b  # **not bold**",
        "  ──",
        "snake_case, 2 * 3, gone, both, *escaped*, a cat (cat.png) and [1].",
      ].join("\n"),
    );
  });
});

describe("terminal Markdown, streamed", () => {
  it("holds back an opening ** until its closer arrives, then writes the span whole", () => {
    expect(streamed(["Say *", "*bo", "ld*", "* and", " more"])).toEqual([
      "Say ",
      "",
      "",
      `${bold("bold")} and`,
      " more",
      "",
    ]);
  });

  it("writes plain text as it comes", () => {
    expect(streamed(["Pri", "mes ", "have ", "two ", "divisors."])).toEqual([
      "Pri",
      "mes ",
      "have ",
      "two ",
      "divisors.",
      "",
    ]);
  });

  it("recognises a fence split inside its marker, and a code block spanning chunks", () => {
    expect(
      streamed(["Here:\n`", "`", "`py", "thon\ndef f():\n  ", "  return 1\n``", "`\nDone", "."], {
        color: false,
      }),
    ).toEqual([
      "Here:\n",
      "",
      "",
      "  ── python\n    def f():\n",
      "        return 1\n",
      "  ──\nDone",
      ".",
      "",
    ]);
  });

  it("does not take a code line for a closing fence, nor a closing fence for code", () => {
    expect(streamed(["```\n``", "x``\n```", "\nafter"], { color: false }).join("")).toBe(
      "  ──\n    ``x``\n  ──\nafter",
    );
  });

  it("decides a list item, a rule or a heading from the line's first characters", () => {
    expect(streamed(["-", " ", "item"], { color: false })).toEqual(["", "", "• item", ""]);
    expect(streamed(["-", "-", "-\nnext"], { color: false })).toEqual(["", "", `${RULE}\nnext`, ""]);
    expect(streamed(["#", "# Sub", "title\n"], { color: false })).toEqual(["", "", "## Subtitle\n", ""]);
  });

  it("gives the same result wherever the text is cut (every cut into 2 and 3 pieces)", () => {
    for (const options of [{ color: true }, { color: false }, { color: true, afterLabel: true }]) {
      const whole = renderMarkdown(SAMPLE, options);
      for (let a = 0; a <= SAMPLE.length; a++) {
        expect(streamed([SAMPLE.slice(0, a), SAMPLE.slice(a)], options).join(""), `cut at ${a}`).toBe(whole);
      }
      for (let a = 0; a <= SAMPLE.length; a += 7) {
        for (let b = a; b <= SAMPLE.length; b += 5) {
          const pieces = [SAMPLE.slice(0, a), SAMPLE.slice(a, b), SAMPLE.slice(b)];
          expect(streamed(pieces, options).join(""), `cuts at ${a}, ${b}`).toBe(whole);
        }
      }
      expect(streamed([...SAMPLE], options).join("")).toBe(whole);
    }
  });
});

describe("terminal Markdown is safe", () => {
  // Our own styling: SGR sequences with the codes terminal-style.ts uses, nothing else.
  const OWN_STYLING = new RegExp(`${ESC}\\[(?:1|2|3|4|9|22|23|24|29|36|39)m`, "gu");
  // Unicode's control characters (C0, DEL, C1) but tab and line feed.
  const CONTROL = /(?![\t\n])\p{Cc}/u;
  const PIECES = [
    "**",
    "*",
    "_",
    "`",
    "```",
    "~~",
    "[",
    "](",
    ")",
    "#",
    "- ",
    "> ",
    "\n",
    " ",
    "a",
    "\\",
    "!",
  ];
  const HOSTILE = [`${ESC}[2J`, `${ESC}]0;t\u0007`, "\u009b2J", "\r", "\b", "&#27;[2J", "&#x1b;"];

  it("emits no escape sequence but its own styling, whatever the model sends (seeded fuzz)", () => {
    const iterations = fuzzIterations(300);
    for (let seed = 1; seed <= iterations; seed++) {
      const rng = createRng(seed);
      const parts = Array.from({ length: 1 + rng.int(40) }, () =>
        rng.chance(0.15) ? rng.pick(HOSTILE) : rng.pick(PIECES),
      );
      const safe = terminalSafe(parts.join(""));
      const chunks: string[] = [];
      for (let at = 0; at < safe.length; ) {
        const size = 1 + rng.int(6);
        chunks.push(safe.slice(at, at + size));
        at += size;
      }
      const out = streamed(chunks, { color: true }).join("");
      expect(out.replace(OWN_STYLING, ""), `seed ${seed}`).not.toMatch(CONTROL);
      expect(out, `seed ${seed}`).toBe(renderMarkdown(safe, { color: true }));
    }
  });
});
