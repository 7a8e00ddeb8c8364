/**
 * The command verbs people type in chat instead of slash commands: `persona tutor`, `reset`,
 * `help`, and the one-off `as coder: <prompt>`. Only a message that is exactly a verb counts, so
 * "help me with fractions" is a prompt, not the help command.
 */

export type ParsedText =
  | { kind: "command"; name: string; options: Record<string, string | undefined> }
  | { kind: "one-off"; persona: string; prompt: string }
  | { kind: "prompt"; text: string };

const PERSONA_VERB =
  /^persona(?:\s+(?<name>[a-z0-9-]{1,32}))?(?:\s+(?:scope[:=]\s*)?(?<scope>conversation|channel|server|workspace))?\s*$/i;
const BARE_VERB = /^(?<name>reset|help)[.!]?$/i;
const ONE_OFF = /^as\s+(?<persona>[a-z0-9-]{1,32})\s*:\s*(?<prompt>[\s\S]*)$/i;

export function parseText(text: string): ParsedText {
  const trimmed = text.trim();
  const persona = PERSONA_VERB.exec(trimmed);
  if (persona?.groups) {
    const scope = persona.groups.scope?.toLowerCase();
    return {
      kind: "command",
      name: "persona",
      options: {
        name: persona.groups.name?.toLowerCase(),
        // Slack calls a server a workspace; both mean the widest scope.
        scope: scope === "workspace" ? "server" : scope,
      },
    };
  }
  const bare = BARE_VERB.exec(trimmed);
  if (bare?.groups?.name) return { kind: "command", name: bare.groups.name.toLowerCase(), options: {} };
  const oneOff = ONE_OFF.exec(trimmed);
  if (oneOff?.groups?.persona !== undefined && oneOff.groups.prompt !== undefined) {
    return {
      kind: "one-off",
      persona: oneOff.groups.persona.toLowerCase(),
      prompt: oneOff.groups.prompt.trim(),
    };
  }
  return { kind: "prompt", text: trimmed };
}
