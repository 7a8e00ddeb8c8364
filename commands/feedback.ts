import type { Command } from "../src/core/command.js";
import type { RateOutcome, Rating } from "../src/core/learning.js";

const said: Record<Exclude<RateOutcome, "no-answer" | "withdrawn">, string> = {
  rated: "Thanks, noted.",
  replaced: "Thanks, your earlier rating of that answer is replaced.",
};

/**
 * `/feedback good|bad [comment]`: rates the asker's last answer in this conversation, the same
 * rating a 👍/👎 reaction gives (one rating per person per answer; a new one replaces it).
 */
export const feedbackCommand: Command = {
  name: "feedback",
  description: "Rate my last answer to you here: good or bad, with an optional comment",
  options: [
    {
      name: "rating",
      description: "good or bad",
      type: "string",
      // Not required: typed, a required option would take every word, the comment too.
      choices: [
        { name: "good", value: "good" },
        { name: "bad", value: "bad" },
      ],
    },
    { name: "comment", description: "What was good or bad about it (optional)", type: "string" },
  ],
  async run(context) {
    const { learning, options, sink } = context;
    if (learning === undefined)
      return sink.post("Feedback is not kept on this troupe.", { ephemeral: true, note: true });
    const rating = options.rating;
    if (rating !== "good" && rating !== "bad")
      return sink.post("Say `/feedback good` or `/feedback bad`, optionally with a comment.", {
        ephemeral: true,
      });
    const comment = options.comment?.trim();
    const outcome = await learning.rateLast(context.message, rating as Rating, comment || undefined);
    if (outcome === "no-answer" || outcome === "withdrawn")
      return sink.post("I have no answer to you here to rate yet (or it is too old).", { ephemeral: true });
    return sink.post(said[outcome], { ephemeral: true });
  },
};
