/**
 * The bot's global request budget, with new answers first. Discord allows a bot about 50 requests
 * per second in all (discord.js queues past that); many answers streaming at once would spend it on
 * edits, and a new answer's first message would wait behind them. Here every message write takes a
 * slot from a shared window, a first message before any edit, so a reply still appears soon after
 * the model's first token. Kept a little under 50, for typing, threads and webhook look-ups.
 * (Several processes share one bot's limit: put a REST proxy in front of them, DISCORD_API_URL.)
 */

export interface GlobalLane {
  /** Waits for a slot; `first` (an answer's first message) goes before edits and continuations. */
  acquire(first: boolean): Promise<void>;
}

export function createGlobalLane(options: { perSecond: number; now?: () => number }): GlobalLane {
  const now = options.now ?? Date.now;
  const sent: number[] = [];
  const waiting: { first: (() => void)[]; later: (() => void)[] } = { first: [], later: [] };
  let timer: NodeJS.Timeout | undefined;

  function pump(): void {
    const time = now();
    while (sent.length > 0 && (sent[0] ?? 0) <= time - 1_000) sent.shift();
    while (sent.length < options.perSecond) {
      const next = waiting.first.shift() ?? waiting.later.shift();
      if (next === undefined) break;
      sent.push(time);
      next();
    }
    if (timer === undefined && waiting.first.length + waiting.later.length > 0) {
      timer = setTimeout(
        () => {
          timer = undefined;
          pump();
        },
        Math.max(1, (sent[0] ?? time) + 1_000 - time),
      );
    }
  }

  return {
    acquire(first) {
      return new Promise<void>((resolve) => {
        (first ? waiting.first : waiting.later).push(resolve);
        pump();
      });
    },
  };
}
