/**
 * A persona file is held to two limits: its size (PERSONA_MAX_KB) and a fixed prompt that leaves
 * room to converse in the context window (CONTEXT_TOKENS minus the answer's room). Both are problems
 * in the file: start-up skips it naming the numbers, while running the last good version is kept.
 * A prompt that fits but leaves the conversation less than a quarter of the window loads, with a
 * warning that names the numbers and the fix.
 */
import { truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  loadPersonaDirectory,
  type PersonaChange,
  type PersonaDirectory,
} from "../../src/personas/persona-directory.js";
import { refusalLines } from "../../src/personas/persona-file-report.js";
import { MIN_CONVERSATION_TOKENS } from "../../src/personas/persona-prompt-fit.js";
import {
  createRecordingLogger,
  createTempDir,
  type RecordingLogger,
  removeTempDir,
  waitFor,
} from "./persona-test-helpers.js";

let dir: string;
let logger: RecordingLogger;
const opened: PersonaDirectory[] = [];

beforeEach(async () => {
  dir = await createTempDir();
  logger = createRecordingLogger();
});

afterEach(async () => {
  for (const directory of opened.splice(0)) directory.close();
  await removeTempDir(dir);
});

async function write(fileName: string, text: string): Promise<void> {
  await writeFile(join(dir, fileName), text);
}

interface Limits {
  maxFileKb?: number;
  contextTokens?: number;
  replyTokens?: number;
  watch?: boolean;
}

async function open(limits: Limits = {}): Promise<PersonaDirectory> {
  const { maxFileKb, watch, contextTokens = 8192, replyTokens = 1024 } = limits;
  const directory = await loadPersonaDirectory(dir, {
    logger,
    debounceMs: 30,
    contextTokens,
    replyTokens,
    ...(maxFileKb === undefined ? {} : { maxFileKb }),
    ...(watch === undefined ? {} : { watch }),
  });
  opened.push(directory);
  return directory;
}

/** The problems of the files start-up skipped; coder.md, always fine, keeps start-up going. */
async function startUpProblems(limits: Limits = {}): Promise<readonly string[]> {
  await write("coder.md", "Code.");
  const directory = await open({ watch: false, ...limits });
  expect(directory.get("coder")).toBeDefined();
  return directory.startup.skipped.flatMap(refusalLines);
}

const warningAbout = (fileName: string) =>
  logger.records.find((record) => record.level === "warn" && record.fields.file === join(dir, fileName));

/** A system prompt of plain ASCII estimated at exactly `tokens` (src/core/tokens.ts: 3.2 bytes a token). */
const promptOf = (tokens: number) => "x".repeat(Math.floor(tokens * 3.2));

describe("PERSONA_MAX_KB", () => {
  it("skips a 5 MB persona at start-up with the numbers, without reading it", async () => {
    await write("tutor.md", "Teach.");
    await write("big.md", "Be big.");
    // A sparse 5 MB file: its size is seen by stat; only a read would find the zeros.
    await truncate(join(dir, "big.md"), 5 * 1024 * 1024);

    expect(await startUpProblems()).toEqual([
      `${join(dir, "big.md")}: 5,120 KB is over PERSONA_MAX_KB=256: a persona file is a prompt sent with ` +
        "every message; shorten it, or raise PERSONA_MAX_KB",
    ]);
  });

  it("takes a file of exactly the limit and refuses one byte more, rounding the size up", async () => {
    await write("tutor.md", `You teach.${" ".repeat(2 * 1024 - 10)}`);
    expect((await open({ maxFileKb: 2, watch: false })).get("tutor")?.systemPrompt).toBe("You teach.");

    await write("tutor.md", `You teach.${" ".repeat(2 * 1024 - 9)}`);
    expect(await startUpProblems({ maxFileKb: 2 })).toEqual([
      expect.stringContaining(`${join(dir, "tutor.md")}: 3 KB is over PERSONA_MAX_KB=2:`),
    ]);
  });

  it("keeps the last good version of a persona grown past the limit while running, with a warning", async () => {
    await write("tutor.md", "Teach.");
    const directory = await open({ maxFileKb: 1 });
    const seen: PersonaChange[] = [];
    directory.onChange((changes) => seen.push(...changes));

    await write("tutor.md", `Teach at length. ${"More. ".repeat(400)}`);

    await waitFor("a warning about tutor.md", () => warningAbout("tutor.md") !== undefined);
    expect(warningAbout("tutor.md")?.fields.reason).toMatch(/^3 KB is over PERSONA_MAX_KB=1: /);
    expect(warningAbout("tutor.md")?.message).toContain("keeping the last good version");
    expect(directory.get("tutor")?.systemPrompt).toBe("Teach.");
    expect(seen).toContainEqual({
      kind: "rejected",
      fileName: "tutor.md",
      name: "tutor",
      problem: `${join(dir, "tutor.md")}: ${warningAbout("tutor.md")?.fields.reason}`,
    });
  });
});

