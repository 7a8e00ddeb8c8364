/**
 * HISTORY_TTL_DAYS applies to feedback: exchange records, their message ids, `/feedback` pointers
 * and ratings are all stored with the history's TTL, so they go when it runs out (memory here;
 * SQLite and Redis expire keyv values the same way).
 */
import { describe, expect, it } from "vitest";
import { createLearning } from "../../src/feedback/learning.js";
import { createStore } from "../../src/store/create-store.js";
import { eventuallyAsync } from "./records.js";

describe("feedback retention", () => {
  it("drops exchanges and ratings when the history TTL runs out", async () => {
    const ttlMs = 300;
    const store = await createStore("memory://", { historyTtlMs: ttlMs, maxTurns: 10 });
    try {
      const learning = createLearning(store, { ttlMs });
      await learning.answered({
        message: {
          platform: "slack",
          conversationId: "slack:T:C:1",
          channelId: "C",
          author: { id: "U1", name: "Ada", canManageChannel: false, canManageServer: false },
          text: "",
          isDirect: false,
          attachments: [],
        },
        persona: "tutor",
        messages: [],
        answer: "hi",
        messageIds: ["C:1.1"],
        speakers: [],
        at: Date.now(),
      });
      expect(
        await learning.react({
          platform: "slack",
          messageId: "C:1.1",
          userId: "U2",
          rating: "good",
          removed: false,
        }),
      ).toBe("rated");
      expect((await store.listRecords("feedback:")).length).toBeGreaterThan(3);
      expect(
        await eventuallyAsync(
          async () =>
            (await store.listRecords("feedback:")).every((record) => record.key === "feedback:secret"),
          5_000,
        ),
      ).toBe(true);
      expect(
        await learning.react({
          platform: "slack",
          messageId: "C:1.1",
          userId: "U2",
          rating: "bad",
          removed: false,
        }),
      ).toBe("no-answer");
    } finally {
      await store.close();
    }
  });
});
