import { seededRandom } from '../test/helpers/seeded-random';

/**
 * `count` copies of `valid` with 16 random bytes (seeded) replaced after
 * `headerEnd`, so the headers still pass and the damage reaches the decoder.
 */
export function corrupt(valid: Uint8Array, count: number, headerEnd: number, seed: number): Uint8Array<ArrayBuffer>[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const bytes = valid.slice();
    for (let k = 0; k < 16; k++) bytes[headerEnd + Math.floor(random() * (bytes.length - headerEnd))] = random() * 256;
    return bytes;
  });
}
