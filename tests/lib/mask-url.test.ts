import { describe, expect, it } from "vitest";
import { maskUrl, maskUrlsIn } from "../../src/lib/mask-url.js";

describe("maskUrl", () => {
  it.each([
    // A password goes; the user name stays.
    ["http://troupe:hunter2@proxy.example:8080/ollama", "http://troupe:***@proxy.example:8080/ollama"],
    ["redis://troupe:s3cret@127.0.0.1:6390/2", "redis://troupe:***@127.0.0.1:6390/2"],
    ["rediss://:s3cret@redis.internal", "rediss://:***@redis.internal"],
    // A lone user-info may be a token (https://TOKEN@host): all of it goes.
    ["https://ghp_abcdef@host.example/v1", "https://***@host.example/v1"],
    // An "@" in the password: everything up to the last "@" before the host is user-info.
    ["http://ada:p@ss@host:11434", "http://ada:***@host:11434"],
    // Query tokens go, harmless parameters stay.
    [
      "https://gw.example/v1?api-version=2024-06-01&key=abc123",
      "https://gw.example/v1?api-version=2024-06-01&key=***",
    ],
    [
      "https://files.example/m.gguf?access_token=xyz&download=true",
      "https://files.example/m.gguf?access_token=***&download=true",
    ],
    [
      "https://bucket.s3.example/m.gguf?X-Amz-Credential=AKIA&X-Amz-Signature=deadbeef#part",
      "https://bucket.s3.example/m.gguf?X-Amz-Credential=***&X-Amz-Signature=***#part",
    ],
    ["http://u:pw@h/v1?api_key=k", "http://u:***@h/v1?api_key=***"],
    // OLLAMA_HOST's scheme-less form.
    ["ada:hunter2@gpu-box:11434", "ada:***@gpu-box:11434"],
  ])("%s → %s", (url, expected) => {
    expect(maskUrl(url)).toBe(expected);
  });

  it.each([
    "http://127.0.0.1:11434",
    "https://api.openai.com/v1",
    "memory://",
    // A file path's "@" is part of a file name, not a user.
    "sqlite://./data/me@home.sqlite",
    "sqlite://backup@2024.sqlite",
    "./models/a@b.gguf",
    "hf:bartowski/Qwen2.5-0.5B-Instruct-GGUF/Qwen2.5-0.5B-Instruct-Q4_K_M.gguf",
    "not a url at all",
  ])("leaves %s as it is", (value) => {
    expect(maskUrl(value)).toBe(value);
  });

  it("masks a value that does not parse as a URL, as a config error prints it", () => {
    expect(maskUrl("http://ada:hunter2@bad host")).toBe("http://ada:***@bad host");
  });
});

describe("maskUrlsIn", () => {
  it("masks every URL inside a library's message and keeps the words around them", () => {
    const text =
      "Request cannot be constructed from a URL that includes credentials: http://ada:hunter2@127.0.0.1:11434/api/chat " +
      "(retrying https://gw.example/v1?key=abc123)";
    const masked = maskUrlsIn(text);
    expect(masked).toBe(
      "Request cannot be constructed from a URL that includes credentials: http://ada:***@127.0.0.1:11434/api/chat " +
        "(retrying https://gw.example/v1?key=***)",
    );
    expect(masked).not.toContain("hunter2");
    expect(masked).not.toContain("abc123");
  });
});
