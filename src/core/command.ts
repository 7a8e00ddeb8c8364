/**
 * A command defined once, platform-neutral, and rendered by each connector (Discord and Slack slash
 * commands, mention verbs, the console's `/name`). Commands never see platform objects.
 */
import type { BindingScope, ResolvedPersona } from "./binding.js";
import type { IncomingMessage } from "./message.js";
import type { Persona, PersonaCatalog } from "./persona.js";
import type { ReplySink } from "./reply-sink.js";

export interface CommandOption {
  name: string;
  /** At most 100 characters (Discord's limit). */
  description: string;
  type: "string";
  required?: boolean;
  /** Fixed choices; a connector renders them as a picker. */
  choices?: readonly { name: string; value: string }[];
  /** Suggest values while typing (Discord autocomplete). */
  autocomplete?: "persona";
}

export type CommandOptions = Readonly<Record<string, string | undefined>>;

export interface CommandContext {
  /** Who asked and where: used for bindings, permissions and the conversation. */
  message: IncomingMessage;
  options: CommandOptions;
  sink: ReplySink;
  personas: PersonaCatalog;
  commands: readonly Command[];
  currentPersona(): Promise<ResolvedPersona>;
  bindPersona(scope: BindingScope, persona: Persona): Promise<void>;
  resetConversation(): Promise<void>;
  /** Answers a prompt in this conversation, streamed to the sink, remembered in history. */
  answer(prompt: string, options?: { persona?: Persona }): Promise<void>;
}

export interface Command {
  /** 1–32 lowercase characters (Discord's limit). */
  name: string;
  description: string;
  options: readonly CommandOption[];
  run(context: CommandContext): Promise<void>;
}
