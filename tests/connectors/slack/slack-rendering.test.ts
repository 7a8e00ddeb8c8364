/**
 * How answers look in Slack and how fast they are written: mrkdwn, escaping, splitting, persona
 * faces, the chat.update pace, native streaming and the "thinking" status. Real Bolt and Bot
 * against the fakes.
 */
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_SCOPES, type RecordedCall } from "../../fakes/fake-slack/fake-slack.js";
import { ADA, type Harness, PACE_MS, startHarness } from "./slack-harness.js";

const CHANNEL = "CGENERAL1";
const BOT = "<@UBOT00001>";
let harness: Harness;

afterEach(async () => {
  await harness?.stop();
});

async function mentionAndWait(h: Harness, text: string, count = 1) {
  const ts = h.fake.nextTs();
  h.send({ type: "app_mention", channel: CHANNEL, user: ADA, text: `${BOT} ${text}`, ts });
  return { ts, messages: await h.answerIn(CHANNEL, ts, count) };
}

describe("slack rendering", () => {
  it("escapes mentions the model writes, so it can never broadcast", async () => {
    harness = await startHarness();
    harness.ollama.enqueue({
      chunks: ["Sure! <!channel> ", "and <!here|here> ", "and <@U0BOSS> & <#C0SECRET>."],
    });
    const { messages } = await mentionAndWait(harness, "ping everyone");
    const texts = [...harness.fake.calls("chat.postMessage"), ...harness.fake.calls("chat.update")].map(
      (call) => String(call.args.text),
    );
    for (const text of texts) expect(text).not.toMatch(/<[!@#]/);
    expect(messages[0]?.text).toBe(
      "Sure! &lt;!channel&gt; and &lt;!here|here&gt; and &lt;@U0BOSS&gt; &amp; &lt;#C0SECRET&gt;.",
    );
  });

  it("converts the model's Markdown to mrkdwn: bold, italics, links, lists, code blocks", async () => {
    harness = await startHarness();
    harness.ollama.enqueue({
      chunks: [
        "## Steps\n\n",
        "**Install** it, *then* read ",
        "[the docs](https://example.com/docs).\n\n",
        "- one\n- two\n\n",
        "```js\nconst ok = a < b;\n```",
      ],
    });
    const { messages } = await mentionAndWait(harness, "how?");
    expect(messages[0]?.text.replace(/\u200b/g, "")).toBe(
      "*Steps*\n\n*Install* it, _then_ read <https://example.com/docs|the docs>.\n\n• one\n• two\n\n```\nconst ok = a &lt; b;\n```",
    );
  });

  it("splits a long answer into messages under Slack's limits, in the thread", async () => {
    harness = await startHarness();
    const paragraphs = Array.from(
      { length: 24 },
      (_, index) => `Paragraph ${index + 1}. ${"lorem ipsum ".repeat(40)}`,
    );
    harness.ollama.enqueue({ chunks: paragraphs.map((paragraph) => `${paragraph}\n\n`) });
    const { ts } = await mentionAndWait(harness, "tell me everything", 3);
    await harness.connector.settled();
    const messages = harness.fake.botMessages(CHANNEL, ts);
    expect(messages.length).toBeGreaterThanOrEqual(3);
    for (const message of messages) expect(message.text.length).toBeLessThanOrEqual(3_900);
    for (const call of harness.fake.calls("chat.update"))
      expect(String(call.args.text).length).toBeLessThanOrEqual(4_000);
    const all = messages.map((message) => message.text).join("\n\n");
    for (let index = 1; index <= 24; index++) expect(all.split(`Paragraph ${index}.`)).toHaveLength(2);
  });

  it("never updates a message faster than the configured pace", async () => {
    harness = await startHarness();
    // A long, slow answer (many edits), a quick one, and one the model breaks off.
    harness.ollama.enqueue(
      { chunks: Array.from({ length: 30 }, (_, index) => `word${index} `), delayMs: 40 },
      { chunks: ["quick ", "short ", "answer"], delayMs: 30 },
      // Broken off mid-answer: the note is appended by a final edit, right after the last one.
      { chunks: Array.from({ length: 12 }, (_, index) => `part${index} `), delayMs: 45, errorLineAfter: 10 },
    );
    await mentionAndWait(harness, "count slowly");
    await mentionAndWait(harness, "and quickly");
    const broken = await mentionAndWait(harness, "and break");
    await harness.connector.settled();
    expect(harness.fake.botMessages(CHANNEL, broken.ts)[0]?.text).toMatch(/part9 _\(interrupted: .*\)_$/);
    await harness.connector.settled();
    /** Arrival times of every write (the post, then each update) per message. */
    const writes = new Map<string, number[]>();
    const record = (key: string, call: RecordedCall) =>
      writes.set(key, [...(writes.get(key) ?? []), call.at]);
    const posts = harness.fake.calls("chat.postMessage");
    const messages = harness.fake.botMessages(CHANNEL);
    messages.forEach((message, index) => {
      const post = posts[index];
      if (post) record(message.ts, post);
    });
    for (const call of harness.fake.calls("chat.update")) record(String(call.args.ts), call);
    expect(messages).toHaveLength(3);
    const gaps = [...writes.values()].flatMap((times) =>
      times.slice(1).map((time, index) => time - (times[index] ?? 0)),
    );
    expect(gaps.length).toBeGreaterThan(3);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(PACE_MS);
  });

  it("without chat:write.customize, the persona's name heads the answer", async () => {
    harness = await startHarness({
      scopes: DEFAULT_SCOPES.filter((scope) => scope !== "chat:write.customize"),
    });
    const { messages } = await mentionAndWait(harness, "hi");
    expect(messages[0]?.username).toBeUndefined();
    expect(messages[0]?.text).toBe("*🎓 Tutor*\necho: Ada: hi");
  });
});

describe("slack native streaming", () => {
  it("streams with chat.startStream / appendStream / stopStream in the thread, neutralized", async () => {
    harness = await startHarness({ nativeStreaming: true });
    harness.ollama.enqueue({ chunks: ["**Hello** ", "<", "!channel> ", "there, ", "friend."], delayMs: 150 });
    const { ts, messages } = await mentionAndWait(harness, "stream please");
    await harness.connector.settled();
    const start = harness.fake.calls("chat.startStream")[0];
    expect(start?.args).toMatchObject({
      channel: CHANNEL,
      thread_ts: ts,
      recipient_user_id: ADA,
      recipient_team_id: "TFAKE0001",
      username: "🎓 Tutor",
    });
    expect(harness.fake.calls("chat.appendStream").length).toBeGreaterThan(0);
    expect(harness.fake.calls("chat.stopStream")).toHaveLength(1);
    expect(harness.fake.calls("chat.postMessage")).toHaveLength(0);
    const text = harness.fake.botMessages(CHANNEL, ts)[0]?.text ?? "";
    expect(text.replace(/\u200b/g, "")).toBe("**Hello** <!channel> there, friend.");
    expect(text).not.toMatch(/<[!@#]/);
    expect(messages).toHaveLength(1);
  });

  it("falls back to post-and-update when Slack refuses to stream, and stops trying", async () => {
    harness = await startHarness({ nativeStreaming: true });
    harness.fake.failNext("chat.startStream", "unknown_method");
    const first = await mentionAndWait(harness, "one");
    expect(first.messages[0]?.text).toBe("echo: Ada: one");
    await mentionAndWait(harness, "two");
    expect(harness.fake.calls("chat.startStream")).toHaveLength(1);
    expect(
      harness.logger.lines.some(
        (line) => line.message.startsWith("native streaming failed") && line.fields.code === "unknown_method",
      ),
    ).toBe(true);
  });
});

describe("slack thinking status", () => {
  it("shows 'is thinking…' in an assistant thread until the answer starts", async () => {
    harness = await startHarness();
    harness.ollama.enqueue({ chunks: ["Let me see."], delayMs: 100 });
    const thread = harness.fake.nextTs();
    harness.send({
      channel: "DADA00001",
      channelType: "im",
      user: ADA,
      text: "plan my week",
      ts: harness.fake.nextTs(),
      threadTs: thread,
    });
    await harness.answerIn("DADA00001", thread);
    const status = harness.fake.calls("assistant.threads.setStatus");
    expect(status[0]?.args).toMatchObject({
      channel_id: "DADA00001",
      thread_ts: thread,
      status: "is thinking…",
    });
    expect(status[0]?.at).toBeLessThan(harness.fake.calls("chat.postMessage")[0]?.at ?? 0);
  });
});
