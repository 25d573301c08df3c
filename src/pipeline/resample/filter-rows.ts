import type { ColourConversion } from '../colour/transform';
import { ENCODE_STEPS, srgbEncodeTable } from '../colour/trc';
import { uprightIndex, uprightSize } from '../orient';
import { computeTaps, packTaps, type PackedTaps } from './taps';
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
 *
 * `opaque`: the caller promises every alpha is 255 (a JPEG, an image already
 * checked), so only three channels are filtered and nothing is premultiplied;
 * the output's alpha is 255.
 */
export function createFilterResampler(
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
  orientation: Orientation,
  colour: ColourConversion,
  opaque = false,
): ImageSink {
  const channels = opaque ? 3 : 4;
  const box = Math.max(1, Math.floor(Math.min(srcW / dstW, srcH / dstH) / 2));
  const midW = Math.ceil(srcW / box);
  const midH = Math.ceil(srcH / box);
  const tx = packTaps(computeTaps(midW, dstW), channels);
  const ty = computeTaps(midH, dstH);
  let ringRows = 1;
  for (let j = 0; j < dstH; j++) ringRows = Math.max(ringRows, ty.count[j]!);
  const ring = Array.from({ length: ringRows }, () => new Float32Array(dstW * channels));
  const mid = new Float32Array(midW * channels); // one (box-reduced) row: linear RGB (× alpha, alpha)
  const sum = new Float32Array(dstW * channels); // one output row before the encode
  const taken: Float32Array[] = [];
  const place = uprightIndex(orientation, dstW, dstH);
  const upright = uprightSize(orientation, dstW, dstH);
  const out = new Uint8ClampedArray(dstW * dstH * 4);
  const tables = colour.toLinear;
  const matrix = colour.matrix;
  const lengths = boxLengths(srcW, box);
  let midRow = 0; // mid rows completed
  let nextOut = 0; // first output row not yet written

  /** The box row is complete: average it, filter it horizontally into the ring, emit what is ready. */
  function finishMidRow(rowsInBlock: number) {
    if (box > 1) averageBoxes(mid, lengths, rowsInBlock, channels);
    const target = ring[midRow % ringRows]!;
    if (opaque) filterRow3(mid, target, tx, dstW);
    else filterRow4(mid, target, tx, dstW);
    midRow++;
    while (nextOut < dstH && ty.start[nextOut]! + ty.count[nextOut]! <= midRow) emitRow(nextOut++);
  }

  // Orientations 5–8 turn output rows into columns: rows are encoded into a
  // tile of TILE rows first, then copied out TILE pixels (one run in the
  // upright image) at a time, instead of one scattered write per pixel.
  const transposed = orientation >= 5;
  const tile = transposed ? new Uint8ClampedArray(dstW * TILE * 4) : out;
  const tileWords = new Uint32Array(tile.buffer, tile.byteOffset, tile.length / 4);
  const outWords = new Uint32Array(out.buffer, out.byteOffset, out.length / 4);

  function emitRow(j: number) {
    const first = ty.start[j]!;
    const n = ty.count[j]!;
    taken.length = n;
    for (let t = 0; t < n; t++) taken[t] = ring[(first + t) % ringRows]!;
    sumRows(sum, taken, ty.weights, j * ty.stride);
    let o0 = (j % TILE) * dstW * 4;
    let step = 4;
    if (!transposed) {
      o0 = place(0, j) * 4;
      step = dstW > 1 ? place(1, j) * 4 - o0 : 0;
    }
    if (opaque) writeRow3(sum, tile, o0, step, dstW, matrix);
    else writeRow4(sum, tile, o0, step, dstW, matrix);
    if (transposed && (j % TILE === TILE - 1 || j === dstH - 1)) {
      const j0 = j - (j % TILE);
      const rows = j - j0 + 1;
      const along = dstH > 1 ? place(0, 1) - place(0, 0) : 0;
      for (let x = 0; x < dstW; x++) {
        for (let t = 0, p = place(x, j0), q = x; t < rows; t++, p += along, q += dstW) outWords[p] = tileWords[q]!;
      }
    }
  }

  let rowsInBlock = 0;
  let received = 0;
  return {
    put(y, rgba) {
      if (y !== received) throw new RangeError(`resampler expected row ${received}, got ${y}`);
      if (rowsInBlock === 0 && box > 1) mid.fill(0);
      if (opaque) linearRow3(rgba, srcW, box, tables, mid);
      else linearRow4(rgba, srcW, box, tables, mid);
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

type Tables = readonly [Float32Array, Float32Array, Float32Array];

/** Source pixels per box across the row: `box`, the last one possibly fewer. */
function boxLengths(srcW: number, box: number): Int32Array {
  const lengths = new Int32Array(Math.ceil(srcW / box));
  for (let b = 0; b < lengths.length; b++) lengths[b] = Math.min(srcW, (b + 1) * box) - b * box;
  return lengths;
}

/** Linear light of an opaque row, summed `box` pixels at a time into `mid` (box 1: written). */
function linearRow3(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  box: number,
  tables: Tables,
  mid: Float32Array,
) {
  const [toR, toG, toB] = tables;
  if (box === 1) {
    for (let s = 0, k = 0, end = width * 4; s < end; s += 4, k += 3) {
      mid[k] = toR[rgba[s]!]!;
      mid[k + 1] = toG[rgba[s + 1]!]!;
      mid[k + 2] = toB[rgba[s + 2]!]!;
    }
    return;
  }
  for (let s = 0, k = 0, left = box, end = width * 4; s < end; s += 4) {
    mid[k] = mid[k]! + toR[rgba[s]!]!;
    mid[k + 1] = mid[k + 1]! + toG[rgba[s + 1]!]!;
    mid[k + 2] = mid[k + 2]! + toB[rgba[s + 2]!]!;
    if (--left === 0) {
      left = box;
      k += 3;
    }
  }
}

/** Linear light × alpha, and alpha, of a row, summed `box` pixels at a time into `mid` (box 1: written). */
function linearRow4(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  box: number,
  tables: Tables,
  mid: Float32Array,
) {
  const [toR, toG, toB] = tables;
  if (box === 1) {
    for (let s = 0, end = width * 4; s < end; s += 4) {
      const a = rgba[s + 3]!;
      mid[s] = toR[rgba[s]!]! * a;
      mid[s + 1] = toG[rgba[s + 1]!]! * a;
      mid[s + 2] = toB[rgba[s + 2]!]! * a;
      mid[s + 3] = a;
    }
    return;
  }
  for (let s = 0, k = 0, left = box, end = width * 4; s < end; s += 4) {
    const a = rgba[s + 3]!;
    if (a !== 0) {
      mid[k] = mid[k]! + toR[rgba[s]!]! * a;
      mid[k + 1] = mid[k + 1]! + toG[rgba[s + 1]!]! * a;
      mid[k + 2] = mid[k + 2]! + toB[rgba[s + 2]!]! * a;
      mid[k + 3] = mid[k + 3]! + a;
    }
    if (--left === 0) {
      left = box;
      k += 4;
    }
  }
}

/** Box sums to means: each box covered `rows` rows of `lengths[b]` pixels. */
function averageBoxes(mid: Float32Array, lengths: Int32Array, rows: number, channels: number) {
  for (let b = 0, k = 0; b < lengths.length; b++) {
    const inv = 1 / (rows * lengths[b]!);
    for (const end = k + channels; k < end; k++) mid[k] = mid[k]! * inv;
  }
}

// The two filters below are the hot loops of a large decode (a 12 MP photo to
// 2048 px is about 300 million multiply-adds); they walk the packed weights
// once, with no per-tap index arithmetic beyond two increments.

/** Horizontal Lanczos-3 of an interleaved RGB row. */
function filterRow3(src: Float32Array, dst: Float32Array, taps: PackedTaps, width: number) {
  const { first, ends, weights } = taps;
  let w = 0;
  for (let x = 0, o = 0; x < width; x++, o += 3) {
    let r = 0;
    let g = 0;
    let b = 0;
    const end = ends[x]!;
    for (let s = first[x]!; w < end; w++, s += 3) {
      const k = weights[w]!;
      r += src[s]! * k;
      g += src[s + 1]! * k;
      b += src[s + 2]! * k;
    }
    dst[o] = r;
    dst[o + 1] = g;
    dst[o + 2] = b;
  }
}

/** Horizontal Lanczos-3 of an interleaved premultiplied RGBA row. */
function filterRow4(src: Float32Array, dst: Float32Array, taps: PackedTaps, width: number) {
  const { first, ends, weights } = taps;
  let w = 0;
  for (let x = 0, o = 0; x < width; x++, o += 4) {
    let r = 0;
    let g = 0;
    let b = 0;
    let a = 0;
    const end = ends[x]!;
    for (let s = first[x]!; w < end; w++, s += 4) {
      const k = weights[w]!;
      r += src[s]! * k;
      g += src[s + 1]! * k;
      b += src[s + 2]! * k;
      a += src[s + 3]! * k;
    }
    dst[o] = r;
    dst[o + 1] = g;
    dst[o + 2] = b;
    dst[o + 3] = a;
  }
}

/**
 * Vertical Lanczos-3: `sum` = Σ rows[t] × weights[w0 + t], whole rows at a
 * time, four taps per pass (so `sum` is read and written a quarter as often).
 */
function sumRows(sum: Float32Array, rows: Float32Array[], weights: Float32Array, w0: number) {
  const n = rows.length;
  const len = sum.length;
  const rest = n % 4;
  if (rest === 0) {
    sum.fill(0);
  } else if (rest === 1) {
    const a = rows[0]!;
    const wa = weights[w0]!;
    for (let i = 0; i < len; i++) sum[i] = a[i]! * wa;
  } else if (rest === 2) {
    const a = rows[0]!;
    const b = rows[1]!;
    const wa = weights[w0]!;
    const wb = weights[w0 + 1]!;
    for (let i = 0; i < len; i++) sum[i] = a[i]! * wa + b[i]! * wb;
  } else {
    const a = rows[0]!;
    const b = rows[1]!;
    const c = rows[2]!;
    const wa = weights[w0]!;
    const wb = weights[w0 + 1]!;
    const wc = weights[w0 + 2]!;
    for (let i = 0; i < len; i++) sum[i] = a[i]! * wa + b[i]! * wb + c[i]! * wc;
  }
  for (let t = rest; t < n; t += 4) {
    const a = rows[t]!;
    const b = rows[t + 1]!;
    const c = rows[t + 2]!;
    const d = rows[t + 3]!;
    const wa = weights[w0 + t]!;
    const wb = weights[w0 + t + 1]!;
    const wc = weights[w0 + t + 2]!;
    const wd = weights[w0 + t + 3]!;
    for (let i = 0; i < len; i++) sum[i] = sum[i]! + a[i]! * wa + b[i]! * wb + c[i]! * wc + d[i]! * wd;
  }
}

/** Linear light → the encode table's index, clipped to [0, 1] (`v > 0` is false for NaN too). */
function quantise(v: number): number {
  return v >= 1 ? ENCODE_STEPS : v > 0 ? (v * ENCODE_STEPS + 0.5) | 0 : 0;
}

/** One opaque output row to 8-bit sRGB (3×3 first when there is one), pixel x at `o0 + x * step`. */
function writeRow3(
  sum: Float32Array,
  out: Uint8ClampedArray,
  o0: number,
  step: number,
  width: number,
  matrix: Float32Array | undefined,
) {
  const table = srgbEncodeTable();
  if (matrix === undefined) {
    for (let x = 0, k = 0, o = o0; x < width; x++, k += 3, o += step) {
      out[o] = table[quantise(sum[k]!)]!;
      out[o + 1] = table[quantise(sum[k + 1]!)]!;
      out[o + 2] = table[quantise(sum[k + 2]!)]!;
      out[o + 3] = 255;
    }
    return;
  }
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = matrix as unknown as number[];
  for (let x = 0, k = 0, o = o0; x < width; x++, k += 3, o += step) {
    const r = sum[k]!;
    const g = sum[k + 1]!;
    const b = sum[k + 2]!;
    out[o] = table[quantise(m0! * r + m1! * g + m2! * b)]!;
    out[o + 1] = table[quantise(m3! * r + m4! * g + m5! * b)]!;
    out[o + 2] = table[quantise(m6! * r + m7! * g + m8! * b)]!;
    out[o + 3] = 255;
  }
}

/** One premultiplied output row to 8-bit sRGB and alpha, pixel x at `o0 + x * step`. */
function writeRow4(
  sum: Float32Array,
  out: Uint8ClampedArray,
  o0: number,
  step: number,
  width: number,
  matrix: Float32Array | undefined,
) {
  const table = srgbEncodeTable();
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = (matrix ?? IDENTITY) as unknown as number[];
  for (let x = 0, k = 0, o = o0; x < width; x++, k += 4, o += step) {
    const a = sum[k + 3]!;
    // Lanczos lobes can make a nearly transparent pixel's alpha tiny or negative: treat it as transparent.
    if (a > 0.5) {
      const r = sum[k]! / a;
      const g = sum[k + 1]! / a;
      const b = sum[k + 2]! / a;
      if (matrix === undefined) {
        out[o] = table[quantise(r)]!;
        out[o + 1] = table[quantise(g)]!;
        out[o + 2] = table[quantise(b)]!;
      } else {
        out[o] = table[quantise(m0! * r + m1! * g + m2! * b)]!;
        out[o + 1] = table[quantise(m3! * r + m4! * g + m5! * b)]!;
        out[o + 2] = table[quantise(m6! * r + m7! * g + m8! * b)]!;
      }
    }
    out[o + 3] = a;
  }
}

/** Output rows per tile when the orientation transposes. */
const TILE = 16;

const IDENTITY = new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
