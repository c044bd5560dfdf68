/**
 * Seeded random numbers: xoshiro128** (Blackman & Vigna), 32-bit state words, so the
 * TypeScript and WebAssembly backends produce bit-identical streams. Seeds are expanded
 * with splitmix32 so that nearby seeds give unrelated streams.
 */

const TWO_POW_MINUS_24 = 1 / 16777216;

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  /** The four state words; backends read and write them in place when they sample. */
  readonly state = new Uint32Array(4);
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng: seed must be a finite number, got ${seed}`);
    const sm = { s: Math.trunc(seed) | 0 };
    for (let i = 0; i < 4; i++) this.state[i] = splitmix32(sm);
    if ((this.state[0] | this.state[1] | this.state[2] | this.state[3]) === 0) this.state[0] = 1;
  }

  /** Next raw 32-bit output of xoshiro128**. */
  nextUint32(): number {
    const s = this.state;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 24 random bits: exactly representable as float32 on every backend. */
  nextFloat(): number {
    return (this.nextUint32() >>> 8) * TWO_POW_MINUS_24;
  }

  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.nextFloat();
  }

  /** Integer in [0, n) without modulo bias (Lemire's rejection). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) throw new RangeError(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    const threshold = (2 ** 32 - n) % n;
    for (;;) {
      const x = this.nextUint32();
      if (x >= threshold) return x % n;
    }
  }

  bernoulli(p: number): number {
    return this.nextFloat() < p ? 1 : 0;
  }

  /** Standard normal by the Box-Muller transform (pairs; the second value is kept for the next call). */
  normal(mean = 0, std = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + std * z;
    }
    const u1 = 1 - this.nextFloat(); // (0, 1]: log is finite
    const u2 = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return mean + std * r * Math.cos(2 * Math.PI * u2);
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return a;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** An independent generator derived from this one (for a sub-task that must not disturb this stream). */
  fork(): Rng {
    return new Rng(this.nextUint32() | 0);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export function rngFrom(seedOrRng: number | Rng | undefined, fallbackSeed = 0): Rng {
  if (seedOrRng instanceof Rng) return seedOrRng;
  return new Rng(seedOrRng ?? fallbackSeed);
}
