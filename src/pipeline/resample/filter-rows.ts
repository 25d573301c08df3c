import type { Codecs } from '../codecs';
import type { ColourConversion } from '../colour/transform';
import { ENCODE_STEPS, srgbEncodeTable } from '../colour/trc';
import { uprightIndex, uprightSize } from '../orient';
import { createFixedKernel } from './fixed-rows';
import { computeTaps, packTaps, type PackedTaps, type Taps } from './taps';
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
 * checked), so only three channels are filtered, nothing is premultiplied,
 * and the filter runs in 32-bit fixed point (linear light in 1/65535 steps,
 * the encode table's own index; weights in 1/16384 and 1/8192); the output's
 * alpha is 255. Otherwise the same fixed point carries four channels: linear
 * light × alpha and alpha, both in 1/65535 steps, divided back once per output
 * pixel. Both differ from the float path (`float`, the reference they are
 * tested against) by rounding only. The fixed-point paths' per-sample loops
 * (the multiply-adds of both passes: about 340 million for a 12 MP photo to
 * 2048 px) run in `filters`' WASM SIMD module (wasm/row_filter.c, laid out
 * and driven by fixed-rows.ts); this file streams the rows into them, one
 * at a time, and places the output.
 */
export function createFilterResampler(
  filters: RowFilters,
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
  orientation: Orientation,
  colour: ColourConversion,
  opaque = false,
  float = false,
): ImageSink {
  if (dstW > srcW || dstH > srcH || dstW < 1 || dstH < 1) {
    throw new RangeError(`cannot resample ${srcW}x${srcH} down to ${dstW}x${dstH}`);
  }
  if (float && !opaque) return createRgbaResampler(srcW, srcH, dstW, dstH, orientation, colour);
  // Opaque (3 channels) or any alpha (4), in 32-bit fixed point.
  const geometry = plan(srcW, srcH, dstW, dstH);
  const kernel = createFixedKernel(filters, geometry, srcW, dstW, colour, opaque ? 3 : 4);
  return streamRows(geometry, srcH, dstW, dstH, orientation, kernel);
}

/** Where the fixed-point paths get their WASM SIMD multiply-add loops (the {@link Codecs} port). */
export type RowFilters = Pick<Codecs, 'rowFilter'>;

/** The geometry both paths share: box factor, reduced size, taps and ring depth. */
function plan(srcW: number, srcH: number, dstW: number, dstH: number) {
  const box = Math.max(1, Math.floor(Math.min(srcW / dstW, srcH / dstH) / 2));
  const midW = Math.ceil(srcW / box);
  const midH = Math.ceil(srcH / box);
  const ty = computeTaps(midH, dstH);
  let ringRows = 1;
  for (let j = 0; j < dstH; j++) ringRows = Math.max(ringRows, ty.count[j]!);
  return { box, midW, lengths: boxLengths(srcW, box), tx: computeTaps(midW, dstW), ty, ringRows };
}

/** The ring rows output row `j` reads, in tap order, into `taken`. */
function takeRows<T>(ring: T[], ty: Taps, j: number, taken: T[]): void {
  const first = ty.start[j]!;
  const n = ty.count[j]!;
  taken.length = n;
  for (let t = 0; t < n; t++) taken[t] = ring[(first + t) % ring.length]!;
}

/**
 * Where output rows go in the upright image. Orientations 1–4 keep rows as
 * rows: row j is written in place, from `offset` by `step` bytes. Orientations
 * 5–8 turn rows into columns: rows are encoded into a tile of TILE rows first
 * and copied out TILE pixels (one contiguous run upright) at a time by
 * `done`, instead of one scattered write per pixel.
 */
function createPlacer(orientation: Orientation, dstW: number, dstH: number) {
  const place = uprightIndex(orientation, dstW, dstH);
  const out = new Uint8ClampedArray(dstW * dstH * 4);
  const transposed = orientation >= 5;
  const target = transposed ? new Uint8ClampedArray(dstW * TILE * 4) : out;
  const tileWords = new Uint32Array(target.buffer, target.byteOffset, target.length / 4);
  const outWords = new Uint32Array(out.buffer, out.byteOffset, out.length / 4);
  const along = dstH > 1 ? place(0, 1) - place(0, 0) : 0;
  return {
    out,
    /** What row j is written into. */
    target,
    offset(j: number): number {
      return transposed ? (j % TILE) * dstW * 4 : place(0, j) * 4;
    },
    step(j: number): number {
      return transposed || dstW === 1 ? 4 : (place(1, j) - place(0, j)) * 4;
    },
    /** Row j is written. */
    done(j: number): void {
      if (!transposed || (j % TILE !== TILE - 1 && j !== dstH - 1)) return;
      const j0 = j - (j % TILE);
      const rows = j - j0 + 1;
      for (let x = 0; x < dstW; x++) {
        for (let t = 0, p = place(x, j0), q = x; t < rows; t++, p += along, q += dstW) outWords[p] = tileWords[q]!;
      }
    },
  };
}

export type Plan = ReturnType<typeof plan>;

