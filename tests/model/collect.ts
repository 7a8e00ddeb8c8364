import type { ChatPart, FinishReason, TokenUsage } from "../../src/model/chat-model.js";
import { ModelError } from "../../src/model/chat-model.js";

export interface Collected {
  parts: ChatPart[];
  /** The text deltas joined. */
  text: string;
  finish: { reason: FinishReason; usage: TokenUsage } | undefined;
  /** What the stream threw, if it threw. */
  error: unknown;
}

/** Drains a stream, keeping what it yielded before it failed (a failure is returned, not thrown). */
export async function collect(stream: AsyncIterable<ChatPart>): Promise<Collected> {
  const parts: ChatPart[] = [];
  let error: unknown;
  try {
    for await (const part of stream) parts.push(part);
  } catch (thrown) {
    error = thrown;
  }
  let text = "";
  let finish: Collected["finish"];
  for (const part of parts) {
    if (part.type === "text-delta") text += part.text;
    else finish = { reason: part.reason, usage: part.usage };
  }
  return { parts, text, finish, error };
}

export const hello = { messages: [{ role: "user" as const, content: "hello" }] };

/** The ModelError code of a thrown value, or a description of what else it was. */
export function codeOf(error: unknown): string {
  if (error instanceof ModelError) return error.code;
  return error === undefined ? "no error" : `not a ModelError: ${String(error)}`;
}

/** A loopback port nothing listens on: a server started then closed. */
export async function closedPort(
  start: () => Promise<{ port: number; close(): Promise<void> }>,
): Promise<number> {
  const server = await start();
  await server.close();
  return server.port;
}
