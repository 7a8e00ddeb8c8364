/**
 * The history log of redis:// — one sorted set per conversation (`troupe:turns:<id>`), scored by
 * order key, and the reset watermark beside it (`troupe:reset:<id>`). Every write is one Lua script,
 * so the watermark check, ZADD, the trim (ZREMRANGEBYRANK) and the TTL (PEXPIRE) happen as one
 * step however many instances write at once, and each costs O(log n) in the history's length.
 *
 * A member is `<block number>:<position>:<turn JSON>`, both numbers zero-padded: Redis sorts
 * equal scores by member, so two blocks at one order key keep their insertion order (the block
 * number counts appends, `troupe:blocks:<id>`, in the same script) and each stays together, a
 * block's turns keep their positions, and two equal turns stay two members. The migrated legacy
 * history is block 0 at order 0, so migrating it twice adds nothing.
 */
import { type HistoryLimits, type HistoryLog, LEGACY_ORDER, turnsToForget } from "./history-log.js";

/** Runs a Lua script: EVAL with these keys and arguments. */
export type EvalScript = (script: string, keys: string[], args: string[]) => Promise<unknown>;

// KEYS: turns, reset, blocks. ARGV: order, maxTurns, ttlMs, then each turn's JSON.
const APPEND = `
local reset = redis.call('GET', KEYS[2])
if reset and tonumber(ARGV[1]) < tonumber(reset) then return 0 end
local block = 0
if tonumber(ARGV[1]) == ${LEGACY_ORDER} then
  if #redis.call('ZRANGEBYSCORE', KEYS[1], ${LEGACY_ORDER}, ${LEGACY_ORDER}, 'LIMIT', 0, 1) > 0 then return 0 end
else
  block = redis.call('INCR', KEYS[3])
end
for i = 4, #ARGV do
  redis.call('ZADD', KEYS[1], ARGV[1], string.format('%016d:%06d:', block, i - 4) .. ARGV[i])
end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[2]) + 1))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
return 1`;

const CLEAR = `
local mark = ARGV[1]
local reset = redis.call('GET', KEYS[2])
if reset and tonumber(reset) > tonumber(mark) then mark = reset end
redis.call('SET', KEYS[2], mark, 'PX', ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
return 1`;

// ARGV: cursor, MATCH pattern. One page of history keys per call, so no call blocks Redis for long.
const SCAN_TURNS = "return redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', 500)";

const READ_SCORED = "return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')";

// Removes exactly the members read: a block appended meanwhile is not touched.
const REMOVE = "return redis.call('ZREM', KEYS[1], unpack(ARGV))";

const READ = "return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])";

export function createRedisHistory(evalScript: EvalScript, limits: HistoryLimits): HistoryLog {
  const keys = (conversationId: string) => [
    `troupe:turns:${conversationId}`,
    `troupe:reset:${conversationId}`,
    `troupe:blocks:${conversationId}`,
  ];
  return {
    async read(conversationId, before) {
      const [turnsKey = ""] = keys(conversationId);
      const upTo = before === undefined ? "+inf" : `(${String(before)}`;
      const members = await evalScript(READ, [turnsKey], [upTo]);
      if (!Array.isArray(members)) throw new Error(`ZRANGEBYSCORE answered ${typeof members}`);
      return members.map((member) => turnOf(String(member)));
    },

    async append(conversationId, turns, order) {
      await evalScript(APPEND, keys(conversationId), [
        String(order),
        String(limits.maxTurns),
        String(Math.ceil(limits.historyTtlMs)),
        ...turns,
      ]);
    },

    async forgetAuthor(conversationPrefix, authorId) {
      const pattern = `troupe:turns:${globEscape(conversationPrefix)}*`;
      let cursor = "0";
      let turns = 0;
      let touched = 0;
      do {
        const page = await evalScript(SCAN_TURNS, [], [cursor, pattern]);
        if (!Array.isArray(page) || !Array.isArray(page[1])) throw new Error("SCAN answered something else");
        cursor = String(page[0]);
        for (const key of page[1].map(String)) {
          const scored = await evalScript(READ_SCORED, [key], []);
          if (!Array.isArray(scored)) throw new Error(`ZRANGE answered ${typeof scored}`);
          const members: { member: string; order: number; json: string }[] = [];
          for (let index = 0; index + 1 < scored.length; index += 2) {
            const member = String(scored[index]);
            members.push({ member, order: Number(scored[index + 1]), json: turnOf(member) });
          }
          const picked = turnsToForget(members, authorId);
          if (picked.length === 0) continue;
          await evalScript(
            REMOVE,
            [key],
            picked.map((index) => members[index]?.member ?? ""),
          );
          turns += picked.length;
          touched++;
        }
      } while (cursor !== "0");
      return { turns, conversations: touched };
    },

    async clear(conversationId, order) {
      await evalScript(CLEAR, keys(conversationId), [String(order), String(Math.ceil(limits.historyTtlMs))]);
    },
  };
}

/** The turn JSON of a member: everything after the second colon (the two numbers have none). */
function turnOf(member: string): string {
  const afterBlock = member.indexOf(":");
  const afterPosition = afterBlock < 0 ? -1 : member.indexOf(":", afterBlock + 1);
  // A member some other program wrote reads as text that is not JSON: the reader skips and logs it.
  return afterPosition < 0 ? `<not a troupe turn: ${member.slice(0, 40)}>` : member.slice(afterPosition + 1);
}

/** A conversation id as literal text inside a SCAN MATCH pattern. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
}
