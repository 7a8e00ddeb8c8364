/**
 * Fuzzing the HTTP door end to end: recorded Slack payloads, mutated with a seeded PRNG and
 * correctly signed, sent to the real Bolt app. Whatever the body, the answer is a 200 (Bolt took
 * it) or a 4xx from the guard with exactly one warning, never a 5xx; Bolt never logs a failure or
 * an unacknowledged request, and nothing rejects unhandled. Bounded by iteration count
 * (FUZZ_ITERATIONS scales it); a failure names its seed (FUZZ_SEED=<seed> replays it alone).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FORM, sendSignedRaw } from "../../fakes/fake-slack/signed-requests.js";
import {
  createRng,
  describeInput,
  fuzzIterations,
  fuzzTimeoutMs,
  jsonText,
  mutate,
} from "../../helpers/fuzz.js";
import { type Harness, SIGNING_SECRET, startHarness } from "./slack-harness.js";

const payloadDir = join(import.meta.dirname, "payloads");
const recorded = readdirSync(payloadDir)
  .filter((file) => file.endsWith(".json"))
  .map((file) => ({ file, body: JSON.parse(readFileSync(join(payloadDir, file), "utf8")) as unknown }));

/** Each request runs the real app (and maybe an answer): far fewer than the pure fuzzers. */
const ITERATIONS = Math.ceil(fuzzIterations(1_000) / 25);

let harness: Harness;
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);

beforeAll(async () => {
  harness = await startHarness({ mode: "http" });
  process.on("unhandledRejection", onRejection);
});
afterAll(async () => {
  process.off("unhandledRejection", onRejection);
  await harness?.stop();
});

/** The signed request for a mutated body: commands as a form (their response_url kept on loopback). */
function encode(file: string, body: unknown): { text: string; contentType: string } {
  if (file !== "slash-command.json" || typeof body !== "object" || body === null || Array.isArray(body))
    return { text: jsonText(body), contentType: "application/json" };
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(body))
    fields[key] = typeof value === "string" ? value : jsonText(value);
  fields.response_url = harness.fake.responseUrl();
  return { text: new URLSearchParams(fields).toString(), contentType: FORM };
}

async function sendOne(seed: number): Promise<number> {
  const rng = createRng(seed);
  const { file, body: original } = rng.pick(recorded);
  const body = mutate(original, rng);
  const { text, contentType } = encode(file, body);
  harness.logger.lines.length = 0;
  const response = await sendSignedRaw(harness.eventsUrl, text, contentType, { secret: SIGNING_SECRET });
  await new Promise((resolve) => setImmediate(resolve));
  await harness.connector.settled();
  const lines = harness.logger.lines;
  const refusals = lines.filter((line) => line.fields.component === "slack-http" && line.level === "warn");
  const boltTrouble = lines.filter(
    (line) => line.fields.component === "slack-sdk" && (line.level === "warn" || line.level === "error"),
  );
  const problems = [
    ...(response.status === 200 || response.status === 400 ? [] : [`status ${response.status}`]),
    ...(response.status === 400 && refusals.length !== 1
      ? [`${refusals.length} refusal lines for a 400`]
      : []),
    ...(response.status === 200 && refusals.length !== 0 ? ["a refusal line for a 200"] : []),
    ...boltTrouble.map((line) => `Bolt logged "${line.message}"`),
    // Bolt puts the cause of a failure in a debug line after it.
    ...(boltTrouble.length === 0
      ? []
      : lines.filter((line) => line.message.startsWith("Error details")).map((line) => line.message)),
    ...lines
      .filter((line) => line.message.includes("not acknowledged"))
      .map(() => "an unacknowledged request"),
    ...rejections.map((reason) => `an unhandled rejection: ${String(reason)}`),
  ];
  if (problems.length > 0)
    throw new Error(
      `seed ${seed} (FUZZ_SEED=${seed} replays it), ${file}: ${problems.join("; ")}; body: ${describeInput(body)}`,
    );
  return response.status;
}

describe("the HTTP door under fuzzing", () => {
  it(
    "answers every mutated, signed payload with a 200 or a 400, and Bolt never fails",
    async () => {
      const only = process.env.FUZZ_SEED === undefined ? Number.NaN : Number(process.env.FUZZ_SEED);
      const seeds = Number.isInteger(only)
        ? [only]
        : Array.from({ length: ITERATIONS }, (_, i) => 8_000_000 + i);
      const statuses = new Set<number>();
      for (const seed of seeds) statuses.add(await sendOne(seed));
      // Not vacuous: the mutations reach both Bolt and the guard.
      if (seeds.length > 1) expect([...statuses].sort()).toEqual([200, 400]);
    },
    fuzzTimeoutMs(ITERATIONS * 25),
  );
});
