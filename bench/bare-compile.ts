/**
 * The bare bots as a user runs such a bot: plain `node` on JavaScript. Their TypeScript is
 * transpiled (types dropped, nothing checked: `npm run typecheck` checks them) into dist/bench/,
 * where Node resolves their packages from the repository's node_modules as the sources would.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { repoRoot } from "../tests/helpers/run-troupe.js";

export type BareBot = "bare-discord-bot" | "bare-bolt-app";

/** Writes dist/bench/<bot>.js from bench/<bot>.ts and returns its path. */
export function compileBareBot(bot: BareBot): string {
  const source = readFileSync(join(repoRoot, "bench", `${bot}.ts`), "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const dir = join(repoRoot, "dist", "bench");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${bot}.js`);
  writeFileSync(file, outputText);
  return file;
}