describe("the fixed prompt against CONTEXT_TOKENS", () => {
  it("skips at start-up a prompt that leaves no room to converse, with the numbers", async () => {
    await write("tutor.md", "Teach.");
    await write("epic.md", promptOf(9_400));

    expect(await startUpProblems()).toEqual([
      `${join(dir, "epic.md")}: the prompt is about 9,404 tokens (system prompt, examples and ` +
        "post_history, sent with every message); CONTEXT_TOKENS=8192 minus 1,024 kept for the answer " +
        "(REPLY_TOKENS) leaves 7,168, and at least 512 of that must stay free for the conversation: " +
        "shorten the system prompt or the examples or raise CONTEXT_TOKENS",
    ]);
  });

  it(`takes a prompt that leaves exactly ${MIN_CONVERSATION_TOKENS} tokens and refuses one token more`, async () => {
    // 8192 - 1024 - 512 = 6656 tokens of prompt, 4 of them the message's overhead.
    await write("tutor.md", promptOf(6_652));
    expect((await open({ watch: false })).get("tutor")).toBeDefined();

    await write("tutor.md", `${promptOf(6_652)}x`);
    expect(await startUpProblems()).toEqual([expect.stringContaining("the prompt is about 6,657 tokens")]);
  });

  it("counts the examples and post_history, and the persona's own max_tokens as the answer's room", async () => {
    const example = `  - user: ${"u".repeat(3_200)}\n    assistant: ${"a".repeat(3_200)}\n`;
    await write(
      "tutor.md",
      `---\nmax_tokens: 3000\nexamples:\n${example}post_history: ${"p".repeat(320)}\n---\nTeach.`,
    );

    // 6 + 1,004 + 1,004 + 104 = 2,118 tokens; 4,096 - 3,000 leaves 1,096, less than 2,118 + 512.
    expect(await startUpProblems({ contextTokens: 4096 })).toEqual([
      `${join(dir, "tutor.md")}: the prompt is about 2,118 tokens (system prompt, examples and ` +
        "post_history, sent with every message); CONTEXT_TOKENS=4096 minus 3,000 kept for the answer " +
        "(max_tokens in the file) leaves 1,096, and at least 512 of that must stay free for the " +
        "conversation: shorten the system prompt or the examples, lower max_tokens or raise CONTEXT_TOKENS",
    ]);
  });

  it("says 'leaves nothing' when the answer's room alone fills the context", async () => {
    await write("tutor.md", "---\nmax_tokens: 9000\n---\nTeach.");
    expect(await startUpProblems()).toEqual([
      expect.stringContaining(
        "CONTEXT_TOKENS=8192 minus 9,000 kept for the answer (max_tokens in the file) leaves nothing,",
      ),
    ]);
  });

  it("keeps the last good version of a persona whose prompt outgrew the context while running", async () => {
    await write("tutor.md", "Teach.");
    const directory = await open({ contextTokens: 2048, replyTokens: 512 });

    await write("tutor.md", promptOf(1_200));

    await waitFor("a warning about tutor.md", () => warningAbout("tutor.md") !== undefined);
    expect(warningAbout("tutor.md")?.fields.reason).toContain(
      "CONTEXT_TOKENS=2048 minus 512 kept for the answer (REPLY_TOKENS) leaves 1,536",
    );
    expect(warningAbout("tutor.md")?.message).toContain("keeping the last good version");
    expect(directory.get("tutor")?.systemPrompt).toBe("Teach.");
  });

  it("loads the shipped personas with a 4096-token context", async () => {
    const shipped = await loadPersonaDirectory(join(import.meta.dirname, "..", "..", "personas"), {
      logger,
      watch: false,
      contextTokens: 4096,
      replyTokens: 1024,
    });
    expect(shipped.list().map((persona) => persona.name)).toEqual([
      "coder",
      "storyteller",
      "support",
      "tutor",
    ]);
    expect(shipped.startup).toEqual({ skipped: [], warnings: [] });
  });
});

