import { describe, expect, it } from "vitest";
import { LORE_MAX_RECURSION_PASSES, selectLore } from "../../src/core/lore.js";
import type { LoreBook, LoreEntry } from "../../src/core/persona.js";
import { estimateTokens } from "../../src/core/tokens.js";

function entry(overrides: Partial<LoreEntry> & Pick<LoreEntry, "content">): LoreEntry {
  return {
    keys: [],
    secondaryKeys: [],
    selective: false,
    constant: false,
    enabled: true,
    insertionOrder: 0,
    priority: 0,
    caseSensitive: false,
    wholeWords: true,
    useRegex: false,
    position: "after_char",
    ...overrides,
  };
}

function book(entries: LoreEntry[], overrides: Partial<LoreBook> = {}): LoreBook {
  return { scanDepth: 4, tokenBudget: 512, recursiveScanning: false, entries, ...overrides };
}

function fired(lore: LoreBook, ...messages: string[]): string[] {
  return selectLore(lore, messages).fired;
}

describe("lorebook keys", () => {
  const dragons = book([entry({ name: "dragons", keys: ["dragon"], content: "Dragons sleep on gold." })]);

  it("fires when a key appears in the new message, and adds its content", () => {
    const selection = selectLore(dragons, ["tell me about the dragon"]);
    expect(selection.fired).toEqual(["dragons"]);
    expect(selection.after).toBe("Dragons sleep on gold.");
    expect(selection.before).toBe("");
    expect(selection.tokens).toBe(estimateTokens("Dragons sleep on gold."));
  });

  it("does not fire without a key", () => {
    const selection = selectLore(dragons, ["tell me about the keep"]);
    expect(selection.fired).toEqual([]);
    expect(selection.after).toBe("");
    expect(selection.tokens).toBe(0);
  });

  it("is case-insensitive by default and case-sensitive when the entry says so", () => {
    expect(fired(dragons, "A DRAGON!")).toEqual(["dragons"]);
    const exact = book([entry({ name: "Rome", keys: ["Rome"], caseSensitive: true, content: "The city." })]);
    expect(fired(exact, "rome wasn't built in a day")).toEqual([]);
    expect(fired(exact, "Rome wasn't built in a day")).toEqual(["Rome"]);
  });

  it("matches whole words by default: cat is not category", () => {
    const cats = book([entry({ name: "cats", keys: ["cat"], content: "Cats purr." })]);
    expect(fired(cats, "which category is this")).toEqual([]);
    expect(fired(cats, "concatenate")).toEqual([]);
    expect(fired(cats, "my cat, Tom")).toEqual(["cats"]);
    expect(fired(cats, "cat")).toEqual(["cats"]);
    expect(fired(cats, "(cat)")).toEqual(["cats"]);
  });

  it("matches inside words when whole_words is false", () => {
    const cats = book([entry({ name: "cats", keys: ["cat"], wholeWords: false, content: "Cats purr." })]);
    expect(fired(cats, "which category is this")).toEqual(["cats"]);
  });

  it("finds whole words in non-Latin scripts and with accents", () => {
    const lore = book([
      entry({ name: "кот", keys: ["кот"], content: "Russian cat." }),
      entry({ name: "café", keys: ["café"], content: "Coffee." }),
      entry({ name: "Ödön", keys: ["ödön"], content: "A name." }),
    ]);
    expect(fired(lore, "котёнок спит")).toEqual([]);
    expect(fired(lore, "мой кот спит")).toEqual(["кот"]);
    expect(fired(lore, "cafés are open")).toEqual([]);
    expect(fired(lore, "the café, then")).toEqual(["café"]);
    expect(fired(lore, "ÖDÖN said")).toEqual(["Ödön"]);
    // "é" written as e + a combining accent is still part of the word.
    expect(fired(lore, "the cafe\u0301 then")).toEqual([]);
  });

  it("keeps keys that start or end with punctuation usable as whole words", () => {
    const lore = book([entry({ name: "c++", keys: ["C++"], content: "A language." })]);
    expect(fired(lore, "I write C++ daily")).toEqual(["c++"]);
    expect(fired(lore, "I write C++")).toEqual(["c++"]);
  });

  it("treats regex characters in a plain key literally", () => {
    const lore = book([entry({ name: "dots", keys: ["a.b"], content: "x" })]);
    expect(fired(lore, "axb")).toEqual([]);
    expect(fired(lore, "see a.b here")).toEqual(["dots"]);
  });

  it("labels an entry by its name, else its id, else its first key", () => {
    const lore = book([
      entry({ keys: ["alpha"], content: "a" }),
      entry({ id: 7, keys: ["beta"], content: "b" }),
      entry({ name: "gamma-entry", keys: ["gamma"], content: "g" }),
    ]);
    expect(fired(lore, "alpha beta gamma")).toEqual(["alpha", "7", "gamma-entry"]);
  });
});

