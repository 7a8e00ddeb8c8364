/**
 * Masking what must not reach a dataset: e-mail addresses, phone numbers, card numbers (only a
 * digit run that passes the Luhn check, so order numbers and years stay), and secrets — Slack
 * tokens (`xox…`, `xapp-…`), Discord bot tokens (three dot-separated base64url parts), OpenAI-style
 * keys (`sk-…`), and long hex or base64 runs. Tokens go first: a token can contain digit runs that
 * would otherwise read as a phone number.
 */

const TOKEN_PATTERNS: readonly RegExp[] = [
  /\bxox[abposer]-[A-Za-z0-9-]{8,}/g,
  /\bxapp-[A-Za-z0-9-]{8,}/g,
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  /\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}/g,
  /\b[0-9a-fA-F]{32,}\b/g,
  // Base64 of 32+ characters that mixes cases and digits: a word or a long number does not.
  /(?<![A-Za-z0-9+/=])(?=[A-Za-z0-9+/]*[0-9])(?=[A-Za-z0-9+/]*[a-z])(?=[A-Za-z0-9+/]*[A-Z])[A-Za-z0-9+/]{32,}={0,2}(?![A-Za-z0-9+/=])/g,
];

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
/** 13–19 digits, in groups separated by single spaces or dashes. */
const CARD_LIKE = /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g;
/** An optional +country code, then 7–15 digits with spaces, dots, dashes or parentheses between. */
const PHONE = /(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){2,4}(?![\w])/g;

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return digits.length >= 13 && sum % 10 === 0;
}

export function maskSensitive(text: string): string {
  let masked = text;
  for (const pattern of TOKEN_PATTERNS) masked = masked.replace(pattern, "[token]");
  masked = masked.replace(EMAIL, "[email]");
  masked = masked.replace(CARD_LIKE, (match) => (passesLuhn(match.replace(/\D/g, "")) ? "[card]" : match));
  masked = masked.replace(PHONE, (match) => {
    // E.164 allows at most 15 digits: a longer run is some other number.
    const digits = match.replace(/\D/g, "").length;
    return digits >= 7 && digits <= 15 ? "[phone]" : match;
  });
  return masked;
}