/** What differs between the paths; {@link streamRows} does the rest (row order, box blocks, the ring, placement). */
export interface RowKernel<R> {
  /** A ring row: one horizontally filtered box row. */
  newRow(): R;
  /** Source row `rgba` into the box row being built; `first`: it starts a new box row. */
  take(rgba: Uint8Array | Uint8ClampedArray, first: boolean): void;
  /** The box row of `rows` source rows is complete: average it and filter it horizontally into `into`. */
  filter(rows: number, into: R): void;
  /** Output row `j` from its ring rows (`taken`, in tap order), encoded into `target` from `offset` by `step`. */
  emit(j: number, taken: R[], target: Uint8ClampedArray, offset: number, step: number): void;
  /** The output is opaque (alpha 255 everywhere). */
  opaque: boolean;
}

/** Drives a {@link RowKernel}: source rows in order, box rows into a ring, output rows out as soon as their taps are in. */
function streamRows<R>(
  { box, ty, ringRows }: Plan,
  srcH: number,
  dstW: number,
  dstH: number,
  orientation: Orientation,
  kernel: RowKernel<R>,
): ImageSink {
  const ring = Array.from({ length: ringRows }, () => kernel.newRow());
  const taken: R[] = [];
  const placer = createPlacer(orientation, dstW, dstH);
  let midRow = 0; // box rows completed
  let nextOut = 0; // first output row not yet written
  let rowsInBlock = 0;
  let received = 0;
  return {
    put(y, rgba) {
      if (y !== received) throw new RangeError(`resampler expected row ${received}, got ${y}`);
      kernel.take(rgba, rowsInBlock === 0);
      received++;
      rowsInBlock++;
      if (rowsInBlock === box || received === srcH) {
        kernel.filter(rowsInBlock, ring[midRow % ringRows]!);
        midRow++;
        rowsInBlock = 0;
        while (nextOut < dstH && ty.start[nextOut]! + ty.count[nextOut]! <= midRow) {
          const j = nextOut++;
          takeRows(ring, ty, j, taken);
          kernel.emit(j, taken, placer.target, placer.offset(j), placer.step(j));
          placer.done(j);
        }
      }
    },
    finish() {
      if (nextOut < dstH) throw new RangeError(`resampler received ${received} of ${srcH} rows`);
      const image = { ...uprightSize(orientation, dstW, dstH), data: placer.out };
      return kernel.opaque ? { ...image, opaque: true } : image;
    },
  };
}

/** Any alpha: float, premultiplied RGBA (the reference the fixed-point paths are tested against). */
function createRgbaResampler(
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
  orientation: Orientation,
  colour: ColourConversion,
): ImageSink {
  const geometry = plan(srcW, srcH, dstW, dstH);
  const { box, midW, lengths, ty } = geometry;
  const tx = packTaps(geometry.tx, 4);
  const mid = new Float32Array(midW * 4); // one (box-reduced) row: linear RGB × alpha, alpha
  const sum = new Float32Array(dstW * 4); // one output row before the encode
  return streamRows(geometry, srcH, dstW, dstH, orientation, {
    opaque: false,
    newRow: () => new Float32Array(dstW * 4),
    take(rgba, first) {
      if (first && box > 1) mid.fill(0);
      linearRow4(rgba, srcW, box, colour.toLinear, mid);
    },
    filter(rows, into) {
      if (box > 1) averageBoxes(mid, lengths, rows);
      filterRow4(mid, into, tx, dstW);
    },
    emit(j, taken, target, offset, step) {
      sumRows(sum, taken, ty.weights, j * ty.stride);
      writeRow4(sum, target, offset, step, dstW, colour.matrix);
    },
  });
}

type Tables = readonly [Float32Array, Float32Array, Float32Array];

/** Source pixels per box across the row: `box`, the last one possibly fewer. */
function boxLengths(srcW: number, box: number): Int32Array {
  const lengths = new Int32Array(Math.ceil(srcW / box));
  for (let b = 0; b < lengths.length; b++) lengths[b] = Math.min(srcW, (b + 1) * box) - b * box;
  return lengths;
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
function averageBoxes(mid: Float32Array, lengths: Int32Array, rows: number) {
  for (let b = 0, k = 0; b < lengths.length; b++, k += 4) {
    const inv = 1 / (rows * lengths[b]!);
    mid[k] = mid[k]! * inv;
    mid[k + 1] = mid[k + 1]! * inv;
    mid[k + 2] = mid[k + 2]! * inv;
    mid[k + 3] = mid[k + 3]! * inv;
  }
}

// The float reference's filters (the fixed-point paths' run in WASM); the
// horizontal one walks the packed weights once.

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
  sum.fill(0);
  for (let t = 0; t < rest; t++) {
    const a = rows[t]!;
    const wa = weights[w0 + t]!;
    for (let i = 0; i < len; i++) sum[i] = sum[i]! + a[i]! * wa;
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
    } else {
      out[o] = 0;
      out[o + 1] = 0;
      out[o + 2] = 0;
    }
    out[o + 3] = a;
  }
}

/** Output rows per tile when the orientation transposes. */
const TILE = 16;

const IDENTITY = new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1]);
