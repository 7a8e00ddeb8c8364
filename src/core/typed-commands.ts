/**
 * Everything people type that is more than a prompt, read in one place from the command definitions:
 *
 * - a command line, `/persona coder scope:channel` or `/ask persona:coder how do I …` (the terminal's
 *   `/` lines, a Slack slash command's text). The command was asked for by name, so the values go to
 *   it as typed and the command says what is wrong with them.
 * - a chat verb, a message that is exactly a command marked `chatVerb` plus values that fit its
 *   options (`persona tutor`, `reset.`, `Help!`). Anything else is a prompt: "help me with
 *   fractions" and "reset the router please" go to the model.
 * - the one-off `as coder: <prompt>`.
 *
 * Values are read the same way in both: `name:value` (or `name=value`, or `name: value` for a
 * one-word value) sets an option by name; the other words fill a required option with all of them,
 * or else the options in order, the last one taking the rest. Help shows the usage lines made here,
 * so it says exactly what this module reads.
 */
import type { Command, CommandOption, CommandOptions } from "./command.js";

export type ParsedCommandLine =
  | { kind: "command"; command: Command; options: CommandOptions }
  | { kind: "unknown"; name: string };

export type ParsedChatMessage =
  | { kind: "command"; command: Command; options: CommandOptions }
  | { kind: "one-off"; persona: string; prompt: string }
  | { kind: "prompt"; text: string };

/** What a persona name looks like when typed. */
const PERSONA_NAME = /^[a-z0-9-]{1,32}$/i;
const COMMAND_LINE = /^\/(?<name>[a-z0-9-]+)(?:\s+(?<rest>[\s\S]*))?$/i;
const ONE_OFF = /^as\s+(?<persona>[a-z0-9-]{1,32})\s*:\s*(?<prompt>[\s\S]*)$/i;
const NAMED = /^(?<key>[a-z0-9_-]+)[:=](?<value>\S*)$/i;
/** A chat verb may end like a sentence: `reset.`, `Help!`. */
const VERB_END = /[.!]$/;

/** How the one-off looks, for help. */
export const ONE_OFF_USAGE = "as <name>: <question>";

/** Whether the option's value is a single word: one of its choices, or a persona name. */
function isOneWord(option: CommandOption): boolean {
  return option.choices !== undefined || option.autocomplete === "persona";
}

/**
 * The value as the command wants it, or undefined when it does not fit the option: a choice (by
 * value, name or alias, any case), a persona name (lowercased), or any text.
 */
function fittedValue(option: CommandOption, typed: string): string | undefined {
  if (option.choices) {
    const word = typed.toLowerCase();
    const alias = option.choiceAliases?.[word];
    if (alias !== undefined) return alias;
    return option.choices.find((choice) => choice.value === word || choice.name.toLowerCase() === word)
      ?.value;
  }
  if (option.autocomplete === "persona") return PERSONA_NAME.test(typed) ? typed.toLowerCase() : undefined;
  return typed;
}

/**
 * Reads the words after a command name. Strict (a chat verb): every value must fit and no word may
 * be left over, or it is not the command (undefined). Loose (a command line): values that do not
 * fit are passed on as typed, extra words are dropped.
 */
function readOptions(
  command: Command,
  words: readonly string[],
  strict: boolean,
): CommandOptions | undefined {
  const options: Record<string, string | undefined> = {};
  /** Sets the option; false when the value does not fit and that matters. */
  const set = (option: CommandOption, typed: string): boolean => {
    const value = fittedValue(option, typed);
    if (value === undefined && strict) return false;
    options[option.name] = value ?? typed;
    return true;
  };

  const rest: string[] = [];
  for (let index = 0; index < words.length; index++) {
    const word = words[index] ?? "";
    const named = NAMED.exec(word)?.groups;
    const option = command.options.find((candidate) => candidate.name === named?.key?.toLowerCase());
    if (named !== undefined && option !== undefined && options[option.name] === undefined) {
      let typed = named.value ?? "";
      const next = words[index + 1];
      if (typed === "" && isOneWord(option) && next !== undefined) {
        typed = next;
        index++;
      }
      if (typed !== "") {
        if (!set(option, typed)) return undefined;
        continue;
      }
    }
    rest.push(word);
  }

  const required = command.options.find((option) => option.required && options[option.name] === undefined);
  if (required) {
    const typed = rest.join(" ");
    if (strict && typed === "") return undefined;
    return set(required, typed) ? options : undefined;
  }
  const free = command.options.filter((option) => options[option.name] === undefined);
  for (const [index, option] of free.entries()) {
    const typed = index === free.length - 1 ? rest.splice(0).join(" ") : rest.shift();
    if (typed !== undefined && typed !== "" && !set(option, typed)) return undefined;
  }
  if (strict && rest.length > 0) return undefined;
  return options;
}

/** A `/name …` line; undefined when the line is not one (it is a chat message). */
export function parseCommandLine(line: string, commands: readonly Command[]): ParsedCommandLine | undefined {
  const match = COMMAND_LINE.exec(line.trim())?.groups;
  if (match?.name === undefined) return undefined;
  const name = match.name.toLowerCase();
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) return { kind: "unknown", name };
  const words = (match.rest ?? "").split(/\s+/).filter((word) => word.length > 0);
  return { kind: "command", command, options: readOptions(command, words, false) ?? {} };
}

/** A chat message: a chat verb, the one-off `as <name>: <prompt>`, or a prompt. */
export function parseChatMessage(text: string, commands: readonly Command[]): ParsedChatMessage {
  const trimmed = text.trim();
  const [first, ...words] = trimmed.replace(VERB_END, "").split(/\s+/);
  const verb = commands.find((command) => command.chatVerb === true && command.name === first?.toLowerCase());
  if (verb) {
    const options = readOptions(verb, words, true);
    if (options) return { kind: "command", command: verb, options };
  }
  const oneOff = ONE_OFF.exec(trimmed)?.groups;
  if (oneOff?.persona !== undefined && oneOff.prompt !== undefined) {
    return { kind: "one-off", persona: oneOff.persona.toLowerCase(), prompt: oneOff.prompt.trim() };
  }
  return { kind: "prompt", text: trimmed };
}

/** How one option is typed: `<prompt>`, `[<name>]`, `[persona:<name>]`, `[conversation|channel|server]`. */
function optionUsage(option: CommandOption, named: boolean): string {
  let value = `<${option.name}>`;
  if (option.choices) value = option.choices.map((choice) => choice.value).join("|");
  else if (option.autocomplete === "persona") value = "<name>";
  const typed = named ? `${option.name}:${value}` : value;
  return option.required ? typed : `[${typed}]`;
}

/**
 * The words after the command name, as they are read: with a required option, it takes the free
 * words and the others must be named (they come first); without one, the options go in order.
 */
function optionsUsage(command: Command): string[] {
  const filled = command.options.find((option) => option.required);
  if (!filled) return command.options.map((option) => optionUsage(option, false));
  const named = command.options.filter((option) => option !== filled);
  return [...named.map((option) => optionUsage(option, true)), optionUsage(filled, false)];
}

/** `/ask [persona:<name>] <prompt>` */
export function commandUsage(command: Command): string {
  return [`/${command.name}`, ...optionsUsage(command)].join(" ");
}

/** `persona [<name>] [conversation|channel|server]`, or undefined for a command that is not a chat verb. */
export function chatVerbUsage(command: Command): string | undefined {
  if (command.chatVerb !== true) return undefined;
  return [command.name, ...optionsUsage(command)].join(" ");
}
