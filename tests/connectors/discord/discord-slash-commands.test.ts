/** Slash-command rendering, persona autocomplete, options, and a slash command's conversation. */
import { PermissionFlagsBits } from "discord.js";
import { describe, expect, it } from "vitest";
import { commands } from "../../../commands/index.js";
import { interactionToIncoming } from "../../../src/connectors/discord/discord-command-to-incoming.js";
import {
  commandOptions,
  personaChoices,
  renderCommands,
} from "../../../src/connectors/discord/discord-slash-commands.js";
import { staticCatalog, testPersona } from "../../helpers/personas.js";

const personas = staticCatalog([
  testPersona("tutor", { displayName: "Tutor", emoji: "🎓", description: "A patient Socratic tutor" }),
  testPersona("storyteller", {
    displayName: "Storyteller",
    emoji: "📜",
    description: "Interactive fiction narrator",
  }),
  testPersona("coder", {
    displayName: "Coder",
    description: "Writes correct code, explains the story of a bug",
  }),
]);

describe("discord commands", () => {
  it("renders every command as a slash command, required options first", () => {
    const rendered = renderCommands(commands, "global");
    expect(rendered.map((command) => command.name)).toEqual([
      "ask",
      "persona",
      "reset",
      "sources",
      "feedback",
      "forget-me",
      "help",
    ]);
    const ask = rendered.find((command) => command.name === "ask");
    expect(ask?.options).toEqual([
      { type: 3, name: "prompt", description: "What to ask", required: true },
      {
        type: 3,
        name: "persona",
        description: "Answer as this persona, just this once",
        required: false,
        autocomplete: true,
      },
    ]);
    const persona = rendered.find((command) => command.name === "persona");
    expect(persona?.options?.[1]).toMatchObject({
      name: "scope",
      choices: [
        { name: "conversation", value: "conversation" },
        { name: "channel", value: "channel" },
        { name: "server", value: "server" },
      ],
    });
  });

  it("makes global commands usable by server and user installs, in servers, DMs and private channels", () => {
    for (const command of renderCommands(commands, "global")) {
      expect(command.integration_types).toEqual([0, 1]);
      expect(command.contexts).toEqual([0, 1, 2]);
    }
    for (const command of renderCommands(commands, "guild")) {
      expect(command).not.toHaveProperty("integration_types");
      expect(command).not.toHaveProperty("contexts");
    }
  });

  it("autocompletes personas by name first, then by description, with name and description shown", () => {
    expect(personaChoices(personas, "")).toHaveLength(3);
    expect(personaChoices(personas, "sto")).toEqual([
      { name: "📜 Storyteller: Interactive fiction narrator", value: "storyteller" },
      { name: "Coder: Writes correct code, explains the story of a bug", value: "coder" },
    ]);
    expect(personaChoices(personas, "SOCRATIC")).toEqual([
      { name: "🎓 Tutor: A patient Socratic tutor", value: "tutor" },
    ]);
    expect(personaChoices(personas, "zzz")).toEqual([]);
  });

  it("keeps choice names within Discord's 100 characters", () => {
    const wordy = staticCatalog([testPersona("wordy", { description: "x".repeat(100) })]);
    expect(personaChoices(wordy, "")[0]?.name.length).toBe(100);
  });

  it("reads the command's own options from the interaction", () => {
    const ask = commands.find((command) => command.name === "ask");
    if (ask === undefined) throw new Error("no ask command");
    expect(
      commandOptions(ask, [
        { name: "prompt", value: "hi" },
        { name: "bogus", value: "x" },
      ]),
    ).toEqual({ prompt: "hi" });
  });
});

describe("discord slash commands: the conversation", () => {
  const base = { guildId: "1", channelId: "2", user: { id: "3", name: "Ada" }, text: "" } as const;

  it("shares the conversation of chat messages in a channel, a thread, a DM", () => {
    expect(interactionToIncoming({ ...base, place: "channel" }).conversationId).toBe("discord:1:2");
    expect(interactionToIncoming({ ...base, place: "thread", channelId: "9", parentId: "2" })).toMatchObject({
      conversationId: "discord:1:2:9",
      channelId: "2",
      threadId: "9",
    });
    expect(interactionToIncoming({ ...base, guildId: undefined, place: "dm" })).toMatchObject({
      conversationId: "discord:dm:3",
      isDirect: true,
      author: { canManageChannel: true, canManageServer: false },
    });
  });

  it("takes channel and server rights from the permissions Discord sent", () => {
    const member = interactionToIncoming({
      ...base,
      place: "channel",
      permissions: PermissionFlagsBits.SendMessages,
    });
    expect(member.author).toMatchObject({ canManageChannel: false, canManageServer: false });
    const admin = interactionToIncoming({
      ...base,
      place: "channel",
      permissions: PermissionFlagsBits.ManageChannels | PermissionFlagsBits.ManageGuild,
    });
    expect(admin.author).toMatchObject({ canManageChannel: true, canManageServer: true });
    const group = interactionToIncoming({ ...base, guildId: undefined, place: "private" });
    expect(group.author).toMatchObject({ canManageChannel: false, canManageServer: false });
  });
});
