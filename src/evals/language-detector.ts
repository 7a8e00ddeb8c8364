/**
 * Which language a text is in, cheaply and in process, behind a small interface so a library
 * detector (franc-min, for one) can replace the built-in one without touching the checks.
 *
 * The built-in detector knows two kinds of languages. Those written in a script of their own are
 * told by their letters (Greek, Hebrew, Arabic, Thai, Korean, Japanese kana, Chinese characters).
 * The Latin and Cyrillic ones it knows are told by their most common short words: a few dozen
 * function words per language cover a large share of any prose, and differ between languages.
 * It answers only when it is sure enough; a short or mixed text gives no answer.
 */

export interface LanguageGuess {
  /** ISO 639-1. */
  language: string;
}

export interface LanguageDetector {
  /** The languages it can tell apart, ISO 639-1. */
  readonly known: ReadonlySet<string>;
  /** undefined: too little text, or no language clearly ahead. */
  detect(text: string): LanguageGuess | undefined;
}

const STOPWORDS: Record<string, string> = {
  en: "the and of to is in that it you for with this be are on not have was what your can do if but at or as so we they how my there will would",
  de: "der die das und ist nicht ich du sie es ein eine zu mit auf für den dem von sich auch wie wir ihr aber oder wenn was noch nur kann",
  fr: "le la les et est un une des du en que qui pas je tu vous il elle nous pour dans sur avec ce cette mais ou sont au ne plus très",
  es: "el la los las y es un una de del que en no por para con se lo como pero su al más muy está son yo tú usted qué también",
  it: "il lo la gli le e è un una di che non per con si come ma sono al del della anche più molto io tu questo ho hai",
  pt: "o a os as e é um uma de do da que não em para com se como mas são no na mais muito eu você isso está também por",
  nl: "de het een en is van dat niet ik je jij we ze in op te met voor maar ook zijn er wat dit hoe als naar bij",
  ru: "и в не на что я с он как это по но они мы вы ты к из у за от так же для его бы все она",
};

const SCRIPTS: { language: string; pattern: RegExp }[] = [
  { language: "el", pattern: /\p{Script=Greek}/gu },
  { language: "he", pattern: /\p{Script=Hebrew}/gu },
  { language: "ar", pattern: /\p{Script=Arabic}/gu },
  { language: "th", pattern: /\p{Script=Thai}/gu },
  { language: "ko", pattern: /\p{Script=Hangul}/gu },
  { language: "ja", pattern: /[\p{Script=Hiragana}\p{Script=Katakana}]/gu },
  { language: "zh", pattern: /\p{Script=Han}/gu },
];

const WORD_SETS = Object.entries(STOPWORDS).map(([language, words]) => ({
  language,
  words: new Set(words.split(" ")),
}));

/** Fewer common words than this, and the text is too short to tell. */
const MIN_HITS = 4;
/** The winner needs this many times the runner-up's hits. */
const MIN_LEAD = 1.5;

export function createBuiltInDetector(): LanguageDetector {
  return {
    known: new Set([...WORD_SETS.map((set) => set.language), ...SCRIPTS.map((script) => script.language)]),
    detect(text) {
      const letters = text.match(/\p{L}/gu)?.length ?? 0;
      if (letters === 0) return undefined;
      // Japanese mixes kana with Chinese characters: kana decide before Han is counted.
      for (const script of SCRIPTS) {
        if ((text.match(script.pattern)?.length ?? 0) / letters > 0.3) return { language: script.language };
      }
      const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
      const ranked = WORD_SETS.map(({ language, words: set }) => ({
        language,
        hits: words.filter((word) => set.has(word)).length,
      })).sort((left, right) => right.hits - left.hits);
      const [first, second] = ranked;
      if (first === undefined || first.hits < MIN_HITS) return undefined;
      if (second !== undefined && first.hits < second.hits * MIN_LEAD) return undefined;
      return { language: first.language };
    },
  };
}

const ISO_639_3: Record<string, string> = {
  eng: "en",
  deu: "de",
  ger: "de",
  fra: "fr",
  fre: "fr",
  spa: "es",
  ita: "it",
  por: "pt",
  nld: "nl",
  dut: "nl",
  rus: "ru",
  ell: "el",
  gre: "el",
  heb: "he",
  ara: "ar",
  tha: "th",
  kor: "ko",
  jpn: "ja",
  zho: "zh",
  chi: "zh",
  cmn: "zh",
};

/** An eval file's code (`en`, `deu`) as the detector's ISO 639-1 code. */
export function normalizeLanguageCode(code: string): string {
  const lower = code.toLowerCase();
  return ISO_639_3[lower] ?? lower;
}
