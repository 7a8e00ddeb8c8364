/** What an entry point prints when start-up fails: the fix for a FatalError, the stack for a bug. */
import { describe, expect, it } from "vitest";
import { FatalError, fatalText } from "../../src/app/fatal.js";

describe("fatalText", () => {
  it("prints a FatalError's message alone after the program's name", () => {
    const error = new FatalError("DEFAULT_PERSONA=wizard is not a persona in ./personas. Available: tutor.");
    expect(fatalText("troupe", error)).toBe(
      "troupe: DEFAULT_PERSONA=wizard is not a persona in ./personas. Available: tutor.\n",
    );
  });

  it("prints anything else as an unexpected failure with its stack, for the bug report", () => {
    const bug = new TypeError("cannot read properties of undefined");
    const text = fatalText("deploy:discord", bug);
    expect(text.startsWith("deploy:discord: unexpected failure: TypeError: cannot read properties")).toBe(
      true,
    );
    expect(text).toContain(bug.stack);
    expect(fatalText("troupe", "a thrown string")).toBe("troupe: unexpected failure: a thrown string\n");
  });

  it("keeps the cause for the log", () => {
    const cause = new Error("ECONNREFUSED");
    expect(new FatalError("cannot reach the store", { cause }).cause).toBe(cause);
  });
});
