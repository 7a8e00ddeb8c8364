import type { Command } from "../src/core/command.js";

/** `/reset`: forget this conversation's history; the persona stays. */
export const resetCommand: Command = {
  name: "reset",
  description: "Forget this conversation's history (the persona stays)",
  options: [],
  chatVerb: true,
  async run(context) {
    await context.resetConversation();
    const { persona } = await context.currentPersona();
    return context.sink.post(
      `Forgot this conversation. **${persona.displayName}** is still here; start fresh.`,
    );
  },
};
