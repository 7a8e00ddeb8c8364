/**
 * The URL of a persona's picture as a platform shows it: Discord webhooks and Slack take a picture
 * by URL only. An `avatar:` that is an http(s) URL is used as it is; a picture file in
 * PERSONAS_DIR/avatars (`avatarFile`) is shown once PUBLIC_URL says where troupe serves that
 * folder; anything else has no URL and the platform shows its default.
 */
import type { StreamReplyOptions } from "../../core/reply-sink.js";

type PersonaPicture = Pick<StreamReplyOptions["persona"], "avatar" | "avatarFile">;

const HTTP_URL = /^https?:\/\/\S+$/i;

/** `publicUrl`: PUBLIC_URL, without a trailing slash. */
export function personaAvatarUrl(persona: PersonaPicture, publicUrl: string | undefined): string | undefined {
  if (persona.avatar !== undefined && HTTP_URL.test(persona.avatar)) return persona.avatar;
  if (persona.avatarFile === undefined || publicUrl === undefined) return undefined;
  return `${publicUrl.replace(/\/+$/, "")}/avatars/${encodeURIComponent(persona.avatarFile)}`;
}
