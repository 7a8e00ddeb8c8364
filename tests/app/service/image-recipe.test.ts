/**
 * The container recipe, read as data (Docker itself is not available here): the Dockerfile is
 * multi-stage, runs as a non-root user, starts `node` itself on the compiled JavaScript (so signals
 * reach troupe) and declares ./data and ./personas as volumes; compose.yaml wires troupe to the
 * Ollama and Redis services, pulls the model first, exposes the endpoints, checks health on them
 * and lets the graceful stop finish (stop_grace_period above SHUTDOWN_GRACE_SECONDS); the embedded
 * file runs troupe alone. Whether the recipe's commands really install and start troupe is
 * image-install.e2e.test.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { repoRoot } from "../../helpers/run-troupe.js";

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions: comments dropped, continuation lines joined. */
function instructions(text: string): Instruction[] {
  const joined = text
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("#"))
    .join("\n")
    .replace(/\\\n/g, " ");
  return joined
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      const [keyword = "", ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}

/** The instructions of each stage, by stage name. */
function stages(all: Instruction[]): Map<string, Instruction[]> {
  const byStage = new Map<string, Instruction[]>();
  let current: Instruction[] | undefined;
  for (const instruction of all) {
    if (instruction.keyword === "FROM") {
      const name = /\bAS\s+(\S+)$/i.exec(instruction.args)?.[1] ?? `stage${byStage.size}`;
      current = [instruction];
      byStage.set(name, current);
    } else current?.push(instruction);
  }
  return byStage;
}

const dockerfile = instructions(readFileSync(join(repoRoot, "Dockerfile"), "utf8"));

const healthcheck = z.object({
  test: z.array(z.string()),
  interval: z.string().optional(),
  start_period: z.string().optional(),
});
const service = z.object({
  image: z.string().optional(),
  build: z.unknown().optional(),
  environment: z.record(z.string(), z.string()).optional(),
  volumes: z.array(z.string()).optional(),
  ports: z.array(z.string()).optional(),
  expose: z.array(z.string()).optional(),
  healthcheck: healthcheck.optional(),
  stop_grace_period: z.string().optional(),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
  entrypoint: z.array(z.string()).optional(),
  command: z.array(z.string()).optional(),
});
const composeFile = z.object({ services: z.record(z.string(), service), volumes: z.unknown().optional() });

function compose(file: string) {
  return composeFile.parse(parse(readFileSync(join(repoRoot, file), "utf8")));
}

function seconds(duration: string | undefined): number {
  const match = /^(\d+)s$/.exec(duration ?? "");
  if (!match) throw new Error(`not a duration in seconds: ${duration}`);
  return Number(match[1]);
}

