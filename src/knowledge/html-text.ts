/**
 * HTML → Markdown-like text for the chunker: headings become `#` lines (so passages keep their
 * section), block elements become paragraph breaks, scripts, styles and tags go, the common
 * entities are decoded. Deliberately small and built in: documentation pages need no more than
 * this to be searched; a full converter (html-to-text, node-html-parser) can replace this one
 * function without touching anything else.
 */
const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  mdash: "—",
  ndash: "–",
  hellip: "…",
  rsquo: "’",
  lsquo: "‘",
  rdquo: "”",
  ldquo: "“",
};

export function htmlToMarkdown(html: string): string {
  return decodeEntities(
    html
      .replace(/<!--[\s\S]*?-->/g, "")
      .replace(/<(script|style|noscript|template|head)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, "")
      .replace(
        /<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1\s*>/gi,
        (_match, level: string, inner: string) =>
          `\n\n${"#".repeat(Number(level))} ${inner
            .replace(/<[^>]*>/g, "")
            .replace(/\s+/g, " ")
            .trim()}\n\n`,
      )
      .replace(/<li\b[^>]*>/gi, "\n- ")
      .replace(/<br\s*\/?>/gi, "\n")
      .replace(
        /<\/?(p|div|section|article|main|ul|ol|table|tr|pre|blockquote|header|footer|nav|dl|dt|dd)\b[^>]*>/gi,
        "\n\n",
      )
      .replace(/<[^>]*>/g, ""),
  )
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (match, name: string) => {
    if (name[0] === "#") {
      const code =
        name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
    }
    return ENTITIES[name.toLowerCase()] ?? match;
  });
}
