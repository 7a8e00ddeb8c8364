#!/usr/bin/env node
/**
 * `npx troupe`: troupe straight from its TypeScript sources (through tsx's loader), with nothing
 * of npm's own on standard output, so `echo "hi" | npx troupe > answer.md` holds only the answer.
 * Flags pass straight through: `npx troupe --continue`, `npx troupe --help`.
 */
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
