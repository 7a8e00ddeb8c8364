import type { Command } from "../src/core/command.js";
import { chatVerbUsage, commandUsage, ONE_OFF_USAGE } from "../src/core/typed-commands.js";

/**
 * `/help`: who is answering, the commands and the chat verbs, all written from the command
 * definitions the way they are typed, so a new command shows up here by being defined.
 */
export const helpCommand: Command = {
  name: "help",
  description: "What I can do and how to talk to me",
  options: [],
  chatVerb: true,
  async run(context) {
    const { persona } = await context.currentPersona();
    const commandLines = context.commands.map(
      (command) => `• \`${commandUsage(command)}\`: ${command.description}`,
    );
    const verbLines = context.commands.flatMap((command) => {
      const usage = chatVerbUsage(command);
      return usage === undefined ? [] : [`• \`${usage}\``];
    });
    const text = [
      `You're talking to **${persona.displayName}** (\`${persona.name}\`): ${persona.description}`,
      "",
      "Commands:",
      ...commandLines,
      "",
      "In a message you can also write:",
      ...verbLines,
      `• \`${ONE_OFF_USAGE}\` to ask another persona just once`,
    ].join("\n");
    return context.sink.post(text, { ephemeral: true });
  },
};
