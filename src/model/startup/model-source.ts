/**
 * What `EMBEDDED_MODEL` names: a local GGUF file, an `hf:` URI, or an http(s) URL. Remote models are
 * downloaded once into MODELS_DIR under their own file name, so the same setting finds the file on
 * the next start.
 *
 * Why our own `hf:` resolver: node-llama-cpp's parser is not among its package exports, and its
 * `hf:user/repo:quant` form needs a network call; the file form below maps to a URL offline.
 */
import { basename, isAbsolute, join, resolve } from "node:path";
import { maskUrl } from "../../lib/mask-url.js";

/**
 * The default embedded model: Qwen2.5 0.5B Instruct, Q4_K_M (bartowski's imatrix quantization).
 * Why this one: the best quality per megabyte among ~0.5–1B instruct models (MMLU about 47 in
 * 398 MB; Llama 3.2 1B scores about 49 in 808 MB), it follows a system prompt, has a 32k context,
 * runs at a usable speed on two CPU cores, and is Apache-2.0, so downloading it for a user needs
 * no licence acceptance.
 */
export const DEFAULT_EMBEDDED_MODEL =
  "hf:bartowski/Qwen2.5-0.5B-Instruct-GGUF/Qwen2.5-0.5B-Instruct-Q4_K_M.gguf";
export const DEFAULT_EMBEDDED_MODEL_FILE = "Qwen2.5-0.5B-Instruct-Q4_K_M.gguf";
export const DEFAULT_EMBEDDED_MODEL_INFO = {
  name: "Qwen2.5 0.5B Instruct Q4_K_M",
  license: "Apache-2.0",
  /** The Hugging Face listing says 398 MB; the download verifies the exact size the server states. */
  approximateBytes: 398_000_000,
} as const;
export const DEFAULT_MODELS_DIR = "./models";

/** `label` is EMBEDDED_MODEL as it may be printed: an URL's password and query tokens masked. */
export type ModelSource =
  | { kind: "file"; path: string; label: string }
  /**
   * `path` is where the download lands (MODELS_DIR + the file name). `url` is the one to fetch and
   * may hold credentials: print `label` (or `maskUrl(url)`), never `url`.
   */
  | { kind: "remote"; url: string; fileName: string; path: string; label: string };

class ModelSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelSourceError";
  }
}

const hfPrefixes = ["hf://", "huggingface://", "hf:", "huggingface:"];

/** Throws ModelSourceError with a message that names the value and the accepted forms. */
export function parseModelSource(value: string, modelsDir: string): ModelSource {
  const trimmed = value.trim();
  if (trimmed === "") throw new ModelSourceError("EMBEDDED_MODEL is empty");
  const prefix = hfPrefixes.find((candidate) => trimmed.toLowerCase().startsWith(candidate));
  if (prefix !== undefined)
    return remote(huggingFaceUrl(trimmed.slice(prefix.length), trimmed), trimmed, modelsDir);
  if (/^https?:\/\//i.test(trimmed)) return remote(trimmed, maskUrl(trimmed), modelsDir);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    throw new ModelSourceError(
      `EMBEDDED_MODEL=${maskUrl(trimmed)}: only file paths, hf: URIs and http(s) URLs work`,
    );
  }
  const path = isAbsolute(trimmed) ? trimmed : resolve(trimmed);
  return { kind: "file", path, label: trimmed };
}

/** The problem with a value, or undefined when it parses: for config validation. */
export function modelSourceProblem(value: string): string | undefined {
  try {
    parseModelSource(value, DEFAULT_MODELS_DIR);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** `user/repo/path/to/file.gguf[#branch]` → `https://huggingface.co/user/repo/resolve/branch/path/to/file.gguf`. */
export function huggingFaceUrl(rest: string, original = `hf:${rest}`): string {
  const [path = "", branch = "main"] = rest.split("#");
  const parts = path.split("/").filter((part) => part !== "");
  const [user, repository, ...file] = parts;
  if (user === undefined || repository === undefined || file.length === 0 || repository.includes(":")) {
    throw new ModelSourceError(
      `EMBEDDED_MODEL=${original} must name the file: hf:<user>/<repo>/<file>.gguf, e.g. ${DEFAULT_EMBEDDED_MODEL}`,
    );
  }
  const encoded = [user, repository, "resolve", branch, ...file].map(encodeURIComponent).join("/");
  return `https://huggingface.co/${encoded}`;
}

function remote(url: string, label: string, modelsDir: string): ModelSource {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ModelSourceError(`EMBEDDED_MODEL=${label} is not a valid URL`);
  }
  const fileName = safeFileName(decodeURIComponent(basename(parsed.pathname)));
  return {
    kind: "remote",
    url: parsed.toString(),
    fileName,
    path: join(resolve(modelsDir), fileName),
    label,
  };
}

/** The URL's last segment, kept to characters safe in any file system, ending in `.gguf`. */
function safeFileName(name: string): string {
  const cleaned = name.replace(/[^\w.-]+/g, "_").replace(/^\.+/, "");
  if (cleaned === "" || cleaned === "_") return "model.gguf";
  return cleaned.toLowerCase().endsWith(".gguf") ? cleaned : `${cleaned}.gguf`;
}
