/**
 * A small, seeded fuzzer for the payload readers: a PRNG (mulberry32, so a seed replays exactly),
 * random JSON-ish values, and mutations of recorded payloads (a field's type changed, a key
 * deleted, deep nesting, huge strings, odd Unicode, `__proto__` and other Object.prototype keys).
 * Runs are bounded by an iteration count, never by the clock; a failure names its seed and
 * iteration. FUZZ_ITERATIONS scales a run up locally (e.g. FUZZ_ITERATIONS=100000).
 */

export interface Rng {
  /** [0, 1) */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, chance: (p) => next() < p, pick: (items) => items[int(items.length)] as never };
}

export function fuzzIterations(fallback: number): number {
  const wanted = Number(process.env.FUZZ_ITERATIONS);
  return Number.isInteger(wanted) && wanted > 0 ? wanted : fallback;
}

/** A test's timeout for `iterations`: the guard against a hang, never a timing assertion. */
export function fuzzTimeoutMs(iterations: number): number {
  return Math.max(60_000, iterations * 40);
}

/** Fifty times the largest message either platform sends (Slack: 40,000 characters; Discord: 4,000). */
const HUGE = 200_000;

/** Strings that have broken text handling somewhere: markup, control and odd Unicode, huge ones. */
const nastyStrings: readonly (() => string)[] = [
  () => "",
  () => " ",
  () => "\u0000",
  () => "\uD800", // a lone surrogate
  () => "\uDFFF\uD800",
  () => "\u202Eevil\u202C", // right-to-left override
  () => "\u200B\u200D\uFEFF", // zero-width characters
  () => "e\u0301\u0301\u0301\u0301", // stacked combining marks
  () => "👩‍👩‍👧‍👦🏳️‍🌈",
  () => "\r\n\t\v\f",
  () => "<@U123ABC456>",
  () => "<@U123ABC456|ada>",
  () => "<!here> <!subteam^S1|@team> <#C1|general> <mailto:a@b.c|a> <https://x.y|x>",
  () => "<@1100000000000000001> <@!1> <@&2> <#3> <:emoji:4> <a:wave:5> </ask:6>",
  () => "&lt;&gt;&amp;&amp;lt;",
  () => "__proto__",
  () => "constructor",
  () => "x".repeat(HUGE),
  () => "<".repeat(HUGE),
  () => `<@${"A".repeat(HUGE)}`,
  () => `<@A|${"x".repeat(HUGE)}`,
  () => "<@U1>".repeat(HUGE / 5),
  () => `<@!${"1".repeat(HUGE)}`,
  () => `</${"a ".repeat(HUGE / 2)}`,
  () => `<a:${"w".repeat(HUGE)}`,
  () => " ".repeat(HUGE),
  () => "\n".repeat(HUGE),
  () => "😀".repeat(HUGE / 2),
];

const prototypeKeys = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype"];

/** Sets `key` as an own, enumerable property, even `__proto__` (as JSON.parse does). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function randomString(rng: Rng): string {
  if (rng.chance(0.3)) return rng.pick(nastyStrings)();
  const length = rng.int(12);
  let text = "";
  for (let i = 0; i < length; i++)
    text += String.fromCodePoint(rng.chance(0.8) ? 32 + rng.int(95) : rng.int(0x110000));
  return text;
}

/** Nested `depth` levels deep, built without recursion (a recursive reader is what it tests). */
export function deeplyNested(depth: number, asArray: boolean): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = asArray ? [value] : { a: value };
  return value;
}

export function randomValue(rng: Rng, depth = 0): unknown {
  const roll = rng.int(depth > 3 ? 8 : 11);
  switch (roll) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -0, 1, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 7, 19]);
    case 3:
    case 4:
    case 5:
      return randomString(rng);
    case 6:
      return rng.int(1e9).toString();
    case 7:
      return deeplyNested(rng.pick([2, 50, 50_000]), rng.chance(0.5));
    case 8: {
      const items: unknown[] = [];
      for (let i = rng.int(4); i > 0; i--) items.push(randomValue(rng, depth + 1));
      return items;
    }
    default: {
      const object: Record<string, unknown> = {};
      for (let i = rng.int(5); i > 0; i--) {
        const key = rng.chance(0.3) ? rng.pick(prototypeKeys) : randomString(rng).slice(0, 20);
        setOwn(object, key, randomValue(rng, depth + 1));
      }
      return object;
    }
  }
}

