/** The command line: --help, --version and --continue, and one line for anything else. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCliFlags, usageText } from "../../src/app/cli-flags.js";
import { FatalError } from "../../src/app/fatal.js";

const packageJson = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8"),
) as {
  version: string;
};

describe("readCliFlags", () => {
  it("runs troupe with no arguments, continuing only when asked", () => {
    expect(readCliFlags([])).toEqual({ kind: "run", continueLast: false });
    expect(readCliFlags(["--continue"])).toEqual({ kind: "run", continueLast: true });
    expect(readCliFlags(["-c"])).toEqual({ kind: "run", continueLast: true });
  });

  it("prints the usage or the version, help winning over everything", () => {
    expect(readCliFlags(["--help"])).toEqual({ kind: "print", text: usageText() });
    expect(readCliFlags(["-c", "-h"])).toEqual({ kind: "print", text: usageText() });
    expect(readCliFlags(["-hv"])).toEqual({ kind: "print", text: usageText() });
    expect(readCliFlags(["--version"])).toEqual({ kind: "print", text: `troupe ${packageJson.version}\n` });
    expect(readCliFlags(["-v"])).toEqual({ kind: "print", text: `troupe ${packageJson.version}\n` });
  });

  it("stops on anything else, naming the word as typed", () => {
    for (const [args, word] of [
      [["--contine"], "--contine"],
      [["--continue=yes"], "--continue=yes"],
      [["-x"], "-x"],
      [["hello"], "hello"],
      // After "--" every word is an argument, not an option, and troupe takes none.
      [["-c", "--", "--help"], "--help"],
    ] as const) {
      expect(() => readCliFlags(args)).toThrow(FatalError);
      expect(() => readCliFlags(args)).toThrow(`unknown argument ${JSON.stringify(word)}: \`troupe --help\``);
    }
  });
});

describe("usageText", () => {
  it("names the version, every option, the main variables and where the docs are", () => {
    const text = usageText();
    expect(text.startsWith(`troupe ${packageJson.version}: `)).toBe(true);
    for (const option of ["--continue", "--help", "--version", "npm start --silent", "npx troupe"])
      expect(text).toContain(option);
    for (const variable of ["MODEL_PROVIDER", "MODEL", "OLLAMA_HOST", "OPENAI_BASE_URL", "STORE_URL"])
      expect(text).toContain(`  ${variable} `);
    expect(text).toContain("README.md");
    // Fits a 100-column terminal.
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
  });
});
