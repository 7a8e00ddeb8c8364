/**
 * A persona: a lightweight adapter over the one base model: a system prompt, sampling settings,
 * examples, a greeting. Only the type lives in core; the file format (schema, parser) and reading
 * the folder live in src/personas/.
 */
export interface PersonaExample {
  user: string;
  assistant: string;
}

export interface Persona {
  name: string;
  displayName: string;
  description: string;
  avatar?: string;
  emoji?: string;
  greeting?: string;
  systemPrompt: string;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  examples: PersonaExample[];
  postHistory?: string;
  tags: string[];
  /** A derived model over the same base (e.g. an Ollama model built FROM the base with a LoRA). */
  model?: string;
  /** Where the persona came from, for messages: a file path. */
  source: string;
}

/** The personas available right now. Implemented by src/personas/ (hot-reloaded from files). */
export interface PersonaCatalog {
  list(): Persona[];
  get(name: string): Persona | undefined;
}
