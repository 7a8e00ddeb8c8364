/**
 * A command defined once, platform-neutral, and rendered by each connector (Discord and Slack slash
 * commands, the console's `/name`) and, when it says so, as a chat verb (`persona tutor` in a
 * message). Typed text is read by typed-commands.ts from these definitions. Commands never see
 * platform objects.
 */
import type { BindingScope, ResolvedPersona } from "./binding.js";
import type { UsedSources } from "./knowledge.js";
import type { Learning } from "./learning.js";
import type { IncomingMessage } from "./message.js";
import type { Persona, PersonaCatalog } from "./persona.js";
import type { ReplySink } from "./reply-sink.js";

export interface CommandOption {
  name: string;
  /** At most 100 characters (Discord's limit). */
  description: string;
  type: "string";
  required?: boolean;
  /** Fixed choices; a connector renders them as a picker. Typed, a value must be one of them. */
  choices?: readonly { name: string; value: string }[];
  /** Other words accepted when typed, and the choice value each one means (Slack's `workspace` for `server`). */
  choiceAliases?: Readonly<Record<string, string>>;
  /**
   * The value is a persona name: suggested while typing (Discord autocomplete), and in a chat verb it
   * must look like one (`[a-z0-9-]{1,32}`).
   */
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
  /** Feedback and forgetting; undefined when this troupe keeps no answers (then the commands say so). */
  learning?: Learning;
  /** The persona called `name`; when there is none, tells the person which there are and gives undefined. */
  findPersona(name: string): Promise<Persona | undefined>;
  currentPersona(): Promise<ResolvedPersona>;
  bindPersona(scope: BindingScope, persona: Persona): Promise<void>;
  resetConversation(): Promise<void>;
  /** What the last answer in this conversation drew on from documents, if anything. */
  lastSources(): UsedSources | undefined;
  /** Answers a prompt in this conversation, streamed to the sink, remembered in history. */
  answer(prompt: string, options?: { persona?: Persona }): Promise<void>;
}

export interface Command {
  /** 1–32 lowercase characters (Discord's limit). */
  name: string;
  description: string;
  options: readonly CommandOption[];
  /**
   * Also understood as a plain chat message that is exactly the name plus values fitting the options
   * (`persona coder`, `reset`). Not for commands whose name starts ordinary sentences as a prompt
   * (`ask me anything`).
   */
  chatVerb?: boolean;
  run(context: CommandContext): Promise<void>;
}
