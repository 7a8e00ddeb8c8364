/**
 * What is said about a persona file that is not loaded, or loaded with a warning: the same at
 * start-up and on a reload, so a file is told about the same way whenever it breaks. Each gets one
 * warning log line (file, line, field, reason), and a one-line summary that carries the reason
 * itself, for the terminal chat: a notice must not point at a log that LOG_LEVEL may have silenced.
 */
import { join } from "node:path";
import type { Persona } from "../core/persona.js";
import type { Logger } from "../lib/logger.js";
import { formatPersonaProblem, type PersonaProblem } from "./parser/persona-file-error.js";
import type { ParsedPersonaFile } from "./parser/persona-parser.js";
import type { PersonaFileRead } from "./persona-files.js";
import type { PromptRoomWarning } from "./persona-prompt-fit.js";

/** A persona file that is not loaded, and every reason why. */
export type PersonaRefusal = {
  fileName: string;
  /** The path messages show: PERSONAS_DIR joined with the file name. */
  file: string;
  /** The persona the file would be, when it parsed (its prompt does not fit, or its name is taken). */
  name?: string;
  /** What is wrong, top to bottom; never empty. */
  problems: readonly [PersonaProblem, ...PersonaProblem[]];
} & (
  | {
      /** `not-a-file`: a link out of the folder, a FIFO, a directory: never opened. */
      kind: "not-a-file" | "invalid";
    }
  | { kind: "unreadable"; cause: Error }
  | { kind: "name-taken"; owner: string }
);

/** A persona loaded although its prompt leaves the conversation little of the context window. */
export interface PersonaRoomNote {
  fileName: string;
  name: string;
  warning: PromptRoomWarning;
}

/** What start-up found worth telling someone, besides the personas it loaded. */
export interface PersonaStartupReport {
  /** Files not loaded, sorted by file name, each with every problem. */
  skipped: readonly PersonaRefusal[];
  /** Personas loaded whose prompt leaves the conversation less than a quarter of CONTEXT_TOKENS. */
  warnings: readonly PersonaRoomNote[];
}

/** What a terminal notice adds after a refusal, when no earlier version is kept. */
export const SKIPPED_HINT = "skipped; fix the file and it loads without a restart";

export type RefusedRead = Exclude<PersonaFileRead, { kind: "parsed" } | { kind: "missing" }>;

export function refusalOf(dir: string, read: RefusedRead): PersonaRefusal {
  const { fileName } = read;
  const file = join(dir, fileName);
  switch (read.kind) {
    case "skipped":
      return { kind: "not-a-file", fileName, file, problems: [{ file, reason: read.reason }] };
    case "unreadable":
      return {
        kind: "unreadable",
        fileName,
        file,
        cause: read.error,
        problems: [{ file, reason: `cannot be read: ${read.error.message}` }],
      };
    case "invalid": {
      const [first = { file, reason: read.error.message }, ...rest] = read.error.problems;
      return {
        kind: "invalid",
        fileName,
        file,
        problems: [first, ...rest],
        ...(read.name === undefined ? {} : { name: read.name }),
      };
    }
  }
}

/** A file whose persona name another file already has; `owner` is that file's path. */
export function nameTakenRefusal(
  dir: string,
  fileName: string,
  parsed: ParsedPersonaFile,
  owner: string,
): PersonaRefusal {
  const file = join(dir, fileName);
  const { persona, nameLine } = parsed;
  return {
    kind: "name-taken",
    fileName,
    file,
    name: persona.name,
    owner,
    problems: [
      {
        file,
        field: "name",
        reason: `the persona name "${persona.name}" is already used by ${owner}: names must be unique, rename one of them`,
        ...(nameLine === undefined ? {} : { line: nameLine }),
      },
    ],
  };
}

/** Every problem, one `file:line: field "x": reason` line each. */
export function refusalLines(refusal: PersonaRefusal): string[] {
  return refusal.problems.map(formatPersonaProblem);
}

/** The first problem as `file:line: field "x": reason`, with a count of the others. */
export function summarizeRefusal(refusal: PersonaRefusal): string {
  const [first, ...rest] = refusal.problems;
  const more =
    rest.length === 0
      ? ""
      : ` (and ${rest.length === 1 ? "1 more problem" : `${rest.length} more problems`})`;
  return `${formatPersonaProblem(first)}${more}`;
}

/**
 * One warning line for a refused file. `outcome` says what happens instead ("not loaded", "keeping
 * the last good version"); `kept` is the persona still served for the file, if any.
 */
export function logRefusal(logger: Logger, refusal: PersonaRefusal, outcome: string, kept?: Persona): void {
  const [first] = refusal.problems;
  const persona = kept?.name ?? refusal.name;
  const fields = {
    file: refusal.file,
    ...(first.line === undefined ? {} : { line: first.line }),
    ...(first.field === undefined ? {} : { field: first.field }),
    reason: refusal.problems.map((problem) => problem.reason).join("; "),
    ...(persona === undefined ? {} : { persona }),
  };
  switch (refusal.kind) {
    case "not-a-file":
      logger.warn(fields, `skipping ${refusal.file}: it ${first.reason}; ${outcome}`);
      return;
    case "unreadable":
      logger.warn(
        { ...fields, err: refusal.cause },
        `cannot read persona file ${refusal.file}: ${refusal.cause.message}; ${outcome}`,
      );
      return;
    case "invalid":
      logger.warn(
        fields,
        `invalid persona file, ${outcome}: ${refusal.problems.map(formatPersonaProblem).join("; ")}`,
      );
      return;
    case "name-taken":
      logger.warn(
        { ...fields, owner: refusal.owner },
        `persona name "${refusal.name}" in ${refusal.file} is already used by ${refusal.owner}; ` +
          `refusing it (${outcome}): rename one of them`,
      );
      return;
  }
}

/** One warning line for a persona loaded with little room left to converse. */
export function logRoomWarning(logger: Logger, persona: Persona, warning: PromptRoomWarning): void {
  const { promptTokens, replyTokens, conversationTokens, contextTokens, message } = warning;
  logger.warn(
    {
      persona: persona.name,
      file: persona.source,
      promptTokens,
      replyTokens,
      conversationTokens,
      contextTokens,
    },
    message,
  );
}

/**
 * One warning line for a persona whose file was edited since `compile`: it answers on the base model
 * with its prompt sent each turn (as before compiling) until it is compiled again.
 */
export function logStaleCompile(logger: Logger, persona: Persona): void {
  if (persona.compiled === undefined || persona.compiled.current) return;
  logger.warn(
    { persona: persona.name, file: persona.source, model: persona.compiled.model },
    `persona "${persona.name}" changed since it was compiled into ${persona.compiled.model}: it answers on the ` +
      `base model with its prompt sent each turn; compile it again: npm run persona -- compile ${persona.name}`,
  );
}
