/**
 * Parses a persona file: optional YAML front matter between `---` lines, then the Markdown body,
 * which is the system prompt. Pure (no file system): src/personas/ reads the files. Every problem
 * in a file is reported at once, each with the file, the line and the field.
 */
import { isMap, LineCounter, parseDocument } from "yaml";
import type { Persona } from "../../core/persona.js";
import { defaultDescription, defaultDisplayName, defaultName } from "./persona-defaults.js";
import { byLine, PersonaFileError, type PersonaProblem } from "./persona-file-error.js";
import { isSplitProblem, normalizePersonaText, splitPersonaFile } from "./persona-front-matter.js";
import {
  type FrontMatterPlace,
  lineAt,
  offsetOf,
  schemaIssueProblems,
  yamlErrorProblem,
} from "./persona-front-matter-problems.js";
import { personaIssueMessage } from "./persona-issue-messages.js";
import { type PersonaFrontMatter, personaFrontMatterSchema } from "./persona-schema.js";

export { DESCRIPTION_LIMIT } from "./persona-defaults.js";
export { formatPersonaProblem, PersonaFileError, type PersonaProblem } from "./persona-file-error.js";

export interface PersonaSource {
  /** Shown in messages and kept as `Persona.source`, e.g. `personas/tutor.md`. */
  path: string;
  /** The file's own name, e.g. `tutor.md`: the default persona name. */
  fileName: string;
}

export interface ParsedPersonaFile {
  persona: Persona;
  /** The file line of the `name:` field, when the front matter sets it (for duplicate-name messages). */
  nameLine?: number;
}

/** Throws a PersonaFileError listing every problem in the file. */
export function parsePersona(text: string, source: PersonaSource): Persona {
  return parsePersonaFile(text, source).persona;
}

export function parsePersonaFile(text: string, source: PersonaSource): ParsedPersonaFile {
  const file = source.path;
  const parts = splitPersonaFile(normalizePersonaText(text));
  if (isSplitProblem(parts)) throw new PersonaFileError([{ file, ...parts }]);

  const problems: PersonaProblem[] = [];
  const frontMatter = readFrontMatter(parts.frontMatter ?? "", parts.frontMatterFirstLine, file, problems);

  const systemPrompt = parts.body.trim();
  if (systemPrompt === "") {
    problems.push({
      file,
      line: parts.bodyFirstLine,
      reason:
        "the system prompt is empty: write the persona's instructions as Markdown " +
        (parts.frontMatter === undefined ? "in the file" : 'below the closing "---"'),
    });
  }

  // With broken front matter the name is unknown; the file name is checked once it is fixed.
  const name = frontMatter && (frontMatter.values.name ?? defaultName(source, problems));
  if (
    frontMatter?.values.model &&
    frontMatter.values.adapter &&
    frontMatter.values.model !== frontMatter.values.adapter
  ) {
    problems.push({
      ...fieldProblemBase(frontMatter.place, "adapter"),
      reason: 'both "model" and "adapter" are set and differ: they name the same derived model, keep one',
    });
  }

  const [first, ...rest] = problems.sort(byLine);
  if (first) throw new PersonaFileError([first, ...rest]);
  if (!frontMatter || name === undefined)
    throw new Error("unreachable: a persona without problems has a name");

  const values = frontMatter.values;
  const persona: Persona = withoutUndefined({
    name,
    displayName: values.display_name ?? defaultDisplayName(name),
    description: values.description ?? defaultDescription(systemPrompt),
    avatar: values.avatar,
    emoji: values.emoji,
    greeting: values.greeting,
    systemPrompt,
    temperature: values.temperature,
    topP: values.top_p,
    maxTokens: values.max_tokens,
    stop: values.stop,
    examples: values.examples ?? [],
    postHistory: values.post_history,
    tags: values.tags ?? [],
    model: values.model ?? values.adapter,
    source: file,
  });
  const nameLine = values.name === undefined ? undefined : fieldProblemBase(frontMatter.place, "name").line;
  return nameLine === undefined ? { persona } : { persona, nameLine };
}

interface ReadFrontMatter {
  values: PersonaFrontMatter;
  place: FrontMatterPlace;
}

/** Parses and validates the front matter, pushing problems; undefined when it cannot be used. */
function readFrontMatter(
  yamlText: string,
  firstLine: number,
  file: string,
  problems: PersonaProblem[],
): ReadFrontMatter | undefined {
  const lineCounter = new LineCounter();
  const document = parseDocument(yamlText, { lineCounter, prettyErrors: false });
  const lastLine = firstLine + Math.max(0, yamlText.split("\n").length - 1);
  const place: FrontMatterPlace = { file, document, lineCounter, firstLine, lastLine };
  if (document.errors.length > 0) {
    problems.push(...document.errors.map((error) => yamlErrorProblem(place, error, yamlText)));
    return undefined;
  }
  if (document.contents !== null && !isMap(document.contents)) {
    const offset = document.contents.range?.[0] ?? 0;
    problems.push({
      file,
      line: lineAt(place, offset),
      reason: 'the front matter must be "field: value" lines (a YAML mapping), e.g. "temperature: 0.7"',
    });
    return undefined;
  }
  let data: unknown;
  try {
    data = document.toJS() ?? {};
  } catch (error) {
    // e.g. an alias (*name) to an anchor that does not exist.
    problems.push({ file, line: firstLine, reason: `invalid YAML: ${(error as Error).message}` });
    return undefined;
  }
  const result = personaFrontMatterSchema.safeParse(trimTextFields(data), {
    reportInput: true,
    error: personaIssueMessage,
  });
  if (!result.success) {
    problems.push(...result.error.issues.flatMap((issue) => schemaIssueProblems(place, issue)));
    return undefined;
  }
  return { values: result.data, place };
}

/** Block scalars (`|`, `>`) end in a newline that would count against limits. `stop` is exact. */
function trimTextFields(data: unknown): unknown {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return data;
  const trimmed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (key === "stop") trimmed[key] = value;
    else if (typeof value === "string") trimmed[key] = value.trim();
    else if (Array.isArray(value)) trimmed[key] = value.map((item) => trimShallow(item));
    else trimmed[key] = value;
  }
  return trimmed;
}

function trimShallow(item: unknown): unknown {
  if (typeof item === "string") return item.trim();
  if (typeof item === "object" && item !== null && !Array.isArray(item)) {
    return Object.fromEntries(
      Object.entries(item).map(([key, value]) => [key, typeof value === "string" ? value.trim() : value]),
    );
  }
  return item;
}

function fieldProblemBase(
  place: FrontMatterPlace,
  field: string,
): { file: string; field: string; line?: number } {
  const offset = offsetOf(place.document, [field]);
  return offset === undefined
    ? { file: place.file, field }
    : { file: place.file, field, line: lineAt(place, offset) };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
