/**
 * Which language a text is in, in process, behind a small interface the `language` check uses.
 * The detection is franc-min's (trigram profiles of the languages with 8M+ speakers, and the
 * languages with a script of their own told by their letters); this file only maps its ISO 639-3
 * answers to the two-letter codes people write in eval files, and keeps its guess to the languages
 * that mapping names, which makes short answers far less likely to land on a near neighbour.
 */
import { franc } from "franc-min";

export interface LanguageGuess {
  /** ISO 639-1. */
  language: string;
}

export interface LanguageDetector {
  /** The languages it can tell apart, ISO 639-1. */
  readonly known: ReadonlySet<string>;
  /** undefined: too little text to tell. */
  detect(text: string): LanguageGuess | undefined;
}

/** ISO 639-1 → the ISO 639-3 code franc-min answers with (Arabic, Chinese, Persian: the macrolanguage's main one). */
const FRANC_CODES: Readonly<Record<string, string>> = {
  ar: "arb",
  be: "bel",
  bg: "bul",
  cs: "ces",
  de: "deu",
  el: "ell",
  en: "eng",
  es: "spa",
  fa: "pes",
  fr: "fra",
  he: "heb",
  hi: "hin",
  hr: "hrv",
  hu: "hun",
  id: "ind",
  it: "ita",
  ja: "jpn",
  kk: "kaz",
  ko: "kor",
  nl: "nld",
  pl: "pol",
  pt: "por",
  ro: "ron",
  ru: "rus",
  sr: "srp",
  sv: "swe",
  sw: "swh",
  th: "tha",
  tl: "tgl",
  tr: "tur",
  uk: "ukr",
  ur: "urd",
  vi: "vie",
  zh: "cmn",
};

const TWO_LETTER = new Map(Object.entries(FRANC_CODES).map(([two, three]) => [three, two]));

/** Other three-letter spellings people write (bibliographic codes, macrolanguages). */
const ALIASES: Readonly<Record<string, string>> = {
  ger: "de",
  fre: "fr",
  fra: "fr",
  dut: "nl",
  gre: "el",
  chi: "zh",
  zho: "zh",
  ara: "ar",
  fas: "fa",
  per: "fa",
  swa: "sw",
  msa: "id",
};

/** Fewer letters than this, and the text is too short to tell (franc guesses wildly below it). */
const MIN_LETTERS = 20;

export function createLanguageDetector(): LanguageDetector {
  const only = Object.values(FRANC_CODES);
  return {
    known: new Set(Object.keys(FRANC_CODES)),
    detect(text) {
      const letters = text.match(/\p{L}/gu)?.length ?? 0;
      // Han and kana count as whole words: a short Japanese or Chinese answer is still prose.
      const wide =
        text.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu)?.length ?? 0;
      if (letters + wide * 2 < MIN_LETTERS) return undefined;
      const found = franc(text, { only, minLength: 1 });
      const language = TWO_LETTER.get(found);
      return language === undefined ? undefined : { language };
    },
  };
}

/** An eval file's code (`en`, `deu`) as the detector's ISO 639-1 code. */
export function normalizeLanguageCode(code: string): string {
  const lower = code.toLowerCase();
  return ALIASES[lower] ?? TWO_LETTER.get(lower) ?? lower;
}
