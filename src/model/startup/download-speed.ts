/**
 * Download progress: bytes so far, speed over the last few seconds, and the time left. Ours because
 * the transport is (model-download.ts says why): node-llama-cpp measures speed and time left only
 * inside its own downloader and exports no meter to feed with our bytes.
 */

export interface DownloadProgress {
  /** Bytes of the file on disk so far, resumed bytes included. */
  receivedBytes: number;
  /** The whole file's size, when the server said. */
  totalBytes: number | undefined;
  /** Bytes already on disk from an earlier, interrupted attempt. */
  resumedFromBytes: number;
  /** Over the last few seconds of this attempt (0 until there is a measurement). */
  bytesPerSecond: number;
  /** Undefined while the total or the speed is unknown. */
  etaSeconds: number | undefined;
  done: boolean;
}

/** A window long enough to smooth bursts, short enough to follow a changing connection. */
const windowMs = 3_000;

export interface SpeedMeter {
  add(bytes: number): void;
  snapshot(done?: boolean): DownloadProgress;
}

export function createSpeedMeter(
  resumedFromBytes: number,
  totalBytes: number | undefined,
  now: () => number = performance.now.bind(performance),
): SpeedMeter {
  let received = resumedFromBytes;
  const samples: Array<{ at: number; received: number }> = [{ at: now(), received }];
  return {
    add(bytes) {
      received += bytes;
      const at = now();
      samples.push({ at, received });
      while (samples.length > 2 && (samples[1]?.at ?? at) < at - windowMs) samples.shift();
    },
    snapshot(done = false) {
      const first = samples[0];
      const last = samples.at(-1);
      const elapsedMs = first && last ? last.at - first.at : 0;
      const bytesPerSecond =
        first && last && elapsedMs > 0 ? ((last.received - first.received) * 1000) / elapsedMs : 0;
      const etaSeconds =
        totalBytes !== undefined && bytesPerSecond > 0
          ? Math.max(0, (totalBytes - received) / bytesPerSecond)
          : undefined;
      return {
        receivedBytes: received,
        totalBytes,
        resumedFromBytes,
        bytesPerSecond,
        etaSeconds: done ? 0 : etaSeconds,
        done,
      };
    },
  };
}
