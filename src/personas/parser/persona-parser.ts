/**
 * Parses a persona file: optional YAML front matter between `---` lines, then the Markdown body,
 * which is the system prompt. Pure (no file system): src/personas/ reads the files. Every problem
 * in a file is reported at once, each with the file, the line and the field, up to MAX_PROBLEMS
 * (a pasted log file has thousands: the first ones are what an admin needs, the rest is counted).
 * Whatever the text, it returns a persona or throws a PersonaFileError, in time linear in the text
 * (tests/personas/parser/persona-parser.fuzz.test.ts).
 */
import { dirname, resolve } from "node:path";
import { isMap, LineCounter, parseDocument } from "yaml";
import type { Persona } from "../../core/persona.js";
import { compileHash } from "./compile-hash.js";
import { toLoreBook } from "./lore-schema.js";
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
import { clipText, personaIssueMessage } from "./persona-issue-messages.js";
import { type PersonaFrontMatter, personaFrontMatterSchema } from "./persona-schema.js";
import { duplicateKeyErrors, MAX_FRONT_MATTER_DEPTH, tooDeepAt } from "./persona-yaml-guards.js";

export { DESCRIPTION_LIMIT } from "./persona-defaults.js";
export { formatPersonaProblem, PersonaFileError, type PersonaProblem } from "./persona-file-error.js";

export interface PersonaSource {
  /** Shown in messages and kept as `Persona.source`, e.g. `personas/tutor.md`. */
  path: string;
  /** The file's own name, e.g. `tutor.md`: the default persona name. */
  fileName: string;
}

/** The most problems one file's error lists; more are counted in a last line. */
export const MAX_PROBLEMS = 20;

export interface ParsedPersonaFile {
  persona: Persona;
  /** The file line of the `name:` field, when the front matter sets it (for duplicate-name messages). */
  nameLine?: number;
  /** The file line of the `adapter:` field, for a problem found once the file system is asked. */
  adapterLine?: number;
  /** The file line of the `avatar:` field, for a picture file found missing on disk. */
  avatarLine?: number;
  /** The hash `compile` records for the file as it is now (compile-hash.ts). */
  compileHash: string;
}

/** Throws a PersonaFileError listing every problem in the file. */
export function parsePersona(text: string, source: PersonaSource): Persona {
  return parsePersonaFile(text, source).persona;
}

export function parsePersonaFile(text: string, source: PersonaSource): ParsedPersonaFile {
  const file = source.path;
  const parts = splitPersonaFile(normalizePersonaText(text));
  if (isSplitProblem(parts)) throw new PersonaFileError([{ file, ...parts }]);

  const problems = new ProblemList(file);
  const frontMatter = readFrontMatter(parts.frontMatter ?? "", parts.frontMatterFirstLine, problems);

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
  const name = frontMatter && (frontMatter.values.name ?? defaultName(source, problems.items));
  const [first, ...rest] = problems.listed();
  if (first) throw new PersonaFileError([first, ...rest]);
  if (!frontMatter || name === undefined)
    throw new Error("unreachable: a persona without problems has a name");

  const values = frontMatter.values;
  const hash = compileHash({
    systemPrompt,
    examples: values.examples ?? [],
    temperature: values.temperature,
    topP: values.top_p,
    maxTokens: values.max_tokens,
    stop: values.stop,
    adapter: values.adapter,
  });
  // A stale compile answers on the base model: the compiled one holds the old prompt and examples.
  const compiled =
    values.compiled === undefined
      ? undefined
      : { model: values.model ?? `troupe-${name}`, current: values.compiled === hash };
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
    model: compiled?.current === false ? undefined : values.model,
    compiled,
    adapter: values.adapter === undefined ? undefined : resolve(dirname(file), values.adapter),
    lore: values.lore === undefined ? undefined : toLoreBook(values.lore),
    extensions: values.extensions,
    knowledge: values.knowledge,
    source: file,
  });
  const nameLine = values.name === undefined ? undefined : fieldProblemBase(frontMatter.place, "name").line;
  const adapterLine =
    values.adapter === undefined ? undefined : fieldProblemBase(frontMatter.place, "adapter").line;
  const avatarLine =
    values.avatar === undefined ? undefined : fieldProblemBase(frontMatter.place, "avatar").line;
  return withoutUndefined({ persona, nameLine, adapterLine, avatarLine, compileHash: hash });
}

