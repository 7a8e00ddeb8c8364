/**
 * Sorting names without `localeCompare`: its first call builds ICU's collator, 40–80 ms on the
 * 2-core bench machine, all of it on troupe's start-up path (persona files are sorted while they
 * load). Persona names are a-z, 0-9 and '-', where code-unit order is the collator's order; file
 * names are compared case-folded first, so `Tutor.md` still sorts beside `tutor-2.md`.
 */
export function compareText(left: string, right: string): number {
  const foldedLeft = left.toLowerCase();
  const foldedRight = right.toLowerCase();
  if (foldedLeft !== foldedRight) return foldedLeft < foldedRight ? -1 : 1;
  return left < right ? -1 : left > right ? 1 : 0;
}
