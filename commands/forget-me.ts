import type { Command } from "../src/core/command.js";
import type { ForgetCounts, ForgetPreview } from "../src/core/learning.js";

/** The counts as people read them, nothing left out (a zero says that kind was checked). */
export function describeForgetCounts(counts: ForgetCounts | ForgetPreview): string {
  return [
    "turns" in counts
      ? `${counts.turns} message(s) of yours and my answers to them, in ${counts.conversations} conversation(s)`
      : "every message of yours in my conversation histories here, and my answers to them",
    `${counts.exchanges} record(s) of answers to your questions`,
    `${counts.ratings} rating(s) you gave`,
    `${counts.bindings} persona choice(s) for your DMs`,
  ]
    .map((line) => `• ${line}`)
    .join("\n");
}

/**
 * `/forget-me`, then `/forget-me confirm` within five minutes: deletes everything troupe stores
 * about the person asking, on this platform. Two steps, because it cannot be undone.
 */
export const forgetMeCommand: Command = {
  name: "forget-me",
  description: "Delete everything I store about you (asks you to confirm first)",
  options: [
    {
      name: "step",
      description: "confirm, after reading what will be deleted",
      type: "string",
      choices: [{ name: "confirm", value: "confirm" }],
    },
  ],
  async run(context) {
    const { learning, message, sink } = context;
    if (learning === undefined)
      return sink.post("This troupe keeps no feedback records; `/reset` forgets a conversation.", {
        ephemeral: true,
        note: true,
      });
    if (context.options.step === "confirm") {
      const deleted = await learning.confirmForget(message.platform, message.author.id);
      if (deleted === undefined)
        return sink.post(
          "Nothing to confirm: send `/forget-me` first, then `/forget-me confirm` within 5 minutes.",
          {
            ephemeral: true,
          },
        );
      return sink.post(`Done. I deleted:\n${describeForgetCounts(deleted)}`, { ephemeral: true });
    }
    const pending = await learning.previewForget(message.platform, message.author.id);
    return sink.post(
      `This deletes, for good:\n${describeForgetCounts(pending)}\nSend \`/forget-me confirm\` within 5 minutes to go ahead.`,
      { ephemeral: true },
    );
  },
};
