import type { BindingScope, ResolvedPersona } from "../src/core/binding.js";
import type { Command, CommandContext } from "../src/core/command.js";
import { renderMacros } from "../src/core/persona-macros.js";

const scopeWords: Record<BindingScope, string> = {
  conversation: "this conversation",
  channel: "this channel",
  server: "this server",
};

/** Where the current choice comes from, so people know which `persona` call changes it. */
const sourceWords: Record<ResolvedPersona["source"], string> = {
  override: "just for this message",
  conversation: "chosen for this conversation",
  channel: "chosen for this channel",
  server: "chosen for this server",
  default: "the default",
};

function personaList(context: CommandContext): string {
  return context.personas
    .list()
    .map(
      (persona) =>
        `• \`${persona.name}\`${persona.emoji ? ` ${persona.emoji}` : ""} ${persona.displayName}: ${persona.description}`,
    )
    .join("\n");
}

/** Who may bind beyond the conversation: Manage Channels / Manage Server on Discord, admins on Slack. */
function refusal(context: CommandContext, scope: BindingScope): string | undefined {
  const { message } = context;
  if (scope === "server" && message.serverId === undefined) {
    return "There's no server here to set a persona for. Use `conversation` or `channel` scope.";
  }
  if (scope === "channel" && !message.author.canManageChannel) {
    return "Only people who can manage this channel can set its persona. You can still set it for this conversation.";
  }
  if (scope === "server" && !message.author.canManageServer) {
    return "Only people who can manage this server can set its persona. You can still set it for this conversation.";
  }
  return undefined;
}

/**
 * `/persona [<name>] [conversation|channel|server]`: no name shows the current persona and the list;
 * a name switches. Also a chat verb: `persona`, `persona coder channel`.
 */
export const personaCommand: Command = {
  name: "persona",
  description: "Show the personas, or switch who answers",
  options: [
    { name: "name", description: "The persona to switch to", type: "string", autocomplete: "persona" },
    {
      name: "scope",
      description: "Where the choice applies (default: this conversation)",
      type: "string",
      choices: [
        { name: "conversation", value: "conversation" },
        { name: "channel", value: "channel" },
        { name: "server", value: "server" },
      ],
      // Slack calls a server a workspace; both mean the widest scope.
      choiceAliases: { workspace: "server" },
    },
  ],
  chatVerb: true,
  async run(context) {
    const name = context.options.name?.trim().toLowerCase();
    if (name === undefined || name === "") {
      const current = await context.currentPersona();
      const heading = `Talking to **${current.persona.displayName}** (\`${current.persona.name}\`), ${sourceWords[current.source]}.`;
      return context.sink.post(
        `${heading}\n\nPersonas:\n${personaList(context)}\n\nSwitch with \`persona <name>\`.`,
        {
          ephemeral: true,
        },
      );
    }
    const persona = await context.findPersona(name);
    if (!persona) return;
    const scope = (context.options.scope?.toLowerCase() ?? "conversation") as BindingScope;
    // hasOwn, not `in`: "constructor" is no scope.
    if (!Object.hasOwn(scopeWords, scope)) {
      return context.sink.post("Scope must be `conversation`, `channel` or `server`.", { ephemeral: true });
    }
    const refused = refusal(context, scope);
    if (refused !== undefined) return context.sink.post(refused, { ephemeral: true });
    await context.bindPersona(scope, persona);
    const greeting = persona.greeting
      ? `\n\n${renderMacros(persona.greeting, { char: persona.displayName, user: context.message.author.name })}`
      : "";
    return context.sink.post(
      `${persona.emoji ? `${persona.emoji} ` : ""}**${persona.displayName}** now answers in ${scopeWords[scope]}.${greeting}`,
    );
  },
};
