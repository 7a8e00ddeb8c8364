/**
 * A download progress bar for a terminal: percent, bytes, speed and time left, redrawn in place.
 * When the output is not a terminal (a log file, a CI job), it writes a plain line every 10 %
 * instead, because carriage returns turn a log into one enormous line.
 * Not node-llama-cpp's `showCliProgress`: ipull draws it on standard output (where troupe's answers
 * go; this bar goes to standard error) through stdout-update, which also hooks standard error, and
 * it picks its plain style from the CI variable, not from whether the output is a terminal.
 */
import type { DownloadProgress } from "./download-speed.js";

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressBar {
  update(progress: DownloadProgress): void;
  /** Ends the bar's line; call once, whether the download worked or not. */
  finish(): void;
}

const redrawIntervalMs = 100;

export function createProgressBar(
  output: ProgressOutput,
  label: string,
  now: () => number = performance.now.bind(performance),
): ProgressBar {
  const terminal = output.isTTY === true;
  let lastDraw = -Infinity;
  let lastTenth = -1;
  let drawn = false;
  return {
    update(progress) {
      if (terminal) {
        const at = now();
        if (!progress.done && at - lastDraw < redrawIntervalMs) return;
        lastDraw = at;
        drawn = true;
        const line = renderProgressLine(label, progress, (output.columns ?? 80) - 1);
        // \r returns to the line start; \x1b[K clears what a longer previous line left behind.
        output.write(`\r${line}\x1b[K`);
        return;
      }
      const tenth = progress.totalBytes
        ? Math.floor((progress.receivedBytes / progress.totalBytes) * 10)
        : -1;
      if (tenth > lastTenth || progress.done) {
        lastTenth = tenth;
        output.write(`${renderProgressLine(label, progress, 200, false)}\n`);
      }
    },
    finish() {
      if (terminal && drawn) output.write("\n");
      drawn = false;
    },
  };
}

/** `Qwen… [######------]  42%  167.2 MB / 398.0 MB  12.3 MB/s  19 s left` */
export function renderProgressLine(
  label: string,
  progress: DownloadProgress,
  width: number,
  bar = true,
): string {
  const { receivedBytes, totalBytes } = progress;
  const fraction = totalBytes ? Math.min(1, receivedBytes / totalBytes) : undefined;
  const percent = fraction === undefined ? "" : `${String(Math.floor(fraction * 100)).padStart(3)}%`;
  const amount = totalBytes
    ? `${formatBytes(receivedBytes)} / ${formatBytes(totalBytes)}`
    : formatBytes(receivedBytes);
  const speed = progress.bytesPerSecond > 0 ? `${formatBytes(progress.bytesPerSecond)}/s` : "";
  const left = progress.done
    ? "done"
    : progress.etaSeconds === undefined
      ? ""
      : `${formatDuration(progress.etaSeconds)} left`;
  const figures = [percent, amount, speed, left].filter((part) => part !== "").join("  ");
  if (!bar || fraction === undefined) return `${label}  ${figures}`;
  const barWidth = Math.max(10, Math.min(30, width - label.length - figures.length - 6));
  const filled = Math.round(fraction * barWidth);
  return `${label} [${"#".repeat(filled)}${"-".repeat(barWidth - filled)}] ${figures}`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${Math.round(bytes)} B`;
}

export function formatDuration(seconds: number): string {
  const whole = Math.ceil(seconds);
  if (whole < 60) return `${whole} s`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, "0")} s`;
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, "0")} min`;
}
