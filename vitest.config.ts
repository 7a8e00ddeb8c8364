import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Child-process and real-server tests (redis, console end to end) need more than the default 5 s on 2 cores.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ["default", "./tests/summary-reporter.ts"],
  },
});
