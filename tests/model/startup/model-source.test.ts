import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_EMBEDDED_MODEL,
  DEFAULT_EMBEDDED_MODEL_FILE,
  huggingFaceUrl,
  modelSourceProblem,
  parseModelSource,
} from "../../../src/model/startup/model-source.js";

describe("parseModelSource", () => {
  it("maps the default hf: URI to a Hugging Face download URL and a file in MODELS_DIR", () => {
    expect(parseModelSource(DEFAULT_EMBEDDED_MODEL, "./models")).toEqual({
      kind: "remote",
      url: "https://huggingface.co/bartowski/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/Qwen2.5-0.5B-Instruct-Q4_K_M.gguf",
      fileName: DEFAULT_EMBEDDED_MODEL_FILE,
      path: join(resolve("./models"), DEFAULT_EMBEDDED_MODEL_FILE),
      label: DEFAULT_EMBEDDED_MODEL,
    });
  });

  it("accepts hf://, a branch after #, and files in subfolders", () => {
    expect(huggingFaceUrl("user/repo/sub/dir/model.gguf#v1.0")).toBe(
      "https://huggingface.co/user/repo/resolve/v1.0/sub/dir/model.gguf",
    );
    expect(parseModelSource("hf://user/repo/model.gguf", "/m")).toMatchObject({
      url: "https://huggingface.co/user/repo/resolve/main/model.gguf",
      path: "/m/model.gguf",
    });
  });

  it("asks for the file name when an hf: URI names only a repository or a quantization tag", () => {
    expect(() => parseModelSource("hf:user/repo", "/m")).toThrow(
      /must name the file: hf:<user>\/<repo>\/<file>\.gguf/,
    );
    expect(() => parseModelSource("hf:user/repo:Q4_K_M", "/m")).toThrow(/must name the file/);
  });

  it("downloads an http(s) URL under a safe file name", () => {
    expect(parseModelSource("https://example.test/files/My%20Model.Q4.gguf?download=1", "/m")).toMatchObject({
      kind: "remote",
      fileName: "My_Model.Q4.gguf",
      path: "/m/My_Model.Q4.gguf",
    });
    expect(parseModelSource("http://127.0.0.1:8080/get?id=3", "/m")).toMatchObject({ fileName: "get.gguf" });
  });

  it("treats anything else as a local file path, resolved from the working directory", () => {
    expect(parseModelSource("./models/mine.gguf", "/m")).toEqual({
      kind: "file",
      path: resolve("./models/mine.gguf"),
      label: "./models/mine.gguf",
    });
    expect(parseModelSource("/opt/models/a.gguf", "/m")).toMatchObject({
      kind: "file",
      path: "/opt/models/a.gguf",
    });
  });

  it("reports problems for config validation", () => {
    expect(modelSourceProblem(DEFAULT_EMBEDDED_MODEL)).toBeUndefined();
    expect(modelSourceProblem("ftp://host/model.gguf")).toMatch(
      /only file paths, hf: URIs and http\(s\) URLs/,
    );
    expect(modelSourceProblem("hf:only-a-user")).toMatch(/must name the file/);
  });
});
