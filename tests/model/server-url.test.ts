import { describe, expect, it } from "vitest";
import { authorizationHeader, parseServerUrl } from "../../src/model/server-url.js";

/** What a proxy decodes from the header: written here with Buffer, independently of the code under test. */
function decodedBasic(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  expect(header.startsWith("Basic ")).toBe(true);
  return Buffer.from(header.slice("Basic ".length), "base64").toString("utf8");
}

describe("parseServerUrl", () => {
  it("takes user:password out of the URL into a basic Authorization header, and masks the display", () => {
    const server = parseServerUrl("http://troupe:hunter2@127.0.0.1:11434");
    expect(server.url).toBe("http://127.0.0.1:11434");
    expect(decodedBasic(server.basicAuthorization)).toBe("troupe:hunter2");
    expect(server.display).toBe("http://troupe:***@127.0.0.1:11434");
    expect(authorizationHeader(server)).toEqual({ Authorization: server.basicAuthorization });
  });

  it("sends the real characters of a percent-encoded password, and keeps the path", () => {
    const server = parseServerUrl("https://ada:p%40ss%3Aw%C3%B6rd@proxy.example/ollama/");
    expect(server.url).toBe("https://proxy.example/ollama/");
    expect(decodedBasic(server.basicAuthorization)).toBe("ada:p@ss:wörd");
    expect(server.display).not.toContain("p%40ss");
  });

  it("keeps a query (sent as is) but masks its tokens in the display", () => {
    const server = parseServerUrl("http://u:pw@127.0.0.1:8000/v1?key=abc&api-version=2");
    expect(server.url).toBe("http://127.0.0.1:8000/v1?key=abc&api-version=2");
    expect(server.display).toBe("http://u:***@127.0.0.1:8000/v1?key=***&api-version=2");
  });

  it("sends a lone user name (a token as user) with an empty password", () => {
    const server = parseServerUrl("http://tok3n@127.0.0.1:11434");
    expect(decodedBasic(server.basicAuthorization)).toBe("tok3n:");
    expect(server.url).toBe("http://127.0.0.1:11434");
  });

  it("leaves a URL without credentials untouched, with no header", () => {
    const server = parseServerUrl("http://127.0.0.1:8000/v1");
    expect(server).toEqual({
      url: "http://127.0.0.1:8000/v1",
      basicAuthorization: undefined,
      display: "http://127.0.0.1:8000/v1",
    });
    expect(authorizationHeader(server)).toBeUndefined();
  });
});
