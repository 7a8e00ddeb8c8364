/**
 * Imports point one way (docs/architecture.md): platforms and providers → core contracts, never back;
 * src/lib is the leaf everything may use; core never imports a connector, a provider, a concrete
 * store, an SDK, node:fs or process.env; no platform imports another.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return [
    // `import … from "x"`, a bare side-effect `import "x"`, and a dynamic `import("x")`.
    ...text.matchAll(
      /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"|(?:^|\n)\s*import\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g,
    ),
  ].map((match) => match[1] ?? match[2] ?? match[3] ?? "");
}

/** Resolves a relative import to a repo path (`src/model/chat-model.ts`); packages stay as named. */
function target(file: string, specifier: string): string {
  if (!specifier.startsWith(".")) return specifier;
  return relative(root, join(root, file, "..", specifier)).replace(/\.js$/, ".ts");
}

function violations(dir: string, allowed: (target: string) => boolean): string[] {
  return sourceFiles(dir).flatMap((file) =>
    importsOf(file)
      .map((specifier) => target(file, specifier))
      .filter((resolved) => !allowed(resolved))
      .map((resolved) => `${file} imports ${resolved}`),
  );
}

const CORE_CONTRACTS = new Set(["src/model/chat-model.ts", "src/store/conversation-store.ts"]);
const PLATFORMS = ["console", "discord", "slack"];

/** Anything outside the project (a package, a node: module) is always allowed by these rules. */
const external = (resolved: string) => !resolved.startsWith("src/") && !resolved.startsWith("commands/");
const under =
  (...folders: string[]) =>
  (resolved: string) =>
    folders.some((folder) => resolved.startsWith(folder));

describe("architecture", () => {
  it("finds the sources it checks (a renamed folder must not turn this test into a no-op)", () => {
    expect(sourceFiles("src/core").length).toBeGreaterThan(10);
    expect(sourceFiles("src/lib").length).toBeGreaterThanOrEqual(3);
    for (const platform of PLATFORMS)
      expect(sourceFiles(`src/connectors/${platform}`).length).toBeGreaterThan(2);
    expect(importsOf("src/core/bot.ts")).toContain("../lib/arrival-order.js");
  });

  it("the leaf folder src/lib imports nothing of the project", () => {
    expect(
      violations("src/lib", (resolved) => external(resolved) || resolved.startsWith("src/lib/")),
    ).toEqual([]);
  });

  it("core imports only core, lib, the model and store contracts, zod and node:events", () => {
    const allowed = (resolved: string) =>
      under("src/core/", "src/lib/")(resolved) ||
      CORE_CONTRACTS.has(resolved) ||
      ["zod", "node:events"].includes(resolved);
    expect(violations("src/core", allowed)).toEqual([]);
  });

  it("core never reads the environment or the file system", () => {
    const offenders = sourceFiles("src/core").filter((file) =>
      /process\.env|from\s+"(node:)?fs(\/promises)?"/.test(readFileSync(join(root, file), "utf8")),
    );
    expect(offenders).toEqual([]);
  });

  it("commands see core and lib only, never a platform, a provider or a store", () => {
    expect(
      violations(
        "commands",
        (resolved) => external(resolved) || under("src/core/", "src/lib/", "commands/")(resolved),
      ),
    ).toEqual([]);
  });

  it("model providers and stores import only their own folder and lib: never core, connectors or each other", () => {
    expect(
      violations("src/model", (resolved) => external(resolved) || under("src/model/", "src/lib/")(resolved)),
    ).toEqual([]);
    expect(
      violations("src/store", (resolved) => external(resolved) || under("src/store/", "src/lib/")(resolved)),
    ).toEqual([]);
  });

  it("persona files are read by src/personas alone, which sees core's types and lib", () => {
    expect(
      violations(
        "src/personas",
        (resolved) => external(resolved) || under("src/personas/", "src/core/", "src/lib/")(resolved),
      ),
    ).toEqual([]);
  });

  it("evals see core, lib, the persona files and the two contracts: never a provider, a store, a platform or app", () => {
    expect(sourceFiles("src/evals").length).toBeGreaterThan(5);
    const allowed = (resolved: string) =>
      external(resolved) ||
      under("src/evals/", "src/core/", "src/lib/", "src/personas/")(resolved) ||
      CORE_CONTRACTS.has(resolved);
    expect(violations("src/evals", allowed)).toEqual([]);
  });

  it("the knowledge index sees core's types, lib, the embedder contract and itself: never a provider", () => {
    expect(sourceFiles("src/knowledge").length).toBeGreaterThanOrEqual(5);
    expect(
      violations(
        "src/knowledge",
        (resolved) =>
          external(resolved) ||
          under("src/knowledge/", "src/core/", "src/lib/")(resolved) ||
          resolved === "src/model/embedder.ts",
      ),
    ).toEqual([]);
  });

  it("feedback sees core, lib and the two contracts: never a provider, a concrete store, a platform or app", () => {
    expect(sourceFiles("src/feedback").length).toBeGreaterThan(3);
    const allowed = (resolved: string) =>
      external(resolved) ||
      under("src/feedback/", "src/core/", "src/lib/")(resolved) ||
      CORE_CONTRACTS.has(resolved);
    expect(violations("src/feedback", allowed)).toEqual([]);
  });

  it("connectors reach the model and the store only through core", () => {
    const allowed = (resolved: string) =>
      external(resolved) || under("src/core/", "src/lib/", "src/connectors/")(resolved);
    expect(violations("src/connectors", allowed)).toEqual([]);
  });

  it("no platform imports another platform: each sees only itself and connectors/shared", () => {
    for (const platform of PLATFORMS) {
      const others = PLATFORMS.filter((other) => other !== platform).map(
        (other) => `src/connectors/${other}/`,
      );
      expect(violations(`src/connectors/${platform}`, (resolved) => !under(...others)(resolved))).toEqual([]);
    }
    expect(
      violations(
        "src/connectors/shared",
        (resolved) => !PLATFORMS.some((p) => resolved.startsWith(`src/connectors/${p}/`)),
      ),
    ).toEqual([]);
  });

  it("only config.ts reads process.env", () => {
    const offenders = ["src", "commands"]
      .flatMap(sourceFiles)
      .filter(
        (file) => file !== "src/config.ts" && readFileSync(join(root, file), "utf8").includes("process.env"),
      );
    expect(offenders).toEqual([]);
  });
});
