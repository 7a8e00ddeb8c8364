/**
 * A persona's eval cases, from both places they may be written: `evals:` in the persona file's
 * front matter, and the sibling `NAME.evals.yaml` (a YAML list of the same cases) next to `NAME.md`.
 * Both are merged, front matter first. The persona reader never takes the sibling for a persona
 * (only `*.md` is one), so it is read here alone.
 *
 * A problem in either file (a YAML mistake, an unknown field, a regex that does not compile) is a
 * PersonaFileError naming the file, the line and the field, as a persona file's problems are: the
 * same YAML positions and messages serve both.
 */
import { readFile } from "node:fs/promises";
import { isSeq, LineCounter, parseDocument } from "yaml";
import type { Persona } from "../core/persona.js";
import { evalCasesSchema } from "../personas/parser/evals-schema.js";
import { byLine, PersonaFileError, type PersonaProblem } from "../personas/parser/persona-file-error.js";
import { normalizePersonaText, splitPersonaFile } from "../personas/parser/persona-front-matter.js";
import {
  type FrontMatterPlace,
  lineAt,
  offsetOf,
  schemaIssueProblems,
  yamlErrorProblem,
} from "../personas/parser/persona-front-matter-problems.js";
import { personaIssueMessage } from "../personas/parser/persona-issue-messages.js";
import { type EvalCase, toEvalCase } from "./eval-case.js";

/** `personas/tutor.md` → `personas/tutor.evals.yaml`. */
export function siblingEvalsPath(personaPath: string): string {
  return personaPath.replace(/\.md$/i, ".evals.yaml");
}

/** Throws a PersonaFileError when either file has a problem; no cases at all is an empty list. */
export async function loadPersonaEvals(persona: Pick<Persona, "source">): Promise<EvalCase[]> {
  const fromFrontMatter = await casesInFrontMatter(persona.source);
  const siblingPath = siblingEvalsPath(persona.source);
  const siblingText = await readFile(siblingPath, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  const fromSibling =
    siblingText === undefined ? [] : casesInYaml(normalizePersonaText(siblingText), siblingPath, 1, []);
  return [...fromFrontMatter, ...fromSibling];
}

async function casesInFrontMatter(path: string): Promise<EvalCase[]> {
  const parts = splitPersonaFile(normalizePersonaText(await readFile(path, "utf8")));
  // The persona loaded, so its front matter is sound; a file without one has no cases in it.
  if ("reason" in parts || parts.frontMatter === undefined) return [];
  return casesInYaml(parts.frontMatter, path, parts.frontMatterFirstLine, ["evals"]);
}

/** The cases at `path` in the YAML text (the whole document when `path` is empty). */
export function casesInYaml(
  yamlText: string,
  file: string,
  firstLine: number,
  path: readonly string[],
): EvalCase[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(yamlText, { lineCounter, prettyErrors: false });
  const lines = yamlText.split("\n");
  const place: FrontMatterPlace = {
    file,
    document,
    lineCounter,
    firstLine,
    lastLine: firstLine + Math.max(0, lines.length - 1),
  };
  const fail = (problems: PersonaProblem[]): never => {
    const [first, ...rest] = problems.sort(byLine).slice(0, 20);
    throw new PersonaFileError(first ? [first, ...rest] : [{ file, reason: "cannot be read" }]);
  };
  if (document.errors.length > 0) fail(document.errors.map((error) => yamlErrorProblem(place, error, lines)));
  const data: unknown = path.reduce<unknown>(
    (value, key) => (typeof value === "object" && value !== null ? Reflect.get(value, key) : undefined),
    document.toJS(),
  );
  if (data === undefined || data === null) return [];
  if (path.length === 0 && !isSeq(document.contents)) {
    fail([
      {
        file,
        line: firstLine,
        reason: 'an evals file is a YAML list of cases, each starting with "- prompt: …"',
      },
    ]);
  }
  const result = evalCasesSchema.safeParse(data, { reportInput: true, error: personaIssueMessage });
  if (!result.success) {
    fail(
      result.error.issues.flatMap((issue) =>
        schemaIssueProblems(place, { ...issue, path: [...path, ...issue.path] }).map((make) => make()),
      ),
    );
    return [];
  }
  return result.data.map((input, index) => {
    const offset = offsetOf(document, [...path, index]);
    const where = offset === undefined ? file : `${file}:${lineAt(place, offset)}`;
    return toEvalCase(input, index, where);
  });
}
