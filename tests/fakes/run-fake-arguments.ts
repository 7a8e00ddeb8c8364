import { parseArgs } from "node:util";

/** `--port N` (default 0: a free port) and repeatable `--model name` for the fakes' CLI entries. */
export function parseFakeArguments(argv: string[]): { port: number; models: string[] } {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: "string" }, model: { type: "string", multiple: true } },
  });
  const port = Number(values.port ?? "0");
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`bad --port: ${values.port}`);
  return { port, models: values.model ?? [] };
}
