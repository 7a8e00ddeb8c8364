/**
 * What an imported file holds, whatever its kind: a Character Card from a PNG, a CHARX zip or a
 * JSON file, or an elizaOS character (JSON), each checked with zod before use, plus the avatar it
 * brings. Every way it can be wrong is a CharacterImportError naming the file and the fault.
 */
import { z } from "zod";
import { type Card, type CardAsset, cardSchema } from "./card-schema.js";
import { CharacterImportError, firstIssueText } from "./character-import-error.js";
import { CHARX_CARD_FILE, isZip, readCharxEntry } from "./charx.js";
import { type ElizaCharacter, elizaCharacterSchema, looksLikeEliza } from "./eliza-schema.js";
import { isPng, readPngCard, withoutCardChunks } from "./png-card.js";

export type CharacterAvatar = { kind: "image"; bytes: Uint8Array } | { kind: "url"; url: string };

export type ImportedCharacter =
  | { kind: "card"; card: Card; avatar?: CharacterAvatar }
  | { kind: "eliza"; character: ElizaCharacter };

/** Where the card came from, for finding its icon. */
type Container =
  | { kind: "png"; bytes: Uint8Array; assets: ReadonlyMap<string, string> }
  | { kind: "charx"; zip: Uint8Array; maxBytes: number }
  | { kind: "json" };

export function readCharacterFile(bytes: Uint8Array, file: string, maxBytes: number): ImportedCharacter {
  if (isPng(bytes)) return readPng(bytes, file);
  if (isZip(bytes)) return readCharx(bytes, file, maxBytes);
  const text = Buffer.from(bytes)
    .toString("utf8")
    .replace(/^\uFEFF/, "");
  if (!/^\s*\{/.test(text)) {
    throw new CharacterImportError(
      file,
      "not a character card: expected a PNG card, a CHARX (zip) or a JSON character (Character Card V2/V3 or elizaOS)",
    );
  }
  const json = parseJson(text, file, "the file");
  if (looksLikeEliza(json)) {
    const parsed = elizaCharacterSchema.safeParse(json);
    if (!parsed.success) {
      throw new CharacterImportError(
        file,
        `not a valid elizaOS character: ${firstIssueText(parsed.error.issues)}`,
      );
    }
    return { kind: "eliza", character: parsed.data };
  }
  return cardWithAvatar(parseCard(json, file), { kind: "json" });
}

function readPng(bytes: Uint8Array, file: string): ImportedCharacter {
  const read = readPngCard(bytes);
  if (read.kind === "broken") throw new CharacterImportError(file, `not a readable PNG: ${read.reason}`);
  if (read.kind === "no-card") {
    throw new CharacterImportError(
      file,
      'the PNG has no character card in it (no "ccv3" or "chara" text chunk): it is a plain image',
    );
  }
  const json = parseJson(decodeBase64(read.base64, file, read.keyword), file, `the "${read.keyword}" chunk`);
  return cardWithAvatar(parseCard(json, file), { kind: "png", bytes, assets: read.assets });
}

function readCharx(zip: Uint8Array, file: string, maxBytes: number): ImportedCharacter {
  const entry = readCharxEntry(zip, CHARX_CARD_FILE, maxBytes);
  if (entry.kind === "broken")
    throw new CharacterImportError(file, `not a readable zip (CHARX): ${entry.reason}`);
  if (entry.kind === "missing") {
    throw new CharacterImportError(
      file,
      `the CHARX (zip) has no ${CHARX_CARD_FILE}: it is not a character card`,
    );
  }
  if (entry.kind === "too-big") {
    throw new CharacterImportError(
      file,
      `its ${CHARX_CARD_FILE} unpacks to ${entry.bytes} bytes, over the ${maxBytes}-byte limit`,
    );
  }
  const json = parseJson(Buffer.from(entry.bytes).toString("utf8"), file, CHARX_CARD_FILE);
  return cardWithAvatar(parseCard(json, file), { kind: "charx", zip, maxBytes });
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(text: string, file: string, keyword: string): string {
  const compact = text.replace(/\s+/g, "");
  if (compact.length % 4 === 1 || !BASE64.test(compact)) {
    throw new CharacterImportError(
      file,
      `the "${keyword}" chunk is not valid base64, so the card in it cannot be read`,
    );
  }
  return Buffer.from(compact, "base64").toString("utf8");
}

function parseJson(text: string, file: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CharacterImportError(file, `${what} is not valid JSON: ${(error as Error).message}`);
  }
}

const specOnly = z.looseObject({ spec: z.unknown().optional() });

function parseCard(json: unknown, file: string): Card {
  const spec = specOnly.safeParse(json);
  if (!spec.success) throw new CharacterImportError(file, "not a character card: the JSON is not an object");
  if (spec.data.spec !== "chara_card_v2" && spec.data.spec !== "chara_card_v3") {
    const said = spec.data.spec === undefined ? "has no spec" : `has spec ${JSON.stringify(spec.data.spec)}`;
    throw new CharacterImportError(
      file,
      `not a supported character card: it ${said}; expected "chara_card_v2" or "chara_card_v3" (or an elizaOS character)`,
    );
  }
  const parsed = cardSchema.safeParse(json);
  if (!parsed.success) {
    throw new CharacterImportError(
      file,
      `not a valid ${spec.data.spec} card: ${firstIssueText(parsed.error.issues)}`,
    );
  }
  return parsed.data;
}

function cardWithAvatar(card: Card, container: Container): ImportedCharacter {
  const avatar = avatarOf(card.data.assets, container);
  return avatar === undefined ? { kind: "card", card } : { kind: "card", card, avatar };
}

/**
 * The card's main icon: the asset of type `icon` named `main` (else the first icon). `ccdefault:`
 * is the PNG itself in a PNG card and "no image" elsewhere; `embeded://` is a file in the CHARX,
 * `__asset:` a chunk of the PNG; a web address stays an address; a `data:` URI is decoded. A PNG
 * card without icon assets is its own image, as every card viewer shows it.
 */
function avatarOf(
  assets: readonly CardAsset[] | undefined,
  container: Container,
): CharacterAvatar | undefined {
  const icons = (assets ?? []).filter((asset) => asset.type === "icon");
  const icon = icons.find((asset) => asset.name === "main") ?? icons[0];
  const pngItself = (): CharacterAvatar | undefined =>
    container.kind === "png" ? { kind: "image", bytes: withoutCardChunks(container.bytes) } : undefined;
  if (icon === undefined) return pngItself();
  const uri = icon.uri;
  if (/^https?:\/\//i.test(uri)) return { kind: "url", url: uri };
  const dataUri = /^data:[^;,]*;base64,(.*)$/is.exec(uri);
  if (dataUri) return { kind: "image", bytes: Buffer.from(dataUri[1] ?? "", "base64") };
  if (uri.startsWith("embeded://") && container.kind === "charx") {
    const entry = readCharxEntry(container.zip, uri.slice("embeded://".length), container.maxBytes);
    if (entry.kind === "found") return { kind: "image", bytes: entry.bytes };
  }
  if (uri.startsWith("__asset:") && container.kind === "png") {
    const base64 = container.assets.get(uri.slice("__asset:".length));
    if (base64 !== undefined) return { kind: "image", bytes: Buffer.from(base64, "base64") };
  }
  return pngItself();
}
