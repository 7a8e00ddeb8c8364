/**
 * Token estimates for the prompt budget. The bot talks to many models through servers without a
 * tokenize endpoint (Ollama has none), so it estimates from UTF-8 length: about 3.2 bytes a token
 * over-counts English (~4 characters a token) by a safety margin and counts CJK text (3 bytes a
 * character, ~1 token each) about right. Over-counting only trims history a little early;
 * under-counting would let the server silently truncate the prompt.
 */

const BYTES_PER_TOKEN = 3.2;
/** Role markers and separators every chat template adds around a message. */
const MESSAGE_OVERHEAD_TOKENS = 4;

/** Native (Node's own count): a JavaScript loop over every character was most of a prompt build's time. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

export function estimateTokens(text: string): number {
  return Math.ceil(utf8Length(text) / BYTES_PER_TOKEN);
}

export function estimateMessageTokens(content: string): number {
  return estimateTokens(content) + MESSAGE_OVERHEAD_TOKENS;
}

/** The longest prefix of `text` estimated at no more than `tokens`, cut at a character boundary. */
export function truncateToTokens(text: string, tokens: number): string {
  if (estimateTokens(text) <= tokens) return text;
  const maxBytes = Math.max(0, Math.floor(tokens * BYTES_PER_TOKEN));
  let bytes = 0;
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    const isPair = code >= 0xd800 && code <= 0xdbff;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : isPair ? 4 : 3;
    if (bytes + size > maxBytes) break;
    bytes += size;
    index += isPair ? 2 : 1;
  }
  return text.slice(0, index);
}
