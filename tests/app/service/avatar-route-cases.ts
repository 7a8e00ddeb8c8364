/**
 * The `/avatars/<file>` route's behaviour, asserted the same way on every server that serves it
 * (the service endpoints on METRICS_PORT, Slack's HTTP receiver on PORT): a folder of pictures with
 * the things a stranger might try next to them.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The size cap the servers under test are given: the big picture is one byte over it. */
export const TEST_MAX_BYTES = 4096;
/** A PNG signature and some bytes: the route serves bytes, it does not decode pictures. */
export const PNG_BYTES = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from("troupe face"),
]);

/** A PERSONAS_DIR with avatars/ holding pictures, a FIFO, a non-image, a big one and a link out. */
export function makeAvatarFolder(): { personasDir: string; avatarsDir: string; remove(): void } {
  const personasDir = mkdtempSync(join(tmpdir(), "troupe-avatars-"));
  const avatarsDir = join(personasDir, "avatars");
  mkdirSync(avatarsDir);
  writeFileSync(join(avatarsDir, "quill.png"), PNG_BYTES);
  writeFileSync(join(avatarsDir, "quill.jpg"), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
  writeFileSync(join(avatarsDir, "notes.txt"), "not a picture\n");
  writeFileSync(join(avatarsDir, "huge.png"), Buffer.alloc(TEST_MAX_BYTES + 1, 1));
  writeFileSync(join(personasDir, "secret.png"), "outside the avatars folder\n");
  execFileSync("mkfifo", [join(avatarsDir, "pipe.png")]);
  symlinkSync(join(personasDir, "secret.png"), join(avatarsDir, "link.png"));
  return { personasDir, avatarsDir, remove: () => rmSync(personasDir, { recursive: true, force: true }) };
}

export interface AvatarServer {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  close(): Promise<void>;
}

/** `start` gets PERSONAS_DIR/avatars and starts a server whose avatar handler has TEST_MAX_BYTES. */
export function describeAvatarRoute(
  name: string,
  start: (folder: { personasDir: string; avatarsDir: string }) => Promise<AvatarServer>,
): void {
  describe(`/avatars/ on ${name}`, () => {
    let folder: ReturnType<typeof makeAvatarFolder>;
    let server: AvatarServer;
    beforeAll(async () => {
      folder = makeAvatarFolder();
      server = await start(folder);
    });
    afterAll(async () => {
      await server.close();
      folder.remove();
    });
    const get = (path: string, init?: RequestInit) => fetch(`${server.baseUrl}${path}`, init);

    it("serves a picture's bytes with its type, a short max-age and validators", async () => {
      const response = await get("/avatars/quill.png");
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("image/png");
      expect(response.headers.get("cache-control")).toBe("public, max-age=300");
      expect(response.headers.get("etag")).toMatch(/^"[\w-]+"$/);
      expect(response.headers.get("last-modified")).toMatch(/GMT$/);
      expect(Buffer.from(await response.arrayBuffer())).toEqual(PNG_BYTES);
      const jpeg = await get("/avatars/quill.jpg");
      expect(jpeg.headers.get("content-type")).toBe("image/jpeg");
      await jpeg.arrayBuffer();
    });

    it("answers HEAD with the headers and no body, and a matching If-None-Match with 304", async () => {
      const head = await get("/avatars/quill.png", { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(head.headers.get("content-length")).toBe(String(PNG_BYTES.length));
      expect(await head.text()).toBe("");
      const etag = head.headers.get("etag") ?? "";
      const again = await get("/avatars/quill.png", { headers: { "if-none-match": etag } });
      expect(again.status).toBe(304);
    });

    it.each([
      ["a traversal, encoded", "/avatars/..%2Fsecret.png"],
      ["a traversal, encoded twice over", "/avatars/..%252Fsecret.png"],
      ["a FIFO", "/avatars/pipe.png"],
      ["a file that is not a picture", "/avatars/notes.txt"],
      ["a missing file", "/avatars/nobody.png"],
      ["a picture over the size cap", "/avatars/huge.png"],
      ["a link leaving the folder", "/avatars/link.png"],
      ["a bad escape", "/avatars/%E0%A4%A.png"],
    ])("404s %s", async (_what, path) => {
      const response = await get(path);
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
      expect(await response.text()).not.toContain("outside");
    });
  });
}