describe("lorebook regex keys", () => {
  it("reads /pattern/flags keys as regexes", () => {
    const lore = book([
      entry({ name: "ring", keys: ["/rings? of (power|fire)/i"], useRegex: true, content: "x" }),
    ]);
    expect(fired(lore, "The RING OF FIRE")).toEqual(["ring"]);
    expect(fired(lore, "a ring of iron")).toEqual([]);
  });

  it("uses the key's own flags: without i it is case-sensitive", () => {
    const lore = book([entry({ name: "ring", keys: ["/Ring/"], useRegex: true, content: "x" })]);
    expect(fired(lore, "ring")).toEqual([]);
    expect(fired(lore, "Ring")).toEqual(["ring"]);
  });

  it("reads a bare pattern with the entry's case setting, and g/y flags do not make it stateful", () => {
    const bare = book([entry({ name: "num", keys: ["tower\\s+\\d+"], useRegex: true, content: "x" })]);
    expect(fired(bare, "TOWER 12")).toEqual(["num"]);
    const global = book([entry({ name: "g", keys: ["/keep/g"], useRegex: true, content: "x" })]);
    expect(fired(global, "the keep")).toEqual(["g"]);
    expect(fired(global, "the keep")).toEqual(["g"]);
  });

  it("skips a bad regex without throwing, reports it once, and still uses the entry's other keys", () => {
    const lore = book([
      entry({ name: "broken", keys: ["/(unclosed-lore-test/", "castle"], useRegex: true, content: "x" }),
    ]);
    const first = selectLore(lore, ["the (unclosed-lore-test"]);
    expect(first.fired).toEqual([]);
    expect(first.problems).toHaveLength(1);
    expect(first.problems[0]).toMatchObject({ entry: "broken", key: "/(unclosed-lore-test/" });
    const second = selectLore(lore, ["a castle"]);
    expect(second.fired).toEqual(["broken"]);
    expect(second.problems).toEqual([]);
  });
});

describe("lorebook entry kinds", () => {
  it("always adds constant entries and never disabled ones", () => {
    const lore = book([
      entry({ name: "always", constant: true, content: "The world is flat." }),
      entry({ name: "off", keys: ["dragon"], enabled: false, content: "Never." }),
      entry({ name: "off-constant", constant: true, enabled: false, content: "Never either." }),
    ]);
    const selection = selectLore(lore, ["a dragon"]);
    expect(selection.fired).toEqual(["always"]);
    expect(selection.after).toBe("The world is flat.");
  });

  it("a selective entry needs one secondary key too", () => {
    const lore = book([
      entry({ name: "sel", keys: ["sword"], secondaryKeys: ["fire", "ice"], selective: true, content: "x" }),
    ]);
    expect(fired(lore, "a sword")).toEqual([]);
    expect(fired(lore, "a sword of ice")).toEqual(["sel"]);
    expect(fired(lore, "ice alone")).toEqual([]);
  });

  it("ignores secondary keys when the entry is not selective, and a selective entry without any fires on keys", () => {
    const lore = book([
      entry({ name: "plain", keys: ["sword"], secondaryKeys: ["fire"], content: "x" }),
      entry({ name: "sel-empty", keys: ["shield"], selective: true, content: "y" }),
    ]);
    expect(fired(lore, "a sword and a shield")).toEqual(["plain", "sel-empty"]);
  });
});

describe("lorebook scan depth", () => {
  const lore = book([entry({ name: "dragons", keys: ["dragon"], content: "x" })], { scanDepth: 2 });

  it("reads the last scan_depth messages, the new one included", () => {
    expect(fired(lore, "dragon", "hello", "hi")).toEqual([]);
    expect(fired(lore, "dragon", "hello")).toEqual(["dragons"]);
    expect(fired(lore, "old", "a dragon", "new")).toEqual(["dragons"]);
  });

  it("does not match a key across two messages", () => {
    const twoWords = book([entry({ name: "rk", keys: ["red keep"], content: "x" })]);
    expect(fired(twoWords, "the red", "keep")).toEqual([]);
  });
});

