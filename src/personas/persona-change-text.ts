/**
 * One line a person at the terminal can read for each persona file that changed while running, and
 * for each problem start-up found. A problem carries its reason (file, line, field) itself: the log
 * may be silenced (LOG_LEVEL=silent) or scrolled away, and the line is all the person needs to fix it.
 */
import { type PersonaStartupReport, SKIPPED_HINT, summarizeRefusal } from "./persona-file-report.js";
import type { PersonaChange } from "./persona-reloader.js";

export function describePersonaChange(change: PersonaChange): string {
  switch (change.kind) {
    case "added":
      return withWarning(`Persona \`${change.name}\` added (${change.fileName}).`, change.warning);
    case "updated":
      return withWarning(
        change.previousName !== undefined && change.previousName !== change.name
          ? `Persona \`${change.previousName}\` is now \`${change.name}\` (${change.fileName}).`
          : `Persona \`${change.name}\` updated (${change.fileName}).`,
        change.warning,
      );
    case "removed":
      return `Persona \`${change.name}\` removed (${change.fileName} is gone).`;
    case "rejected":
      return change.name === undefined
        ? `⚠️ ${change.problem} (${SKIPPED_HINT})`
        : `⚠️ ${change.problem} (keeping the last good version of \`${change.name}\`; fix the file and it reloads without a restart)`;
  }
}

/** The start-up notices: each skipped file with its reason, then each persona with little room. */
export function describePersonaStartup(report: PersonaStartupReport): string[] {
  return [
    ...report.skipped.map((refusal) => `⚠️ ${summarizeRefusal(refusal)} (${SKIPPED_HINT})`),
    ...report.warnings.map((note) => `⚠️ ${note.warning.message}`),
  ];
}

function withWarning(line: string, warning: string | undefined): string {
  return warning === undefined ? line : `${line} ⚠️ ${warning}`;
}
