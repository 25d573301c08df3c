/**
 * A small deterministic PRNG (mulberry32), returning numbers in [0, 1): the
 * same seed gives the same fixtures, fuzz cases and benchmark inputs. Kept
 * free of runtime-specific types so tests (workerd) and benchmarks (Node)
 * share this one copy.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
