/**
 * A persona's eval cases: `evals:` in its front matter, or a sibling `NAME.evals.yaml` holding the
 * same list. Each case is a prompt (with an optional short history) and the checks its answer must
 * pass. The schema lives with the persona schema because the front matter is strict: the parser
 * must know the field, and a typo or a broken regex in a case is a problem in the file with its
 * line, like any other field. Running the cases is src/evals/'s job.
 *
 * Cases are loose objects checked by hand for unknown keys, so the message lists the fields a case
 * allows (the generic unknown-key message lists the top-level persona fields).
 */
import { z } from "zod";
import { suggestField } from "./persona-issue-messages.js";

/** Flags that keep a regex check stateless: `g` and `y` would make `test` depend on the last call. */
const REGEX_FLAGS = /^[imsuv]*$/;

function regexProblem(pattern: string, flags: string): string | undefined {
  if (!REGEX_FLAGS.test(flags)) return `flags "${flags}": only i, m, s, u and v are allowed`;
  try {
    new RegExp(pattern, flags);
    return undefined;
  } catch (error) {
    return `is not a valid regular expression: ${(error as Error).message}`;
  }
}

/** `regex: "^\\d"`, or `regex: { pattern: "^\\d", flags: "m" }`. */
const regexSpecSchema = z
  .union([
    z.string().min(1, "must not be empty"),
    z.object({ pattern: z.string().min(1, "must not be empty"), flags: z.string().optional() }).strict(),
  ])
  .superRefine((spec, context) => {
    const { pattern, flags } = typeof spec === "string" ? { pattern: spec, flags: "" } : spec;
    const problem = regexProblem(pattern, flags ?? "");
    if (problem !== undefined) context.addIssue({ code: "custom", message: problem });
  });

const regexFieldSchema = z.union([regexSpecSchema, z.array(regexSpecSchema).min(1)]);
const textFieldSchema = z.union([z.string().min(1, "must not be empty"), z.array(z.string().min(1)).min(1)]);

const historyTurnSchema = z
  .object({
    user: z.string().min(1, "must not be empty"),
    assistant: z.string().min(1, "must not be empty"),
  })
  .strict();

export const EVAL_LANGUAGE_PATTERN = /^(persona|[a-z]{2,3})$/;

const caseShape = {
  /** Shown in the report; default `case N`. */
  name: z.string().min(1).max(80).optional(),
  prompt: z.string().min(1, "must not be empty"),
  /** Earlier turns, oldest first, as the conversation's history. */
  history: z.array(historyTurnSchema).max(20).optional(),
  contains: textFieldSchema.optional(),
  not_contains: textFieldSchema.optional(),
  /** For contains / not_contains; default false (case-insensitive). */
  case_sensitive: z.boolean().optional(),
  regex: regexFieldSchema.optional(),
  not_regex: regexFieldSchema.optional(),
  max_chars: z.number().int().positive().optional(),
  max_words: z.number().int().positive().optional(),
  max_questions: z.number().int().min(0).optional(),
  language: z
    .string()
    .regex(EVAL_LANGUAGE_PATTERN, 'must be "persona" or an ISO 639 code such as "en" or "deu"')
    .optional(),
  rubric: z.string().min(1, "must not be empty").optional(),
};

export const EVAL_CASE_FIELDS = Object.keys(caseShape);
/** The fields that are checks: a case needs at least one. */
export const EVAL_CHECK_FIELDS = [
  "contains",
  "not_contains",
  "regex",
  "not_regex",
  "max_chars",
  "max_words",
  "max_questions",
  "language",
  "rubric",
] as const;

export const evalCaseSchema = z.looseObject(caseShape).superRefine((evalCase, context) => {
  for (const key of Object.keys(evalCase)) {
    if (EVAL_CASE_FIELDS.includes(key)) continue;
    const suggestion = suggestField(key, EVAL_CASE_FIELDS);
    const didYouMean = suggestion ? `; did you mean "${suggestion}"?` : "";
    context.addIssue({
      code: "custom",
      path: [key],
      message: `unknown eval field${didYouMean} (allowed: ${EVAL_CASE_FIELDS.join(", ")})`,
    });
  }
  if (!EVAL_CHECK_FIELDS.some((field) => evalCase[field] !== undefined)) {
    context.addIssue({
      code: "custom",
      path: ["prompt"],
      message: `the case checks nothing: add at least one of ${EVAL_CHECK_FIELDS.join(", ")}`,
    });
  }
});

export const evalCasesSchema = z.array(evalCaseSchema);

export type EvalCaseInput = z.infer<typeof evalCaseSchema>;
export type RegexSpecInput = z.infer<typeof regexSpecSchema>;
