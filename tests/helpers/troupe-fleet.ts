/**
 * Several real troupe processes at once, as a deployment of many instances runs them: started in
 * parallel (each takes seconds to load on a small machine, so one after another would triple the
 * wait), ready when every one has logged "ready", stopped together with SIGTERM. Their JSON log
 * lines are read back for what each instance decided (answered, ignored as a duplicate).
 */
import { startTroupe, type TroupeService } from "./run-troupe.js";

const READY_WITHIN_MS = 60_000;
const STOP_WITHIN_MS = 10_000;

export interface TroupeFleet {
  readonly members: readonly TroupeService[];
  /** How many log lines with this `msg` every instance wrote, in instance order. */
  logged(message: string): number[];
  /** Parsed JSON log lines of every instance, tagged with the instance's index. */
  lines(): ({ instance: number } & Record<string, unknown>)[];
  /** SIGTERM to all, then SIGKILL to any still running after a while; waits for every exit. */
  stop(): Promise<void>;
}

export async function startFleet(envs: readonly Record<string, string>[]): Promise<TroupeFleet> {
  const members = envs.map((env) => startTroupe(env));
  const fleet: TroupeFleet = {
    members,
    logged: (message) =>
      members.map(
        (member) =>
          member
            .stderr()
            .split("\n")
            .filter((line) => line.includes(`"msg":"${message}"`)).length,
      ),
    lines: () =>
      members.flatMap((member, instance) =>
        member
          .stderr()
          .split("\n")
          .filter((line) => line.startsWith("{"))
          .map((line) => ({ instance, ...(JSON.parse(line) as Record<string, unknown>) })),
      ),
    async stop() {
      for (const member of members) member.kill("SIGTERM");
      const killer = setTimeout(() => {
        for (const member of members) member.kill("SIGKILL");
      }, STOP_WITHIN_MS);
      try {
        await Promise.all(members.map((member) => member.exited));
      } finally {
        clearTimeout(killer);
      }
    },
  };
  try {
    await Promise.all(members.map((member) => member.waitForLog('"msg":"ready"', READY_WITHIN_MS)));
  } catch (error) {
    await fleet.stop().catch(() => {});
    throw error;
  }
  return fleet;
}

/** Polls `check` until it holds; fails naming `what` after `timeoutMs`. */
export async function eventually(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !check(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
