import { describe, expect, it } from "vitest";
import { youngGenerationChosen } from "../../src/app/start-up-young-generation.js";

describe("the young generation held while troupe starts", () => {
  it("is troupe's to hold when node was started without a choice of young generation", () => {
    expect(youngGenerationChosen([])).toBe(false);
    expect(youngGenerationChosen(["--enable-source-maps", "--max-old-space-size=512"])).toBe(false);
  });

  it("is left alone when node's command line chose its size or growth, in either spelling", () => {
    expect(youngGenerationChosen(["--max-semi-space-size=8"])).toBe(true);
    expect(youngGenerationChosen(["--min_semi_space_size=2"])).toBe(true);
    expect(youngGenerationChosen(["--semi-space-growth-factor=4"])).toBe(true);
  });
});
