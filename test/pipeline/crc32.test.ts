import { describe, expect, it } from 'vitest';
import { crc32 } from '../../src/pipeline/crc32';

/** Bit by bit, straight from the polynomial (ISO-HDLC, reflected 0xEDB88320). */
function bitwise(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32', () => {
  it('gives the catalogue check value of "123456789"', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it.each([0, 1, 7, 8, 9, 15, 16, 17, 63, 1000])('matches the bitwise definition on %i bytes at an odd offset', (n) => {
    const buffer = Uint8Array.from({ length: n + 3 }, (_, i) => (Math.imul(i, 2654435761) >>> 13) & 0xff);
    const bytes = buffer.subarray(3);
    expect(crc32(bytes)).toBe(bitwise(bytes));
  });
});
