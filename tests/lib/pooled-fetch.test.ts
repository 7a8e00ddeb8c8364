/**
 * The pooled fetch against a loopback server: what a fetch caller reads (status, headers, body) is
 * what the global fetch gives, failures reject as fetch's do, and what it does not handle itself
 * still works through the global fetch.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPooledFetch } from "../../src/lib/pooled-fetch.js";
import { type LoopbackServer, sendJson, startLoopbackServer } from "../fakes/loopback-server.js";
import { freePort } from "../helpers/redis-server.js";

let server: LoopbackServer;
let base: string;
const pooledFetch = createPooledFetch();

beforeEach(async () => {
  server = await startLoopbackServer((request, response, recorded) => {
    if (recorded.path === "/json") {
      response.setHeader("x-trace", ["a", "b"]);
      return sendJson(response, 200, {
        ok: true,
        got: recorded.body,
        type: recorded.headers["content-type"],
      });
    }
    if (recorded.path === "/limited") {
      response.writeHead(429, { "retry-after": "7" });
      response.end();
      return;
    }
    if (recorded.path === "/empty") {
      response.writeHead(204);
      response.end();
      return;
    }
    if (recorded.path === "/moved") {
      response.writeHead(302, { location: "/json" });
      response.end();
      return;
    }
    if (recorded.path === "/silent") return new Promise<void>((resolve) => request.once("close", resolve));
    sendJson(response, 404, { ok: false });
  });
  base = `http://127.0.0.1:${server.port}`;
});
afterEach(async () => {
  await server.close();
});

const post = (body: RequestInit["body"], headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers,
  body,
  redirect: "error",
});

describe("createPooledFetch", () => {
  it("reads as the global fetch does: status, status text, headers and body", async () => {
    const init = post("channel=C1&text=hi", { "content-type": "application/x-www-form-urlencoded" });
    const [pooled, global] = await Promise.all([
      pooledFetch(`${base}/json`, init),
      fetch(`${base}/json`, init),
    ]);
    expect(pooled.status).toBe(200);
    expect(pooled.statusText).toBe(global.statusText);
    expect(pooled.headers.get("x-trace")).toBe(global.headers.get("x-trace"));
    expect(pooled.headers.get("content-type")).toBe(global.headers.get("content-type"));
    expect(await pooled.json()).toEqual(await global.json());
    expect(server.requests.map((request) => request.body)).toEqual([
      "channel=C1&text=hi",
      "channel=C1&text=hi",
    ]);
  });

  it("keeps its connection across calls", async () => {
    for (let call = 0; call < 5; call++) await (await pooledFetch(`${base}/json`, post("{}"))).text();
    // A call sent as the last reply is still being put back may take a second connection.
    expect(server.connectionsOpened()).toBeLessThanOrEqual(2);
  });

  it("gives a 429's headers, and a 204 with no body", async () => {
    const limited = await pooledFetch(`${base}/limited`, post("x"));
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    const empty = await pooledFetch(`${base}/empty`, post("x"));
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it("rejects a refused connection as fetch does: TypeError 'fetch failed' with the cause", async () => {
    const error = await pooledFetch(`http://127.0.0.1:${await freePort()}/json`, post("x")).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe("fetch failed");
    expect(Reflect.get((error as Error).cause as object, "code")).toBe("ECONNREFUSED");
  });

  it("rejects with the signal's reason when the signal times out", async () => {
    const error = await pooledFetch(`${base}/silent`, {
      ...post("x"),
      signal: AbortSignal.timeout(100),
    }).catch((caught: unknown) => caught);
    expect((error as Error).name).toBe("TimeoutError");
  });

  it("rejects a redirect when told redirect: error", async () => {
    const error = await pooledFetch(`${base}/moved`, post("x")).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error as Error).cause)).toContain("redirect");
  });

  it("hands what it does not handle itself to the global fetch: a FormData body, redirects to follow", async () => {
    const form = new FormData();
    form.set("file", new Blob(["bytes"]), "a.txt");
    const uploaded = await pooledFetch(`${base}/json`, { method: "POST", body: form, redirect: "error" });
    const echoed: unknown = await uploaded.json();
    expect(echoed).toMatchObject({ type: expect.stringContaining("multipart/form-data") });
    const followed = await pooledFetch(`${base}/moved`, { method: "POST", body: "x" });
    expect(followed.status).toBe(200);
  });
});
