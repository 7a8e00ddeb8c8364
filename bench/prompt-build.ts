/**
 * Time to build a prompt from a 500-turn history, the hot path of every answer. The first builds
 * (the JIT compiling the code) are not timed: a running bot builds prompts with warm code.
 */
import { buildPrompt } from "../src/core/prompt.js";
import type { Turn } from "../src/store/conversation-store.js";
import { type Summary, summarize } from "./stats.js";

const WARM_UP_RUNS = 100;

export function benchPromptBuild(runs = 2_000): Summary {
  const history: Turn[] = Array.from({ length: 500 }, (_, index) => ({
    role: index % 2 === 0 ? "user" : "assistant",
    content: `Turn ${index}: ${"a reasonably long chat message with some words in it ".repeat(6)}`,
    author: index % 2 === 0 ? { id: "u1", name: "Ada" } : undefined,
    at: index,
  }));
  const persona = {
    name: "tutor",
    displayName: "Tutor",
    description: "bench",
    systemPrompt: "You are a patient tutor. ".repeat(80),
    examples: [{ user: "What is 2+2?", assistant: "What do you get counting on from 2?" }],
    postHistory: "Stay Socratic.",
    tags: [],
    source: "bench",
  };
  const build = () =>
    buildPrompt({
      persona,
      history,
      message: "next question",
      contextTokens: 32_768,
      replyTokens: 1024,
      labelSpeakers: true,
    });
  for (let run = 0; run < WARM_UP_RUNS; run++) build();
  const timings: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    build();
    timings.push(performance.now() - started);
  }
  return summarize(timings);
}
