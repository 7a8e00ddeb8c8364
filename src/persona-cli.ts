/**
 * `npm run persona -- <verb> …`: commands that work on persona files. A dispatcher only: each verb
 * lives in src/app/persona-cli/<verb>.ts as `run(argv, io) → exit code`.
 */
import type { PersonaCliIo, PersonaCliVerb } from "./app/persona-cli/cli-io.js";
import { run as compile } from "./app/persona-cli/compile.js";

const verbs: Record<string, PersonaCliVerb> = { compile };

const io: PersonaCliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

const [verb, ...rest] = process.argv.slice(2);
const command = verb === undefined ? undefined : verbs[verb];
if (command === undefined) {
  io.err(`usage: npm run persona -- <${Object.keys(verbs).join("|")}> …`);
  process.exitCode = 1;
} else {
  process.exitCode = await command(rest, io);
}
