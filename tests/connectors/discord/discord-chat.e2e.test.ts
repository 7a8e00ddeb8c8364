/**
 * Chat end to end: mentions, replies, DMs, threads, text verbs, and what the bot must ignore.
 */
import { describe, expect, it } from "vitest";
import { botMessages, conversationIn, eventually, type Harness, harnessPerTest, mention } from "./harness.js";

const start = harnessPerTest();

function lastUserMessage(harness: Harness): string | undefined {
  return harness.ollama.chatBodies().at(-1)?.messages.at(-1)?.content;
}

describe("discord chat: mentions and replies", () => {
  it("answers a mention in place, reading names instead of mention markup", async () => {
    const harness = await start();
    const { discord } = harness;
    const asked = discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} what does ${mention(discord.ids.ada)} think of <#${discord.ids.general}>?`,
    });
    expect(await eventually(() => harness.logged("answered") === 1)).toBe(true);
    expect(lastUserMessage(harness)).toBe("bob: what does @Ada think of #general?");
    const [answer] = botMessages(harness, discord.ids.general);
    expect(answer?.replyTo).toBe(asked.id);
    expect(answer?.content).toBe("**🎓 Tutor**\necho: bob: what does @Ada think of #general?");
    const create = discord.writes.find((write) => write.kind === "create");
    expect(create?.allowedMentions).toEqual({ parse: [], replied_user: false });
    expect(create?.pings).toEqual([]);
  });

  it("answers a reply to one of its messages without a mention, and remembers who said what", async () => {
    const harness = await start();
    const { discord } = harness;
    discord.say({
      author: discord.ids.ada,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} I like primes`,
    });
    expect(await eventually(() => harness.logged("answered") === 1)).toBe(true);
    const [first] = botMessages(harness, discord.ids.general);
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: "me too",
      replyTo: first?.id,
    });
    expect(await eventually(() => harness.logged("answered") === 2)).toBe(true);
    expect(conversationIn(harness, 1)).toEqual([
      "Ada: I like primes",
      "echo: Ada: I like primes",
      "bob: me too",
    ]);
  });

  it("answers a message delivered twice (two sessions of one shard) once, and remembers it once", async () => {
    const harness = await start();
    const { discord } = harness;
    const asked = discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} once, please`,
    });
    expect(await eventually(() => harness.logged("answered") === 1)).toBe(true);
    discord.redeliver(asked.id);
    expect(
      await eventually(
        () => harness.logged("message already handled (another gateway session): ignored") === 1,
      ),
    ).toBe(true);
    // A next message queues behind anything the duplicate started in this conversation.
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} next`,
    });
    expect(await eventually(() => harness.logged("answered") === 2)).toBe(true);
    expect(botMessages(harness, discord.ids.general)).toHaveLength(2);
    expect(harness.ollama.chatBodies()).toHaveLength(2);
    expect(conversationIn(harness, 1)).toEqual(["bob: once, please", "echo: bob: once, please", "bob: next"]);
  });

  it("never answers bots, itself included", async () => {
    const harness = await start();
    const { discord } = harness;
    discord.say({
      author: discord.ids.robo,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} hello, fellow bot`,
    });
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} first`,
    });
    expect(await eventually(() => harness.logged("answered") === 1)).toBe(true);
    // Its own answer came back as a MESSAGE_CREATE; a second human message proves nothing else was queued.
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} second`,
    });
    expect(await eventually(() => harness.logged("answered") === 2)).toBe(true);
    expect(harness.ollama.chatBodies().map((body) => body.messages.at(-1)?.content)).toEqual([
      "bob: first",
      "bob: second",
    ]);
  });

  it("switches persona with `@bot persona storyteller` and asks once with `@bot as coder: …`", async () => {
    const harness = await start();
    const { discord } = harness;
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} persona storyteller`,
    });
    expect(await eventually(() => botMessages(harness, discord.ids.general).length === 1)).toBe(true);
    expect(botMessages(harness, discord.ids.general)[0]?.content).toContain(
      "**Storyteller** now answers in this conversation",
    );
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} as coder: sort a list`,
    });
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} a dragon appears`,
    });
    expect(await eventually(() => harness.logged("answered") === 2)).toBe(true);
    const prompts = harness.ollama.chatBodies().map((body) => body.messages[0]?.content);
    expect(prompts).toEqual([
      harness.personas.get("coder")?.systemPrompt,
      harness.personas.get("storyteller")?.systemPrompt,
    ]);
    const answers = botMessages(harness, discord.ids.general).map(
      (message) => message.content.split("\n")[0],
    );
    expect(answers.slice(1)).toEqual(["**💻 Coder**", "**📜 Storyteller**"]);
  });

  it("refuses `persona … channel` to someone without Manage Channels, in words", async () => {
    const harness = await start();
    const { discord } = harness;
    discord.say({
      author: discord.ids.bob,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} persona coder channel`,
    });
    expect(await eventually(() => botMessages(harness, discord.ids.general).length === 1)).toBe(true);
    expect(botMessages(harness, discord.ids.general)[0]?.content).toBe(
      "Only people who can manage this channel can set its persona. You can still set it for this conversation.",
    );
    discord.say({
      author: discord.ids.ada,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} persona coder channel`,
    });
    expect(await eventually(() => botMessages(harness, discord.ids.general).length === 2)).toBe(true);
    expect(botMessages(harness, discord.ids.general)[1]?.content).toContain("now answers in this channel");
  });
});

describe("discord chat: DMs and threads", () => {
  it("answers every DM without a mention, as one conversation with memory", async () => {
    const harness = await start();
    const { discord } = harness;
    const dm = discord.openDm(discord.ids.bob);
    discord.say({ author: discord.ids.bob, channel: dm, content: "My name is Bob." });
    expect(await eventually(() => harness.logged("answered") === 1)).toBe(true);
    discord.say({ author: discord.ids.bob, channel: dm, content: "What is my name?" });
    expect(await eventually(() => harness.logged("answered") === 2)).toBe(true);
    // One person: no speaker labels in a DM.
    expect(conversationIn(harness, 1)).toEqual([
      "My name is Bob.",
      "echo: My name is Bob.",
      "What is my name?",
    ]);
    expect(botMessages(harness, dm).map((message) => message.content)).toEqual([
      "**🎓 Tutor**\necho: My name is Bob.",
      "**🎓 Tutor**\necho: What is my name?",
    ]);
  });

  it("opens a thread named after the question (auto-thread), then takes follow-ups there without a mention", async () => {
    const harness = await start({ connector: { autoThread: true } });
    const { discord } = harness;
    const asked = discord.say({
      author: discord.ids.ada,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} How do fractions work?\nI am stuck.`,
    });
    expect(await eventually(() => harness.logged("answered") === 1)).toBe(true);
    const thread = discord.world.channels.get(asked.id);
    expect(thread).toMatchObject({ name: "How do fractions work?", parentId: discord.ids.general });
    expect(botMessages(harness, asked.id)).toHaveLength(1);
    expect(botMessages(harness, discord.ids.general)).toHaveLength(0);
    discord.say({ author: discord.ids.ada, channel: asked.id, content: "and 3/4?" });
    expect(await eventually(() => harness.logged("answered") === 2)).toBe(true);
    expect(conversationIn(harness, 1)).toEqual([
      "Ada: How do fractions work?\nI am stuck.",
      "echo: Ada: How do fractions work?\nI am stuck.",
      "Ada: and 3/4?",
    ]);
    expect(botMessages(harness, asked.id)).toHaveLength(2);
  });

  it("stays out of other people's threads until mentioned there, then joins and follows", async () => {
    const harness = await start();
    const { discord } = harness;
    const thread = discord.createThread({
      parent: discord.ids.general,
      name: "side chat",
      owner: discord.ids.bob,
    });
    discord.say({ author: discord.ids.bob, channel: thread, content: "just us humans here" });
    discord.say({ author: discord.ids.bob, channel: thread, content: `${mention(discord.ids.bot)} now you` });
    expect(await eventually(() => harness.logged("answered") === 1)).toBe(true);
    expect(harness.ollama.chatBodies()[0]?.messages.at(-1)?.content).toBe("bob: now you");
    expect(
      discord.requests.some(
        (request) => request.method === "PUT" && request.path.endsWith("/thread-members/@me"),
      ),
    ).toBe(true);
    discord.say({ author: discord.ids.bob, channel: thread, content: "and a follow-up" });
    expect(await eventually(() => harness.logged("answered") === 2)).toBe(true);
    expect(harness.ollama.chatBodies()).toHaveLength(2);
  });

  it("binds a channel's persona for its threads too", async () => {
    const harness = await start();
    const { discord } = harness;
    discord.say({
      author: discord.ids.ada,
      channel: discord.ids.general,
      content: `${mention(discord.ids.bot)} persona support channel`,
    });
    expect(await eventually(() => botMessages(harness, discord.ids.general).length === 1)).toBe(true);
    const thread = discord.createThread({
      parent: discord.ids.general,
      name: "help",
      owner: discord.ids.bob,
      botIsMember: true,
    });
    discord.say({ author: discord.ids.bob, channel: thread, content: "my printer is on fire" });
    expect(await eventually(() => harness.logged("answered") === 1)).toBe(true);
    expect(harness.ollama.chatBodies()[0]?.messages[0]?.content).toBe(
      harness.personas.get("support")?.systemPrompt,
    );
  });
});
