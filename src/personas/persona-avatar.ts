/**
 * A persona's picture on disk. `avatar:` is a URL (shown as it is) or a path relative to the
 * persona file, as `persona import` writes it (`avatars/NAME.png`). A path that names no picture
 * file is a problem in the persona file, like a missing `adapter:` file: found here because the
 * parser never touches the disk. A picture inside PERSONAS_DIR/avatars becomes the persona's
 * `avatarFile`, the one folder troupe serves at `<PUBLIC_URL>/avatars/` (Discord and Slack take
 * pictures by URL only); a picture elsewhere stays unshown, which the start-up notice says.
 */
import { stat } from "node:fs/promises";
import { basename, dirname, extname, resolve } from "node:path";
import type { ParsedPersonaFile, PersonaProblem } from "./parser/persona-parser.js";

/** The folder under PERSONAS_DIR that `persona import` writes pictures to and troupe serves. */
export const AVATARS_DIR_NAME = "avatars";

/** The picture types platforms show, by extension: what the served file's Content-Type says. */
export const AVATAR_CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".gif": "image/gif",
};

/** The Content-Type of a picture file name, or undefined when it is not one troupe serves. */
export function avatarContentType(fileName: string): string | undefined {
  const extension = extname(fileName).toLowerCase();
  return Object.hasOwn(AVATAR_CONTENT_TYPES, extension) ? AVATAR_CONTENT_TYPES[extension] : undefined;
}

/** `https://…`, `data:…`: anything with a scheme is not a path on disk. */
export function isAvatarUrl(avatar: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(avatar);
}

export type LocalAvatar =
  | { kind: "none" }
  /** In PERSONAS_DIR/avatars: servable by this file name. */
  | { kind: "served"; avatarFile: string }
  /** A picture elsewhere on disk: platforms cannot be shown it. */
  | { kind: "elsewhere" }
  | { kind: "problem"; problem: PersonaProblem };

/** `file`: the persona file's path; `personasDir`: PERSONAS_DIR. */
export async function findLocalAvatar(
  parsed: ParsedPersonaFile,
  file: string,
  personasDir: string,
): Promise<LocalAvatar> {
  const { avatar } = parsed.persona;
  if (avatar === undefined || isAvatarUrl(avatar)) return { kind: "none" };
  const path = resolve(dirname(file), avatar);
  const found = await stat(path).then(
    (stats) => (stats.isFile() ? undefined : "is not a file"),
    (error: NodeJS.ErrnoException) =>
      error.code === "ENOENT" ? "does not exist" : `cannot be read (${error.code})`,
  );
  const notPicture =
    found === undefined && avatarContentType(path) === undefined
      ? "is not a PNG, JPEG, WebP or GIF file"
      : undefined;
  const why = found ?? notPicture;
  if (why !== undefined) {
    return {
      kind: "problem",
      problem: {
        file,
        field: "avatar",
        ...(parsed.avatarLine === undefined ? {} : { line: parsed.avatarLine }),
        reason:
          `the picture ${path} ${why}: put the picture there (PNG, JPEG, WebP or GIF), or fix the path ` +
          "(relative to this persona file), or put the picture's https URL in avatar:, or remove the avatar line",
      },
    };
  }
  if (dirname(path) !== resolve(personasDir, AVATARS_DIR_NAME)) return { kind: "elsewhere" };
  return { kind: "served", avatarFile: basename(path) };
}
