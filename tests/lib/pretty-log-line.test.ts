/** One pino record as one readable terminal line: what is shown, what is left out, and what is made safe. */
import { describe, expect, it } from "vitest";
import { formatLogLine, type PrettyLogOptions } from "../../src/lib/pretty-log-line.js";

const plain: PrettyLogOptions = { stacks: false, color: false, hideNotices: false };
const at = "2026-03-01T14:02:07.000Z";
/** The local clock time the line starts with (the test must not depend on the machine's time zone). */
const clock = (() => {
  const date = new Date(at);
  return [date.getHours(), date.getMinutes(), date.getSeconds()]
    .map((part) => String(part).padStart(2, "0"))
    .join(":");
})();

function line(record: Record<string, unknown>, options: PrettyLogOptions = plain): string | undefined {
  return formatLogLine(`${JSON.stringify({ time: at, app: "troupe", pid: 7, ...record })}\n`, options);
}

const modelError = {
  type: "ModelError",
  message: "Ollama answered HTTP 500: an error was encountered",
  stack:
    "ModelError: Ollama answered HTTP 500\n    at toOllamaError (ollama-errors.ts:1:1)\n    at run (x.ts:2:2)",
  code: "unavailable",
};

describe("formatLogLine", () => {
  it("time, level, message, plain fields, and the error's message on one line", () => {
    expect(
      line({
        level: 50,
        msg: "model failed while answering",
        code: "unavailable",
        attempt: 3,
        err: modelError,
      }),
    ).toBe(
      `${clock} ERROR model failed while answering  code=unavailable attempt=3 — ModelError: Ollama answered HTTP 500: an error was encountered\n`,
    );
    expect(line({ level: 40, msg: "model call failed: retrying", delayMs: 512 })).toBe(
      `${clock} WARN  model call failed: retrying  delayMs=512\n`,
    );
    expect(line({ level: 30, msg: "ready" })).toBe(`${clock} INFO  ready\n`);
    expect(line({ level: 60, msg: "x" })).toContain(" FATAL x");
    expect(line({ level: 20, msg: "x" })).toContain(" DEBUG x");
  });

  it("quotes values with spaces, joins lists, leaves objects to the file, and cuts long values", () => {
    const shown = line({
      level: 40,
      msg: "model is not ready",
      fix: "run `ollama pull llama3.2`",
      personas: ["coder", "tutor"],
      usage: { promptTokens: 12 },
      ok: false,
      long: "x".repeat(500),
    });
    expect(shown).toContain('fix="run `ollama pull llama3.2`"');
    expect(shown).toContain("personas=coder,tutor");
    expect(shown).toContain("ok=false");
    expect(shown).not.toContain("usage");
    expect(shown).not.toContain("pid=");
    expect(shown).not.toContain("app=");
    expect(shown).toContain(`long=${"x".repeat(159)}… `.trimEnd());
    expect(shown).not.toContain("x".repeat(160));
  });

  it("keeps every record to one line: newlines in the message and the error are folded", () => {
    const shown = line({
      level: 40,
      msg: "invalid persona file:\npersonas/a.md:3: bad\npersonas/a.md:4: worse",
      reason: "one\ntwo",
      err: { type: "Error", message: "first\nsecond", stack: "Error: first\n    at x" },
    });
    expect(shown).toBe(
      `${clock} WARN  invalid persona file: / personas/a.md:3: bad / personas/a.md:4: worse  reason="one\\ntwo" — first / second\n`,
    );
  });

  it("prints the stack, indented, only when asked for (debug and trace)", () => {
    const record = { level: 50, msg: "model failed", err: modelError };
    expect(line(record)?.split("\n")).toHaveLength(2);
    const [first, ...frames] = (line(record, { ...plain, stacks: true }) ?? "").trimEnd().split("\n");
    expect(first).toContain("— ModelError: Ollama answered HTTP 500");
    expect(frames).toEqual(["    at toOllamaError (ollama-errors.ts:1:1)", "    at run (x.ts:2:2)"]);
  });

  it("shows control characters from log fields as text, never raw; only its own colours are codes", () => {
    const ESC = "\u001b";
    const shown =
      line(
        {
          level: 40,
          msg: `persona ${ESC}]0;pwned\u0007 refused`,
          file: `personas/${ESC}[2J.md`,
          err: { type: "Error", message: `bad ${ESC}[31mred` },
        },
        { ...plain, color: true },
      ) ?? "";
    expect(shown).toContain("persona ^[]0;pwned^G refused");
    expect(shown).toContain("file=personas/^[[2J.md");
    expect(shown).toContain("bad ^[[31mred");
    // The only raw escapes are the two colour spans around the time and the level.
    expect(shown.split(`${ESC}[`)).toHaveLength(5);
    expect(shown.startsWith(`${ESC}[2m${clock}${ESC}[0m ${ESC}[33mWARN ${ESC}[0m `)).toBe(true);
  });

  it("leaves out the chat's notices when asked, and shows everything else", () => {
    const notice = { level: 40, msg: "model is not ready", notice: true };
    expect(line(notice, { ...plain, hideNotices: true })).toBeUndefined();
    expect(line(notice)).toBe(`${clock} WARN  model is not ready\n`);
    expect(line({ level: 40, msg: "other" }, { ...plain, hideNotices: true })).toContain("other");
  });

  it("shows a line that is not a JSON record as it came, made safe", () => {
    expect(formatLogLine("not json \u001b[2J\n", plain)).toBe("not json ^[[2J\n");
    expect(formatLogLine("\n", plain)).toBeUndefined();
  });
});
