import { describe, expect, it } from 'vitest';
import rowFilter from '../../src/codecs/row-filter.wasm';
import { createRowFilter } from '../../src/codecs/row-filter';

// wasm/row_filter.c against the fixed point written out plainly here (what
// src/pipeline/resample/fixed-rows.ts specifies), on random rows and
// weights of both signs: every output must be equal, not close.

function random(seed: number) {
  let s = seed >>> 0;
  return (below: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % below;
  };
}

/** A filter with `ints` 32-bit words of room and a bump allocator over it. */
function filterWithRoom(ints: number) {
  const filter = createRowFilter(rowFilter, ints * 4);
  let next = filter.base;
  const ints32 = (values: ArrayLike<number> | number) => {
    const length = typeof values === 'number' ? values : values.length;
    const at = next;
    next += Math.ceil(length / 8) * 32 + 32;
    const view = new Int32Array(filter.buffer, at, length);
    if (typeof values !== 'number') view.set(values);
    return { at, view };
  };
  return { filter, ints32 };
}

describe('the row filter module', () => {
  it('imports nothing, and each instance has its own memory', () => {
    expect(WebAssembly.Module.imports(rowFilter)).toEqual([]);
    const a = createRowFilter(rowFilter, 1000);
    const b = createRowFilter(rowFilter, 1000);
    expect(a.buffer).not.toBe(b.buffer);
    expect(a.buffer.byteLength - a.base).toBeGreaterThanOrEqual(1000);
  });

  it.each([3, 4] as const)('filterRow with %i channels equals the plain sum, rounding shift and all', (channels) => {
    const next = random(channels);
    const srcW = 97;
    const dstW = 41;
    const { filter, ints32 } = filterWithRoom(20000);
    const src = ints32(Array.from({ length: srcW * channels }, () => next(65536)));
    const first: number[] = [];
    const ends: number[] = [];
    const weights: number[] = [];
    for (let x = 0; x < dstW; x++) {
      const taps = 1 + next(9);
      const start = next(srcW - taps + 1);
      first.push(start * channels);
      for (let t = 0; t < taps; t++) weights.push(next(24000) - 6000);
      ends.push(weights.length);
    }
    const dst = ints32(dstW * channels);
    filter.filterRow(src.at, dst.at, ints32(first).at, ints32(ends).at, ints32(weights).at, dstW, channels);
    for (let x = 0, w = 0; x < dstW; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = w, s = first[x]! + c; k < ends[x]!; k++, s += channels) {
          sum = (sum + Math.imul(src.view[s]!, weights[k]!)) | 0;
        }
        expect(dst.view[x * channels + c], `pixel ${x} channel ${c}`).toBe((sum + (1 << 13)) >> 14);
      }
      w = ends[x]!;
    }
  });

  it('sumRows equals the plain 32-bit sum over any number of taps', () => {
    const next = random(7);
    const length = 53;
    const { filter, ints32 } = filterWithRoom(20000);
    for (const taps of [1, 2, 5, 13]) {
      const rows = Array.from({ length: taps }, () => ints32(Array.from({ length }, () => next(140000) - 20000)));
      const weights = Array.from({ length: taps }, () => next(12000) - 2000);
      const sum = ints32(length);
      filter.sumRows(sum.at, ints32(rows.map((r) => r.at)).at, ints32(weights).at, taps, length);
      for (let i = 0; i < length; i++) {
        let expected = 0;
        for (let t = 0; t < taps; t++) expected = (expected + Math.imul(rows[t]!.view[i]!, weights[t]!)) | 0;
        expect(sum.view[i], `taps ${taps} sample ${i}`).toBe(expected);
      }
    }
  });
});
