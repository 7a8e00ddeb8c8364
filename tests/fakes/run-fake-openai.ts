/**
 * Runs the fake OpenAI-compatible server as its own process:
 *   tsx tests/fakes/run-fake-openai.ts [--port N] [--model id]...
 * Prints one line `{"port":N,"baseURL":"http://127.0.0.1:N/v1"}` on stdout once listening; stops on SIGTERM / SIGINT.
 */
import { startFakeOpenAI } from "./fake-openai.js";
import { parseFakeArguments } from "./run-fake-arguments.js";

const { port, models } = parseFakeArguments(process.argv.slice(2));
const fake = await startFakeOpenAI({ port, ...(models.length > 0 ? { models } : {}) });
process.stdout.write(`${JSON.stringify({ port: fake.port, baseURL: fake.baseURL })}\n`);

const stop = (): void => {
  // Once the server is closed nothing keeps the process alive: it ends with code 0 by itself.
  void fake.close();
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
