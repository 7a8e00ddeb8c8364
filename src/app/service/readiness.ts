/**
 * Whether troupe is ready to answer, for /readyz: the model has answered (the start-up check, or
 * any answer since) and every configured platform is connected, and troupe is not stopping. Each
 * part says what is missing, so a 503 names the part to look at.
 *
 * A model not ready at start-up is asked again when /readyz is read, at most every
 * MODEL_RECHECK_MS (Ollama still pulling the model turns ready without anyone chatting), and a
 * model call that fails as unavailable makes it not ready until one succeeds again.
 */
import type { ModelHealth } from "../../model/chat-model.js";

/** A platform as /readyz sees it: its name and whether it is connected now. */
export interface PlatformLink {
  name: string;
  connected(): boolean;
}

export interface ReadinessReport {
  ready: boolean;
  /** Each part and its state; `not ready` parts say why. */
  parts: Record<string, string>;
}

export interface Readiness {
  /** The model's last verdict (a check, or a stream that produced a part). */
  modelHealth(health: ModelHealth): void;
  /** A platform to watch, once it has started. */
  watch(platform: PlatformLink): void;
  report(): Promise<ReadinessReport>;
}

const MODEL_RECHECK_MS = 5_000;

export interface ReadinessOptions {
  /** The platforms the configuration asks for, by name, watched once started. */
  expectedPlatforms: readonly string[];
  /** Asks the model again (ChatModel.check); its verdict comes back through `modelHealth`. */
  recheckModel(): Promise<unknown>;
  /** False once the stop has begun. */
  accepting(): boolean;
  now?: () => number;
}

export function createReadiness(options: ReadinessOptions): Readiness {
  const now = options.now ?? Date.now;
  const platforms = new Map<string, PlatformLink>();
  let model: string | undefined = "not checked yet";
  let lastRecheck = Number.NEGATIVE_INFINITY;
  let recheck: Promise<unknown> | undefined;

  async function modelState(): Promise<string | undefined> {
    if (model !== undefined && recheck === undefined && now() - lastRecheck >= MODEL_RECHECK_MS) {
      lastRecheck = now();
      recheck = options.recheckModel().finally(() => {
        recheck = undefined;
      });
    }
    await recheck;
    return model;
  }

  return {
    modelHealth(health) {
      model = health.ok ? undefined : `${health.code}: ${health.message}`;
    },
    watch(platform) {
      platforms.set(platform.name, platform);
    },
    async report() {
      const parts: Record<string, string> = {};
      const modelProblem = await modelState();
      parts.model = modelProblem === undefined ? "ready" : `not ready (${modelProblem})`;
      for (const name of options.expectedPlatforms) {
        const platform = platforms.get(name);
        parts[name] =
          platform === undefined
            ? "not ready (not connected yet)"
            : platform.connected()
              ? "ready"
              : "not ready (disconnected)";
      }
      parts.troupe = options.accepting() ? "ready" : "not ready (stopping)";
      return { ready: Object.values(parts).every((state) => state === "ready"), parts };
    },
  };
}
