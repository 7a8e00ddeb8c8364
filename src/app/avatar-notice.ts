/**
 * One info line at start naming the personas whose pictures Discord and Slack will not show, with
 * the fix: those platforms take a picture by URL only, so a local `avatar:` needs PUBLIC_URL (or
 * the picture hosted elsewhere and its URL in `avatar:`). Said once here rather than per message,
 * and only when a platform runs: the terminal chat shows no pictures.
 */
import type { Config } from "../config.js";
import type { Persona } from "../core/persona.js";
import type { Logger } from "../lib/logger.js";
import { maskUrl } from "../lib/mask-url.js";
import { isAvatarUrl } from "../personas/persona-avatar.js";

export type AvatarNoticeSettings = Pick<
  Config,
  "PUBLIC_URL" | "METRICS_PORT" | "DISCORD_TOKEN" | "SLACK_BOT_TOKEN" | "SLACK_APP_TOKEN"
>;

export function noteUnshownAvatars(
  settings: AvatarNoticeSettings,
  personas: readonly Persona[],
  logger: Logger,
): void {
  if (settings.DISCORD_TOKEN === undefined && settings.SLACK_BOT_TOKEN === undefined) return;
  const local = personas.filter((persona) => persona.avatar !== undefined && !isAvatarUrl(persona.avatar));
  if (settings.PUBLIC_URL === undefined) {
    if (local.length === 0) return;
    logger.info(
      { personas: local.map((persona) => persona.name) },
      "these personas' pictures are not shown on Discord and Slack, which take a picture by URL only: " +
        "set PUBLIC_URL to the address where they reach troupe (it serves PERSONAS_DIR/avatars at /avatars/), " +
        "or host the picture and put its https URL in avatar:",
    );
    return;
  }
  const elsewhere = local.filter((persona) => persona.avatarFile === undefined);
  if (elsewhere.length > 0) {
    logger.info(
      { personas: elsewhere.map((persona) => persona.name) },
      "these personas' pictures are not shown on Discord and Slack: troupe serves only PERSONAS_DIR/avatars; " +
        "move the picture there and point avatar: at it, or host it and put its https URL in avatar:",
    );
  }
  const slackHttp = settings.SLACK_BOT_TOKEN !== undefined && settings.SLACK_APP_TOKEN === undefined;
  if (settings.METRICS_PORT === undefined && !slackHttp && local.length > elsewhere.length) {
    logger.info(
      { publicUrl: maskUrl(settings.PUBLIC_URL) },
      "PUBLIC_URL is set but no server of this troupe serves /avatars/: set METRICS_PORT (and make " +
        "PUBLIC_URL reach it), or serve PERSONAS_DIR/avatars at PUBLIC_URL/avatars/ yourself",
    );
  }
}
