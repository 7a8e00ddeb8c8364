/**
 * What the fake Slack remembers: posted messages (with every update), seeded threads, users,
 * scripted failures, and a recording of every Web API call with the time it arrived.
 */

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  /** performance.now() when the request arrived. */
  at: number;
  token?: string;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text: string;
  /** Every text this message had, first post included. */
  versions: string[];
  username?: string;
  iconUrl?: string;
  iconEmoji?: string;
  user?: string;
  botId?: string;
  /** A native stream not stopped yet. */
  streaming?: boolean;
}

export interface SeedMessage {
  ts: string;
  text: string;
  user?: string;
  botId?: string;
  subtype?: string;
}

export interface FakeUser {
  id: string;
  name: string;
  displayName?: string;
  realName?: string;
}

export type ScriptedFailure =
  | { kind: "error"; error: string }
  | { kind: "ratelimited"; retryAfterSeconds: number };

export class FakeSlackState {
  readonly calls: RecordedCall[] = [];
  readonly messages = new Map<string, FakeMessage>();
  readonly threads = new Map<string, SeedMessage[]>();
  readonly users = new Map<string, FakeUser>();
  /** Channels where every chat.* call fails with this error (e.g. not_in_channel). */
  readonly refusedChannels = new Map<string, string>();
  readonly failures = new Map<string, ScriptedFailure[]>();
  #tsCounter = 0;

  nextTs(): string {
    this.#tsCounter++;
    return `${1_700_000_000 + this.#tsCounter}.${String(this.#tsCounter).padStart(6, "0")}`;
  }

  takeFailure(method: string): ScriptedFailure | undefined {
    const queue = this.failures.get(method);
    const next = queue?.shift();
    if (queue?.length === 0) this.failures.delete(method);
    return next;
  }

  addFailure(method: string, failure: ScriptedFailure, times: number): void {
    const queue = this.failures.get(method) ?? [];
    for (let index = 0; index < times; index++) queue.push(failure);
    this.failures.set(method, queue);
  }

  key(channel: string, ts: string): string {
    return `${channel}:${ts}`;
  }
}
