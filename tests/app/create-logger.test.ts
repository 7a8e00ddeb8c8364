/** The log level: LOG_LEVEL when set, else quiet on the terminal chat's screen and info elsewhere. */
import { expect, it } from "vitest";
import { chooseLogLevel } from "../../src/app/create-logger.js";

it("takes LOG_LEVEL when set, else warn for the interactive terminal chat and info otherwise", () => {
  expect(chooseLogLevel("debug", true)).toBe("debug");
  expect(chooseLogLevel("error", false)).toBe("error");
  expect(chooseLogLevel(undefined, true)).toBe("warn");
  expect(chooseLogLevel(undefined, false)).toBe("info");
});
