import { describe, expect, it } from "vitest";
import { heapGrowthFlag } from "../../src/app/heap-growth.js";

describe("heap growth", () => {
  it("limits V8's heap growth to twice what is alive when node was started without a choice", () => {
    expect(heapGrowthFlag([])).toBe("--heap-growing-percent=100");
    expect(heapGrowthFlag(["--enable-source-maps", "--max-old-space-size=512"])).toBe(
      "--heap-growing-percent=100",
    );
  });

  it("leaves a growing percent given on node's command line as it is, in either spelling", () => {
    expect(heapGrowthFlag(["--heap-growing-percent=30"])).toBeUndefined();
    expect(heapGrowthFlag(["--heap_growing_percent=300"])).toBeUndefined();
  });
});
