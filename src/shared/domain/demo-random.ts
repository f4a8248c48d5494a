/**
 * The seeded randomness behind the demo town and its visit history: pure, so the same seed gives the
 * same numbers on every machine (nothing here may read the clock or Math.random).
 */

// sfc32: tiny, fast and good enough for made-up data; seeded through splitmix32 so nearby seeds diverge.
export function createRandom(seed: number) {
  let state = seed >>> 0;
  const splitmix = () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix(),
    b = splitmix(),
    c = splitmix(),
    d = splitmix();
  const uint32 = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = ((c << 21) | (c >>> 11)) + t;
    c |= 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) uint32();
  const float = () => uint32() / 4294967296;
  const int = (min: number, max: number) => min + Math.floor(float() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(float() * items.length)]!;
  return { uint32, float, int, pick, chance: (p: number) => float() < p };
}
export type Random = ReturnType<typeof createRandom>;

/** Weighted choice over a const record; cumulative sums are built once per table. */
export function weighted<K extends string>(table: Readonly<Partial<Record<K, number>>>): (rng: Random) => K {
  const keys = Object.keys(table) as K[];
  const cumulative: number[] = [];
  let total = 0;
  for (const key of keys) cumulative.push((total += table[key] ?? 0));
  return (rng) => {
    const x = rng.float() * total;
    let i = 0;
    while (i < keys.length - 1 && cumulative[i]! <= x) i++;
    return keys[i]!;
  };
}

/** Splits `total` across weights, exactly, by largest remainder. */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  const raw = weights.map((w) => (sum > 0 ? (total * w) / sum : 0));
  const shares = raw.map(Math.floor);
  let left = total - shares.reduce((s, n) => s + n, 0);
  const byRemainder = raw
    .map((r, i) => [r - Math.floor(r), i] as const)
    .sort((x, y) => y[0] - x[0] || x[1] - y[1]);
  for (const [, i] of byRemainder) if (left-- > 0) shares[i]!++;
  return shares;
}

/**
 * sfc32 like createRandom, as a class: its methods live on the prototype, so the thousands of
 * small streams a generator makes (one per household) cost no closures each.
 */
export class RandomStream {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    // splitmix32 steps, spelled out (no closure per stream).
    const step = 0x9e3779b9 | 0;
    this.#a = splitmixOutput((seed + step) | 0);
    this.#b = splitmixOutput((seed + 2 * step) | 0);
    this.#c = splitmixOutput((seed + 3 * step) | 0);
    this.#d = splitmixOutput((seed + 4 * step) | 0);
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (((this.#c << 21) | (this.#c >>> 11)) + t) | 0;
    return t >>> 0;
  }

  float(): number {
    return this.uint32() / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)]!;
  }

  chance(p: number): boolean {
    return this.float() < p;
  }
}

function splitmixOutput(state: number): number {
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
