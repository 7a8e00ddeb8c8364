/**
 * Getting a remote embedded model onto disk at start-up: ask (when asking is wanted), download with
 * a progress bar, verify. Returns the file's path, or why there is none.
 * node-llama-cpp's `resolveModelFile` does the same steps but never asks, and downloads with the
 * downloader model-download.ts explains troupe does not use.
 * `source.url` may hold a password and query tokens: what is printed here is `source.label` or
 * the URL masked; the size request sends the credentials the way the download does.
 */
import { stat } from "node:fs/promises";
import type { Logger } from "../../lib/logger.js";
import { maskUrl } from "../../lib/mask-url.js";
import { describeError } from "../server-error-text.js";
import { downloadTarget, requestDownload } from "./download-request.js";
import { downloadModel, ModelDownloadError } from "./model-download.js";
import { DEFAULT_EMBEDDED_MODEL_INFO, type ModelSource } from "./model-source.js";
import { createProgressBar, formatBytes, type ProgressOutput } from "./progress-bar.js";

export interface FetchModelInput {
  source: Extract<ModelSource, { kind: "remote" }>;
  /** Ask first (auto mode in a terminal); false downloads at once (MODEL_PROVIDER=embedded). */
  ask: ((question: string) => Promise<boolean>) | undefined;
  output: ProgressOutput;
  logger: Logger;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** The default model's known size, shown before asking; others are measured with a HEAD request. */
  isDefault: boolean;
}

export type FetchModelResult = { ok: true; path: string } | { ok: false; declined: boolean; message: string };

export async function fetchEmbeddedModel(input: FetchModelInput): Promise<FetchModelResult> {
  const { source, output, logger } = input;
  const fetchImpl = input.fetch ?? globalThis.fetch;
  if (input.ask !== undefined) {
    const size = input.isDefault
      ? DEFAULT_EMBEDDED_MODEL_INFO.approximateBytes
      : await remoteSize(source.url, fetchImpl);
    const what = input.isDefault
      ? `${DEFAULT_EMBEDDED_MODEL_INFO.name}, ${DEFAULT_EMBEDDED_MODEL_INFO.license}`
      : source.fileName;
    const sizeText = size === undefined ? "size unknown" : `about ${formatBytes(size)}`;
    const partial = await partialBytes(source.path);
    const resume = partial > 0 ? `; ${formatBytes(partial)} already downloaded, it resumes from there` : "";
    const question = `No model server found. Download the embedded model ${what} (${sizeText}${resume}) into ${source.path}?`;
    if (!(await input.ask(question))) {
      return { ok: false, declined: true, message: "the model download was declined" };
    }
  }
  logger.info({ url: maskUrl(source.url), path: source.path }, "downloading the embedded model");
  const bar = createProgressBar(output, source.fileName);
  try {
    const result = await downloadModel({
      url: source.url,
      destination: source.path,
      fetch: fetchImpl,
      signal: input.signal,
      onProgress: (progress) => bar.update(progress),
    });
    bar.finish();
    logger.info(
      {
        path: result.path,
        bytes: result.bytes,
        resumedFromBytes: result.resumedFromBytes,
        sha256: result.sha256,
      },
      "embedded model downloaded and verified",
    );
    return { ok: true, path: result.path };
  } catch (error) {
    bar.finish();
    logger.warn({ err: error, url: maskUrl(source.url) }, "embedded model download failed");
    return { ok: false, declined: false, message: downloadFailure(error, source) };
  }
}

function downloadFailure(error: unknown, source: Extract<ModelSource, { kind: "remote" }>): string {
  if (!(error instanceof ModelDownloadError))
    return `the download of ${source.label} failed: ${describeError(error)}`;
  if (error.kind === "not-found") return `${error.message}. Fix: check EMBEDDED_MODEL=${source.label}`;
  if (error.kind === "credentials")
    return `${error.message}. Fix: correct the user name and password in EMBEDDED_MODEL (user:password@ before the host)`;
  if (error.kind === "interrupted") return `${error.message}. Fix: start troupe again to resume the download`;
  if (error.kind === "verification") return `${error.message}. Fix: start troupe again to download it afresh`;
  return `${error.message}. Fix: check the network, MODELS_DIR and EMBEDDED_MODEL=${source.label}`;
}

/** Bytes an interrupted download left in `<path>.part`. */
async function partialBytes(path: string): Promise<number> {
  try {
    return (await stat(`${path}.part`)).size;
  } catch {
    return 0;
  }
}

/**
 * The size a HEAD request states: `X-Linked-Size` from any hop (Hugging Face's redirect), else the
 * final Content-Length. Redirects are followed as the download follows them, so the credentials
 * reach the URL's host only. Any failure just leaves the size unknown; the download says why.
 */
async function remoteSize(url: string, fetchImpl: typeof fetch): Promise<number | undefined> {
  try {
    const answer = await requestDownload({
      target: downloadTarget(url),
      method: "HEAD",
      fetch: fetchImpl,
      signal: AbortSignal.timeout(5_000),
    });
    await answer.response.body?.cancel();
    const length = Number(answer.response.headers.get("content-length") ?? Number.NaN);
    const size = answer.linkedSize !== undefined && answer.linkedSize > 0 ? answer.linkedSize : length;
    return answer.response.ok && Number.isFinite(size) && size > 0 ? size : undefined;
  } catch {
    return undefined;
  }
}
