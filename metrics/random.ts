/**
 * A small seeded random generator for the bootstrap, written out here so that a seed
 * gives the same resamples on every machine and Node version (Math.random cannot be
 * seeded; Node's crypto is not reproducible by design).
 *
 * - Generator: xoshiro128** (Blackman and Vigna, 2018; reference C code at
 *   https://prng.di.unimi.it/xoshiro128starstar.c), 128 bits of state, 32-bit
 *   outputs, period 2^128 - 1. Fast with 32-bit integer arithmetic, which is what
 *   JavaScript has natively (Math.imul, >>>).
 * - Seeding: the four state words are four successive outputs of splitmix32
 *   (add 0x9e3779b9, then the murmur3 finaliser) started from
 *   `seed ^ mix(stream)`, so (seed, stream) pairs give unrelated sequences and a
 *   state is never all zero in practice (all-zero is checked for anyway).
 * - Bounded integers in [0, n): Lemire's multiply-shift with rejection ("Fast random
 *   integer generation in an interval", 2019): x * n = high * 2^32 + low, the draw is
 *   `high`, redrawn while low < 2^32 mod n, so every index is exactly equally likely.
 *   x * n is exact in a double for n <= 2^21 (2,097,152 images); above that the
 *   draw is x mod n, redrawn while x >= 2^32 - (2^32 mod n) (OpenBSD's
 *   arc4random_uniform), also exact, slower.
 *
 * Not for anything cryptographic.
 */

const TWO_32 = 2 ** 32;
const INVERSE_TWO_32 = 2 ** -32;
/** Largest bound for which x * bound (x < 2^32) is exact in a double. */
const LEMIRE_MAX = 2 ** 21;

/** The murmur3 32-bit finaliser: a bijection that mixes every input bit into every output bit. */
function mix32(value: number): number {
  let z = value >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A stream number from a name (FNV-1a over its UTF-16 code units), e.g. one per dataset. */
export function streamOf(name: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < name.length; index++) hash = Math.imul(hash ^ name.charCodeAt(index), 0x01000193);
  return hash >>> 0;
}

/** Throws unless `seed` is an integer in [0, 2^32). */
export function checkSeed(seed: number, caller: string): void {
  if (!Number.isInteger(seed) || seed < 0 || seed >= TWO_32) {
    throw new RangeError(`${caller}: seed must be an integer from 0 to 2^32 - 1, got ${seed}`);
  }
}

export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number, stream = 0) {
    checkSeed(seed, 'Xoshiro128');
    checkSeed(stream, 'Xoshiro128 (stream)');
    let state = (seed ^ mix32(stream + 0x6a09e667)) >>> 0;
    const splitmix = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      return mix32(state);
    };
    this.s0 = splitmix();
    this.s1 = splitmix();
    this.s2 = splitmix();
    this.s3 = splitmix();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A generator at a given state (the reference code's `s[0..3]`), for checking against it. */
  static fromState(words: readonly [number, number, number, number]): Xoshiro128 {
    const generator = new Xoshiro128(0);
    [generator.s0, generator.s1, generator.s2, generator.s3] = words.map((word) => word | 0);
    return generator;
  }

  /** The next 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const times5 = Math.imul(s1, 5);
    const result = Math.imul((times5 << 7) | (times5 >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /**
   * Adds 1 to `counts[below(counts.length)]`, `draws` times: a bootstrap resample's
   * multiplicities. The same draws as calling `below` in a loop, with the state held
   * in locals (several times faster; this loop is most of a resample's cost).
   */
  addDraws(counts: Int32Array, draws: number): void {
    const bound = counts.length;
    if (bound < 1 || bound > TWO_32) throw new RangeError(`Xoshiro128.addDraws: counts must have 1 to 2^32 entries, got ${bound}`);
    if (bound > LEMIRE_MAX) {
      for (let draw = 0; draw < draws; draw++) counts[this.below(bound)]++;
      return;
    }
    const threshold = TWO_32 % bound;
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    for (let draw = 0; draw < draws;) {
      const times5 = Math.imul(s1, 5);
      const result = Math.imul((times5 << 7) | (times5 >>> 25), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      const product = result * bound;
      const high = Math.floor(product * INVERSE_TWO_32);
      if (product - high * TWO_32 >= threshold) {
        counts[high]++;
        draw++;
      }
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /** A uniform integer in [0, bound), bound an integer in [1, 2^32]. */
  below(bound: number): number {
    if (!Number.isInteger(bound) || bound < 1 || bound > TWO_32) throw new RangeError(`Xoshiro128.below: bound must be an integer from 1 to 2^32, got ${bound}`);
    if (bound > LEMIRE_MAX) {
      const limit = TWO_32 - (TWO_32 % bound);
      let draw = this.nextUint32();
      while (draw >= limit) draw = this.nextUint32();
      return draw % bound;
    }
    const threshold = TWO_32 % bound;
    for (;;) {
      const product = this.nextUint32() * bound;
      const high = Math.floor(product * INVERSE_TWO_32);
      if (product - high * TWO_32 >= threshold) return high;
    }
  }
}