describe("the Dockerfile", () => {
  const byStage = stages(dockerfile);
  const runtime = [...byStage.values()].at(-1) ?? [];

  it("builds in one stage and runs from another that copies only the build's output", () => {
    expect(byStage.size).toBeGreaterThanOrEqual(2);
    const build = byStage.get("build") ?? [];
    expect(
      build.some(
        (step) => step.keyword === "RUN" && /apt-get install .*python3 .*make .*g\+\+/.test(step.args),
      ),
    ).toBe(true);
    expect(build.some((step) => step.keyword === "RUN" && step.args.includes("npm run build"))).toBe(true);
    expect(build.some((step) => step.keyword === "RUN" && step.args.includes("npm prune --omit=dev"))).toBe(
      true,
    );
    const copies = runtime.filter((step) => step.keyword === "COPY").map((step) => step.args);
    expect(copies).toContain("--from=build /app/node_modules ./node_modules");
    expect(copies).toContain("--from=build /app/dist ./dist");
    // No compiler in the image that runs.
    expect(runtime.some((step) => step.args.includes("g++"))).toBe(false);
  });

  it("runs as a non-root user", () => {
    const users = runtime.filter((step) => step.keyword === "USER").map((step) => step.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
  });

  it("starts node itself on the compiled JavaScript, in exec form, so signals reach troupe", () => {
    const commands = runtime.filter((step) => step.keyword === "CMD" || step.keyword === "ENTRYPOINT");
    expect(commands.map((step) => step.keyword)).toEqual(["CMD"]);
    expect(JSON.parse(commands[0]?.args ?? "null")).toEqual(["node", "dist/src/main.js"]);
  });

  it("declares ./data and ./personas as volumes and serves the endpoints' port", () => {
    const volumes = runtime
      .filter((step) => step.keyword === "VOLUME")
      .flatMap((step) => JSON.parse(step.args) as string[]);
    expect(volumes).toEqual(expect.arrayContaining(["/app/data", "/app/personas"]));
    const env = runtime
      .filter((step) => step.keyword === "ENV")
      .map((step) => step.args)
      .join(" ");
    expect(env).toMatch(/METRICS_PORT=9464\b/);
    expect(runtime.some((step) => step.keyword === "EXPOSE" && step.args.split(" ").includes("9464"))).toBe(
      true,
    );
    const check = runtime.find((step) => step.keyword === "HEALTHCHECK");
    expect(check?.args).toContain("/healthz");
  });
});

describe("compose.yaml", () => {
  const { services } = compose("compose.yaml");
  const troupe = services.troupe;

  it("runs troupe, Ollama, the one-shot model pull and Redis", () => {
    expect(Object.keys(services).sort()).toEqual(["ollama", "ollama-pull", "redis", "troupe"]);
    expect(services.ollama?.image).toMatch(/^ollama\/ollama/);
    expect(services["ollama-pull"]?.image).toMatch(/^ollama\/ollama/);
    expect(services.redis?.image).toMatch(/^redis/);
  });

  it("wires troupe to the Ollama and Redis services by environment", () => {
    expect(troupe?.environment?.OLLAMA_HOST).toBe("http://ollama:11434");
    expect(troupe?.environment?.STORE_URL).toBe("redis://redis:6379");
    expect(services["ollama-pull"]?.environment?.OLLAMA_HOST).toBe("http://ollama:11434");
    // The model troupe asks for is the one pulled.
    expect(services["ollama-pull"]?.command).toEqual(["pull", troupe?.environment?.MODEL]);
  });

  it("starts troupe only after the model was pulled and Redis answers", () => {
    expect(troupe?.depends_on).toEqual({
      "ollama-pull": { condition: "service_completed_successfully" },
      redis: { condition: "service_healthy" },
    });
    expect(services["ollama-pull"]?.depends_on).toEqual({ ollama: { condition: "service_healthy" } });
    expect(services.ollama?.healthcheck?.test).toBeDefined();
    expect(services.redis?.healthcheck?.test).toBeDefined();
  });

  it("sets METRICS_PORT, exposes it, and checks health on /readyz there", () => {
    const port = troupe?.environment?.METRICS_PORT;
    expect(port).toMatch(/^\d+$/);
    expect(troupe?.expose).toContain(port);
    expect(troupe?.ports?.some((mapping) => mapping.endsWith(`:${port}`))).toBe(true);
    expect(troupe?.healthcheck?.test.join(" ")).toContain(`127.0.0.1:${port}/readyz`);
  });

  it("keeps the data and the personas in volumes", () => {
    expect(troupe?.volumes).toEqual(
      expect.arrayContaining([
        "./data:/app/data",
        expect.stringMatching(/^\.\/personas:\/app\/personas(:ro)?$/),
      ]),
    );
  });

  it("waits longer than the graceful stop before Docker kills troupe", () => {
    const grace = Number(troupe?.environment?.SHUTDOWN_GRACE_SECONDS);
    expect(grace).toBeGreaterThan(0);
    expect(seconds(troupe?.stop_grace_period)).toBeGreaterThan(grace);
  });
});

describe("compose.embedded.yaml", () => {
  const { services } = compose("compose.embedded.yaml");

  it("runs troupe alone on the embedded engine, with its model folder in a volume", () => {
    expect(Object.keys(services)).toEqual(["troupe"]);
    const troupe = services.troupe;
    expect(troupe?.environment?.MODEL_PROVIDER).toBe("embedded");
    expect(troupe?.environment?.OLLAMA_HOST).toBeUndefined();
    expect(troupe?.volumes).toContain(`./models:${troupe?.environment?.MODELS_DIR}`);
    expect(troupe?.healthcheck?.test.join(" ")).toContain(`:${troupe?.environment?.METRICS_PORT}/readyz`);
    expect(seconds(troupe?.stop_grace_period)).toBeGreaterThan(
      Number(troupe?.environment?.SHUTDOWN_GRACE_SECONDS),
    );
  });
});
