/**
 * Runs the fake Ollama as its own process, for end-to-end tests of a child process:
 *   tsx tests/fakes/run-fake-ollama.ts [--port N] [--model name]...
 * Prints one line `{"port":N,"host":"http://127.0.0.1:N"}` on stdout once listening; stops on SIGTERM / SIGINT.
 */
import { startFakeOllama } from "./fake-ollama.js";
import { parseFakeArguments } from "./run-fake-arguments.js";

const { port, models } = parseFakeArguments(process.argv.slice(2));
const fake = await startFakeOllama({ port, ...(models.length > 0 ? { models } : {}) });
process.stdout.write(`${JSON.stringify({ port: fake.port, host: fake.host })}\n`);

const stop = (): void => {
  // Once the server is closed nothing keeps the process alive: it ends with code 0 by itself.
  void fake.close();
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
