import type { Command } from "../src/core/command.js";
import { passageLabel } from "../src/core/knowledge.js";

/** How much of each passage `/sources` quotes: enough to recognise it, short enough for a chat line. */
const QUOTE_CHARS = 160;

function quote(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= QUOTE_CHARS ? flat : `${flat.slice(0, QUOTE_CHARS - 1)}…`;
}

/**
 * `/sources`: which document passages the last answer in this conversation drew on, with their
 * scores and the start of each, so people can check an answer against where it came from.
 */
export const sourcesCommand: Command = {
  name: "sources",
  description: "Show which documents the last answer drew on",
  options: [],
  chatVerb: true,
  async run(context) {
    const used = context.lastSources();
    if (used === undefined) {
      return context.sink.post(
        "The last answer here drew on no documents (or I have restarted since). Personas with `knowledge:` in their file answer from documents.",
        { ephemeral: true },
      );
    }
    const lines = used.passages.map(
      (passage, index) =>
        `${index + 1}. **${passageLabel(passage)}** (score ${passage.score.toFixed(4)})\n   > ${quote(passage.text)}`,
    );
    return context.sink.post([`The last answer (\`${used.persona}\`) drew on:`, ...lines].join("\n"), {
      ephemeral: true,
    });
  },
};
