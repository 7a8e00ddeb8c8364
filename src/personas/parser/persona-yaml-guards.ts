/**
 * What the yaml library leaves unbounded, bounded before and after it runs (found by the parser's
 * fuzz test). Nesting: yaml builds nested nodes recursively, so a few thousand `[` overflow the
 * stack; yaml catches that, but V8 can then die compiling a regular expression near the stack's end
 * (a fatal out-of-memory that ends the process, not an error anything can catch). The depth is
 * measured first with yaml's own lexer and CST parser, which keep an explicit stack. Duplicate keys:
 * yaml compares each key with every earlier one (20,000 keys took 30 s); they are found here in one
 * pass with yaml's uniqueness check turned off.
 */
import { type Document, isMap, isScalar, Lexer, Parser, visit, YAMLParseError } from "yaml";

/** Far deeper than any persona front matter (the shipped ones reach 5), far below a stack overflow. */
export const MAX_FRONT_MATTER_DEPTH = 64;

/** The offset at which the YAML first nests deeper than MAX_FRONT_MATTER_DEPTH, if it does. */
export function tooDeepAt(yamlText: string): number | undefined {
  const parser = new Parser();
  for (const lexeme of new Lexer().lex(yamlText)) {
    for (const _token of parser.next(lexeme)) {
      // Only the parser's stack matters here; the tokens are built again by parseDocument.
    }
    if (parser.stack.length > MAX_FRONT_MATTER_DEPTH) return parser.offset;
  }
  return undefined;
}

/** The errors yaml would give for a key repeated in one mapping, in one pass over each mapping. */
export function duplicateKeyErrors(document: Document): YAMLParseError[] {
  const errors: YAMLParseError[] = [];
  visit(document, {
    Map(_key, map) {
      if (!isMap(map)) return;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        if (seen.has(pair.key.value)) {
          const start = pair.key.range?.[0] ?? 0;
          errors.push(new YAMLParseError([start, start + 1], "DUPLICATE_KEY", "Map keys must be unique"));
        }
        seen.add(pair.key.value);
      }
    },
  });
  return errors;
}
