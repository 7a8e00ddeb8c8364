/**
 * Slash commands over Socket Mode: acknowledged first, notices ephemeral through the response_url,
 * answers in the channel; `/ask` opens a thread; thread-only verbs point to a mention.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { RecordedResponse } from "../../fakes/fake-slack/fake-slack.js";
import { ADA, type Harness, startHarness } from "./slack-harness.js";

const CHANNEL = "CGENERAL1";
const DM = "DADA00001";
let harness: Harness;

afterEach(async () => {
  await harness?.stop();
});

async function run(
  command: string,
  text: string,
  channel = CHANNEL,
): Promise<{ ackAt: number; response: RecordedResponse }> {
  const h = harness;
  const { envelopeId, responseUrl } = h.command(command, text, { channel });
  await h.fake.socket.until(() => h.fake.socket.acks.has(envelopeId), 5_000, `the ${command} ack`);
  const response = await h.waitFor(
    () => h.fake.responses.find((candidate) => responseUrl.endsWith(candidate.path)),
    `${command}'s reply`,
  );
  await h.connector.settled();
  return { ackAt: h.fake.socket.acks.get(envelopeId)?.at ?? Number.POSITIVE_INFINITY, response };
}

describe("slack slash commands", () => {
  it("/help: acked first, then an ephemeral list of commands and verbs", async () => {
    harness = await startHarness();
    const { ackAt, response } = await run("/help", "");
    expect(ackAt).toBeLessThan(response.at);
    expect(response.body.response_type).toBe("ephemeral");
    const text = String(response.body.text).replace(/\u200b/g, "");
    expect(text).toContain("`/ask [persona:&lt;name&gt;] &lt;prompt&gt;`");
    expect(text).toContain("*Tutor*");
  });

  it("/persona alone shows who answers and the troupe, to the asker only", async () => {
    harness = await startHarness();
    const { response } = await run("/persona", "");
    expect(response.body.response_type).toBe("ephemeral");
    for (const name of ["tutor", "coder", "storyteller", "support"])
      expect(String(response.body.text)).toContain(`\`${name}\``);
  });

  it("/ask in a channel: the question opens a thread, the answer goes in it, acked before either", async () => {
    harness = await startHarness();
    harness.ollama.enqueue({ chunks: ["Think ", "in ", "steps."], delayMs: 100 });
    const h = harness;
    const { envelopeId } = h.command("/ask", "how do I plan an essay?");
    const root = await h.waitFor(
      () => h.fake.botMessages(CHANNEL).find((message) => message.threadTs === undefined),
      "the question",
    );
    const [answer] = await h.answerIn(CHANNEL, root.ts);
    expect(root.text.replace(/\u200b/g, "")).toBe("*Ada* asked: how do I plan an essay?");
    expect(answer).toMatchObject({ text: "Think in steps.", username: "🎓 Tutor" });
    expect(h.fake.socket.acks.get(envelopeId)?.at).toBeLessThan(h.fake.calls("chat.postMessage")[0]?.at ?? 0);
    expect(h.ollama.chatBodies()[0]?.messages.at(-1)?.content).toBe("Ada: how do I plan an essay?");
  });

  it("/ask in a DM answers in place", async () => {
    harness = await startHarness();
    harness.command("/ask", "hello", { channel: DM });
    const [answer] = await harness.answerIn(DM);
    expect(answer).toMatchObject({ threadTs: undefined, text: "echo: hello" });
  });

  it("/ask where the bot is not a member says how to invite it", async () => {
    harness = await startHarness();
    harness.fake.refuseChannel("CPRIVATE1", "not_in_channel");
    const { response } = await run("/ask", "anyone?", "CPRIVATE1");
    expect(response.body).toMatchObject({ response_type: "ephemeral" });
    expect(String(response.body.text)).toContain("/invite @troupe");
    expect(harness.ollama.chatBodies()).toHaveLength(0);
  });

  it("/reset in a channel points to the thread; in a DM it forgets the DM", async () => {
    harness = await startHarness();
    const { response: note } = await run("/reset", "");
    expect(String(note.body.text)).toContain("`@troupe reset`");

    harness.send({
      channel: DM,
      channelType: "im",
      user: ADA,
      text: "My name is Ada.",
      ts: harness.fake.nextTs(),
    });
    await harness.answerIn(DM);
    const { response } = await run("/reset", "", DM);
    expect(response.body.response_type).toBe("in_channel");
    expect(String(response.body.text)).toContain("Forgot this conversation");
    harness.send({
      channel: DM,
      channelType: "im",
      user: ADA,
      text: "What is my name?",
      ts: harness.fake.nextTs(),
    });
    await harness.answerIn(DM, undefined, 2);
    const contents = harness.ollama.chatBodies()[1]?.messages.map((message) => message.content) ?? [];
    expect(contents).not.toContain("My name is Ada.");
  });
});
