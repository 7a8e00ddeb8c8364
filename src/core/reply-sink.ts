/**
 * Where an answer goes. Core owns content; the sink owns pacing, platform length limits, splitting,
 * and marking an answer that broke off.
 */

export interface PostOptions {
  /** Only the author sees it (Discord ephemeral, Slack ephemeral); platforms without it post normally. */
  ephemeral?: boolean;
  /** The text reports a failure (a platform may style it; the piped console sends it to stderr). */
  error?: boolean;
  /**
   * An aside about the answer, not the answer ("your message was cut", "the store is down"): the
   * piped console sends it to stderr, so standard output holds only answers.
   */
  note?: boolean;
}

export interface StreamReplyOptions {
  /** Who speaks: the sink shows the persona (a header, a webhook face, a Slack username). */
  persona: { name: string; displayName: string; emoji?: string; avatar?: string; avatarFile?: string };
  /** Appended, visibly, when `deltas` throws after some text was delivered. Core supplies the words. */
  interruptedNote: string;
  /**
   * Aborted when troupe must exit before the answer's writes are done: a write still waiting (for
   * the write budget, for the platform) is given up, and `cutOff` in the result says so.
   */
  deadline?: AbortSignal;
}

export interface StreamResult {
  /** The text delivered to the user, without the interrupted note. */
  text: string;
  /** Set when `deltas` threw; the sink has already appended the note if any text went out. */
  error?: unknown;
  /** Set when the platform refused the answer (no permission, channel gone): nobody saw all of it. */
  deliveryError?: unknown;
  /**
   * Set when `deadline` ended the delivery: "first-post" when nothing was posted, "last-edit" when
   * people see an older, shorter version of the answer.
   */
  cutOff?: "first-post" | "last-edit";
  /** The platform ids of the messages the answer went out in (for reactions on it), when known. */
  messageIds?: string[];
}

export interface ReplySink {
  post(text: string, options?: PostOptions): Promise<void>;
  /**
   * Delivers a streamed answer as it grows. Never throws for a failure of `deltas`: it reports it in
   * the result, so core decides what to say (an error line when nothing went out).
   */
  stream(deltas: AsyncIterable<string>, options: StreamReplyOptions): Promise<StreamResult>;
}
