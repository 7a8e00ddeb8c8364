import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createYesNoQuestion } from "../../../src/model/startup/ask-yes-no.js";

async function answer(reply: string | null): Promise<{ result: boolean; shown: string }> {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = "";
  output.on("data", (chunk: Buffer) => {
    shown += chunk.toString("utf8");
  });
  const asked = createYesNoQuestion(input, output)("Download the model?");
  if (reply === null) input.end();
  else input.write(`${reply}\n`);
  return { result: await asked, shown };
}

describe("the start-up yes/no question", () => {
  it("shows the question with its default, and takes only y or yes as yes", async () => {
    expect(await answer("y")).toEqual({ result: true, shown: "Download the model? [y/N] " });
    expect((await answer(" YES ")).result).toBe(true);
    expect((await answer("")).result).toBe(false);
    expect((await answer("n")).result).toBe(false);
    expect((await answer("maybe")).result).toBe(false);
  });

  it("takes a closed input (Ctrl-D) as no", async () => {
    expect((await answer(null)).result).toBe(false);
  });
});
