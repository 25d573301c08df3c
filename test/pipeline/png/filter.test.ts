import { describe, expect, it } from 'vitest';
import { unfilterRow } from '../../../src/pipeline/png/filter';

/** PNG §9.4, as the specification writes it. */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

describe('unfilterRow', () => {
  it('reverses the Paeth filter as the specification defines it, for every b and c (a sampled)', () => {
    const row = new Uint8Array(2);
    const prev = new Uint8Array(2);
    let mismatches = 0;
    for (let a = 0; a < 256; a += 5) {
      for (let b = 0; b < 256; b++) {
        for (let c = 0; c < 256; c++) {
          // bpp 1: byte 0 (no left neighbour) becomes (row[0] + c), i.e. a; byte 1 is then Paeth(a, b, c) + 0.
          row[0] = (a - c) & 0xff;
          row[1] = 0;
          prev[0] = c;
          prev[1] = b;
          unfilterRow(4, row, prev, 1);
          if (row[1] !== paeth(a, b, c)) mismatches++;
        }
      }
    }
    expect(mismatches).toBe(0);
  });
});
