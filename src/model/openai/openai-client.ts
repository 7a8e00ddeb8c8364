/**
 * The openai SDK's client as troupe builds it, for chat (openai-provider) and embeddings
 * (embeddings/openai-embedder) alike: the SDK never reads the environment itself, never logs, and
 * is told who we are by the URL's credentials or the key.
 */
import OpenAI from "openai";
import { parseServerUrl, type ServerUrl } from "../server-url.js";
import type { SentCredentials } from "./openai-errors.js";

export interface OpenAIClientSettings {
  /** A `user:password@` in it is sent as basic auth unless `apiKey` is set; a query goes with every request. */
  baseURL: string;
  /** Local servers ignore it, but the SDK refuses to start without one. */
  apiKey?: string;
  maxRetries: number;
  timeout?: number;
  fetch?: typeof fetch;
}

export function createOpenAIClient(settings: OpenAIClientSettings): {
  client: OpenAI;
  server: ServerUrl;
  credentials: SentCredentials;
} {
  const server = parseServerUrl(settings.baseURL);
  const credentials: SentCredentials = settings.apiKey
    ? "api-key"
    : server.basicAuthorization !== undefined
      ? "url"
      : "none";
  // The SDK appends paths to baseURL as text, so a query there would end up before the path.
  const { base, query } = splitQuery(server.url);
  const client = new OpenAI({
    baseURL: base,
    apiKey: settings.apiKey || "not-needed",
    // Explicit nulls: otherwise the SDK reads OPENAI_ORG_ID & co. from the environment itself,
    // and config.ts is meant to be the only reader of the environment.
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    // Its own log (OPENAI_LOG) goes to standard output, the terminal chat's, and at debug level
    // prints request URLs, query tokens included: failures reach our log through errors instead.
    logLevel: "off",
    // Default headers come after the SDK's bearer header, so basic auth replaces the dummy key.
    ...(credentials === "url" ? { defaultHeaders: { Authorization: server.basicAuthorization } } : {}),
    ...(query === undefined ? {} : { defaultQuery: query }),
    maxRetries: settings.maxRetries,
    ...(settings.timeout === undefined ? {} : { timeout: settings.timeout }),
    ...(settings.fetch === undefined ? {} : { fetch: settings.fetch }),
  });
  return { client, server, credentials };
}

function splitQuery(url: string): { base: string; query: Record<string, string> | undefined } {
  const start = url.indexOf("?");
  if (start === -1) return { base: url, query: undefined };
  const query = Object.fromEntries(new URLSearchParams(url.slice(start + 1).split("#")[0]));
  return { base: url.slice(0, start), query: Object.keys(query).length > 0 ? query : undefined };
}