/** A copy of a JSON payload (recorded payloads are plain JSON). */
export function copyJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === "object" && value !== null;
}

/** Every container in a (shallow enough) payload, with the keys it holds, for picking a spot to mutate. */
function containers(root: unknown): (Record<string, unknown> | unknown[])[] {
  const found: (Record<string, unknown> | unknown[])[] = [];
  const pending: unknown[] = [root];
  while (pending.length > 0 && found.length < 500) {
    const value = pending.pop();
    if (!isContainer(value)) continue;
    found.push(value);
    for (const child of Object.values(value)) if (isContainer(child)) pending.push(child);
  }
  return found;
}

/** One to four mutations of a copy of `payload`, at random spots. */
export function mutate(payload: unknown, rng: Rng): unknown {
  const root = { value: copyJson(payload) };
  for (let round = 1 + rng.int(4); round > 0; round--) {
    const spots = containers(root);
    const target = rng.pick(spots);
    const keys = Object.keys(target);
    const key = keys.length > 0 && rng.chance(0.85) ? rng.pick(keys) : randomString(rng).slice(0, 20);
    const action = rng.int(8);
    if (target === root && key !== "value") continue;
    if (Array.isArray(target)) {
      const index = Number(key);
      if (action === 0 && Number.isInteger(index)) target.splice(index, 1);
      else if (Number.isInteger(index)) target[index] = randomValue(rng);
      else target.push(randomValue(rng));
      continue;
    }
    const current = target[key];
    switch (action) {
      case 0:
        delete target[key];
        break;
      case 1:
        setOwn(target, rng.pick(prototypeKeys), randomValue(rng));
        break;
      case 2:
        setOwn(target, key, [current]);
        break;
      case 3:
        setOwn(target, key, typeof current === "string" ? rng.pick(nastyStrings)() : randomString(rng));
        break;
      default:
        setOwn(target, key, randomValue(rng));
    }
  }
  return root.value;
}

/** A short, printable account of an input for a failure message (huge strings are abbreviated). */
export function describeInput(value: unknown): string {
  try {
    const text = JSON.stringify(value, (_key, inner: unknown) =>
      typeof inner === "string" && inner.length > 80
        ? `${inner.slice(0, 40)}…(${inner.length} chars)`
        : inner,
    );
    return (text ?? String(value)).slice(0, 2_000);
  } catch (error) {
    return `(not printable: ${String(error)})`;
  }
}

/** Literal JSON text waiting in jsonText's stack. */
class Text {
  constructor(readonly text: string) {}
}

/**
 * JSON.stringify without recursion, so 50,000 levels of nesting can be sent as a request body
 * (JSON.stringify overflows the stack on those). Own keys only, `__proto__` included, as JSON.parse
 * would read them back.
 */
export function jsonText(value: unknown): string {
  const out: string[] = [];
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item instanceof Text) {
      out.push(item.text);
    } else if (Array.isArray(item)) {
      const parts: unknown[] = [new Text("[")];
      item.forEach((element, index) => {
        if (index > 0) parts.push(new Text(","));
        parts.push(element === undefined ? null : element);
      });
      parts.push(new Text("]"));
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
    } else if (typeof item === "object" && item !== null) {
      const parts: unknown[] = [new Text("{")];
      const entries = Object.entries(item).filter(([, inner]) => inner !== undefined);
      entries.forEach(([key, inner], index) => {
        parts.push(new Text(`${index > 0 ? "," : ""}${JSON.stringify(key)}:`), inner);
      });
      parts.push(new Text("}"));
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
    } else {
      out.push(JSON.stringify(item) ?? "null");
    }
  }
  return out.join("");
}
