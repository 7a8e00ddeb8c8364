import { describe, expect, it } from "vitest";
import type { DownloadProgress } from "../../../src/model/startup/download-speed.js";
import { createSpeedMeter } from "../../../src/model/startup/download-speed.js";
import {
  createProgressBar,
  formatBytes,
  formatDuration,
  renderProgressLine,
} from "../../../src/model/startup/progress-bar.js";

const progress = (received: number, extra: Partial<DownloadProgress> = {}): DownloadProgress => ({
  receivedBytes: received,
  totalBytes: 400_000_000,
  resumedFromBytes: 0,
  bytesPerSecond: 12_300_000,
  etaSeconds: (400_000_000 - received) / 12_300_000,
  done: false,
  ...extra,
});

describe("the download progress bar", () => {
  it("shows percent, bytes, speed and time left", () => {
    expect(renderProgressLine("model.gguf", progress(168_000_000), 100)).toBe(
      "model.gguf [#############-----------------]  42%  168.0 MB / 400.0 MB  12.3 MB/s  19 s left",
    );
    expect(renderProgressLine("m", progress(400_000_000, { done: true, etaSeconds: 0 }), 80, false)).toBe(
      "m  100%  400.0 MB / 400.0 MB  12.3 MB/s  done",
    );
    expect(
      renderProgressLine("m", progress(5_000, { totalBytes: undefined, etaSeconds: undefined }), 80),
    ).toBe("m  5.0 kB  12.3 MB/s");
  });

  it("redraws one line in a terminal, at most ten times a second, and ends it", () => {
    let written = "";
    let clock = 0;
    const bar = createProgressBar(
      { isTTY: true, columns: 100, write: (text: string) => (written += text) },
      "m",
      () => clock,
    );
    bar.update(progress(0));
    bar.update(progress(1_000)); // same instant: skipped
    clock = 150;
    bar.update(progress(200_000_000));
    bar.update(progress(400_000_000, { done: true }));
    bar.finish();
    expect(written.split("\r").filter((line) => line !== "")).toHaveLength(3);
    expect(written).toContain(" 50%");
    expect(written.endsWith("done\x1b[K\n")).toBe(true);
  });

  it("writes a plain line per 10 % when the output is not a terminal", () => {
    const lines: string[] = [];
    const bar = createProgressBar({ write: (text: string) => lines.push(text) }, "m");
    for (let received = 0; received <= 400_000_000; received += 10_000_000) bar.update(progress(received));
    bar.finish();
    expect(lines).toHaveLength(11);
    expect(lines.every((line) => line.endsWith("\n") && !line.includes("\r"))).toBe(true);
  });

  it("formats sizes and durations for people", () => {
    expect([
      formatBytes(999),
      formatBytes(525_248),
      formatBytes(398_000_000),
      formatBytes(1_250_000_000),
    ]).toEqual(["999 B", "525.2 kB", "398.0 MB", "1.25 GB"]);
    expect([formatDuration(4.2), formatDuration(75), formatDuration(7_260)]).toEqual([
      "5 s",
      "1 min 15 s",
      "2 h 01 min",
    ]);
  });

  it("measures speed over the recent window and the time left", () => {
    let clock = 0;
    const meter = createSpeedMeter(100, 1_100, () => clock);
    clock = 1_000;
    meter.add(500);
    expect(meter.snapshot()).toMatchObject({
      receivedBytes: 600,
      resumedFromBytes: 100,
      bytesPerSecond: 500,
      etaSeconds: 1,
    });
    expect(meter.snapshot(true)).toMatchObject({ done: true, etaSeconds: 0 });
  });
});
