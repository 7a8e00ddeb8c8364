/**
 * The personas' pictures on the service endpoints (METRICS_PORT), served only when PUBLIC_URL asks
 * for them: the same route checks as on Slack's receiver (avatar-route-cases.ts).
 */
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createAvatarHandler } from "../../../src/app/service/avatar-route.js";
import { startServiceEndpoints } from "../../../src/app/service/service-endpoints.js";
import { createRecordingLogger } from "../../helpers/recording-logger.js";
import { describeAvatarRoute, makeAvatarFolder, TEST_MAX_BYTES } from "./avatar-route-cases.js";

const readiness = { report: async () => ({ ready: true, parts: {} }) };

describeAvatarRoute("the service endpoints", async ({ avatarsDir }) => {
  const logger = createRecordingLogger();
  const endpoints = await startServiceEndpoints({
    port: 0,
    host: "127.0.0.1",
    registry: new Registry(),
    readiness,
    logger,
    avatars: createAvatarHandler({ avatarsDir, logger, maxBytes: TEST_MAX_BYTES }),
  });
  return { baseUrl: `http://127.0.0.1:${endpoints.port}`, close: () => endpoints.close() };
});

describe("/avatars/ without PUBLIC_URL", () => {
  it("is not served: the endpoints stay read-only operator paths", async () => {
    const folder = makeAvatarFolder();
    const endpoints = await startServiceEndpoints({
      port: 0,
      host: "127.0.0.1",
      registry: new Registry(),
      readiness,
      logger: createRecordingLogger(),
    });
    try {
      const response = await fetch(`http://127.0.0.1:${endpoints.port}/avatars/quill.png`);
      expect(response.status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${endpoints.port}/healthz`)).status).toBe(200);
    } finally {
      await endpoints.close();
      folder.remove();
    }
  });
});
