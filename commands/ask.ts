import type { Command } from "../src/core/command.js";

/**
 * `/ask [persona:<name>] <prompt>`: one question, optionally to another persona just this once. Not a
 * chat verb: "ask me anything" is a prompt.
 */
export const askCommand: Command = {
  name: "ask",
  description: "Ask a question, optionally to a specific persona",
  options: [
    { name: "prompt", description: "What to ask", type: "string", required: true },
    {
      name: "persona",
      description: "Answer as this persona, just this once",
      type: "string",
      autocomplete: "persona",
    },
  ],
  async run(context) {
    const prompt = context.options.prompt ?? "";
    const personaName = context.options.persona;
    if (personaName === undefined || personaName.trim() === "") return context.answer(prompt);
    const persona = await context.findPersona(personaName);
    if (persona) await context.answer(prompt, { persona });
  },
};
