/**
 * Turns what the YAML parser and the zod schema reject into problems that point at a file line.
 * zod knows the path (`examples[1].assistant`), the YAML document knows where each node sits.
 */
import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node, type YAMLError } from "yaml";
import type { z } from "zod";
import type { PersonaProblem } from "./persona-file-error.js";
import { clipField, clipText, describeValue, fieldPath, suggestField } from "./persona-issue-messages.js";
import { personaFrontMatterSchema } from "./persona-schema.js";

/** Where the front matter sits in the file, to turn YAML offsets into file lines. */
export interface FrontMatterPlace {
  file: string;
  document: Document;
  lineCounter: LineCounter;
  /** The file line of the front matter's first line. */
  firstLine: number;
  /** The file line of the front matter's last line. */
  lastLine: number;
}

const TOP_LEVEL_FIELDS = Object.keys(personaFrontMatterSchema.shape);
const EXAMPLE_FIELDS = Object.keys(personaFrontMatterSchema.shape.examples.unwrap().element.shape);

export function lineAt(place: FrontMatterPlace, offset: number): number {
  const line = place.firstLine + place.lineCounter.linePos(offset).line - 1;
  return Math.min(Math.max(line, place.firstLine), place.lastLine);
}

/** The offset of the deepest node on `path` that exists; for a mapping entry, its key's offset. */
export function offsetOf(document: Document, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = document.contents;
  let offset = rangeStart(node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === segment);
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}

const YAML_HINTS: Record<string, string> = {
  BLOCK_AS_IMPLICIT_KEY: 'a value that contains ": " must be quoted, e.g. greeting: "Note: hi"',
  TAB_AS_INDENT: "indent with spaces, not tabs",
  DUPLICATE_KEY: "each field may appear only once: delete one of them",
  MISSING_CHAR: "a quote or bracket is not closed",
  BAD_INDENT: "check the indentation and that every [ or { is closed",
};

/** `lines`: the front matter split at newlines once, not once per error (a file can have thousands). */
export function yamlErrorProblem(
  place: FrontMatterPlace,
  error: YAMLError,
  lines: readonly string[],
): PersonaProblem {
  const line = lineAt(place, error.pos[0]);
  const hint = YAML_HINTS[error.code];
  const reason = `invalid YAML: ${clipText(error.message, 300)}${hint ? `: ${hint}` : ""}`;
  // A top-level `key:` on the failing line is almost always the field the admin is editing.
  const lineText = lines[line - place.firstLine] ?? "";
  const field = /^([A-Za-z_][\w-]*)\s*:/.exec(lineText)?.[1];
  return field === undefined
    ? { file: place.file, line, reason }
    : { file: place.file, line, field: clipField(field), reason };
}

/**
 * One function per problem in a schema issue (an unknown-keys issue holds one per key), so a caller
 * can work out only as many as it will show: a file may have tens of thousands of unknown keys.
 */
export function schemaIssueProblems(
  place: FrontMatterPlace,
  issue: z.core.$ZodIssue,
): (() => PersonaProblem)[] {
  if (issue.code === "unrecognized_keys") {
    const allowed = issue.path.length === 0 ? TOP_LEVEL_FIELDS : EXAMPLE_FIELDS;
    return issue.keys.map((key) => () => {
      const suggestion = suggestField(key, allowed);
      const didYouMean = suggestion ? `; did you mean "${suggestion}"?` : "";
      return problemAt(
        place,
        [...issue.path, key],
        `unknown field${didYouMean} (allowed: ${allowed.join(", ")})`,
      );
    });
  }
  return [() => problemAt(place, issue.path, schemaIssueReason(issue))];
}

function schemaIssueReason(issue: z.core.$ZodIssue): string {
  let reason = issue.message;
  // Schema-level messages (e.g. the description's "Discord's limit") do not say how far over it is.
  if (issue.code === "too_big" && typeof issue.input === "string" && !reason.includes("it has")) {
    reason += ` (it has ${issue.input.length})`;
  }
  if (issue.code === "invalid_format" && issue.input !== undefined && !reason.includes("got")) {
    reason += `, got ${describeValue(issue.input)}`;
  }
  return reason;
}

function problemAt(place: FrontMatterPlace, path: readonly PropertyKey[], reason: string): PersonaProblem {
  const offset = offsetOf(place.document, path);
  const problem: PersonaProblem = { file: place.file, field: clipField(fieldPath(path)), reason };
  if (offset !== undefined) problem.line = lineAt(place, offset);
  return problem;
}
