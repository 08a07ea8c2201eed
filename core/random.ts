/**
 * Seeded randomness (the demo generator, subsets, resamples, draws). Every scene draws from its own stream,
 * derived from (seed, split, dataset, index), so one scene's bytes never depend on
 * how many scenes came before it or in which order they were made.
 *
 * Only integer arithmetic and IEEE-754 basic operations are used to produce the
 * uniform numbers, so the streams are identical on every platform.
 */

/** 32-bit FNV-1a over the UTF-16 code units of `text`, then a final avalanche. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return avalanche(hash);
}

/** murmur3's finaliser: every input bit affects every output bit. */
export function avalanche(value: number): number {
  let hash = value >>> 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** Hash of a lattice point, for value noise: a uniform number in [-1, 1]. */
export function latticeValue(x: number, y: number, seed: number): number {
  const hash = avalanche(Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1) ^ seed);
  return (hash / 0xffffffff) * 2 - 1;
}

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [low, high). */
  range(low: number, high: number): number;
  /** Integer in [low, high] (both included). */
  integer(low: number, high: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** Standard normal from a fixed table of 65536 draws: one uniform per value, for bulk sensor noise. */
  tabledNormal(): number;
  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** An index drawn with the given (non-negative, not all zero) weights. */
  weighted(weights: readonly number[]): number;
  /** A 32-bit seed for a sub-stream (noise fields). */
  seed(): number;
}

/** sfc32 (Chris Doty-Humphrey's small fast counting generator), seeded by a 32-bit number. */
export function createRandom(seed: number): Random {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32 mixes its state during its first dozen steps.
  for (let index = 0; index < 15; index++) nextUint32();
  let spareNormal: number | undefined;
  const random: Random = {
    next: () => nextUint32() / 4294967296,
    range: (low, high) => low + (high - low) * random.next(),
    integer: (low, high) => low + Math.floor(random.next() * (high - low + 1)),
    normal: () => {
      if (spareNormal !== undefined) {
        const value = spareNormal;
        spareNormal = undefined;
        return value;
      }
      const u = 1 - random.next();
      const v = random.next();
      const radius = Math.sqrt(-2 * Math.log(u));
      spareNormal = radius * Math.sin(2 * Math.PI * v);
      return radius * Math.cos(2 * Math.PI * v);
    },
    tabledNormal: () => normalTable()[nextUint32() >>> 16],
    pick: (items) => items[Math.floor(random.next() * items.length)],
    weighted: (weights) => {
      let total = 0;
      for (const weight of weights) total += weight;
      let target = random.next() * total;
      for (let index = 0; index < weights.length; index++) {
        target -= weights[index];
        if (target < 0) return index;
      }
      return weights.length - 1;
    },
    seed: () => nextUint32(),
  };
  return random;
}

let table: Float32Array | undefined;

/** 65536 standard normals from a fixed stream, made on first use. */
function normalTable(): Float32Array {
  if (table === undefined) {
    const random = createRandom(0x6e6f6973);
    table = new Float32Array(65536);
    for (let index = 0; index < table.length; index++) table[index] = random.normal();
  }
  return table;
}

/** The stream for one named thing, e.g. deriveRandom(seed, 'test', 'EuroSAT_MS', 'Snow', 12). */
export function deriveRandom(...parts: (string | number)[]): Random {
  return createRandom(hashString(parts.join('/')));
}
