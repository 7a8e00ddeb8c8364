/**
 * The rubric check: the same base model reads the exchange and the criterion and answers with a
 * JSON verdict `{ "pass": boolean, "reason": string }`. Models wrap JSON in prose or code fences
 * and reasoning models think first, so the verdict is the first JSON object found after the
 * thinking is stripped, validated with zod. Whatever goes wrong (no JSON, the wrong shape, a
 * model error) is a failed check with a reason, never a crash: an eval run always finishes.
 */
import { z } from "zod";
import type { Persona } from "../core/persona.js";
import { createThinkFilter } from "../core/think-filter.js";
import type { ChatMessage, ChatModel } from "../model/chat-model.js";

export interface JudgeRequest {
  persona: Persona;
  prompt: string;
  history: readonly { user: string; assistant: string }[];
  answer: string;
  rubric: string;
}

export interface Verdict {
  pass: boolean;
  reason: string;
}

export interface Judge {
  judge(request: JudgeRequest): Promise<Verdict>;
}

export const NO_VERDICT = "judge gave no verdict";

const verdictSchema = z.object({ pass: z.boolean(), reason: z.string().default("") });

/** Room for a verdict and a reasoning model's thinking before it. */
const JUDGE_MAX_TOKENS = 600;

const JUDGE_SYSTEM = [
  "You grade one reply of a chat assistant against one criterion.",
  "Judge only that criterion, strictly and literally; ignore style unless the criterion is about style.",
  'Answer with one JSON object and nothing else: {"pass": true or false, "reason": "one short sentence"}.',
].join(" ");

export function judgeMessages(request: JudgeRequest): ChatMessage[] {
  const { persona } = request;
  const earlier = request.history.flatMap((turn) => [`User: ${turn.user}`, `Assistant: ${turn.assistant}`]);
  const user = [
    `The assistant is "${persona.displayName}": ${persona.description}`,
    "",
    "Conversation so far:",
    ...earlier,
    `User: ${request.prompt}`,
    "",
    "The reply to grade:",
    "<<<",
    request.answer,
    ">>>",
    "",
    `Criterion: ${request.rubric}`,
    "",
    'Does the reply meet the criterion? Answer with the JSON object only: {"pass": …, "reason": …}',
  ].join("\n");
  return [
    { role: "system", content: JUDGE_SYSTEM },
    { role: "user", content: user },
  ];
}

/** The verdict in the judge's text, or undefined when there is none. */
export function parseVerdict(text: string): Verdict | undefined {
  const start = text.indexOf("{");
  if (start === -1) return undefined;
  // Each `}` after the first `{` ends a candidate: the shortest object that parses is the verdict.
  for (let end = text.indexOf("}", start); end !== -1; end = text.indexOf("}", end + 1)) {
    let data: unknown;
    try {
      data = JSON.parse(text.slice(start, end + 1));
    } catch {
      continue;
    }
    const verdict = verdictSchema.safeParse(data);
    return verdict.success ? verdict.data : undefined;
  }
  return undefined;
}

export function createModelJudge(model: ChatModel): Judge {
  return {
    async judge(request) {
      let text = "";
      try {
        const filter = createThinkFilter();
        // The base model itself (no persona model), as steady as it goes.
        for await (const part of model.stream({
          messages: judgeMessages(request),
          temperature: 0,
          maxTokens: JUDGE_MAX_TOKENS,
        })) {
          if (part.type === "text-delta") text += filter.push(part.text);
        }
        text += filter.flush();
      } catch (error) {
        return {
          pass: false,
          reason: `${NO_VERDICT}: the judge's model call failed: ${(error as Error).message}`,
        };
      }
      const verdict = parseVerdict(text);
      if (verdict === undefined) return { pass: false, reason: `${NO_VERDICT} (it said: ${clip(text)})` };
      return {
        pass: verdict.pass,
        reason: verdict.reason.trim() || (verdict.pass ? "meets it" : "does not meet it"),
      };
    },
  };
}

function clip(text: string): string {
  const line = text.trim().replace(/\s+/g, " ");
  if (line === "") return "nothing";
  return JSON.stringify(line.length > 120 ? `${line.slice(0, 119)}…` : line);
}
