/** The client's set-up: intents, partials, no pings by default, bounded caches, the REST base, shards. */
import { GatewayIntentBits, LimitedCollection, Partials } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { createDiscordClient, restBase } from "../../../src/connectors/discord/discord-client.js";

const clients: { destroy(): Promise<void> }[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.destroy();
});

function client(options: Parameters<typeof createDiscordClient>[0]) {
  const created = createDiscordClient(options);
  clients.push(created);
  return created;
}

describe("discord client", () => {
  it("asks only for the intents it needs, Message Content when told, and caches DM channels", () => {
    const base =
      GatewayIntentBits.Guilds |
      GatewayIntentBits.GuildMessages |
      GatewayIntentBits.DirectMessages |
      GatewayIntentBits.GuildMessageReactions |
      GatewayIntentBits.DirectMessageReactions;
    expect(client({ messageContent: false }).options.intents.bitfield).toBe(base);
    const full = client({ messageContent: true });
    expect(full.options.intents.bitfield).toBe(base | GatewayIntentBits.MessageContent);
    expect(full.options.partials).toEqual([Partials.Channel]);
  });

  it("pings nobody unless a send asks, and replies do not ping their author", () => {
    expect(client({ messageContent: true }).options.allowedMentions).toEqual({
      parse: [],
      repliedUser: false,
    });
  });

  it("keeps no messages, members or users but its own; keeps channels and roles whole", () => {
    const created = client({ messageContent: true });
    expect(created.users.cache).toBeInstanceOf(LimitedCollection);
    expect((created.users.cache as LimitedCollection<string, unknown>).maxSize).toBe(0);
    expect(created.channels.cache).not.toBeInstanceOf(LimitedCollection);
    expect(created.guilds.cache).not.toBeInstanceOf(LimitedCollection);
    expect(created.options.sweepers?.threads).toEqual({ interval: 3600, lifetime: 14400 });
  });

  it("points REST at DISCORD_API_URL (without the version) and runs the shards asked for", () => {
    const proxied = client({ messageContent: true, apiUrl: "http://127.0.0.1:8080/api/v10/", shards: 3 });
    expect(proxied.rest.options.api).toBe("http://127.0.0.1:8080/api");
    expect(proxied.options.shards).toEqual([0, 1, 2]);
    expect(client({ messageContent: true, shards: "auto" }).options.shards).toBe("auto");
    expect(restBase("https://proxy.example/api")).toBe("https://proxy.example/api");
  });

  it("runs only DISCORD_SHARD_IDS of DISCORD_SHARDS, keeping the total every process agrees on", () => {
    const share = client({ messageContent: true, shards: 4, shardIds: [1, 3] });
    expect(share.options.shards).toEqual([1, 3]);
    expect(share.options.shardCount).toBe(4);
    const all = client({ messageContent: true, shards: 4 });
    expect(all.options.shards).toEqual([0, 1, 2, 3]);
    expect(all.options.shardCount).toBe(4);
  });
});