describe("lorebook budget and order", () => {
  it("places entries by insertion order, before or after the persona's prompt", () => {
    const lore = book([
      entry({ name: "late", keys: ["k"], insertionOrder: 20, content: "LATE" }),
      entry({ name: "early", keys: ["k"], insertionOrder: 10, content: "EARLY" }),
      entry({ name: "first", keys: ["k"], insertionOrder: 5, position: "before_char", content: "FIRST" }),
    ]);
    const selection = selectLore(lore, ["k"]);
    expect(selection.before).toBe("FIRST");
    expect(selection.after).toBe("EARLY\n\nLATE");
    expect(selection.fired).toEqual(["first", "early", "late"]);
  });

  it("keeps the higher priority when over the budget, a smaller entry still fitting after a skip", () => {
    const big = "b".repeat(320);
    const lore = book(
      [
        entry({ name: "low", keys: ["k"], priority: 1, insertionOrder: 1, content: "l".repeat(300) }),
        entry({ name: "high", keys: ["k"], priority: 10, insertionOrder: 3, content: big }),
        entry({ name: "tiny", keys: ["k"], priority: 0, insertionOrder: 2, content: "tiny" }),
      ],
      { tokenBudget: estimateTokens(`${big}\n\n`) + estimateTokens("tiny\n\n") },
    );
    const selection = selectLore(lore, ["k"]);
    expect(selection.fired).toEqual(["tiny", "high"]);
    expect(selection.overBudget).toEqual(["low"]);
    expect(selection.tokens).toBeLessThanOrEqual(lore.tokenBudget);
  });

  it("applies the budget to constant entries as well", () => {
    const lore = book([entry({ name: "huge", constant: true, content: "x".repeat(10_000) })], {
      tokenBudget: 100,
    });
    expect(selectLore(lore, ["hi"]).fired).toEqual([]);
  });
});

describe("lorebook recursion", () => {
  const chain = (recursive: boolean) =>
    book(
      [
        entry({ name: "keep", keys: ["keep"], content: "The keep is guarded by the dragon." }),
        entry({ name: "dragon", keys: ["dragon"], content: "The dragon hoards the crown." }),
        entry({ name: "crown", keys: ["crown"], content: "The crown is cursed." }),
      ],
      { recursiveScanning: recursive },
    );

  it("without recursive_scanning, only the messages are scanned", () => {
    expect(fired(chain(false), "go to the keep")).toEqual(["keep"]);
  });

  it("with recursive_scanning, fired content triggers further entries", () => {
    expect(fired(chain(true), "go to the keep")).toEqual(["keep", "dragon", "crown"]);
  });

  it("a constant entry's content can trigger others when recursive", () => {
    const lore = book(
      [
        entry({ name: "world", constant: true, content: "Everyone fears the dragon." }),
        entry({ name: "dragon", keys: ["dragon"], content: "It breathes fire." }),
      ],
      { recursiveScanning: true },
    );
    expect(fired(lore, "hello")).toEqual(["world", "dragon"]);
  });

  it("stops after a bounded number of passes on a long chain, and ends on a ring", () => {
    const length = LORE_MAX_RECURSION_PASSES + 4;
    const links = Array.from({ length }, (_, index) =>
      entry({ name: `n${index}`, keys: [`w${index}`], insertionOrder: index, content: `w${index + 1}` }),
    );
    expect(fired(book(links, { recursiveScanning: true }), "w0")).toHaveLength(LORE_MAX_RECURSION_PASSES + 1);
    const ring = book(
      [entry({ name: "a", keys: ["a"], content: "b" }), entry({ name: "b", keys: ["b"], content: "a" })],
      { recursiveScanning: true },
    );
    expect(fired(ring, "a")).toEqual(["a", "b"]);
  });
});

describe("no lorebook", () => {
  it("selects nothing", () => {
    expect(selectLore(undefined, ["dragon"])).toMatchObject({ before: "", after: "", fired: [], tokens: 0 });
  });
});