interface ReadFrontMatter {
  values: PersonaFrontMatter;
  place: FrontMatterPlace;
}

/** Problems in one file: every one counted, the first MAX_PROBLEMS by line worked out in full. */
class ProblemList {
  readonly items: PersonaProblem[] = [];
  private unlisted = 0;
  constructor(readonly file: string) {}
  push(...problems: PersonaProblem[]): void {
    this.items.push(...problems);
  }
  /** Works out at most MAX_PROBLEMS of them (each in line order), counting the rest. */
  pushFirst(makers: readonly (() => PersonaProblem)[]): void {
    for (const make of makers.slice(0, MAX_PROBLEMS)) this.items.push(make());
    this.unlisted += Math.max(0, makers.length - MAX_PROBLEMS);
  }
  listed(): PersonaProblem[] {
    const sorted = this.items.sort(byLine);
    const hidden = this.unlisted + Math.max(0, sorted.length - MAX_PROBLEMS);
    const shown = sorted.slice(0, MAX_PROBLEMS);
    if (hidden === 0) return shown;
    const more = hidden === 1 ? "1 more problem" : `${hidden.toLocaleString("en-US")} more problems`;
    return [...shown, { file: this.file, reason: `and ${more}: fix these first, the rest show next` }];
  }
}

/** Parses and validates the front matter, adding problems; undefined when it cannot be used. */
function readFrontMatter(
  yamlText: string,
  firstLine: number,
  problems: ProblemList,
): ReadFrontMatter | undefined {
  const { file } = problems;
  const lines = yamlText.split("\n");
  const tooDeep = tooDeepAt(yamlText);
  if (tooDeep !== undefined) {
    const index = yamlText.slice(0, tooDeep).match(/\n/g)?.length ?? 0;
    problems.push({
      file,
      line: firstLine + index,
      reason:
        `the front matter nests more than ${MAX_FRONT_MATTER_DEPTH} levels deep here: it holds "field: value" ` +
        "lines, with lists and examples only a few levels deep",
    });
    // The cause is usually above (each line like `a: b: c` nests one level deeper): what yaml says
    // about the lines before this one, which nest less, shows it.
    readFrontMatter(lines.slice(0, index).join("\n"), firstLine, problems);
    return undefined;
  }
  const lineCounter = new LineCounter();
  // uniqueKeys: false, because yaml's own check compares every key with every other one.
  const document = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const lastLine = firstLine + Math.max(0, lines.length - 1);
  const place: FrontMatterPlace = { file, document, lineCounter, firstLine, lastLine };
  const errors = [...document.errors, ...duplicateKeyErrors(document)];
  if (errors.length > 0) {
    problems.pushFirst(errors.map((error) => () => yamlErrorProblem(place, error, lines)));
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
    problems.push({
      file,
      line: firstLine,
      reason: `invalid YAML: ${clipText((error as Error).message, 300)}`,
    });
    return undefined;
  }
  const result = personaFrontMatterSchema.safeParse(trimTextFields(data), {
    reportInput: true,
    error: personaIssueMessage,
  });
  if (!result.success) {
    problems.pushFirst(result.error.issues.flatMap((issue) => schemaIssueProblems(place, issue)));
    return undefined;
  }
  return { values: result.data, place };
}

/** Block scalars (`|`, `>`) end in a newline that would count against limits. `stop` is exact. */
export function trimTextFields(data: unknown): unknown {
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
