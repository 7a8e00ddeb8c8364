/**
 * CHARX: a zip holding `card.json` (a V3 card) and the card's assets, which the card names as
 * `embeded://<path in the zip>` (the spec's spelling). fflate reads the zip; only `card.json` and
 * the one asset asked for are inflated, each refused when its size passes the cap, so a small file
 * cannot unpack into gigabytes.
 */
import { unzipSync } from "fflate";

export const CHARX_CARD_FILE = "card.json";

export function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

export type CharxEntryRead =
  | { kind: "found"; bytes: Uint8Array }
  | { kind: "missing" }
  | { kind: "too-big"; bytes: number }
  | { kind: "broken"; reason: string };

/** One file out of the zip, by its path inside it. */
export function readCharxEntry(zip: Uint8Array, path: string, maxBytes: number): CharxEntryRead {
  let tooBig: number | undefined;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip, {
      filter: (file) => {
        if (file.name !== path) return false;
        if (file.originalSize > maxBytes) {
          tooBig = file.originalSize;
          return false;
        }
        return true;
      },
    });
  } catch (error) {
    return { kind: "broken", reason: (error as Error).message };
  }
  if (tooBig !== undefined) return { kind: "too-big", bytes: tooBig };
  const bytes = files[path];
  return bytes === undefined ? { kind: "missing" } : { kind: "found", bytes };
}