describe("a prompt that leaves the conversation less than a quarter of CONTEXT_TOKENS", () => {
  const roomWarning = (fileName: string) =>
    logger.records.find(
      (record) =>
        record.level === "warn" &&
        record.fields.file === join(dir, fileName) &&
        "promptTokens" in record.fields,
    );

  it("loads it at start-up with one warning naming the persona, the numbers and the fix", async () => {
    await write("epic.md", promptOf(5_200));

    const directory = await open({ watch: false });

    expect(directory.get("epic")).toBeDefined();
    // 5,204 tokens of prompt and 1,024 for the answer leave 1,964 of 8,192: less than 2,048.
    const message =
      `persona "epic" (${join(dir, "epic.md")}): the prompt is about 5,204 tokens and 1,024 are kept for ` +
      "the answer (REPLY_TOKENS), which leaves 1,964 of CONTEXT_TOKENS=8192 for the conversation, less " +
      "than a quarter: it forgets earlier messages soon; shorten the system prompt or the examples or " +
      "raise CONTEXT_TOKENS";
    expect(logger.records.filter((record) => record.level === "warn")).toEqual([
      {
        level: "warn",
        message,
        fields: {
          persona: "epic",
          file: join(dir, "epic.md"),
          promptTokens: 5_204,
          replyTokens: 1_024,
          conversationTokens: 1_964,
          contextTokens: 8_192,
        },
      },
    ]);
    expect(directory.startup.warnings).toEqual([
      { fileName: "epic.md", name: "epic", warning: expect.objectContaining({ message }) },
    ]);
  });

  it("is quiet at exactly a quarter and warns one token past it", async () => {
    // 8192 - 1024 - 2048 = 5120 tokens of prompt, 4 of them the message's overhead.
    await write("tutor.md", promptOf(5_116));
    expect((await open({ watch: false })).startup.warnings).toEqual([]);

    await write("tutor.md", `${promptOf(5_116)}x`);
    const warnings = (await open({ watch: false })).startup.warnings;
    expect(warnings.map((note) => note.warning.conversationTokens)).toEqual([2_047]);
  });

  it("counts the persona's own max_tokens, and names lowering it as a fix", async () => {
    await write("tutor.md", `---\nmax_tokens: 2000\n---\n${promptOf(1_200)}`);

    const directory = await open({ contextTokens: 4096, watch: false });

    expect(directory.startup.warnings[0]?.warning.message).toContain(
      "the prompt is about 1,204 tokens and 2,000 are kept for the answer (max_tokens in the file), which " +
        "leaves 892 of CONTEXT_TOKENS=4096 for the conversation, less than a quarter: it forgets earlier " +
        "messages soon; shorten the system prompt or the examples, lower max_tokens or raise CONTEXT_TOKENS",
    );
  });

  it("warns on a reload too, and tells listeners with the change", async () => {
    await write("tutor.md", "Teach.");
    const directory = await open();
    const seen: PersonaChange[] = [];
    directory.onChange((changes) => seen.push(...changes));

    await write("tutor.md", promptOf(5_200));

    await waitFor("a warning about tutor.md", () => roomWarning("tutor.md") !== undefined);
    expect(directory.get("tutor")?.systemPrompt).toBe(promptOf(5_200));
    expect(seen).toContainEqual({
      kind: "updated",
      fileName: "tutor.md",
      name: "tutor",
      warning: roomWarning("tutor.md")?.message,
    });
    expect(roomWarning("tutor.md")?.message).toContain("leaves 1,964 of CONTEXT_TOKENS=8192");
  });
});
