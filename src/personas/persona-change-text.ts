/**
 * What a person at the terminal reads for each persona file that changed while running: one line,
 * and for a refused file the problem and its fix below it.
 */
import type { PersonaChange } from "./persona-reloader.js";

export function describePersonaChange(change: PersonaChange): string {
  const name = change.name === undefined ? "" : ` \`${change.name}\``;
  switch (change.kind) {
    case "added":
      return `Persona${name} added (${change.fileName}).`;
    case "updated":
      return change.previousName !== undefined && change.previousName !== change.name
        ? `Persona \`${change.previousName}\` is now${name} (${change.fileName}).`
        : `Persona${name} updated (${change.fileName}).`;
    case "removed":
      return `Persona${name} removed (${change.fileName} is gone).`;
    case "rejected": {
      // The problem itself, not a pointer to the log: at the terminal the reader is the one who
      // fixes the file, and with LOG_LEVEL=silent the log says nothing.
      const what =
        change.name === undefined
          ? `⚠️ ${change.fileName} has a problem and was not loaded`
          : `⚠️ ${change.fileName} has a problem: keeping the last good version of${name}`;
      return change.problem === undefined ? `${what}.` : `${what}:\n${indent(change.problem)}`;
    }
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `   ${line}`)
    .join("\n");
}
