import type { Codecs, RowFilter } from '../codecs';
import type { ColourConversion } from '../colour/transform';
import { ENCODE_STEPS, srgbEncodeTable } from '../colour/trc';
import { uprightIndex, uprightSize } from '../orient';
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
 * tested against) by rounding only. The fixed-point multiply-adds (both
 * passes, about 340 million for a 12 MP photo to 2048 px) run in `filters`'
 * WASM SIMD loops (wasm/row_filter.c, four lanes at a time, the same integer
 * arithmetic); this file still streams the rows, builds the taps, converts
 * samples in and out and places the output.
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
  if (opaque) return createOpaqueResampler(filters, srcW, srcH, dstW, dstH, orientation, colour);
  return float
    ? createRgbaResampler(srcW, srcH, dstW, dstH, orientation, colour)
    : createAlphaResampler(filters, srcW, srcH, dstW, dstH, orientation, colour);
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

type Plan = ReturnType<typeof plan>;

/** What differs between the paths; {@link streamRows} does the rest (row order, box blocks, the ring, placement). */
interface RowKernel<R> {
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

/** Opaque: RGB in 32-bit fixed point (see {@link createFilterResampler}). */
function createOpaqueResampler(
  filters: RowFilters,
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
  orientation: Orientation,
  colour: ColourConversion,
): ImageSink {
  const geometry = plan(srcW, srcH, dstW, dstH);
  const { box, lengths } = geometry;
  const rows = createFixedRows(filters, geometry, dstW, 3);
  const { mid } = rows;
  // Box sums: 32-bit while box² × 65535 fits (a box up to 180), else float.
  const sums = box === 1 ? undefined : box <= MAX_INT_BOX ? new Int32Array(mid.length) : new Float64Array(mid.length);
  const tables = colour.toLinear.map(fixedTable) as [Int32Array, Int32Array, Int32Array];
  return streamRows(geometry, srcH, dstW, dstH, orientation, {
    opaque: true,
    newRow: rows.newRow,
    take(rgba, first) {
      if (sums === undefined) return linearRowFixed(rgba, srcW, tables, mid);
      if (first) sums.fill(0);
      if (sums instanceof Int32Array) boxRowFixed(rgba, srcW, box, tables, sums);
      else boxRow3(rgba, srcW, box, colour.toLinear, sums);
    },
    filter(count, into) {
      if (sums !== undefined)
        averageBoxesFixed(sums, lengths, count, sums instanceof Int32Array ? 1 : ENCODE_STEPS, mid);
      rows.filter(into);
    },
    emit(j, taken, target, offset, step) {
      writeRowFixed(rows.sum(j, taken), target, offset, step, dstW, colour.matrix);
    },
  });
}

/** Any alpha: premultiplied RGBA in 32-bit fixed point (see {@link createFilterResampler}). */
function createAlphaResampler(
  filters: RowFilters,
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
  orientation: Orientation,
  colour: ColourConversion,
): ImageSink {
  const geometry = plan(srcW, srcH, dstW, dstH);
  const { box, lengths } = geometry;
  const rows = createFixedRows(filters, geometry, dstW, 4);
  const { mid } = rows;
  // Box sums: 32-bit while box² × 65535 fits (a box up to 180), else float (of the same integers).
  const sums = box === 1 ? undefined : box <= MAX_INT_BOX ? new Int32Array(mid.length) : new Float64Array(mid.length);
  const tables = colour.toLinear.map(fixedTable) as [Int32Array, Int32Array, Int32Array];
  return streamRows(geometry, srcH, dstW, dstH, orientation, {
    opaque: false,
    newRow: rows.newRow,
    take(rgba, first) {
      if (sums === undefined) return premultiplyRowFixed(rgba, srcW, tables, mid);
      if (first) sums.fill(0);
      boxRowFixed4(rgba, srcW, box, tables, sums);
    },
    filter(count, into) {
      if (sums !== undefined) averageBoxesFixed4(sums, lengths, count, mid);
      rows.filter(into);
    },
    emit(j, taken, target, offset, step) {
      writeRowFixed4(rows.sum(j, taken), target, offset, step, dstW, colour.matrix);
    },
  });
}

/**
 * The fixed-point paths' rows, laid out in one {@link RowFilter}'s memory so
 * its WASM SIMD loops do the multiply-adds: the (box-reduced) source row
 * `mid`, which the caller fills; the ring rows, named by byte offset; the
 * vertical sum; and both passes' taps (weights in 1/H_ONE and 1/V_ONE, see
 * the bounds above). Rows get the room past their end that the loops need.
 */
function createFixedRows(filters: RowFilters, { midW, tx, ty, ringRows }: Plan, dstW: number, channels: 3 | 4) {
  const horizontal = fixedTaps(packTaps(tx, channels), H_ONE);
  const vertical = fixedTaps(packTaps(ty, 1), V_ONE);
  const length = dstW * channels;
  const rowInts = roundUp(length + 4, 8);
  const midInts = midW * channels + 4;
  const parts = [horizontal.first, horizontal.ends, horizontal.weights, vertical.weights];
  let ints = midInts + rowInts * (ringRows + 1) + ringRows;
  for (const part of parts) ints += part.length;
  const filter = filters.rowFilter(ints * 4);
  let next = filter.base;
  const take = (n: number) => {
    const at = next;
    next += n * 4;
    return at;
  };
  const place = (part: Int32Array) => {
    const at = take(part.length);
    new Int32Array(filter.buffer, at, part.length).set(part);
    return at;
  };
  const [first, ends, hWeights, vWeights] = parts.map(place) as [number, number, number, number];
  const midAt = take(midInts);
  const sumAt = take(rowInts);
  const rowsAt = take(ringRows);
  const rowOffsets = new Int32Array(filter.buffer, rowsAt, ringRows);
  const sum = new Int32Array(filter.buffer, sumAt, length);
  return {
    mid: new Int32Array(filter.buffer, midAt, midW * channels),
    /** A ring row's byte offset. */
    newRow: () => take(rowInts),
    /** `mid`, filtered horizontally into the ring row at `into`. */
    filter(into: number) {
      filter.filterRow(midAt, into, first, ends, hWeights, dstW, channels);
    },
    /** Output row `j`'s vertical sum of its ring rows `taken` (in tap order), in 1/(65535 × V_ONE). */
    sum(j: number, taken: number[]): Int32Array {
      rowOffsets.set(taken);
      const w0 = j === 0 ? 0 : vertical.ends[j - 1]!;
      filter.sumRows(sumAt, rowsAt, vWeights + w0 * 4, taken.length, length);
      return sum;
    },
  };
}

function roundUp(n: number, step: number): number {
  return Math.ceil(n / step) * step;
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

// Fixed point, opaque path. Samples are linear light × 65535 (ENCODE_STEPS).
// Bounds: Lanczos-3 taps sum to one but their absolute values to at most
// about 1.56 (a 26 → 25 reduction; 1.2 for large ones), so a horizontal sum is
// below 65535 × 1.56 × 2^14 < 2^31 and a ring sample below 102 000; the
// vertical weights use 2^13, so its sum is below 102 000 × 1.56 × 2^13 < 2^31.

/** Horizontal weights' unit. */
const H_ONE = 1 << 14;
/** Vertical weights' unit. */
const V_ONE = 1 << 13;
/** The largest box whose sums (box² samples of at most 65535) fit 32 bits. */
const MAX_INT_BOX = Math.floor(Math.sqrt(2 ** 31 / ENCODE_STEPS)) - 1;

interface FixedTaps {
  first: Int32Array;
  ends: Int32Array;
  weights: Int32Array;
}

/** Packed taps with integer weights in 1/`one`, each output's summing to exactly `one` (flat stays flat). */
function fixedTaps(taps: PackedTaps, one: number): FixedTaps {
  const weights = new Int32Array(taps.weights.length);
  let w = 0;
  for (let i = 0; i < taps.ends.length; i++) {
    const end = taps.ends[i]!;
    let total = 0;
    let largest = w;
    for (let k = w; k < end; k++) {
      weights[k] = Math.round(taps.weights[k]! * one);
      total += weights[k]!;
      if (taps.weights[k]! > taps.weights[largest]!) largest = k;
    }
    if (end > w) weights[largest] = weights[largest]! + one - total;
    w = end;
  }
  return { first: taps.first, ends: taps.ends, weights };
}

/** A linear-light table in 1/65535 steps. */
function fixedTable(table: Float32Array): Int32Array {
  return Int32Array.from(table, (v) => Math.round(v * ENCODE_STEPS));
}

/** An opaque row's linear light, in 1/65535 steps. */
function linearRowFixed(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  tables: readonly [Int32Array, Int32Array, Int32Array],
  mid: Int32Array,
) {
  const [toR, toG, toB] = tables;
  for (let s = 0, k = 0, end = width * 4; s < end; s += 4, k += 3) {
    mid[k] = toR[rgba[s]!]!;
    mid[k + 1] = toG[rgba[s + 1]!]!;
    mid[k + 2] = toB[rgba[s + 2]!]!;
  }
}

/** An opaque row's linear light in 1/65535 steps, summed `box` pixels at a time into `sums`. */
function boxRowFixed(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  box: number,
  tables: readonly [Int32Array, Int32Array, Int32Array],
  sums: Int32Array,
) {
  const [toR, toG, toB] = tables;
  for (let s = 0, k = 0, left = box, end = width * 4; s < end; s += 4) {
    sums[k] = sums[k]! + toR[rgba[s]!]!;
    sums[k + 1] = sums[k + 1]! + toG[rgba[s + 1]!]!;
    sums[k + 2] = sums[k + 2]! + toB[rgba[s + 2]!]!;
    if (--left === 0) {
      left = box;
      k += 3;
    }
  }
}

/** An opaque row's linear light (0..1), summed `box` pixels at a time into `sums`. */
function boxRow3(rgba: Uint8Array | Uint8ClampedArray, width: number, box: number, tables: Tables, sums: Float64Array) {
  const [toR, toG, toB] = tables;
  for (let s = 0, k = 0, left = box, end = width * 4; s < end; s += 4) {
    sums[k] = sums[k]! + toR[rgba[s]!]!;
    sums[k + 1] = sums[k + 1]! + toG[rgba[s + 1]!]!;
    sums[k + 2] = sums[k + 2]! + toB[rgba[s + 2]!]!;
    if (--left === 0) {
      left = box;
      k += 3;
    }
  }
}

/** Box sums to means in 1/65535 steps: each box covered `rows` rows of `lengths[b]` pixels; `unit` is the sums' step. */
function averageBoxesFixed(
  sums: Int32Array | Float64Array,
  lengths: Int32Array,
  rows: number,
  unit: number,
  mid: Int32Array,
) {
  for (let b = 0, k = 0; b < lengths.length; b++, k += 3) {
    const scale = unit / (rows * lengths[b]!);
    mid[k] = (sums[k]! * scale + 0.5) | 0;
    mid[k + 1] = (sums[k + 1]! * scale + 0.5) | 0;
    mid[k + 2] = (sums[k + 2]! * scale + 0.5) | 0;
  }
}

/** One fixed-point output row to 8-bit sRGB (3×3 first when there is one), alpha 255, pixel x at `o0 + x * step`. */
function writeRowFixed(
  sum: Int32Array,
  out: Uint8ClampedArray,
  o0: number,
  step: number,
  width: number,
  matrix: Float32Array | undefined,
) {
  const table = srgbEncodeTable();
  const half = V_ONE >> 1;
  if (matrix === undefined) {
    for (let x = 0, k = 0, o = o0; x < width; x++, k += 3, o += step) {
      const r = (sum[k]! + half) >> 13;
      const g = (sum[k + 1]! + half) >> 13;
      const b = (sum[k + 2]! + half) >> 13;
      out[o] = table[r < 0 ? 0 : r > ENCODE_STEPS ? ENCODE_STEPS : r]!;
      out[o + 1] = table[g < 0 ? 0 : g > ENCODE_STEPS ? ENCODE_STEPS : g]!;
      out[o + 2] = table[b < 0 ? 0 : b > ENCODE_STEPS ? ENCODE_STEPS : b]!;
      out[o + 3] = 255;
    }
    return;
  }
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = matrix as unknown as number[];
  const unit = 1 / (ENCODE_STEPS * V_ONE);
  for (let x = 0, k = 0, o = o0; x < width; x++, k += 3, o += step) {
    const r = sum[k]! * unit;
    const g = sum[k + 1]! * unit;
    const b = sum[k + 2]! * unit;
    out[o] = table[quantise(m0! * r + m1! * g + m2! * b)]!;
    out[o + 1] = table[quantise(m3! * r + m4! * g + m5! * b)]!;
    out[o + 2] = table[quantise(m6! * r + m7! * g + m8! * b)]!;
    out[o + 3] = 255;
  }
}

// Fixed point with alpha. A pixel is (linear R, G, B) × alpha and alpha, all
// in 1/65535 steps (alpha a/255 is a × 257), so every sample has the same
// bound as the opaque path's and the same filters' bounds hold. The
// premultiply rounds l × a / 255 to the step, as (l × ALPHA_SCALE[a] + 2^15) /
// 2^16 in unsigned 32 bits (at most 65535 × 65536 + 2^15 < 2^32); a = 255
// keeps l exactly and a = 0 gives 0, so transparent colour cannot bleed.

/** a/255 in 1/65536: 0 … 65536. */
const ALPHA_SCALE = Int32Array.from({ length: 256 }, (_, a) => Math.round((a * 65536) / 255));
/** A vertical sum of alpha (1/(65535 × V_ONE)) to 8-bit alpha. */
const ALPHA_UNIT = 255 / (ENCODE_STEPS * V_ONE);

/** A row's linear light × alpha and alpha, in 1/65535 steps. */
function premultiplyRowFixed(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  tables: readonly [Int32Array, Int32Array, Int32Array],
  mid: Int32Array,
) {
  const [toR, toG, toB] = tables;
  for (let s = 0, end = width * 4; s < end; s += 4) {
    const a = rgba[s + 3]!;
    const scale = ALPHA_SCALE[a]!;
    mid[s] = (Math.imul(toR[rgba[s]!]!, scale) + 0x8000) >>> 16;
    mid[s + 1] = (Math.imul(toG[rgba[s + 1]!]!, scale) + 0x8000) >>> 16;
    mid[s + 2] = (Math.imul(toB[rgba[s + 2]!]!, scale) + 0x8000) >>> 16;
    mid[s + 3] = a * 257;
  }
}

/** A row's linear light × alpha and alpha in 1/65535 steps, summed `box` pixels at a time into `sums`. */
function boxRowFixed4(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  box: number,
  tables: readonly [Int32Array, Int32Array, Int32Array],
  sums: Int32Array | Float64Array,
) {
  const [toR, toG, toB] = tables;
  for (let s = 0, k = 0, left = box, end = width * 4; s < end; s += 4) {
    const a = rgba[s + 3]!;
    if (a !== 0) {
      const scale = ALPHA_SCALE[a]!;
      sums[k] = sums[k]! + ((Math.imul(toR[rgba[s]!]!, scale) + 0x8000) >>> 16);
      sums[k + 1] = sums[k + 1]! + ((Math.imul(toG[rgba[s + 1]!]!, scale) + 0x8000) >>> 16);
      sums[k + 2] = sums[k + 2]! + ((Math.imul(toB[rgba[s + 2]!]!, scale) + 0x8000) >>> 16);
      sums[k + 3] = sums[k + 3]! + a * 257;
    }
    if (--left === 0) {
      left = box;
      k += 4;
    }
  }
}

/** Box sums to means, still in 1/65535 steps: each box covered `rows` rows of `lengths[b]` pixels. */
function averageBoxesFixed4(sums: Int32Array | Float64Array, lengths: Int32Array, rows: number, mid: Int32Array) {
  for (let b = 0, k = 0; b < lengths.length; b++, k += 4) {
    const scale = 1 / (rows * lengths[b]!);
    mid[k] = (sums[k]! * scale + 0.5) | 0;
    mid[k + 1] = (sums[k + 1]! * scale + 0.5) | 0;
    mid[k + 2] = (sums[k + 2]! * scale + 0.5) | 0;
    mid[k + 3] = (sums[k + 3]! * scale + 0.5) | 0;
  }
}

/**
 * One fixed-point premultiplied output row to 8-bit sRGB (3×3 first when
 * there is one) and alpha, pixel x at `o0 + x * step`: colour is divided by
 * alpha once, here; a pixel whose alpha rounds to 0 is written (0, 0, 0, 0).
 */
function writeRowFixed4(
  sum: Int32Array,
  out: Uint8ClampedArray,
  o0: number,
  step: number,
  width: number,
  matrix: Float32Array | undefined,
) {
  const table = srgbEncodeTable();
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = (matrix ?? IDENTITY) as unknown as number[];
  for (let x = 0, k = 0, o = o0; x < width; x++, k += 4, o += step) {
    const sa = sum[k + 3]!;
    const a = sa * ALPHA_UNIT;
    // Lanczos lobes can make a nearly transparent pixel's alpha tiny or negative: treat it as transparent.
    if (a > 0.5) {
      if (matrix === undefined) {
        const inv = ENCODE_STEPS / sa;
        const r = (sum[k]! * inv + 0.5) | 0;
        const g = (sum[k + 1]! * inv + 0.5) | 0;
        const b = (sum[k + 2]! * inv + 0.5) | 0;
        out[o] = table[r < 0 ? 0 : r > ENCODE_STEPS ? ENCODE_STEPS : r]!;
        out[o + 1] = table[g < 0 ? 0 : g > ENCODE_STEPS ? ENCODE_STEPS : g]!;
        out[o + 2] = table[b < 0 ? 0 : b > ENCODE_STEPS ? ENCODE_STEPS : b]!;
      } else {
        const inv = 1 / sa;
        const r = sum[k]! * inv;
        const g = sum[k + 1]! * inv;
        const b = sum[k + 2]! * inv;
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
