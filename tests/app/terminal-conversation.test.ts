/**
 * Which conversation the terminal chat speaks in: the person's own when interactive, a new one per
 * piped run, the last piped one with --continue; a store that fails never stops the run.
 */
import { describe, expect, it } from "vitest";
import {
  chooseTerminalConversation,
  lastPipedKey,
  NOTHING_TO_CONTINUE,
  type TerminalConversationOptions,
} from "../../src/app/terminal-conversation.js";
import { createRecordingLogger } from "../helpers/recording-logger.js";
import { createSwitchableStore } from "../helpers/switchable-store.js";

function setUp() {
  const store = createSwitchableStore();
  const logger = createRecordingLogger();
  let runs = 0;
  const choose = (options: Partial<TerminalConversationOptions> = {}) =>
    chooseTerminalConversation({
      interactive: false,
      continueLast: false,
      userName: "ada",
      store,
      logger,
      newRunId: () => `run${++runs}`,
      ...options,
    });
  return { store, logger, choose };
}

describe("chooseTerminalConversation", () => {
  it("interactive: the person's own conversation, whatever the flag, and nothing stored", async () => {
    const { store, choose } = setUp();
    expect(await choose({ interactive: true })).toEqual({ channel: "ada" });
    expect(await choose({ interactive: true, continueLast: true })).toEqual({ channel: "ada" });
    expect(store.bindings.size).toBe(0);
  });

  it("piped: a new conversation every run, remembered as the last", async () => {
    const { store, choose } = setUp();
    expect(await choose()).toEqual({ channel: "ada:piped:run1" });
    expect(await choose()).toEqual({ channel: "ada:piped:run2" });
    expect(store.bindings.get(lastPipedKey("ada"))).toBe("ada:piped:run2");
  });

  it("--continue: the last piped conversation; with none yet, a new one and a note", async () => {
    const { choose } = setUp();
    expect(await choose({ continueLast: true })).toEqual({
      channel: "ada:piped:run1",
      note: NOTHING_TO_CONTINUE,
    });
    expect(await choose({ continueLast: true })).toEqual({ channel: "ada:piped:run1" });
    await choose();
    expect(await choose({ continueLast: true })).toEqual({ channel: "ada:piped:run2" });
  });

  it("--continue never takes a stored value that is not this person's piped conversation", async () => {
    const { store, choose } = setUp();
    for (const stored of ["ada", "bob:piped:run9", "ada:piped:../x", "ada:piped:"]) {
      store.bindings.set(lastPipedKey("ada"), stored);
      const chosen = await choose({ continueLast: true });
      expect(chosen.note).toBe(NOTHING_TO_CONTINUE);
      expect(chosen.channel).toMatch(/^ada:piped:run\d+$/);
    }
    // A dot in a login name is a dot, not "any character".
    store.bindings.set(lastPipedKey("a.a"), "aXa:piped:run1");
    expect((await choose({ userName: "a.a", continueLast: true })).note).toBe(NOTHING_TO_CONTINUE);
  });

  it("a store that is down: the run still gets a new conversation, and the log says why", async () => {
    const { store, logger, choose } = setUp();
    store.down = true;
    expect(await choose({ continueLast: true })).toEqual({
      channel: "ada:piped:run1",
      note: NOTHING_TO_CONTINUE,
    });
    expect(logger.lines.filter((line) => line.level === "warn").map((line) => line.message)).toEqual([
      "store unavailable: cannot find the last piped conversation",
      "store unavailable: this piped conversation cannot be continued",
    ]);
  });
});
