/**
 * Reads a command typed as text (the terminal's `/persona coder`, a Slack slash command's text):
 * `/ask persona:coder how do I …`, `/persona coder scope:channel`. Named options use Discord's
 * `name:value` look; the rest of the line fills the required option (the prompt), or the options
 * in order.
 */
import type { Command, CommandOptions } from "./command.js";

export type ParsedCommandText =
  | { kind: "command"; command: Command; options: CommandOptions }
  | { kind: "unknown"; name: string };

export function parseCommandText(line: string, commands: readonly Command[]): ParsedCommandText | undefined {
  const match = /^\/(?<name>[a-z0-9-]+)(?:\s+(?<rest>[\s\S]*))?$/i.exec(line.trim());
  if (!match?.groups?.name) return undefined;
  const name = match.groups.name.toLowerCase();
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) return { kind: "unknown", name };

  const options: Record<string, string | undefined> = {};
  const optionNames = new Set(command.options.map((option) => option.name));
  const words: string[] = [];
  for (const word of (match.groups.rest ?? "").split(/\s+/).filter((part) => part.length > 0)) {
    const named = /^(?<key>[a-z0-9_-]+):(?<value>\S+)$/i.exec(word);
    const key = named?.groups?.key?.toLowerCase();
    if (key !== undefined && optionNames.has(key) && options[key] === undefined) {
      options[key] = named?.groups?.value;
    } else {
      words.push(word);
    }
  }

  const required = command.options.find((option) => option.required && options[option.name] === undefined);
  if (required) {
    options[required.name] = words.join(" ");
  } else {
    const free = command.options.filter((option) => options[option.name] === undefined);
    free.forEach((option, index) => {
      const isLast = index === free.length - 1;
      const value = isLast ? words.splice(0).join(" ") : words.shift();
      if (value !== undefined && value !== "") options[option.name] = value;
    });
  }
  return { kind: "command", command, options };
}
