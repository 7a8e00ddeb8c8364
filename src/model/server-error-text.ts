/**
 * Reading a server's error text, for servers that say what went wrong only in words.
 * llama.cpp: "request (N tokens) exceeds the available context size (M tokens)";
 * vLLM / OpenAI: "This model's maximum context length is N tokens"; Ollama: "input too long".
 */
import { maskUrlsIn } from "../lib/mask-url.js";

const contextOverflow = /context length|context size|context window|maximum context|context_length|too long/i;

/** Ollama's queue-full 503 reads "server busy, please try again"; others say overloaded / unavailable. */
const overloaded = /unavailable|overloaded|server busy|try again/i;

export function mentionsContextOverflow(text: string): boolean {
  return contextOverflow.test(text);
}

export function mentionsOverload(text: string): boolean {
  return overloaded.test(text);
}

/**
 * A short message from an unknown thrown value with its causes, because fetch hides the reason there:
 * `Connection error.: fetch failed: connect ECONNREFUSED 127.0.0.1:11434`. A cause whose words are
 * already in the text is not repeated, and any URL in it is masked (a library may quote the URL it
 * was given, password and all).
 */
export function describeError(error: unknown): string {
  let text = "";
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined; depth++) {
    const message = errorMessage(current);
    if (!text.includes(message)) text = text === "" ? message : `${text}: ${message}`;
    current = current instanceof Error ? current.cause : undefined;
  }
  return maskUrlsIn(text);
}

/** An AggregateError (a refused dual-stack connect) has no message of its own: its errors say it. */
function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.message === "") {
    return error.errors.map(errorMessage).join("; ") || error.name;
  }
  return error instanceof Error ? error.message || error.name : String(error);
}
