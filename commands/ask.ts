import type { Command } from "../src/core/command.js";
import { texts } from "../src/core/errors.js";

/** `/ask prompt [persona]`: one question, optionally to another persona just this once. */
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
    if (personaName === undefined || personaName === "") return context.answer(prompt);
    const persona = context.personas.get(personaName.toLowerCase());
    if (!persona) {
      const names = context.personas.list().map((candidate) => candidate.name);
      return context.sink.post(texts.unknownPersona(personaName, names), { ephemeral: true, error: true });
    }
    return context.answer(prompt, { persona });
  },
};
