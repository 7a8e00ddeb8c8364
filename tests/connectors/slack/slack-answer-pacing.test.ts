/**
 * Slack post-and-update answers and the workspace's chat.update budget, through the real Web API
 * client against the fake Slack: a first message streams at once only while the update budget can
 * pay for the update it will need; otherwise it waits for the model's end and goes out whole, in
 * one write. (Regression: under a burst of quick answers each one posted its first few characters
 * and then waited up to a minute for its update, holding its person's turn, so whole conversations
 * stopped being answered.)
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createWriteBudget } from "../../../src/connectors/shared/write-budget.js";
import { streamClassic } from "../../../src/connectors/slack/slack-classic-stream.js";
import { createSinkContext, type SinkContext } from "../../../src/connectors/slack/slack-sink-context.js";
import { createSlackApi } from "../../../src/connectors/slack/slack-web-api.js";
import { type FakeSlack, startFakeSlack } from "../../fakes/fake-slack/fake-slack.js";
import { createRecordingLogger } from "../../helpers/recording-logger.js";

const PERSONA = { name: "sage", displayName: "Sage" };
const OPTIONS = { persona: PERSONA, interruptedNote: "(interrupted)" };

let fake: FakeSlack;
let context: SinkContext;

beforeEach(async () => {
  fake = await startFakeSlack();
  const logger = createRecordingLogger();
  const api = createSlackApi({ token: fake.identity.botToken, apiUrl: fake.apiUrl, logger });
  context = {
    ...createSinkContext({
      api,
      teamId: fake.identity.teamId,
      logger,
      canCustomize: false,
      updateIntervalMs: 100,
      nativeStreaming: false,
    }),
    // One update a minute for the whole workspace: an answer that needs one more than the budget
    // holds would wait a minute, far past the test's timeout.
    updateBudget: createWriteBudget({ limit: 1, windowMs: 60_000 }),
  };
});

afterEach(async () => {
  await fake.close();
});

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return condition();
}

/** The model's text: `first`, then (once `proceed` resolves) `rest`. */
async function* answer(first: string, proceed: () => Promise<unknown>, rest: string): AsyncGenerator<string> {
  yield first;
  await proceed();
  yield rest;
}

function messagesIn(channel: string) {
  return fake.botMessages(channel);
}

describe("slack: post-and-update answers and the update budget", () => {
  it("posts an answer whole, in one write, when the update budget has no room for its update", async () => {
    await context.updateBudget.acquire(context.teamId);
    // The rest comes once a first post was made, or after a moment when none is.
    const rest = () => until(() => fake.calls("chat.postMessage").length > 0, 300);
    const result = await streamClassic(
      context,
      { channel: "CBUSY0001", userId: "UADA00001" },
      answer("The answer ", rest, "is forty-two."),
      OPTIONS,
    );
    const [message, ...more] = messagesIn("CBUSY0001");
    // The one message's id is reported, for a reaction on it to rate the answer.
    expect(result).toEqual({ text: "The answer is forty-two.", messageIds: [`CBUSY0001:${message?.ts}`] });
    expect(more).toEqual([]);
    expect(message?.versions).toHaveLength(1);
    expect(message?.text).toContain("The answer is forty-two.");
    expect(fake.calls("chat.update")).toEqual([]);
  });

  it("still shows the first text at once while the update budget has room", async () => {
    const firstPosted = () => until(() => fake.calls("chat.postMessage").length > 0, 5_000);
    await streamClassic(
      context,
      { channel: "CQUIET001", userId: "UADA00001" },
      answer("Once upon ", firstPosted, "a time."),
      OPTIONS,
    );
    const [message, ...more] = messagesIn("CQUIET001");
    expect(more).toEqual([]);
    expect(message?.versions.map((version) => version.includes("a time."))).toEqual([false, true]);
  });

  it("keeps the update an answer owes: another answer started meanwhile goes out whole", async () => {
    let releaseFirst = () => {};
    const firstMayGoOn = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const streaming = streamClassic(
      context,
      { channel: "CFIRST001", userId: "UADA00001" },
      answer("Streaming ", () => firstMayGoOn, "on and on."),
      OPTIONS,
    );
    expect(await until(() => messagesIn("CFIRST001").length > 0, 5_000)).toBe(true);

    // The budget's one update belongs to the answer already streaming.
    const second = () => until(() => messagesIn("CSECOND01").length > 0, 300);
    await streamClassic(
      context,
      { channel: "CSECOND01", userId: "UBOB00001" },
      answer("Short ", second, "and done."),
      OPTIONS,
    );
    releaseFirst();
    await streaming;

    const [secondMessage] = messagesIn("CSECOND01");
    expect(secondMessage?.versions).toHaveLength(1);
    expect(secondMessage?.text).toContain("Short and done.");
    const [firstMessage] = messagesIn("CFIRST001");
    expect(firstMessage?.versions.map((version) => version.includes("on and on."))).toEqual([false, true]);
    expect(fake.calls("chat.update")).toHaveLength(1);
  });
});
