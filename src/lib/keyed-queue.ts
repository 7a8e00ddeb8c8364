/**
 * Per-conversation ordering: messages of one conversation run strictly one after another (two that
 * arrive together never interleave and neither is lost), while different conversations run
 * concurrently. In-process only: several instances sharing Redis each order their own events.
 */
export interface ConversationQueue {
  run<T>(conversationId: string, task: () => Promise<T>): Promise<T>;
  /** Resolves once every task queued so far has settled. */
  idle(): Promise<void>;
  /** Conversations with work queued or running. */
  readonly activeConversations: number;
}

export function createConversationQueue(): ConversationQueue {
  const tails = new Map<string, Promise<unknown>>();

  return {
    run(conversationId, task) {
      const previous = tails.get(conversationId) ?? Promise.resolve();
      const result = previous.then(task, task);
      // The tail never rejects, so one failed task does not poison the ones behind it.
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(conversationId, tail);
      void tail.then(() => {
        if (tails.get(conversationId) === tail) tails.delete(conversationId);
      });
      return result;
    },
    async idle() {
      while (tails.size > 0) await Promise.all([...tails.values()]);
    },
    get activeConversations() {
      return tails.size;
    },
  };
}
