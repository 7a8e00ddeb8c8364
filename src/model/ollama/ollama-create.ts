/**
 * Creating a derived Ollama model (`npm run persona -- compile`): the base model plus a system
 * prompt, sampling parameters, example messages and optionally a LoRA adapter, through
 * `POST /api/create`. The ollama client has `create()` but no blob upload, so an adapter file is
 * hashed and sent to `/api/blobs/sha256:<hex>` with fetch first (skipped when Ollama already has it:
 * `HEAD` answers 200), then named in `adapters` by its digest. Failures come back as one line: the
 * server out of reach, or Ollama's own words (e.g. a base model it does not have).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { Readable } from "node:stream";
import { Ollama } from "ollama";
import { describeError } from "../server-error-text.js";
import { authorizationHeader, parseServerUrl, type ServerUrl } from "../server-url.js";
import { withJsonErrorBodies } from "./json-error-bodies.js";
import { isRefusal, refusedCredentials, responseStatus } from "./ollama-errors.js";

export interface OllamaCreateRequest {
  /** The new model's name, e.g. `troupe-bard`. */
  name: string;
  /** The base model it is built from. */
  from: string;
  system: string;
  /** Ollama's parameter names: temperature, top_p, stop, num_predict, num_ctx. */
  parameters: Record<string, unknown>;
  messages: { role: "user" | "assistant"; content: string }[];
  /** A LoRA adapter (GGUF) file to upload and apply. */
  adapterPath?: string;
}

/** The exact body sent to `/api/create`, returned so the caller can report it. */
export interface OllamaCreateResult {
  adapterDigest?: string;
}

export class OllamaCreateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "OllamaCreateError";
  }
}

export async function createDerivedOllamaModel(
  host: string,
  request: OllamaCreateRequest,
  fetchImpl: typeof fetch = globalThis.fetch,
): Promise<OllamaCreateResult> {
  const server = parseServerUrl(host);
  const baseFetch = withJsonErrorBodies(fetchImpl);
  const adapters: Record<string, string> = {};
  let adapterDigest: string | undefined;
  if (request.adapterPath !== undefined) {
    adapterDigest = await uploadBlob(server, baseFetch, request.adapterPath);
    adapters[basename(request.adapterPath)] = adapterDigest;
  }
  const client = new Ollama({ host: server.url, fetch: baseFetch, headers: authorizationHeader(server) });
  try {
    await client.create({
      model: request.name,
      from: request.from,
      system: request.system,
      parameters: request.parameters,
      messages: request.messages,
      ...(adapterDigest === undefined ? {} : { adapters }),
      stream: false,
    });
  } catch (error) {
    throw failure(server, error, `creating ${request.name} from ${request.from}`);
  }
  return adapterDigest === undefined ? {} : { adapterDigest };
}

async function uploadBlob(server: ServerUrl, baseFetch: typeof fetch, path: string): Promise<string> {
  let digest: string;
  try {
    digest = `sha256:${createHash("sha256")
      .update(await readFile(path))
      .digest("hex")}`;
  } catch (error) {
    throw new OllamaCreateError(`cannot read the adapter ${path}: ${describeError(error)}`, { cause: error });
  }
  const url = `${server.url.replace(/\/$/, "")}/api/blobs/${digest}`;
  const headers = authorizationHeader(server) ?? {};
  let response: Response;
  try {
    response = await baseFetch(url, { method: "HEAD", headers });
    if (response.ok) return digest;
    response = await baseFetch(url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/octet-stream" },
      body: Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>,
      duplex: "half",
    } as RequestInit);
  } catch (error) {
    throw failure(server, error, `uploading the adapter ${basename(path)}`);
  }
  if (!response.ok) {
    const text = await response.text().catch(() => "");
    throw new OllamaCreateError(
      `Ollama at ${server.display} refused the adapter ${basename(path)} (HTTP ${response.status}): ${errorText(text)}`,
    );
  }
  return digest;
}

function errorText(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    const error = typeof parsed === "object" && parsed !== null ? Reflect.get(parsed, "error") : undefined;
    if (typeof error === "string") return error;
  } catch {
    // Not JSON: the text itself.
  }
  return body.trim().slice(0, 300) || "no reason given";
}

function failure(server: ServerUrl, error: unknown, doing: string): OllamaCreateError {
  const status = responseStatus(error);
  if (status !== undefined && isRefusal(status)) {
    const refused = refusedCredentials(server.display, status, server.basicAuthorization !== undefined);
    return new OllamaCreateError(`${refused.message}: ${refused.hint}`, { cause: error });
  }
  if (status !== undefined) {
    return new OllamaCreateError(
      `Ollama refused ${doing} (HTTP ${status}): ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  return new OllamaCreateError(
    `cannot reach Ollama at ${server.display} (${describeError(error)}): start it (ollama serve) or set OLLAMA_HOST`,
    { cause: error },
  );
}
