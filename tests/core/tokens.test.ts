import { describe, expect, it } from "vitest";
import { estimateTokens, truncateToTokens, utf8Length } from "../../src/core/tokens.js";

describe("token estimates", () => {
  it("counts UTF-8 bytes like Buffer does, surrogate pairs included", () => {
    for (const text of ["hello", "héllo", "日本語", "emoji 🎭 mask", ""]) {
      expect(utf8Length(text)).toBe(Buffer.byteLength(text, "utf8"));
    }
  });

  it("over-counts English a little rather than under-counting it", () => {
    const english = "The quick brown fox jumps over the lazy dog. ".repeat(20);
    // ~4 characters a token is the usual rate for English; the estimate must not be below it.
    expect(estimateTokens(english)).toBeGreaterThanOrEqual(Math.ceil(english.length / 4));
  });

  it("truncates to a prefix within the budget without splitting a code point", () => {
    const text = "🎭".repeat(100);
    const cut = truncateToTokens(text, 10);
    expect(estimateTokens(cut)).toBeLessThanOrEqual(10);
    expect(cut.length % 2).toBe(0);
    expect(text.startsWith(cut)).toBe(true);
    expect(truncateToTokens("short", 100)).toBe("short");
  });
});
