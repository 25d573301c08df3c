import { uprightIndex, uprightSize } from '../orient';
import type { ImageSink } from '../rows';
import type { Orientation } from '../types';

/**
 * For each source index along one axis: the first destination index it
 * overlaps and its overlap with that one and the next, in units where a
 * source pixel is `dst` long and a destination pixel `src` long (so every
 * weight is an exact integer and each destination pixel's weights sum to `src`).
 */
function axisWeights(src: number, dst: number) {
  const first = new Int32Array(src);
  const w0 = new Float64Array(src);
  const w1 = new Float64Array(src);
  for (let i = 0; i < src; i++) {
    const start = i * dst;
    const end = start + dst;
    const d = Math.floor(start / src);
    const boundary = (d + 1) * src;
    first[i] = d;
    w0[i] = Math.min(end, boundary) - start;
    w1[i] = end > boundary ? end - boundary : 0;
  }
  return { first, w0, w1 };
}

/**
 * Streams a `srcW`×`srcH` image into a `dstW`×`dstH` one (each no larger than
 * the source) by exact area averaging: every destination pixel is the mean of
 * the source area it covers, fractional edges included, with colour weighted
 * by alpha. Each finished pixel is written straight to its place in the
 * image upright for `orientation` (EXIF), so no second frame is needed to
 * rotate. Memory is the output plus two rows of accumulators, so a large
 * decode never needs its full-resolution frame. Rows must arrive whole and in
 * order 0, 1, 2, … (see {@link ImageSink}); `finish()` gives the upright image.
 */
export function createRowResampler(
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
  orientation: Orientation = 1,
): ImageSink {
  if (dstW > srcW || dstH > srcH || dstW < 1 || dstH < 1) {
    throw new RangeError(`cannot area-resample ${srcW}x${srcH} to ${dstW}x${dstH}`);
  }
  if (dstW === srcW && dstH === srcH) return createRowCopier(srcW, srcH, orientation);
  const place = uprightIndex(orientation, dstW, dstH);
  const upright = uprightSize(orientation, dstW, dstH);
  const xs = axisWeights(srcW, dstW);
  const ys = axisWeights(srcH, dstH);
  const out = new Uint8ClampedArray(dstW * dstH * 4);
  const row = new Float64Array(dstW * 4); // one source row, reduced horizontally (premultiplied)
  let current = new Float64Array(dstW * 4); // destination row ys.first[y]
  let next = new Float64Array(dstW * 4); // the row after it
  let currentRow = 0;
  const fullWeight = srcW * srcH; // total weight of one destination pixel

  function flush(target: number) {
    for (let x = 0; x < dstW; x++) {
      const k = x * 4;
      const o = place(x, target) * 4;
      const alpha = current[k + 3]!;
      if (alpha > 0) {
        out[o] = current[k]! / alpha;
        out[o + 1] = current[k + 1]! / alpha;
        out[o + 2] = current[k + 2]! / alpha;
      }
      out[o + 3] = alpha / fullWeight;
    }
    [current, next] = [next, current];
    next.fill(0);
  }

  return {
    put(y, rgba) {
      row.fill(0);
      for (let x = 0; x < srcW; x++) {
        const s = x * 4;
        const a = rgba[s + 3]!;
        if (a === 0) continue;
        const r = rgba[s]! * a;
        const g = rgba[s + 1]! * a;
        const b = rgba[s + 2]! * a;
        let d = xs.first[x]! * 4;
        let w = xs.w0[x]!;
        row[d] = row[d]! + r * w;
        row[d + 1] = row[d + 1]! + g * w;
        row[d + 2] = row[d + 2]! + b * w;
        row[d + 3] = row[d + 3]! + a * w;
        w = xs.w1[x]!;
        if (w > 0) {
          d += 4;
          row[d] = row[d]! + r * w;
          row[d + 1] = row[d + 1]! + g * w;
          row[d + 2] = row[d + 2]! + b * w;
          row[d + 3] = row[d + 3]! + a * w;
        }
      }
      const target = ys.first[y]!;
      const w0 = ys.w0[y]!;
      const w1 = ys.w1[y]!;
      for (let k = 0; k < row.length; k++) {
        current[k] = current[k]! + row[k]! * w0;
        if (w1 > 0) next[k] = next[k]! + row[k]! * w1;
      }
      // Destination row `target` is complete once this source row reaches its lower edge.
      if ((y + 1) * dstH >= (target + 1) * srcH) {
        flush(target);
        currentRow = target + 1;
      }
    },
    finish() {
      if (currentRow < dstH) throw new RangeError(`resampler received ${currentRow} of ${dstH} rows`);
      return { ...upright, data: out };
    },
  };
}

/** The same-size case: rows are copied into (upright) place. */
function createRowCopier(width: number, height: number, orientation: Orientation): ImageSink {
  const out = new Uint8ClampedArray(width * height * 4);
  const place = uprightIndex(orientation, width, height);
  let rows = 0;
  return {
    put(y, rgba) {
      if (orientation === 1) {
        out.set(rgba.subarray(0, width * 4), y * width * 4);
      } else {
        for (let x = 0; x < width; x++) out.set(rgba.subarray(x * 4, x * 4 + 4), place(x, y) * 4);
      }
      rows++;
    },
    finish() {
      if (rows < height) throw new RangeError(`copier received ${rows} of ${height} rows`);
      return { ...uprightSize(orientation, width, height), data: out };
    },
  };
}
