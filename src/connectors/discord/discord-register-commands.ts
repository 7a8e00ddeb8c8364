/**
 * Registers the slash commands with one bulk overwrite (`PUT …/commands`): the set on Discord becomes
 * exactly ours, commands renamed or removed included. Globally by default; in one server when a
 * server id is given (server commands update instantly, handy while testing).
 */
import { type REST, Routes } from "discord.js";
import { z } from "zod";
import type { Command } from "../../core/command.js";
import { applicationSchema } from "./discord-payloads.js";
import { renderCommands } from "./discord-slash-commands.js";

export interface RegisterOptions {
  applicationId: string;
  /** Register in this server only. */
  guildId?: string;
  commands: readonly Command[];
}

export interface RegisterResult {
  scope: "global" | "guild";
  names: string[];
}

export async function registerCommands(rest: REST, options: RegisterOptions): Promise<RegisterResult> {
  const scope = options.guildId === undefined ? "global" : "guild";
  const route =
    options.guildId === undefined
      ? Routes.applicationCommands(options.applicationId)
      : Routes.applicationGuildCommands(options.applicationId, options.guildId);
  const response = await rest.put(route, { body: renderCommands(options.commands, scope) });
  const registered = z.array(z.looseObject({ name: z.string() })).parse(response);
  return { scope, names: registered.map((command) => command.name) };
}

/** The application behind a bot token (`GET /applications/@me`), for registering without a gateway. */
export async function fetchApplicationId(rest: REST): Promise<string> {
  return applicationSchema.parse(await rest.get(Routes.currentApplication())).id;
}
