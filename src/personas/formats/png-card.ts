/**
 * Character cards inside PNG images: the card is base64 JSON in a `tEXt` chunk, keyword `ccv3` (V3)
 * or `chara` (V2, and the V2 copy V3 writers add). Reading prefers `ccv3`; writing puts both in. V3
 * may embed assets as `chara-ext-asset_:<path>` chunks, which `__asset:<path>` URIs point at. The
 * chunk libraries do the PNG work (signature, CRCs); this file only picks and places chunks.
 */

import { zlibSync } from "fflate";
import { decode as decodeText, encode as encodeText } from "png-chunk-text";
import encodeChunks from "png-chunks-encode";
import extractChunks from "png-chunks-extract";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CARD_KEYWORDS = new Set(["ccv3", "chara"]);
const ASSET_KEYWORD_PREFIX = "chara-ext-asset_:";

export function isPng(bytes: Uint8Array): boolean {
  return PNG_SIGNATURE.every((byte, index) => bytes[index] === byte);
}

export type PngCardRead =
  | { kind: "card"; keyword: "ccv3" | "chara"; base64: string; assets: ReadonlyMap<string, string> }
  | { kind: "no-card" }
  | { kind: "broken"; reason: string };

export function readPngCard(bytes: Uint8Array): PngCardRead {
  let chunks: { name: string; data: Uint8Array }[];
  try {
    chunks = extractChunks(bytes);
  } catch (error) {
    return { kind: "broken", reason: (error as Error).message };
  }
  const texts = new Map<string, string>();
  const assets = new Map<string, string>();
  for (const chunk of chunks) {
    if (chunk.name !== "tEXt") continue;
    const { keyword, text } = decodeText(chunk.data);
    if (keyword.startsWith(ASSET_KEYWORD_PREFIX))
      assets.set(keyword.slice(ASSET_KEYWORD_PREFIX.length), text);
    else if (CARD_KEYWORDS.has(keyword.toLowerCase()) && !texts.has(keyword.toLowerCase()))
      texts.set(keyword.toLowerCase(), text);
  }
  for (const keyword of ["ccv3", "chara"] as const) {
    const base64 = texts.get(keyword);
    if (base64 !== undefined) return { kind: "card", keyword, base64, assets };
  }
  return { kind: "no-card" };
}

/** The image without the card in it: what the persona's avatar file holds. */
export function withoutCardChunks(bytes: Uint8Array): Uint8Array {
  return encodeChunks(extractChunks(bytes).filter((chunk) => !isCardChunk(chunk)));
}

/** `image` (a PNG) with these cards as `tEXt` chunks, replacing any it had, before its end chunk. */
export function withCardChunks(image: Uint8Array, cards: { keyword: string; json: string }[]): Uint8Array {
  const chunks = extractChunks(image).filter((chunk) => !isCardChunk(chunk));
  const end = chunks.findIndex((chunk) => chunk.name === "IEND");
  const added = cards.map((card) =>
    encodeText(card.keyword, Buffer.from(card.json, "utf8").toString("base64")),
  );
  chunks.splice(end === -1 ? chunks.length : end, 0, ...added);
  return encodeChunks(chunks);
}

function isCardChunk(chunk: { name: string; data: Uint8Array }): boolean {
  if (chunk.name !== "tEXt") return false;
  const { keyword } = decodeText(chunk.data);
  return CARD_KEYWORDS.has(keyword.toLowerCase()) || keyword.startsWith(ASSET_KEYWORD_PREFIX);
}

/**
 * A plain 256×256 PNG for a card whose persona has no PNG avatar: card readers expect an image.
 * Grey, one colour, so it compresses to a few hundred bytes.
 */
export function placeholderPng(): Uint8Array {
  const size = 256;
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, size);
  view.setUint32(4, size);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, default compression, filter and no interlace
  const row = new Uint8Array(1 + size * 3).fill(0x80);
  row[0] = 0; // filter type: none
  const pixels = new Uint8Array(row.length * size);
  for (let y = 0; y < size; y++) pixels.set(row, y * row.length);
  return encodeChunks([
    { name: "IHDR", data: header },
    { name: "IDAT", data: zlibSync(pixels) },
    { name: "IEND", data: new Uint8Array(0) },
  ]);
}
