/**
 * End to end over Socket Mode: the real Bolt app and Bot against the fake Slack and the fake Ollama.
 * Mentions, thread follow-ups, DMs, threads joined late, personas.
 */
import { afterEach, describe, expect, it } from "vitest";
import { JOINED_TURNS_SEPARATOR } from "../../../src/core/prompt.js";
import { ADA, BOB, type Harness, startHarness } from "./slack-harness.js";

const CHANNEL = "CGENERAL1";
const BOT = "<@UBOT00001>";
let harness: Harness;

afterEach(async () => {
  await harness?.stop();
});

/** slackify puts zero-width spaces around bold so it also works inside words. */
function withoutZeroWidth(text: unknown): string {
  return String(text).replace(/\u200b/g, "");
}

function systemPrompt(h: Harness, request = 0): string | undefined {
  return h.ollama.chatBodies()[request]?.messages[0]?.content;
}

describe("slack: mentions and threads", () => {
  it("answers a mention in its thread, streamed, as the channel's persona", async () => {
    harness = await startHarness();
    harness.ollama.enqueue({ chunks: ["Primes ", "have ", "exactly ", "two ", "divisors."], delayMs: 120 });
    const ts = harness.fake.nextTs();
    harness.send({ type: "app_mention", channel: CHANNEL, user: ADA, text: `${BOT} What is a prime?`, ts });

    const [answer, ...more] = await harness.answerIn(CHANNEL, ts);
    expect(more).toEqual([]);
    expect(answer).toMatchObject({
      threadTs: ts,
      text: "Primes have exactly two divisors.",
      username: "🎓 Tutor",
    });
    // Streamed: a first message early, then edits as the text grew.
    expect(answer?.versions.length).toBeGreaterThan(1);
    expect(harness.fake.calls("chat.postMessage")[0]?.args).toMatchObject({
      channel: CHANNEL,
      thread_ts: ts,
    });

    expect(systemPrompt(harness)).toBe(harness.personas.get("tutor")?.systemPrompt);
    // The model reads the speaker's name, and no `<@U…>`.
    expect(harness.ollama.chatBodies()[0]?.messages.at(-1)).toEqual({
      role: "user",
      content: "Ada: What is a prime?",
    });
  });

  it("follows up in its thread without a mention, with the thread's history; ignores other chatter", async () => {
    harness = await startHarness();
    const ts = harness.fake.nextTs();
    harness.send({ type: "app_mention", channel: CHANNEL, user: ADA, text: `${BOT} My name is Ada.`, ts });
    await harness.answerIn(CHANNEL, ts);

    // Top-level chatter, a thread the bot is not in, and a thread reply to someone else: not for the bot.
    harness.send({ channel: CHANNEL, user: BOB, text: "lunch anyone?", ts: harness.fake.nextTs() });
    harness.send({
      channel: CHANNEL,
      user: BOB,
      text: "agreed",
      ts: harness.fake.nextTs(),
      threadTs: "1600000000.000001",
    });
    harness.send({
      channel: CHANNEL,
      user: BOB,
      text: "<@UADA00001> nice",
      ts: harness.fake.nextTs(),
      threadTs: ts,
    });
    harness.send({
      channel: CHANNEL,
      user: BOB,
      text: "What is her name?",
      ts: harness.fake.nextTs(),
      threadTs: ts,
    });

    await harness.answerIn(CHANNEL, ts, 2);
    expect(harness.ollama.chatBodies()).toHaveLength(2);
    const contents = harness.ollama.chatBodies()[1]?.messages.map((message) => message.content) ?? [];
    expect(contents).toContain("Ada: My name is Ada.");
    expect(contents).toContain("echo: Ada: My name is Ada.");
    expect(contents.at(-1)).toBe("Bob Builder: What is her name?");
  });

  it("answers a DM in place, without speaker labels", async () => {
    harness = await startHarness();
    harness.send({
      channel: "DADA00001",
      channelType: "im",
      user: ADA,
      text: "hello there",
      ts: harness.fake.nextTs(),
    });
    const [answer] = await harness.answerIn("DADA00001");
    expect(answer).toMatchObject({ threadTs: undefined, text: "echo: hello there" });
    expect(harness.ollama.chatBodies()[0]?.messages.at(-1)?.content).toBe("hello there");
  });

  it("reads the thread's earlier messages when first mentioned in the middle of it", async () => {
    harness = await startHarness();
    const root = harness.fake.nextTs();
    const reply = harness.fake.nextTs();
    const mention = harness.fake.nextTs();
    harness.fake.seedThread(CHANNEL, root, [
      { ts: root, user: ADA, text: "Should we use Postgres or SQLite?" },
      { ts: reply, user: BOB, text: "SQLite, <@UADA00001>: it's one file." },
      { ts: mention, user: ADA, text: `${BOT} what do you think?` },
    ]);
    harness.send({
      channel: CHANNEL,
      user: ADA,
      text: `${BOT} what do you think?`,
      ts: mention,
      threadTs: root,
      type: "app_mention",
    });
    await harness.answerIn(CHANNEL, root);
    expect(harness.fake.calls("conversations.replies")[0]?.args).toMatchObject({
      channel: CHANNEL,
      ts: root,
    });
    const contents = harness.ollama.chatBodies()[0]?.messages.map((message) => message.content) ?? [];
    // Earlier messages are history; user turns in a row join into one message (strict chat templates
    // want user and assistant to alternate), each speaker named, the mention last.
    expect(contents.at(-1)).toBe(
      [
        "Ada: Should we use Postgres or SQLite?",
        "Bob Builder: SQLite, @Ada: it's one file.",
        "Ada: what do you think?",
      ].join(JOINED_TURNS_SEPARATOR),
    );
  });
});

