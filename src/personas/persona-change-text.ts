/** One line a person at the terminal can read for each persona file that changed while running. */
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
    case "rejected":
      return change.name === undefined
        ? `⚠️ ${change.fileName} has a problem and was not loaded: the log says where.`
        : `⚠️ ${change.fileName} has a problem: keeping the last good version of${name}; the log says where.`;
  }
}
