/** Markdown → mrkdwn, escaping that can never broadcast, and Slack text → what the model reads. */
import { describe, expect, it } from "vitest";
import { mentionedUserIds, toPlainText } from "../../../src/connectors/slack/slack-incoming-text.js";
import {
  escapeMrkdwn,
  escapePlain,
  markdownToMrkdwn,
  neutralizeMarkdownText,
  unsafeTailLength,
} from "../../../src/connectors/slack/slack-outgoing-text.js";
import { personaFace } from "../../../src/connectors/slack/slack-persona-face.js";
import { toThreadMessages } from "../../../src/connectors/slack/slack-thread-history.js";

/** Every `<…>` sequence left in Slack text: only links may remain. */
function controlSequences(text: string): string[] {
  return [...text.matchAll(/<[^<>]*>/g)].map((match) => match[0]);
}

describe("markdownToMrkdwn: never broadcasts", () => {
  it.each([
    "<!channel> wake up",
    "hey <!here|here> and <!everyone>",
    "ping <@U0123ABC> and <#C0123ABC> and <!subteam^S0123|@devs>",
    "`<!channel>` in code",
    "```\n<!channel>\n```",
    "[<!channel>](https://example.com)",
    "&lt;!channel&gt; pre-escaped",
    "<https://evil.example|<!channel>>",
    "> quoted <!here>",
  ])("%s", (markdown) => {
    const out = markdownToMrkdwn(markdown);
    for (const sequence of controlSequences(out)) expect(sequence).toMatch(/^<(https?:\/\/|mailto:)/);
    expect(out).not.toMatch(/<[!@#]/);
  });

  it("escapes the control characters of plain text once, and keeps existing entities", () => {
    expect(markdownToMrkdwn("a < b && c > d")).toBe("a &lt; b &amp;&amp; c &gt; d");
    expect(markdownToMrkdwn("<!channel>")).toBe("&lt;!channel&gt;");
    expect(escapeMrkdwn("AT&amp;T &lt;3")).toBe("AT&amp;T &lt;3");
    expect(escapePlain("<@U1> & co")).toBe("&lt;@U1&gt; &amp; co");
  });

  it("defuses a plain @channel / @here, but not an e-mail address", () => {
    expect(markdownToMrkdwn("@channel look")).toBe("@\u200bchannel look");
    expect(markdownToMrkdwn("mail bob@here.com")).toBe("mail <mailto:bob@here.com|bob@here.com>");
  });
});

describe("markdownToMrkdwn: reads well in Slack", () => {
  it("converts bold, italics, strike, headings, links, lists, quotes and code", () => {
    const out = markdownToMrkdwn(
      [
        "# Title",
        "",
        "**bold**, *italic*, ~~gone~~ and [the docs](https://example.com/a?b=1&c=2).",
        "",
        "- one",
        "- two",
        "",
        "1. first",
        "2. second",
        "",
        "> a quote",
        "",
        "```ts",
        "if (a < b && ok) return;",
        "```",
      ].join("\n"),
    );
    expect(out).toContain("*Title*");
    expect(out).toContain("*bold*");
    expect(out).toContain("_italic_");
    expect(out).toContain("~gone~");
    expect(out).toContain("<https://example.com/a?b=1&amp;c=2|the docs>");
    expect(out).toContain("• one\n• two");
    expect(out).toContain("1. first\n2. second");
    expect(out).toContain("> a quote");
    expect(out).toContain("```\nif (a &lt; b &amp;&amp; ok) return;\n```");
    expect(out).not.toMatch(/\n$/);
  });
});

describe("native streaming text", () => {
  it("keeps Markdown but breaks every mention sequence", () => {
    const out = neutralizeMarkdownText("**hi** <!channel> &lt;@U1&gt; <#C1> @here");
    expect(out).toContain("**hi**");
    expect(out).not.toMatch(/<[!@#]|&lt;[!@#]|(^|\s)@here/);
  });

  it("holds back a tail the next piece could complete", () => {
    expect(unsafeTailLength("hello <")).toBe(1);
    expect(unsafeTailLength("x &lt")).toBe(3);
    expect(unsafeTailLength("hey @cha")).toBe(4);
    expect(unsafeTailLength("done.")).toBe(0);
  });
});

describe("toPlainText", () => {
  it("removes the bot's mention, names people, unescapes entities", () => {
    const names = new Map([["U1", "Ada"]]);
    expect(toPlainText("<@UBOT> persona tutor", { botUserId: "UBOT", names })).toBe("persona tutor");
    expect(toPlainText("<@UBOT>: as coder: x &amp;&amp; y", { botUserId: "UBOT", names })).toBe(
      "as coder: x && y",
    );
    expect(toPlainText("ask <@U1> or <@U2|bob>, <!here>", { botUserId: "UBOT", names })).toBe(
      "ask @Ada or @bob, @here",
    );
    expect(toPlainText("<mailto:a@b.c|a@b.c> <https://x.y>", { botUserId: "UBOT", names })).toBe(
      "a@b.c https://x.y",
    );
    expect(mentionedUserIds("<@U1> <@U2|b> <@U1>")).toEqual(["U1", "U2"]);
  });
});

describe("persona faces", () => {
  const coder = { name: "coder", displayName: "Coder", emoji: "💻" };
  it("uses the persona's own name and icon with chat:write.customize", () => {
    expect(personaFace({ ...coder, avatar: "https://img.example/coder.png" }, true)).toEqual({
      identity: { username: "Coder", icon_url: "https://img.example/coder.png" },
    });
    expect(personaFace({ ...coder, emoji: ":computer:" }, true).identity).toEqual({
      username: "Coder",
      icon_emoji: ":computer:",
    });
    expect(personaFace(coder, true).identity).toEqual({ username: "💻 Coder" });
  });

  it("heads the message with the display name without it", () => {
    expect(personaFace(coder, false)).toMatchObject({ identity: {}, header: "*💻 Coder*\n" });
  });
});

describe("thread history", () => {
  it("turns earlier thread messages into history: the bot's own as its turns, none from the mention on", () => {
    const messages = toThreadMessages(
      [
        { ts: "100.000001", user: "U1", text: "Ferries or trains to the island?" },
        { ts: "100.000002", bot_id: "BBOT", user: "UBOT", text: "*🎓 Tutor*\nTrains stop at the coast." },
        {
          ts: "100.000003",
          bot_id: "BOTHER",
          username: "deploybot",
          subtype: "bot_message",
          text: "deployed",
        },
        { ts: "100.000004", user: "U2", subtype: "channel_join", text: "<@U2> has joined" },
        { ts: "100.000005", user: "U1", text: "<@UBOT> so which one?" },
      ],
      {
        identity: { botUserId: "UBOT", botId: "BBOT" },
        names: new Map([["U1", "Ada"]]),
        beforeTs: "100.000005",
      },
    );
    expect(messages.map((message) => [message.author.name, message.fromBot, message.text])).toEqual([
      ["Ada", false, "Ferries or trains to the island?"],
      ["UBOT", true, "Trains stop at the coast."],
      ["deploybot", false, "deployed"],
    ]);
    expect(messages[0]?.at).toBe(100_000);
  });
});
