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
  const room = (bytes: number) => {
    const at = next;
    next += Math.ceil(bytes / 32) * 32 + 32;
    return at;
  };
  const ints32 = (values: ArrayLike<number> | number) => {
    const length = typeof values === 'number' ? values : values.length;
    const at = room(length * 4);
    const view = new Int32Array(filter.buffer, at, length);
    if (typeof values !== 'number') view.set(values);
    return { at, view };
  };
  const bytes = (values: ArrayLike<number> | number) => {
    const length = typeof values === 'number' ? values : values.length;
    const at = room(length);
    const view = new Uint8Array(filter.buffer, at, length);
    if (typeof values !== 'number') view.set(values);
    return { at, view };
  };
  const int64s = (length: number) => {
    const at = room(length * 8);
    return { at, view: new BigInt64Array(filter.buffer, at, length) };
  };
  const floats = (values: ArrayLike<number>) => {
    const at = room(values.length * 4);
    new Float32Array(filter.buffer, at, values.length).set(values);
    return { at };
  };
  return { filter, ints32, bytes, int64s, floats };
}

/** a/255 in 1/65536, as fixed-rows.ts hands it over. */
const ALPHA_SCALE = Array.from({ length: 256 }, (_, a) => Math.round((a * 65536) / 255));

/** l × a / 255 rounded to the 1/65535 step, in unsigned 32 bits. */
const premultiply = (l: number, a: number) => (Math.imul(l, ALPHA_SCALE[a]!) + 0x8000) >>> 16;

/** Linear light (1 = 65535) to the encode table's index, clipped. */
const quantise = (v: number) => (v >= 1 ? 65535 : v > 0 ? (v * 65535 + 0.5) | 0 : 0);
const clampIndex = (v: number) => (v < 0 ? 0 : v > 65535 ? 65535 : v);

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

  it.each([3, 4] as const)('linearRow and boxRow with %i channels equal the table lookups and sums', (channels) => {
    const next = random(10 + channels);
    const width = 61;
    const { filter, ints32, bytes, int64s } = filterWithRoom(40000);
    const tables = Array.from({ length: 768 }, () => next(65536));
    // Alpha: every kind the premultiply treats apart (0, 255, the rest).
    const pixels = Array.from({ length: width * 4 }, (_, i) =>
      i % 4 === 3 ? [0, 255, next(256)][next(3)]! : next(256),
    );
    const rgba = bytes(pixels);
    const t = ints32(tables);
    const scale = ints32(ALPHA_SCALE);
    const converted = (x: number, c: number) => {
      const l = tables[c * 256 + pixels[x * 4 + c]!]!;
      return channels === 3 ? l : c === 3 ? pixels[x * 4 + 3]! * 257 : premultiply(l, pixels[x * 4 + 3]!);
    };
    const mid = ints32(width * channels);
    filter.linearRow(rgba.at, mid.at, t.at, scale.at, width, channels);
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++)
        expect(mid.view[x * channels + c], `pixel ${x} channel ${c}`).toBe(converted(x, c));
    }
    for (const box of [1, 2, 7, 61, 100]) {
      const boxes = Math.ceil(width / box);
      const sums = int64s(boxes * channels);
      sums.view.fill(5n); // added to, not written
      filter.boxRow(rgba.at, sums.at, t.at, scale.at, width, box, channels);
      for (let b = 0; b < boxes; b++) {
        for (let c = 0; c < channels; c++) {
          let expected = 5;
          for (let x = b * box; x < Math.min(width, (b + 1) * box); x++) {
            if (channels === 4 && pixels[x * 4 + 3] === 0) continue;
            expected += converted(x, c);
          }
          expect(sums.view[b * channels + c], `box ${box} #${b} channel ${c}`).toBe(BigInt(expected));
        }
      }
    }
  });

  it('averageBoxes divides each sum by its box, rounded as in double precision', () => {
    const next = random(5);
    const { filter, ints32, int64s } = filterWithRoom(4000);
    const lengths = [3, 3, 3, 3, 2, 1];
    const channels = 4;
    const sums = int64s(lengths.length * channels);
    const values = sums.view.map(() => BigInt(next(3 * 3 * 65536)));
    sums.view.set(values);
    const mid = ints32(lengths.length * channels);
    filter.averageBoxes(sums.at, mid.at, ints32(lengths).at, lengths.length, 3, channels);
    for (let i = 0; i < values.length; i++) {
      const scale = 1 / (3 * lengths[Math.floor(i / channels)]!);
      expect(mid.view[i], `sample ${i}`).toBe((Number(values[i]) * scale + 0.5) | 0);
    }
  });

  it.each([
    [3, false],
    [3, true],
    [4, false],
    [4, true],
  ] as const)('encodeRow with %i channels (matrix: %s) equals the plain conversion', (channels, withMatrix) => {
    const next = random(20 + channels);
    const width = 400;
    const { filter, ints32, bytes, floats } = filterWithRoom(60000);
    const table = Array.from({ length: 65536 }, () => next(256));
    const matrix = [0.9, 0.08, 0.02, 0.05, 0.93, 0.02, 0.01, 0.04, 0.95].map(Math.fround);
    const ONE = 65535 * 8192;
    const sums: number[] = [];
    for (let x = 0; x < width; x++) {
      // Alpha: exactly opaque (the fast path), ordinary, around the 0.5 cut, negative.
      const alpha =
        channels === 3 ? 0 : [ONE, next(ONE), Math.round((0.5 * ONE) / 255) + next(3) - 1, -next(9000)][x % 4]!;
      for (let c = 0; c < 3; c++) sums.push(next(ONE + 200000) - 100000);
      if (channels === 4) sums.push(alpha);
    }
    const sum = ints32(sums);
    const out = bytes(width * 4);
    const m = withMatrix ? floats(matrix).at : 0;
    filter.encodeRow(sum.at, out.at, bytes(table).at, m, width, channels);
    const expected = new Uint8ClampedArray(width * 4);
    for (let x = 0, k = 0; x < width; x++, k += channels) {
      let rgb = [sums[k]!, sums[k + 1]!, sums[k + 2]!];
      const o = x * 4;
      if (channels === 3) {
        expected[o + 3] = 255;
        if (!withMatrix) {
          for (let c = 0; c < 3; c++) expected[o + c] = table[clampIndex((rgb[c]! + 4096) >> 13)]!;
          continue;
        }
        rgb = rgb.map((v) => v * (1 / ONE));
      } else {
        const a = sums[k + 3]! * (255 / ONE);
        expected[o + 3] = a;
        if (!(a > 0.5)) continue;
        if (!withMatrix) {
          const inv = 65535 / sums[k + 3]!;
          for (let c = 0; c < 3; c++) expected[o + c] = table[clampIndex((rgb[c]! * inv + 0.5) | 0)]!;
          continue;
        }
        rgb = rgb.map((v) => v * (1 / sums[k + 3]!));
      }
      const [r, g, b] = rgb as [number, number, number];
      for (let c = 0; c < 3; c++) {
        expected[o + c] = table[quantise(matrix[c * 3]! * r + matrix[c * 3 + 1]! * g + matrix[c * 3 + 2]! * b)]!;
      }
    }
    expect(Array.from(out.view)).toEqual(Array.from(expected));
  });
});
