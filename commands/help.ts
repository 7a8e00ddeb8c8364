import type { Command } from "../src/core/command.js";

/** `/help`: the commands, the chat verbs, and who is answering. */
export const helpCommand: Command = {
  name: "help",
  description: "What I can do and how to talk to me",
  options: [],
  async run(context) {
    const { persona } = await context.currentPersona();
    const commandLines = context.commands.map((command) => {
      const options = command.options.map((option) =>
        option.required ? `<${option.name}>` : `[${option.name}]`,
      );
      return `• \`/${[command.name, ...options].join(" ")}\`: ${command.description}`;
    });
    const text = [
      `You're talking to **${persona.displayName}** (\`${persona.name}\`): ${persona.description}`,
      "",
      "Commands:",
      ...commandLines,
      "",
      "In a message you can also write:",
      "• `persona` to list personas, `persona <name>` to switch",
      "• `as <name>: <question>` to ask another persona just once",
      "• `reset` to forget this conversation, `help` for this message",
    ].join("\n");
    return context.sink.post(text, { ephemeral: true });
  },
};
