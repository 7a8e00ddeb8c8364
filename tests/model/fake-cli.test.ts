/** The fakes' CLI entries, as another test would run them: a child process that prints its port. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { afterEach, expect, it } from "vitest";
import { z } from "zod";
import { createOllamaModel } from "../../src/model/ollama/ollama-provider.js";
import { createOpenAIModel } from "../../src/model/openai/openai-provider.js";
import { collect, hello } from "./collect.js";

const started = z.object({ port: z.number().int().positive() });
let child: ChildProcess | undefined;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    await exited;
  }
  child = undefined;
});

async function runFake(script: string): Promise<number> {
  child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "inherit"] });
  const stdout = child.stdout;
  if (!stdout) throw new Error("no stdout");
  const lines = createInterface({ input: stdout });
  const [line] = (await once(lines, "line")) as [string];
  lines.close();
  return started.parse(JSON.parse(line)).port;
}

it("runs the fake Ollama as a child process that prints its port and stops on SIGTERM", async () => {
  const port = await runFake("tests/fakes/run-fake-ollama.ts");
  const model = createOllamaModel({
    host: `http://127.0.0.1:${port}`,
    model: "llama3.2",
    contextTokens: 2048,
    idleTimeoutMs: 5_000,
  });
  expect((await collect(model.stream(hello))).text).toBe("echo: hello");
  if (!child) throw new Error("the fake did not start");
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  expect(await exited).toEqual([0, null]);
});

it("runs the fake OpenAI server as a child process", async () => {
  const port = await runFake("tests/fakes/run-fake-openai.ts");
  const model = createOpenAIModel({
    baseURL: `http://127.0.0.1:${port}/v1`,
    model: "llama3.2",
    idleTimeoutMs: 5_000,
  });
  expect((await collect(model.stream(hello))).text).toBe("echo: hello");
  expect(await model.check()).toEqual({ ok: true, model: "llama3.2" });
});
