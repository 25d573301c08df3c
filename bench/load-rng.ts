export { seededRandom as mulberry32 } from '../test/helpers/seeded-random';

/** Picks a key of `weights` with probability proportional to its weight. */
export function pickWeighted<K extends string>(rand: () => number, weights: Record<K, number>): K {
  const entries = Object.entries(weights) as [K, number][];
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let r = rand() * total;
  for (const [key, w] of entries) {
    r -= w;
    if (r < 0) return key;
  }
  return entries[entries.length - 1]![0];
}

/** Picks one element of a non-empty array. */
export function pickOne<T>(rand: () => number, items: readonly T[]): T {
  const item = items[Math.floor(rand() * items.length)];
  if (item === undefined) throw new Error('pickOne on an empty array');
  return item;
}
