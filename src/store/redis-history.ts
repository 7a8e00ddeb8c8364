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
import { type HistoryLimits, type HistoryLog, LEGACY_ORDER } from "./history-log.js";

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
