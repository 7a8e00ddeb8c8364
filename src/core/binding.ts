/**
 * Which persona answers. Precedence: a per-message override (`/ask persona:coder`, `as coder: …`)
 * › the conversation's own choice › its channel's › the server's or workspace's › DEFAULT_PERSONA.
 * A thread's conversation id differs from its channel's, but the channel key is shared, so a thread
 * inherits its channel's persona unless it chose its own.
 */
import type { IncomingMessage } from "./message.js";
import type { Persona, PersonaCatalog } from "./persona.js";

export type BindingScope = "conversation" | "channel" | "server";

const BINDING_SCOPES: readonly BindingScope[] = ["conversation", "channel", "server"];

/** The store key for each scope of a message; `server` is absent outside a server (DMs, console). */
export function bindingKeys(message: IncomingMessage): Partial<Record<BindingScope, string>> {
  const keys: Partial<Record<BindingScope, string>> = {
    conversation: `conversation:${message.conversationId}`,
    channel: `channel:${message.platform}:${message.serverId ?? "-"}:${message.channelId}`,
  };
  if (message.serverId !== undefined) keys.server = `server:${message.platform}:${message.serverId}`;
  return keys;
}

export interface ResolvedPersona {
  persona: Persona;
  /** Where the choice came from, for logs and `/persona`. */
  source: "override" | BindingScope | "default";
}

/**
 * Resolves the persona from bindings read for each scope (most specific first). A binding that
 * names a persona which no longer exists (its file was removed) is skipped, not fatal.
 */
export function resolvePersona(
  catalog: PersonaCatalog,
  bindings: Partial<Record<BindingScope, string>>,
  defaultPersona: string,
  override?: string,
): ResolvedPersona {
  if (override !== undefined) {
    const persona = catalog.get(override);
    if (persona) return { persona, source: "override" };
  }
  for (const scope of BINDING_SCOPES) {
    const name = bindings[scope];
    const persona = name === undefined ? undefined : catalog.get(name);
    if (persona) return { persona, source: scope };
  }
  const fallback = catalog.get(defaultPersona) ?? catalog.list()[0];
  if (!fallback) throw new Error("no personas are loaded");
  return { persona: fallback, source: "default" };
}
