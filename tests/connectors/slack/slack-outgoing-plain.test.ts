/**
 * The plain-line shortcut in markdownToMrkdwn must give exactly what the converter gives: it is
 * checked against slackify-markdown (plus the same escaping) on many seeded random strings built
 * from the characters the shortcut accepts and from the ones that would make it wrong (list
 * markers, autolinks, emphasis, doubled and trailing spaces, line breaks).
 */
import slackify from "slackify-markdown";
import { describe, expect, it } from "vitest";
import {
  escapeMrkdwn,
  markdownToMrkdwn,
  plainLineMrkdwn,
} from "../../../src/connectors/slack/slack-outgoing-text.js";

/** What the shortcut takes… */
const PLAIN_PIECES = [
  "a",
  "B",
  "é",
  "ж",
  "z",
  "1",
  "9",
  " ",
  " ",
  " ",
  ",",
  ".",
  "?",
  "!",
  "'",
  '"',
  ";",
  ":",
  "-",
];
/** …and what must send a text to the converter. */
const MARKDOWN_PIECES = [
  "www.",
  "http:",
  "https:",
  "mailto:",
  "x@y",
  "_",
  "*",
  "\n",
  "#",
  "1.",
  "2)",
  "+",
  "~",
  "`",
];

/** A small seeded generator: the same strings on every run. */
function randomTexts(count: number, seed: number): string[] {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  return Array.from({ length: count }, () => {
    let text = "";
    for (let length = 1 + Math.floor(next() * 16); length > 0; length--) {
      const pieces = next() < 0.9 ? PLAIN_PIECES : MARKDOWN_PIECES;
      text += pieces[Math.floor(next() * pieces.length)];
    }
    return text;
  });
}

const converted = (markdown: string) => escapeMrkdwn(slackify(markdown).replace(/\n+$/, ""));

describe("markdownToMrkdwn: the plain-line shortcut", () => {
  it("gives what the converter gives, on every string it takes", () => {
    const texts = randomTexts(30_000, 7);
    const plain = texts.filter((text) => plainLineMrkdwn(text) !== undefined);
    // The generator must exercise the shortcut, and also strings it refuses.
    expect(plain.length).toBeGreaterThan(1_000);
    expect(plain.length).toBeLessThan(texts.length);
    for (const text of plain) expect([text, markdownToMrkdwn(text)]).toEqual([text, converted(text)]);
  });

  it.each([
    ["Hello there, how are you?", "Hello there, how are you?"],
    ["echo: Ada: hello ", "echo: Ada: hello"],
  ])("takes %j", (text, expected) => {
    expect(plainLineMrkdwn(text)).toBe(expected);
  });

  it.each(["1. first", "- item", "see www.example.com", "a  b", "two\nlines", "*bold*", "x@y.com"])(
    "leaves %j to the converter",
    (text) => {
      expect(plainLineMrkdwn(text)).toBeUndefined();
    },
  );
});
