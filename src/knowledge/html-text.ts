/**
 * HTML → Markdown-like text for the chunker, through html-to-text (a real HTML parser, so entities,
 * comments, nesting and broken markup are its problem, not ours). Headings become `#` lines at
 * their level, so the chunker splits there and each passage keeps its heading path; lists keep
 * `- ` items and tables stay readable. Scripts, styles, navigation, images and link targets are
 * left out: none of it is text a person would quote back, and it would only dilute the passages.
 * Lines are not wrapped: the chunker packs paragraphs itself.
 */
import { compile, type FormatCallback } from "html-to-text";

/** `<hN>` as a `#` line of level N in a block of its own, its text as written (not upper-cased). */
const markdownHeading: FormatCallback = (element, walk, builder, formatOptions) => {
  const level = Number(formatOptions.level ?? 1);
  builder.openBlock({ leadingLineBreaks: 2 });
  builder.addLiteral(`${"#".repeat(level)} `);
  walk(element.children, builder);
  builder.closeBlock({ trailingLineBreaks: 2 });
};

const skipped = ["script", "style", "noscript", "template", "head", "nav", "img", "svg", "iframe", "form"];

const convert = compile({
  wordwrap: false,
  formatters: { markdownHeading },
  selectors: [
    ...[1, 2, 3, 4, 5, 6].map((level) => ({
      selector: `h${level}`,
      format: "markdownHeading",
      options: { level },
    })),
    ...skipped.map((selector) => ({ selector, format: "skip" })),
    { selector: "a", options: { ignoreHref: true } },
    { selector: "ul", options: { itemPrefix: "- " } },
    { selector: "table", format: "dataTable", options: { uppercaseHeaderCells: false } },
  ],
});

export function htmlToMarkdown(html: string): string {
  return convert(html)
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
