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

  it('gives the bytes of the byte loops of PNG §9.2 on the word and four-channel paths (Sub, Up, Average, Paeth)', () => {
    /** The byte loops of PNG §9.2, as written there. */
    const reference = (filter: number, row: Uint8Array, prev: Uint8Array, bpp: number) => {
      for (let i = 0; i < row.length; i++) {
        const a = i >= bpp ? row[i - bpp]! : 0;
        const b = prev[i]!;
        const c = i >= bpp ? prev[i - bpp]! : 0;
        row[i] = (row[i]! + [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter]!) & 0xff;
      }
    };
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff;
    for (const bpp of [1, 2, 3, 4, 6, 8]) {
      for (const length of [0, 1, 3, 4, 5, 8, 12, 31, 64, 65]) {
        for (const offset of [0, 1, 4]) {
          const n = length - (length % bpp);
          const bytes = new Uint8Array(offset + n);
          const above = new Uint8Array(offset + n);
          for (let i = 0; i < bytes.length; i++) {
            bytes[i] = random();
            above[i] = random();
          }
          for (const filter of [1, 2, 3, 4]) {
            const ours = bytes.slice().subarray(offset);
            const theirs = bytes.slice().subarray(offset);
            unfilterRow(filter, ours, above.subarray(offset), bpp);
            reference(filter, theirs, above.subarray(offset), bpp);
            expect(Array.from(ours), `filter ${filter}, bpp ${bpp}, ${n} bytes at ${offset}`).toEqual(
              Array.from(theirs),
            );
          }
        }
      }
    }
  });
});
