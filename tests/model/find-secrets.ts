/**
 * Where a secret shows up in what troupe logs or shows: every string inside a value, walked the way a
 * log serializer would (an Error's message, stack, cause chain and own fields; nested objects;
 * arrays; Headers and Maps), plus the JSON line pino's own error serializer makes of each error.
 */
import { pino } from "pino";

/** The paths (`lines[3].fields.err.cause.message`) whose text contains any of `secrets`. */
export function findSecrets(value: unknown, secrets: readonly string[], path = "value"): string[] {
  const found: string[] = [];
  walk(value, path, 0, new Set(), (text, at) => {
    if (secrets.some((secret) => text.includes(secret))) found.push(at);
  });
  return found;
}

function walk(
  value: unknown,
  path: string,
  depth: number,
  seen: Set<object>,
  visit: (text: string, path: string) => void,
): void {
  if (typeof value === "string") {
    visit(value, path);
    return;
  }
  if (typeof value !== "object" || value === null || depth > 10 || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Error) {
    visit(value.message, `${path}.message`);
    visit(value.stack ?? "", `${path}.stack`);
    walk(value.cause, `${path}.cause`, depth + 1, seen, visit);
    visit(JSON.stringify(pino.stdSerializers.err(value)), `${path} (as pino logs it)`);
  }
  if (value instanceof Headers || value instanceof Map) {
    for (const [key, entry] of value.entries())
      walk(entry, `${path}[${String(key)}]`, depth + 1, seen, visit);
    return;
  }
  for (const [key, entry] of Object.entries(value)) walk(entry, `${path}.${key}`, depth + 1, seen, visit);
}
