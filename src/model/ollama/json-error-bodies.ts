/**
 * A `fetch` for the ollama client that turns an error response without a JSON body into Ollama's
 * own `{"error": "…"}` shape.
 *
 * Why: Ollama answers errors in JSON, but a reverse proxy in front of it (basic auth, a gateway
 * timeout) answers in HTML or plain text, and for those the client writes "Getting text from
 * response" to standard output with console.log, which is where the terminal chat's answers go.
 * Status and headers (Retry-After) are kept; an HTML page becomes its status line, a text its words.
 */
const longestText = 300;

export function withJsonErrorBodies(baseFetch: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await baseFetch(input, init);
    if (response.ok || response.headers.get("content-type")?.includes("application/json")) return response;
    const words = await errorBodyWords(response);
    const headers = new Headers(response.headers);
    headers.set("content-type", "application/json; charset=utf-8");
    headers.delete("content-length");
    headers.delete("content-encoding");
    return new Response(JSON.stringify({ error: words }), {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  };
}

/** A non-JSON error body in a few words: an HTML page as its status line, a text as its words. */
export async function errorBodyWords(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  return bodyWords(
    `${response.status} ${response.statusText}`.trim(),
    response.headers.get("content-type") ?? "",
    text,
  );
}

/** The same, from a response already read: its status line, content type and text. */
export function bodyWords(statusLine: string, contentType: string, text: string): string {
  const words = contentType.includes("html") ? "" : text.trim().replace(/\s+/g, " ").slice(0, longestText);
  return words === "" ? statusLine : words;
}
