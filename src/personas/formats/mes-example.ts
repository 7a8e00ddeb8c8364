/**
 * A card's `mes_example` ↔ a persona's `examples:`. A card writes its example dialogue as blocks
 * opened by `<START>`, each line starting `{{user}}:` or `{{char}}:` (a line without one continues
 * the message above). troupe's examples are user/assistant pairs, so a `{{user}}` message followed by
 * a `{{char}}` one becomes an example; what does not pair up (a block opening with the character, a
 * narration line) is not an example, and the original text is kept beside the persona so an export
 * gives it back unchanged (card-fields.ts).
 */
import type { PersonaExample } from "../../core/persona.js";

const SPEAKER_LINE = /^\s*\{\{\s*(user|char)\s*\}\}\s*:[ \t]?(.*)$/i;
const START_LINE = /^\s*<START>\s*$/i;

interface Said {
  role: "user" | "char";
  lines: string[];
}

export function parseMesExample(text: string): PersonaExample[] | undefined {
  const examples: PersonaExample[] = [];
  for (const block of splitBlocks(text)) {
    const said = messagesOf(block);
    for (let index = 0; index + 1 < said.length; index++) {
      const question = said[index];
      const answer = said[index + 1];
      if (question?.role !== "user" || answer?.role !== "char") continue;
      const user = question.lines.join("\n").trim();
      const assistant = answer.lines.join("\n").trim();
      if (user !== "" && assistant !== "") examples.push({ user, assistant });
      index++;
    }
  }
  return examples.length > 0 ? examples : undefined;
}

export function formatMesExample(examples: readonly PersonaExample[] | undefined): string {
  return (examples ?? [])
    .map((example) => `<START>\n{{user}}: ${example.user}\n{{char}}: ${example.assistant}`)
    .join("\n");
}

function splitBlocks(text: string): string[][] {
  const blocks: string[][] = [[]];
  for (const line of text.replace(/\r\n?/g, "\n").split("\n")) {
    if (START_LINE.test(line)) blocks.push([]);
    else blocks[blocks.length - 1]?.push(line);
  }
  return blocks;
}

function messagesOf(lines: readonly string[]): Said[] {
  const said: Said[] = [];
  for (const line of lines) {
    const speaker = SPEAKER_LINE.exec(line);
    if (speaker) {
      said.push({ role: speaker[1]?.toLowerCase() === "user" ? "user" : "char", lines: [speaker[2] ?? ""] });
    } else {
      // Text before the first speaker (a block's narration) belongs to no message.
      said[said.length - 1]?.lines.push(line);
    }
  }
  return said;
}
