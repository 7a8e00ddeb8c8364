/** max_questions counts the questions a reader sees: not a `?` in code, a URL, or inside a word. */
import { describe, expect, it } from "vitest";
import { countQuestions, proseOf } from "../../src/evals/answer-prose.js";

describe("countQuestions", () => {
  it("counts sentences that end in a question mark", () => {
    expect(countQuestions("What did you try? Where did it stop making sense?")).toBe(2);
    expect(countQuestions("Try subtracting 5 from both sides. What do you get?")).toBe(1);
    expect(countQuestions("No question here.")).toBe(0);
  });

  it("counts ?? and ?! as one question, and a question mark before closing punctuation", () => {
    expect(countQuestions("Really?? You did?!")).toBe(2);
    expect(countQuestions('She asked "why not?" and left. (Ready?)')).toBe(2);
    expect(countQuestions("**What do you do?**\n1. Run")).toBe(1);
  });

  it("ignores question marks in fenced code blocks, closed or not", () => {
    const answer =
      "Use a ternary:\n\n```js\nconst x = ok ? 1 : 2;\nconst re = /a?b/;\n```\n\nDoes that help?";
    expect(countQuestions(answer)).toBe(1);
    expect(countQuestions("Here:\n~~~py\nprint('why?')\n~~~\nDone.")).toBe(0);
    expect(countQuestions("Start:\n```ts\nconst a = b ? c : d;\nwhat?\n")).toBe(0);
  });

  it("ignores inline code and URLs with a query", () => {
    expect(
      countQuestions("Call `a ? b : c` or `isOk?` then read https://example.com/search?q=x&page=2 now."),
    ).toBe(0);
    expect(countQuestions("See www.example.com/a?b=1 for the docs. Clear?")).toBe(1);
  });

  it("counts full-width and Arabic question marks", () => {
    expect(countQuestions("你试过了吗？ 好的。")).toBe(1);
    expect(countQuestions("هل جربت ذلك؟")).toBe(1);
  });

  it("a question mark inside a word is not a question", () => {
    expect(countQuestions("The value a?b stays.")).toBe(0);
  });
});

describe("proseOf", () => {
  it("keeps the prose around code and links", () => {
    const prose = proseOf("Read this:\n```bash\nls -la\n```\nand `x` at https://a.example/b?c then go.");
    expect(prose).toContain("Read this:");
    expect(prose).toContain("then go.");
    expect(prose).not.toContain("ls -la");
    expect(prose).not.toContain("a.example");
  });
});
