/** compareText: the order persona names and file names are listed in, without ICU's collator. */
import { expect, it } from "vitest";
import { compareText } from "../../src/lib/compare-text.js";

it("orders persona names (a-z, 0-9, '-') as localeCompare does", () => {
  const names = ["tutor", "pirate-2", "pirate", "a1", "assistant", "9lives", "pirate-10"];
  expect([...names].sort(compareText)).toEqual([...names].sort((left, right) => left.localeCompare(right)));
});

it("sorts file names case-folded first, then by case, so the order is total", () => {
  expect(["b.md", "Tutor.md", "tutor.md", "A.md"].sort(compareText)).toEqual([
    "A.md",
    "b.md",
    "Tutor.md",
    "tutor.md",
  ]);
  expect(compareText("same.md", "same.md")).toBe(0);
});
