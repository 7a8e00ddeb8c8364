/**
 * `npm run bundle`, and `prepare` (so `npm install` / `npm ci` leave a built troupe behind for
 * `npm start`): dist/bundle/ from the sources (scripts/dist.js says how and why). `--if-possible`
 * (prepare): nothing to build from is no failure, and a failed build only warns, since `npm start`
 * then runs the sources through tsx; a plain `npm run bundle` fails.
 */
import { buildBundle } from "./dist.js";

const ifPossible = process.argv.includes("--if-possible");
try {
  if (!(await buildBundle()) && !ifPossible) {
    console.error("bundle: no sources or no esbuild here (run npm install first)");
    process.exit(1);
  }
} catch (error) {
  if (!ifPossible) throw error;
  console.error(
    `troupe: building dist/bundle failed (${String(error)}); npm start runs the sources through tsx`,
  );
}
