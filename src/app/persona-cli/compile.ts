/**
 * `npm run persona -- compile NAME`: builds an Ollama model from the base (MODEL) holding the
 * persona's system prompt, examples (as messages), sampling parameters, num_ctx (CONTEXT_TOKENS) and
 * LoRA adapter, named by the persona's `model:` or `troupe-NAME`. Then it records `model:` and
 * `compiled: sha256:…` in the file's front matter, so troupe stops sending the prompt each turn
 * while the file still hashes the same (an edit makes the compile stale: the prompt is sent again,
 * on the base model, with a warning until the next compile).
 *
 * Only the file is written, and only after Ollama created the model: any failure (Ollama out of
 * reach, a base model it lacks, an unknown persona, another provider) is one line and exit 1 with
 * the file untouched.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { type Config, ConfigError } from "../../config.js";
import { sameModelName } from "../../model/model-name.js";
import { createDerivedOllamaModel, OllamaCreateError } from "../../model/ollama/ollama-create.js";
import { recordCompile } from "../../personas/record-compile.js";
import { findPersonaFile } from "./find-persona-file.js";
import type { PersonaCliIo } from "./persona-cli-io.js";

const usage = "usage: npm run persona -- compile NAME   (NAME: a persona in PERSONAS_DIR)";

export async function run(argv: readonly string[], io: PersonaCliIo): Promise<number> {
  const [name, ...extra] = argv;
  if (name === undefined || name.startsWith("-") || extra.length > 0) {
    line(io.stderr, usage);
    return 1;
  }
  let config: Config;
  try {
    config = io.config();
  } catch (error) {
    if (error instanceof ConfigError) {
      line(io.stderr, `persona compile: ${error.message}`);
      return 1;
    }
    throw error;
  }
  const provider = otherProvider(config);
  if (provider !== undefined) {
    line(
      io.stderr,
      `persona compile: builds an Ollama model, but troupe uses ${provider}; set MODEL_PROVIDER=ollama ` +
        "(with the embedded engine, an adapter: line applies a LoRA without compiling)",
    );
    return 1;
  }

  const found = await findPersonaFile(config.PERSONAS_DIR, name, { maxFileKb: config.PERSONA_MAX_KB });
  if (found.kind === "problem") {
    line(io.stderr, `persona compile: ${found.message}`);
    return 1;
  }
  const { persona, compileHash } = found.parsed;
  const target = persona.compiled?.model ?? persona.model ?? `troupe-${persona.name}`;
  if (sameModelName(target, config.MODEL)) {
    line(
      io.stderr,
      `persona compile: the persona's model: is ${target}, the base model itself (MODEL); ` +
        `remove model: from ${found.path} to compile into troupe-${persona.name}`,
    );
    return 1;
  }

  try {
    await createDerivedOllamaModel(
      config.OLLAMA_HOST,
      {
        name: target,
        from: config.MODEL,
        system: persona.systemPrompt,
        parameters: parametersOf(persona, config.CONTEXT_TOKENS),
        messages: persona.examples.flatMap((example) => [
          { role: "user" as const, content: example.user },
          { role: "assistant" as const, content: example.assistant },
        ]),
        ...(persona.adapter === undefined ? {} : { adapterPath: persona.adapter }),
      },
      io.fetch,
    );
  } catch (error) {
    if (!(error instanceof OllamaCreateError)) throw error;
    line(io.stderr, `persona compile: ${error.message}`);
    return 1;
  }

  const text = await readFile(found.path, "utf8");
  await writeAtomically(found.path, recordCompile(text, { model: target, compiled: compileHash }));
  line(
    io.stdout,
    `compiled persona "${persona.name}" into the Ollama model ${target} (from ${config.MODEL}); ` +
      `${found.path} now records it, and troupe no longer sends its prompt each turn`,
  );
  return 0;
}

/** Ollama's parameter names; only what the persona sets, plus the context troupe sizes its prompts for. */
function parametersOf(
  persona: { temperature?: number; topP?: number; stop?: string[]; maxTokens?: number },
  contextTokens: number,
): Record<string, unknown> {
  return {
    ...(persona.temperature === undefined ? {} : { temperature: persona.temperature }),
    ...(persona.topP === undefined ? {} : { top_p: persona.topP }),
    ...(persona.stop === undefined ? {} : { stop: persona.stop }),
    ...(persona.maxTokens === undefined ? {} : { num_predict: persona.maxTokens }),
    num_ctx: contextTokens,
  };
}

/** MODEL_PROVIDER names another provider, or auto would pick one (OPENAI_BASE_URL set). */
function otherProvider(config: Config): string | undefined {
  if (config.MODEL_PROVIDER === "openai" || config.MODEL_PROVIDER === "embedded")
    return `MODEL_PROVIDER=${config.MODEL_PROVIDER}`;
  if (config.MODEL_PROVIDER === "auto" && config.OPENAI_BASE_URL !== undefined)
    return "an OpenAI-compatible server (OPENAI_BASE_URL is set)";
  return undefined;
}

/** A half-written persona file would be read by the watcher: write beside it, then rename over. */
async function writeAtomically(path: string, text: string): Promise<void> {
  // A dotfile: the persona folder ignores it while it exists.
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  await writeFile(temporary, text);
  await rename(temporary, path);
}

function line(write: (text: string) => void, text: string): void {
  write(`${text}\n`);
}