describe("slack: personas", () => {
  it("/persona sets the channel's persona; the next mention is answered by it, with its face", async () => {
    harness = await startHarness();
    const { envelopeId, responseUrl } = harness.command("/persona", "coder");
    await harness.fake.socket.until(
      () => harness.fake.socket.acks.has(envelopeId),
      5_000,
      "the command's ack",
    );
    const notice = await harness.waitFor(
      () => harness.fake.responses.find((response) => responseUrl.endsWith(response.path)),
      "the /persona notice",
    );
    expect(notice.body).toMatchObject({ response_type: "in_channel" });
    expect(withoutZeroWidth(notice.body.text)).toContain("💻 *Coder* now answers in this channel");

    const ts = harness.fake.nextTs();
    harness.send({ type: "app_mention", channel: CHANNEL, user: BOB, text: `${BOT} sort a list`, ts });
    const [answer] = await harness.answerIn(CHANNEL, ts);
    expect(answer?.username).toBe("💻 Coder");
    expect(systemPrompt(harness)).toBe(harness.personas.get("coder")?.systemPrompt);
  });

  it("understands the verbs by mention: persona for a thread, and `as <name>:` once", async () => {
    harness = await startHarness();
    const ts = harness.fake.nextTs();
    harness.send({
      type: "app_mention",
      channel: CHANNEL,
      user: ADA,
      text: `${BOT} persona storyteller`,
      ts,
    });
    const [notice] = await harness.answerIn(CHANNEL, ts);
    expect(withoutZeroWidth(notice?.text)).toContain("📜 *Storyteller* now answers in this conversation");

    harness.send({
      channel: CHANNEL,
      user: ADA,
      text: "once upon a time",
      ts: harness.fake.nextTs(),
      threadTs: ts,
    });
    await harness.answerIn(CHANNEL, ts, 2);
    expect(systemPrompt(harness, 0)).toBe(harness.personas.get("storyteller")?.systemPrompt);

    harness.send({
      channel: CHANNEL,
      user: ADA,
      text: `${BOT} as coder: sort a list`,
      ts: harness.fake.nextTs(),
      threadTs: ts,
    });
    const messages = await harness.answerIn(CHANNEL, ts, 3);
    expect(systemPrompt(harness, 1)).toBe(harness.personas.get("coder")?.systemPrompt);
    expect(messages.at(-1)?.username).toBe("💻 Coder");
  });

  it("lets only SLACK_ADMIN_USERS set channel and workspace personas", async () => {
    harness = await startHarness({ adminUsers: ["UADMIN001"] });
    const denied = harness.command("/persona", "coder", { user: ADA });
    const note = await harness.waitFor(
      () => harness.fake.responses.find((response) => denied.responseUrl.endsWith(response.path)),
      "the refusal",
    );
    expect(note.body).toMatchObject({ response_type: "ephemeral" });
    expect(String(note.body.text)).toContain("@troupe persona coder");

    const granted = harness.command("/persona", "support workspace", {
      user: "UADMIN001",
      channel: "COTHER001",
    });
    await harness.waitFor(
      () => harness.fake.responses.find((response) => granted.responseUrl.endsWith(response.path)),
      "the admin's notice",
    );
    const ts = harness.fake.nextTs();
    harness.send({ type: "app_mention", channel: CHANNEL, user: ADA, text: `${BOT} help me`, ts });
    await harness.answerIn(CHANNEL, ts);
    expect(systemPrompt(harness)).toBe(harness.personas.get("support")?.systemPrompt);
  });
});
