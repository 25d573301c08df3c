import type { RowFilter } from '../codecs';
import type { ColourConversion } from '../colour/transform';
import { ENCODE_STEPS, srgbEncodeTable } from '../colour/trc';
import type { Plan, RowFilters, RowKernel } from './filter-rows';
import { packTaps, type PackedTaps } from './taps';

// The fixed point. Samples are linear light in 1/65535 steps (ENCODE_STEPS,
// the sRGB encode table's own index); with alpha, a pixel is (linear R, G, B)
// × alpha and alpha, all in those steps (alpha a/255 is a × 257), so every
// sample has the same bound. The premultiply rounds l × a / 255 to the step,
// as (l × ALPHA_SCALE[a] + 2^15) / 2^16 in unsigned 32 bits (at most 65535 ×
// 65536 + 2^15 < 2^32); a = 255 keeps l exactly and a = 0 gives 0, so
// transparent colour cannot bleed.
// Bounds: Lanczos-3 taps sum to one but their absolute values to at most
// about 1.56 (a 26 → 25 reduction; 1.2 for large ones), so a horizontal sum is
// below 65535 × 1.56 × 2^14 < 2^31 and a ring sample below 102 000; the
// vertical weights use 2^13, so its sum is below 102 000 × 1.56 × 2^13 < 2^31.
// Box sums are 64-bit (any box² × 65535 fits).

/** Horizontal weights' unit. */
const H_ONE = 1 << 14;
/** Vertical weights' unit. */
const V_ONE = 1 << 13;
/** a/255 in 1/65536: 0 … 65536. */
const ALPHA_SCALE = Int32Array.from({ length: 256 }, (_, a) => Math.round((a * 65536) / 255));

interface FixedTaps {
  first: Int32Array;
  ends: Int32Array;
  weights: Int32Array;
}

/**
 * The fixed-point paths' {@link RowKernel}: `channels` 3 for an opaque image
 * (nothing premultiplied, alpha 255 out), 4 for any alpha. Every per-sample
 * loop runs in one {@link RowFilter} instance (wasm/row_filter.c, the
 * multiply-adds in WASM SIMD), on rows laid out once in its memory: the
 * incoming 8-bit row, the box sums, the (box-reduced) row, the ring rows
 * (named by byte offset), the vertical sum and the encoded output row, plus
 * the taps and tables. This side streams: it copies each source row in,
 * calls the loops in order and places each encoded row.
 */
export function createFixedKernel(
  filters: RowFilters,
  { box, midW, lengths, tx, ty, ringRows }: Plan,
  srcW: number,
  dstW: number,
  colour: ColourConversion,
  channels: 3 | 4,
): RowKernel<number> {
  const horizontal = fixedTaps(packTaps(tx, channels), H_ONE);
  const vertical = fixedTaps(packTaps(ty, 1), V_ONE);
  const tables = new Int32Array(3 * 256);
  colour.toLinear.forEach((table, c) =>
    tables.set(
      table.map((v) => Math.round(v * ENCODE_STEPS)),
      c * 256,
    ),
  );
  const encode = srgbEncodeTable();
  const length = dstW * channels;
  const rowBytes = roundUp(length + 4, 8) * 4; // the loops' room past the row (see RowFilter)

  // Relative offsets first (the instance's size depends on them), then absolute ones.
  const layout = new Layout();
  const parts = {
    hFirst: layout.put(horizontal.first),
    hEnds: layout.put(horizontal.ends),
    hWeights: layout.put(horizontal.weights),
    vWeights: layout.put(vertical.weights),
    tables: layout.put(tables),
    alphaScale: layout.put(ALPHA_SCALE),
    lengths: layout.put(lengths),
    encode: layout.put(encode),
    matrix: colour.matrix ? layout.put(colour.matrix) : undefined,
    rgba: layout.take(srcW * 4),
    sums: layout.take(box > 1 ? midW * channels * 8 : 0),
    mid: layout.take((midW * channels + 4) * 4),
    sum: layout.take(rowBytes),
    out: layout.take(dstW * 4),
    rows: layout.take(ringRows * 4),
  };
  const ring = Array.from({ length: ringRows }, () => layout.take(rowBytes));
  const filter = filters.rowFilter(layout.bytes);
  const { buffer, base } = filter;
  layout.copyInto(buffer, base);
  const p = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, v === undefined ? 0 : base + v])) as Record<
    keyof typeof parts,
    number
  >;
  const rgba = new Uint8Array(buffer, p.rgba, srcW * 4);
  const sums = box > 1 ? new BigInt64Array(buffer, p.sums, midW * channels) : undefined;
  const out = new Uint8ClampedArray(buffer, p.out, dstW * 4); // the target's type: `set` is then a plain copy
  const outWords = new Uint32Array(buffer, p.out, dstW);
  const rowOffsets = new Int32Array(buffer, p.rows, ringRows);
  let next = 0;
  let targetWords: Uint32Array | undefined;

  return {
    opaque: channels === 3,
    newRow: () => base + ring[next++]!,
    take(row, first) {
      rgba.set(row.subarray(0, srcW * 4));
      if (sums === undefined) {
        filter.linearRow(p.rgba, p.mid, p.tables, p.alphaScale, srcW, channels);
        return;
      }
      if (first) sums.fill(0n);
      filter.boxRow(p.rgba, p.sums, p.tables, p.alphaScale, srcW, box, channels);
    },
    filter(rows, into) {
      if (sums !== undefined) filter.averageBoxes(p.sums, p.mid, p.lengths, lengths.length, rows, channels);
      filter.filterRow(p.mid, into, p.hFirst, p.hEnds, p.hWeights, dstW, channels);
    },
    emit(j, taken, target, offset, step) {
      rowOffsets.set(taken);
      const w0 = j === 0 ? 0 : vertical.ends[j - 1]!;
      filter.sumRows(p.sum, p.rows, p.vWeights + w0 * 4, taken.length, length);
      filter.encodeRow(p.sum, p.out, p.encode, p.matrix, dstW, channels);
      if (step === 4) {
        target.set(out, offset);
        return;
      }
      // Mirrored orientations: one 32-bit pixel at a time.
      if (targetWords?.buffer !== target.buffer)
        targetWords = new Uint32Array(target.buffer, target.byteOffset, target.length / 4);
      for (let x = 0, o = offset / 4, s = step / 4; x < dstW; x++, o += s) targetWords[o] = outWords[x]!;
    },
  };
}

/** Byte offsets of a memory layout (each part 8-byte aligned) and what to copy in once it exists. */
class Layout {
  bytes = 0;
  private copies: [number, Int32Array | Uint8Array | Float32Array][] = [];
  /** Room for `bytes`. */
  take(bytes: number): number {
    const offset = this.bytes;
    this.bytes += roundUp(bytes, 8);
    return offset;
  }
  /** Room for `data`, copied in by {@link copyInto}. */
  put(data: Int32Array | Uint8Array | Float32Array): number {
    const offset = this.take(data.byteLength);
    this.copies.push([offset, data]);
    return offset;
  }
  copyInto(buffer: ArrayBuffer, base: number): void {
    for (const [offset, data] of this.copies) {
      new Uint8Array(buffer, base + offset, data.byteLength).set(
        new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      );
    }
  }
}

function roundUp(n: number, step: number): number {
  return Math.ceil(n / step) * step;
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
