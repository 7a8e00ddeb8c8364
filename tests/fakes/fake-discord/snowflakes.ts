/**
 * Discord ids: a 64-bit number whose top 42 bits are milliseconds since 2015-01-01. Sharding reads
 * them: a server belongs to shard `(id >> 22) % shard_count`.
 */
const DISCORD_EPOCH = 1_420_070_400_000n;

let increment = 0n;
let last = 0n;

/** A fresh id, unique across every fake in the process and increasing, as Discord's are. */
export function nextSnowflake(): string {
  const now = BigInt(Date.now()) - DISCORD_EPOCH;
  last = now > last ? now : last;
  increment = (increment + 1n) & 0xfffn;
  if (increment === 0n) last += 1n;
  return ((last << 22n) | (1n << 17n) | increment).toString();
}

/** An id whose timestamp puts it on `shard` of `shardCount` (for multi-shard worlds). */
export function snowflakeOnShard(shard: number, shardCount: number, salt: number): string {
  const base = BigInt(Date.now()) - DISCORD_EPOCH;
  const count = BigInt(shardCount);
  const timestamp = base - (base % count) + BigInt(shard) - count * BigInt(salt + 1);
  return ((timestamp << 22n) | BigInt(salt & 0xfff)).toString();
}

export function shardOf(id: string, shardCount: number): number {
  return Number((BigInt(id) >> 22n) % BigInt(shardCount));
}
