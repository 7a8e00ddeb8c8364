/**
 * Imports point one way (DESIGN.md): connectors and providers → core contracts, never back; core
 * never imports a connector, a provider, a concrete store, an SDK, node:fs or process.env.
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
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g),
  ].map((match) => match[1] ?? match[2] ?? "");
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

describe("architecture", () => {
  it("finds the sources it checks (a renamed folder must not turn this test into a no-op)", () => {
    expect(sourceFiles("src/core").length).toBeGreaterThan(10);
    expect(importsOf("src/core/bot.ts")).toContain("./conversation-queue.js");
  });

  it("core imports only core, the model and store contracts, zod, yaml and node:events", () => {
    const allowed = (resolved: string) =>
      resolved.startsWith("src/core/") ||
      CORE_CONTRACTS.has(resolved) ||
      ["zod", "yaml", "node:events"].includes(resolved);
    expect(violations("src/core", allowed)).toEqual([]);
  });

  it("core never reads the environment or the file system", () => {
    const offenders = sourceFiles("src/core").filter((file) =>
      /process\.env|from\s+"(node:)?fs(\/promises)?"/.test(readFileSync(join(root, file), "utf8")),
    );
    expect(offenders).toEqual([]);
  });

  it("commands see core only, never a platform, a provider or a store", () => {
    expect(
      violations(
        "commands",
        (resolved) => resolved.startsWith("src/core/") || resolved.startsWith("commands/"),
      ),
    ).toEqual([]);
  });

  it("model providers and stores never import core, connectors or each other's folders", () => {
    const inside = (folder: string) => (resolved: string) =>
      !resolved.startsWith("src/") || resolved.startsWith(folder) || resolved === "src/core/logger.ts";
    expect(violations("src/model", inside("src/model/"))).toEqual([]);
    expect(violations("src/store", inside("src/store/"))).toEqual([]);
  });

  it("connectors reach the model and the store only through core", () => {
    const allowed = (resolved: string) =>
      !resolved.startsWith("src/") ||
      resolved.startsWith("src/core/") ||
      resolved.startsWith("src/connectors/");
    expect(violations("src/connectors", allowed)).toEqual([]);
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
