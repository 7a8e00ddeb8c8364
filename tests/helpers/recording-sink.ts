/** A ReplySink that records what a user would see, for core and command tests. */
import type { PostOptions, ReplySink, StreamReplyOptions, StreamResult } from "../../src/core/reply-sink.js";

export interface RecordedReply {
  kind: "post" | "stream";
  text: string;
  options?: PostOptions;
  persona?: string;
  interrupted?: boolean;
}

export interface RecordingSink extends ReplySink {
  readonly replies: RecordedReply[];
  /** Everything shown, in order, joined by newlines. */
  transcript(): string;
}

export function createRecordingSink(): RecordingSink {
  const replies: RecordedReply[] = [];
  return {
    replies,
    transcript: () => replies.map((reply) => reply.text).join("\n"),
    async post(text, options) {
      replies.push({ kind: "post", text, options });
    },
    async stream(deltas, options: StreamReplyOptions): Promise<StreamResult> {
      let text = "";
      try {
        for await (const delta of deltas) text += delta;
        replies.push({ kind: "stream", text, persona: options.persona.name });
        return { text };
      } catch (error) {
        const shown = text.length > 0 ? `${text} ${options.interruptedNote}` : "";
        replies.push({ kind: "stream", text: shown, persona: options.persona.name, interrupted: true });
        return { text, error };
      }
    },
  };
}
