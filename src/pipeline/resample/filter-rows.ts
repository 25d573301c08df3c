import { writeSrgb } from '../colour/encode';
import type { ColourConversion } from '../colour/transform';
import { uprightIndex, uprightSize } from '../orient';
import { computeTaps } from './resize';
import type { ImageSink } from '../rows';
import type { Orientation } from '../types';

/**
 * Streams a `srcW`×`srcH` image into exactly `dstW`×`dstH` (no larger), the
 * way vipsthumbnail shrinks: an integer box pre-shrink only while a factor of
 * two or more remains for the final filter, then a separable Lanczos-3 on the
 * streamed rows. Everything runs in linear light, premultiplied by alpha:
 * each 8-bit sample goes through `colour`'s table as it arrives; each output
 * pixel through its 3×3 and the sRGB encode table, written straight to its
 * upright place for `orientation`. Held: the output, one box row, and a ring
 * of as many horizontally filtered rows as the vertical kernel spans.
 */
export function createFilterResampler(
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
  orientation: Orientation,
  colour: ColourConversion,
): ImageSink {
  const box = Math.max(1, Math.floor(Math.min(srcW / dstW, srcH / dstH) / 2));
  const midW = Math.ceil(srcW / box);
  const midH = Math.ceil(srcH / box);
  const tx = computeTaps(midW, dstW);
  const ty = computeTaps(midH, dstH);
  let ringRows = 1;
  for (let j = 0; j < dstH; j++) ringRows = Math.max(ringRows, ty.count[j]!);
  const ring = Array.from({ length: ringRows }, () => new Float32Array(dstW * 4));
  const mid = new Float32Array(midW * 4); // one (box-reduced) row: linear RGB × alpha, alpha
  const place = uprightIndex(orientation, dstW, dstH);
  const upright = uprightSize(orientation, dstW, dstH);
  const out = new Uint8ClampedArray(dstW * dstH * 4);
  const [toR, toG, toB] = colour.toLinear;
  const matrix = colour.matrix;
  let midRow = 0; // mid rows completed
  let nextOut = 0; // first output row not yet written

  function accumulate(rgba: Uint8Array | Uint8ClampedArray) {
    for (let x = 0, s = 0; x < srcW; x++, s += 4) {
      const a = rgba[s + 3]!;
      if (a === 0) continue;
      const k = ((x / box) | 0) * 4;
      mid[k] = mid[k]! + toR[rgba[s]!]! * a;
      mid[k + 1] = mid[k + 1]! + toG[rgba[s + 1]!]! * a;
      mid[k + 2] = mid[k + 2]! + toB[rgba[s + 2]!]! * a;
      mid[k + 3] = mid[k + 3]! + a;
    }
  }

  /** The box row is complete: average it, filter it horizontally into the ring, emit what is ready. */
  function finishMidRow(rowsInBlock: number) {
    if (box > 1) {
      for (let bx = 0; bx < midW; bx++) {
        const inv = 1 / (rowsInBlock * (Math.min(srcW, (bx + 1) * box) - bx * box));
        const k = bx * 4;
        mid[k] = mid[k]! * inv;
        mid[k + 1] = mid[k + 1]! * inv;
        mid[k + 2] = mid[k + 2]! * inv;
        mid[k + 3] = mid[k + 3]! * inv;
      }
    }
    const target = ring[midRow % ringRows]!;
    for (let x = 0; x < dstW; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      const first = tx.start[x]! * 4;
      const n = tx.count[x]!;
      const w0 = x * tx.stride;
      for (let t = 0, s = first; t < n; t++, s += 4) {
        const w = tx.weights[w0 + t]!;
        r += mid[s]! * w;
        g += mid[s + 1]! * w;
        b += mid[s + 2]! * w;
        a += mid[s + 3]! * w;
      }
      const o = x * 4;
      target[o] = r;
      target[o + 1] = g;
      target[o + 2] = b;
      target[o + 3] = a;
    }
    mid.fill(0);
    midRow++;
    while (nextOut < dstH && ty.start[nextOut]! + ty.count[nextOut]! <= midRow) emitRow(nextOut++);
  }

  function emitRow(j: number) {
    const first = ty.start[j]!;
    const n = ty.count[j]!;
    const w0 = j * ty.stride;
    for (let x = 0; x < dstW; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      const k = x * 4;
      for (let t = 0; t < n; t++) {
        const row = ring[(first + t) % ringRows]!;
        const w = ty.weights[w0 + t]!;
        r += row[k]! * w;
        g += row[k + 1]! * w;
        b += row[k + 2]! * w;
        a += row[k + 3]! * w;
      }
      const o = place(x, j) * 4;
      // Lanczos lobes can make a nearly transparent pixel's alpha tiny or negative: treat it as transparent.
      if (a > 0.5) writeSrgb(matrix, r / a, g / a, b / a, out, o);
      out[o + 3] = a;
    }
  }

  let rowsInBlock = 0;
  let received = 0;
  return {
    put(y, rgba) {
      if (y !== received) throw new RangeError(`resampler expected row ${received}, got ${y}`);
      accumulate(rgba);
      received++;
      rowsInBlock++;
      if (rowsInBlock === box || received === srcH) {
        finishMidRow(rowsInBlock);
        rowsInBlock = 0;
      }
    },
    finish() {
      if (nextOut < dstH) throw new RangeError(`resampler received ${received} of ${srcH} rows`);
      return { ...upright, data: out };
    },
  };
}
