/**
 * The persona file's front matter: every field, its type and limits. `.strict()` so a typo
 * (`temprature`) is an error that names the field.
 */
import { z } from "zod";
import { COMPILE_HASH_PATTERN } from "./compile-hash.js";
import { evalCasesSchema } from "./evals-schema.js";
import { loreFieldSchema } from "./lore-schema.js";

export const PERSONA_NAME_PATTERN = /^[a-z0-9-]{1,32}$/;

const exampleSchema = z
  .object({
    user: z.string().min(1, "must not be empty"),
    assistant: z.string().min(1, "must not be empty"),
  })
  .strict();

export const personaFrontMatterSchema = z
  .object({
    name: z
      .string()
      .regex(PERSONA_NAME_PATTERN, "must be 1-32 characters of a-z, 0-9 and '-' (e.g. 'tutor')")
      .optional(),
    display_name: z.string().min(1).max(80).optional(),
    description: z.string().min(1).max(100, "must be at most 100 characters (Discord's limit)").optional(),
    avatar: z.string().min(1).optional(),
    emoji: z.string().min(1).max(16).optional(),
    greeting: z.string().min(1).optional(),
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().gt(0).max(1).optional(),
    max_tokens: z.number().int().positive().optional(),
    stop: z.array(z.string().min(1)).max(8).optional(),
    examples: z.array(exampleSchema).optional(),
    post_history: z.string().min(1).optional(),
    tags: z.array(z.string().min(1)).optional(),
    model: z.string().min(1).optional(),
    /** A LoRA adapter (GGUF file), relative to the persona file. */
    adapter: z.string().min(1).optional(),
    /** Written by `npm run persona -- compile`: what was compiled into `model`. */
    compiled: z
      .string()
      .regex(COMPILE_HASH_PATTERN, "must be the sha256:… that `npm run persona -- compile` writes")
      .optional(),
    lore: loreFieldSchema.optional(),
    knowledge: z.array(z.string().trim().min(1, "must not be empty")).min(1).max(64).optional(),
    extensions: z.record(z.string(), z.unknown()).optional(),
    evals: evalCasesSchema.optional(),
  })
  .strict();

export type PersonaFrontMatter = z.infer<typeof personaFrontMatterSchema>;
