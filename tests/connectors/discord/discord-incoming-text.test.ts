import { describe, expect, it } from "vitest";
import { cleanText, threadName } from "../../../src/connectors/discord/discord-incoming-text.js";

const options = {
  botUserId: "100",
  botRoleIds: ["200"],
  names: {
    user: (id: string) => (id === "300" ? "Ada" : undefined),
    role: (id: string) => (id === "400" ? "Mods" : undefined),
    channel: (id: string) => (id === "500" ? "general" : undefined),
  },
};

describe("discord text", () => {
  it("drops the bot's mention wherever it is, in every form", () => {
    expect(cleanText("<@100> persona storyteller", options)).toBe("persona storyteller");
    expect(cleanText("<@!100>, as coder: sort a list", options)).toBe("as coder: sort a list");
    expect(cleanText("hey <@100> how are you", options)).toBe("hey how are you");
    expect(cleanText("<@&200>: hi", options)).toBe("hi");
  });

  it("turns other mentions into names, unknown ones into a neutral word", () => {
    expect(cleanText("<@100> ask <@300> and <@!999> in <#500> or <#9>, cc <@&400>", options)).toBe(
      "ask @Ada and @unknown-user in #general or #unknown-channel, cc @Mods",
    );
    expect(cleanText("<@100> run </persona:123> <a:party:456>", options)).toBe("run /persona :party:");
  });

  it("keeps code indentation and line breaks", () => {
    expect(cleanText("<@100> fix:\n```\n    indented\n```", options)).toBe("fix:\n```\n    indented\n```");
  });

  it("names a thread after the question's first line, cut at a word", () => {
    expect(threadName("\n  How do   primes work?\nmore", "Ada")).toBe("How do primes work?");
    const long = threadName("word ".repeat(40), "Ada");
    expect(long.length).toBeLessThanOrEqual(80);
    expect(long.endsWith("…")).toBe(true);
    expect(threadName("   ", "Ada")).toBe("Chat with Ada");
  });
});
