/** `npm run bench`: the figures the README quotes. Timings live here, never in tests. */
import { benchPromptBuild } from "./prompt-build.js";
import { benchStartup } from "./startup.js";

const prompt = benchPromptBuild();
console.log(
  `prompt build, 500-turn history: median ${prompt.medianMs} ms, p99 ${prompt.p99Ms} ms (${prompt.runs} runs)`,
);
const startup = await benchStartup();
console.log(
  `npm start to ready: median ${startup.medianMs} ms, max ${startup.maxMs} ms (${startup.runs} runs)`,
);
