/**
 * The prose of an answer: what is left when code and links are taken out. Questions and language
 * are judged on it, because a `?` in a code block (`a ? b : c`, a regex) or in a URL's query
 * (`?page=2`) asks nothing, and code is in no natural language.
 */

/** Fenced blocks (``` or ~~~, closed or running to the end), inline code, and URLs, each as a space. */
export function proseOf(answer: string): string {
  return answer
    .replace(/^[ \t]*(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^[ \t]*\1[ \t]*$|(?![\s\S]))/gm, " ")
    .replace(/`[^`\n]+`/g, " ")
    .replace(/\b(?:https?|ftp):\/\/[^\s<>)\]]+/gi, " ")
    .replace(/\bwww\.[^\s<>)\]]+/gi, " ");
}

/**
 * Sentences ending in a question mark (ASCII, full-width or Arabic): `?`, `??` and `?!` close one
 * sentence; a mark must end the sentence (followed by a space, the end, or closing punctuation),
 * so `what?ever` and a leftover `a?b` are not questions.
 */
export function countQuestions(answer: string): number {
  const matches = proseOf(answer).match(/[?？؟]+[!！]*(?=[\s"'”’»)\]*_~]*(?:\s|$))/gu);
  return matches?.length ?? 0;
}
