/**
 * A `fetch` wrapper for one request, for clients that take a `fetch` but no signal or timeout
 * (the ollama client: its non-streaming calls take no AbortSignal, streaming ones make their own).
 * It links our signal into every call, optionally bounds the wait for response headers, and keeps
 * the response so its headers can be read afterwards (the ollama `ResponseError` drops them, and
 * Retry-After lives there).
 *
 * A string body (the client's JSON: the whole prompt, a persona's kilobytes of system prompt
 * included) goes as its UTF-8 bytes. Given the string, fetch first copies it to make it well-formed
 * (USVString), then encodes it; Buffer.from writes the same bytes in one step (JSON.stringify
 * escapes lone surrogates, and both would turn one into U+FFFD), and the client's Content-Type stays.
 */
export interface WatchedFetch {
  readonly fetch: typeof fetch;
  /** The last response received, once headers arrived. */
  readonly response: Response | undefined;
  /** True when `headersTimeoutMs` ran out before the response headers arrived. */
  readonly headersTimedOut: boolean;
}

export function createWatchedFetch(
  baseFetch: typeof fetch,
  signal: AbortSignal,
  headersTimeoutMs?: number,
): WatchedFetch {
  let response: Response | undefined;
  let headersTimedOut = false;

  const watched: typeof fetch = async (input, init) => {
    // Only what is there is linked: every AbortSignal.any and AbortController costs, per request.
    const signals = [signal];
    if (init?.signal) signals.push(init.signal);
    let timer: NodeJS.Timeout | undefined;
    if (headersTimeoutMs !== undefined) {
      const headersDeadline = new AbortController();
      signals.push(headersDeadline.signal);
      timer = setTimeout(() => {
        headersTimedOut = true;
        headersDeadline.abort();
      }, headersTimeoutMs);
    }
    try {
      const body = typeof init?.body === "string" ? Buffer.from(init.body) : init?.body;
      response = await baseFetch(input, {
        ...init,
        ...(body === undefined ? {} : { body }),
        signal: signals.length === 1 ? signal : AbortSignal.any(signals),
      });
      return response;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    fetch: watched,
    get response() {
      return response;
    },
    get headersTimedOut() {
      return headersTimedOut;
    },
  };
}
