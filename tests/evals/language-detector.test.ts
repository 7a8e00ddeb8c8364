/** The built-in language detector behind the `language` check. */
import { describe, expect, it } from "vitest";
import { createBuiltInDetector, normalizeLanguageCode } from "../../src/evals/language-detector.js";

const detector = createBuiltInDetector();

describe("built-in language detector", () => {
  it.each([
    ["en", "The answer is in the second line, and you can check it with a small test of your own."],
    ["de", "Die Antwort steht in der zweiten Zeile, und du kannst sie mit einem kleinen Test prüfen."],
    ["fr", "La réponse est dans la deuxième ligne, et vous pouvez la vérifier avec un petit test."],
    [
      "es",
      "La respuesta está en la segunda línea, y puedes comprobarla con una prueba pequeña de las tuyas.",
    ],
    ["it", "La risposta è nella seconda riga, e puoi verificarla con un piccolo test che non è difficile."],
    [
      "pt",
      "A resposta está na segunda linha, e você pode verificar isso com um teste pequeno que não é difícil.",
    ],
    [
      "nl",
      "Het antwoord staat in de tweede regel, en je kunt het met een kleine test zelf controleren, maar niet nu.",
    ],
    ["ru", "Ответ во второй строке, и вы можете это проверить, но не так быстро, как он думает."],
    ["ja", "答えは二行目にあります。小さなテストで確かめてみてください。"],
    ["zh", "答案在第二行，你可以用一个小测试来检查它。"],
    ["ko", "답은 두 번째 줄에 있습니다. 작은 테스트로 확인해 보세요."],
    ["el", "Η απάντηση είναι στη δεύτερη γραμμή και μπορείς να την ελέγξεις."],
  ])("tells %s", (language, text) => {
    expect(detector.detect(text)).toEqual({ language });
  });

  it("gives no answer for too little text or no letters", () => {
    expect(detector.detect("x = 5")).toBeUndefined();
    expect(detector.detect("42")).toBeUndefined();
    expect(detector.detect("")).toBeUndefined();
  });

  it("knows what it can tell", () => {
    expect(detector.known.has("en")).toBe(true);
    expect(detector.known.has("sw")).toBe(false);
  });

  it("reads three-letter codes as their two-letter ones", () => {
    expect(normalizeLanguageCode("deu")).toBe("de");
    expect(normalizeLanguageCode("ENG")).toBe("en");
    expect(normalizeLanguageCode("fr")).toBe("fr");
  });
});
