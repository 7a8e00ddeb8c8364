/**
 * Plain-words messages for what zod rejects in a persona's front matter. zod's defaults ("Too small:
 * expected number to be >0") are written for programmers; these are for whoever edits the file.
 * Messages set in the schema itself (e.g. the description's "Discord's limit") take precedence.
 */
import type { z } from "zod";

type RawIssue = Parameters<z.core.$ZodErrorMap>[0];

export function personaIssueMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      return invalidTypeMessage(issue.expected, issue.input, issue.path);
    case "too_big":
      return boundMessage("at most", "less than", issue.maximum, issue.inclusive, issue.origin, issue.input);
    case "too_small":
      if (issue.origin === "string" && issue.minimum === 1) return "must not be empty";
      return boundMessage(
        "at least",
        "greater than",
        issue.minimum,
        issue.inclusive,
        issue.origin,
        issue.input,
      );
    default:
      return undefined;
  }
}

function invalidTypeMessage(expected: string, input: unknown, path: PropertyKey[] | undefined): string {
  if (input === undefined) {
    return path?.[0] === "examples"
      ? "is required: each example needs both user: and assistant:"
      : "is required";
  }
  if (input === null) return "has no value: give it one, or delete the line";
  const got = describeValue(input);
  switch (expected) {
    case "number":
      return typeof input === "string" && input.trim() !== "" && Number.isFinite(Number(input))
        ? `must be a number, got ${got}: remove the quotes`
        : `must be a number, got ${got}`;
    case "int":
      return `must be a whole number, got ${got}`;
    case "string":
      return `must be text, got ${got}: put it in quotes`;
    case "array":
      return `must be a list, like [a, b] or one "- item" per line, got ${got}`;
    case "object":
      return path?.[0] === "examples"
        ? `must be a pair of "user:" and "assistant:" lines, got ${got}`
        : `must be "field: value" lines, got ${got}`;
    default:
      return `must be ${expected}, got ${got}`;
  }
}

function boundMessage(
  inclusiveWords: string,
  exclusiveWords: string,
  bound: number | bigint,
  inclusive: boolean | undefined,
  origin: string,
  input: unknown,
): string {
  const words = inclusive === false ? exclusiveWords : inclusiveWords;
  if (origin === "string") {
    const length = typeof input === "string" ? ` (it has ${input.length})` : "";
    return `must be ${words} ${bound} characters${length}`;
  }
  if (origin === "array") {
    const count = Array.isArray(input) ? ` (it has ${input.length})` : "";
    return `must have ${words} ${bound} items${count}`;
  }
  return `must be ${words} ${bound}, got ${describeValue(input)}`;
}

export function describeValue(value: unknown): string {
  if (typeof value === "string") {
    const clipped = value.length > 40 ? `${value.slice(0, 39)}…` : value;
    return `the text ${JSON.stringify(clipped)}`;
  }
  if (Array.isArray(value)) return "a list";
  if (value === null) return "nothing";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

/** A field name as messages show it: an unknown key can be any length, a message line should not. */
export function clipField(field: string): string {
  return clipText(field, 60);
}

/** Text from elsewhere (yaml's messages quote the source, e.g. an alias's name) clipped for a message. */
export function clipText(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `["examples", 1, "assistant"]` → `examples[1].assistant`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text === "" ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

/** A likely intended field for a typo: same letters ignoring case and `-`/`_`, or a near spelling. */
export function suggestField(unknown: string, allowed: readonly string[]): string | undefined {
  const squash = (text: string) => text.toLowerCase().replace(/[-_\s]/g, "");
  const typed = squash(unknown);
  const exact = allowed.find((field) => squash(field) === typed);
  if (exact !== undefined) return exact;
  let best: { field: string; distance: number } | undefined;
  for (const field of allowed) {
    const candidate = squash(field);
    const limit = Math.max(1, Math.floor(field.length / 4));
    // The distance is at least the difference in length: a long key is skipped without the O(n·m) work.
    if (Math.abs(typed.length - candidate.length) > limit) continue;
    const distance = editDistance(typed, candidate);
    if (distance <= limit && (!best || distance < best.distance)) best = { field, distance };
  }
  return best?.field;
}

function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row++) {
    const current = [row];
    for (let column = 1; column <= right.length; column++) {
      const substitution = (previous[column - 1] ?? 0) + (left[row - 1] === right[column - 1] ? 0 : 1);
      current[column] = Math.min(substitution, (previous[column] ?? 0) + 1, (current[column - 1] ?? 0) + 1);
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}
