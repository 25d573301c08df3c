// Inverse DCTs writing 8-bit samples (level shift +128 and clamping included,
// ITU T.81 §A.3.3). Inputs are quantized coefficients in natural order and
// the quantization table, so dequantization happens here.

import { idct2x2, idct4x4 } from './idct-reduced';

const CONST_BITS = 13;
const PASS1_BITS = 2;
const FIX_0_298631336 = 2446;
const FIX_0_390180644 = 3196;
const FIX_0_541196100 = 4433;
const FIX_0_765366865 = 6270;
const FIX_0_899976223 = 7373;
const FIX_1_175875602 = 9633;
const FIX_1_501321110 = 12299;
const FIX_1_847759065 = 15137;
const FIX_1_961570560 = 16069;
const FIX_2_053119869 = 16819;
const FIX_2_562915447 = 20995;
const FIX_3_072711026 = 25172;

const workspace = new Int32Array(64);

/** A descaled IDCT output plus the level shift, clamped; one well-predicted test when in range. */
function sample(v: number): number {
  v += 128;
  return (v & ~255) === 0 ? v : v < 0 ? 0 : 255;
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * Full 8×8 inverse DCT: a port of libjpeg's `jpeg_idct_islow` (jidctint.c,
 * the Loeffler–Ligtenberg–Moschytz integer algorithm), so full-scale output
 * matches libjpeg/mozjpeg's default DCT method bit for bit.
 *
 * All arithmetic is 32-bit (`Math.imul`, `| 0`), which V8 compiles to plain
 * machine adds and multiplies with no overflow checks or float fallbacks. It
 * gives the same samples as exact arithmetic: only +, − and × come before
 * each descaling shift, and `>>` takes its operand modulo 2^32 anyway.
 */
export function idct8x8(coefs: Int32Array, quant: Int32Array, out: Uint8Array, offset: number, stride: number): void {
  const ws = workspace;
  const imul = Math.imul;
  // Pass 1: columns from input, results scaled up by 2^PASS1_BITS.
  for (let c = 0; c < 8; c++) {
    const d1 = coefs[8 + c]!;
    const d2 = coefs[16 + c]!;
    const d3 = coefs[24 + c]!;
    const d4 = coefs[32 + c]!;
    const d5 = coefs[40 + c]!;
    const d6 = coefs[48 + c]!;
    const d7 = coefs[56 + c]!;
    if ((d1 | d2 | d3 | d4 | d5 | d6 | d7) === 0) {
      const dc = imul(coefs[c]!, quant[c]!) << PASS1_BITS;
      ws[c] = dc;
      ws[8 + c] = dc;
      ws[16 + c] = dc;
      ws[24 + c] = dc;
      ws[32 + c] = dc;
      ws[40 + c] = dc;
      ws[48 + c] = dc;
      ws[56 + c] = dc;
      continue;
    }
    let z2 = imul(d2, quant[16 + c]!);
    let z3 = imul(d6, quant[48 + c]!);
    let z1 = imul((z2 + z3) | 0, FIX_0_541196100);
    let tmp2 = (z1 - imul(z3, FIX_1_847759065)) | 0;
    let tmp3 = (z1 + imul(z2, FIX_0_765366865)) | 0;
    z2 = imul(coefs[c]!, quant[c]!);
    z3 = imul(d4, quant[32 + c]!);
    let tmp0 = ((z2 + z3) | 0) << CONST_BITS;
    let tmp1 = ((z2 - z3) | 0) << CONST_BITS;
    const tmp10 = (tmp0 + tmp3) | 0;
    const tmp13 = (tmp0 - tmp3) | 0;
    const tmp11 = (tmp1 + tmp2) | 0;
    const tmp12 = (tmp1 - tmp2) | 0;

    tmp0 = imul(d7, quant[56 + c]!);
    tmp1 = imul(d5, quant[40 + c]!);
    tmp2 = imul(d3, quant[24 + c]!);
    tmp3 = imul(d1, quant[8 + c]!);
    z1 = (tmp0 + tmp3) | 0;
    z2 = (tmp1 + tmp2) | 0;
    z3 = (tmp0 + tmp2) | 0;
    let z4 = (tmp1 + tmp3) | 0;
    const z5 = imul((z3 + z4) | 0, FIX_1_175875602);
    tmp0 = imul(tmp0, FIX_0_298631336);
    tmp1 = imul(tmp1, FIX_2_053119869);
    tmp2 = imul(tmp2, FIX_3_072711026);
    tmp3 = imul(tmp3, FIX_1_501321110);
    z1 = imul(z1, -FIX_0_899976223);
    z2 = imul(z2, -FIX_2_562915447);
    z3 = (imul(z3, -FIX_1_961570560) + z5) | 0;
    z4 = (imul(z4, -FIX_0_390180644) + z5) | 0;
    tmp0 = (tmp0 + z1 + z3) | 0;
    tmp1 = (tmp1 + z2 + z4) | 0;
    tmp2 = (tmp2 + z2 + z3) | 0;
    tmp3 = (tmp3 + z1 + z4) | 0;

    const round = 1 << (CONST_BITS - PASS1_BITS - 1);
    const shift = CONST_BITS - PASS1_BITS;
    ws[c] = (tmp10 + tmp3 + round) >> shift;
    ws[56 + c] = (tmp10 - tmp3 + round) >> shift;
    ws[8 + c] = (tmp11 + tmp2 + round) >> shift;
    ws[48 + c] = (tmp11 - tmp2 + round) >> shift;
    ws[16 + c] = (tmp12 + tmp1 + round) >> shift;
    ws[40 + c] = (tmp12 - tmp1 + round) >> shift;
    ws[24 + c] = (tmp13 + tmp0 + round) >> shift;
    ws[32 + c] = (tmp13 - tmp0 + round) >> shift;
  }
  // Pass 2: rows from the workspace; descale by 2^(PASS1_BITS+3) and add the level shift.
  const shift = CONST_BITS + PASS1_BITS + 3;
  const round = 1 << (shift - 1);
  for (let r = 0; r < 64; r += 8) {
    const o = offset + (r >> 3) * stride;
    const w0 = ws[r]!;
    const w1 = ws[r + 1]!;
    const w2 = ws[r + 2]!;
    const w3 = ws[r + 3]!;
    const w4 = ws[r + 4]!;
    const w5 = ws[r + 5]!;
    const w6 = ws[r + 6]!;
    const w7 = ws[r + 7]!;
    if ((w1 | w2 | w3 | w4 | w5 | w6 | w7) === 0) {
      const v = clamp(((w0 + (1 << (PASS1_BITS + 2))) >> (PASS1_BITS + 3)) + 128);
      for (let i = 0; i < 8; i++) out[o + i] = v;
      continue;
    }
    let z1 = imul((w2 + w6) | 0, FIX_0_541196100);
    let tmp2 = (z1 - imul(w6, FIX_1_847759065)) | 0;
    let tmp3 = (z1 + imul(w2, FIX_0_765366865)) | 0;
    let tmp0 = ((w0 + w4) | 0) << CONST_BITS;
    let tmp1 = ((w0 - w4) | 0) << CONST_BITS;
    const tmp10 = (tmp0 + tmp3 + round) | 0;
    const tmp13 = (tmp0 - tmp3 + round) | 0;
    const tmp11 = (tmp1 + tmp2 + round) | 0;
    const tmp12 = (tmp1 - tmp2 + round) | 0;

    z1 = (w7 + w1) | 0;
    let z2 = (w5 + w3) | 0;
    let z3 = (w7 + w3) | 0;
    let z4 = (w5 + w1) | 0;
    const z5 = imul((z3 + z4) | 0, FIX_1_175875602);
    tmp0 = imul(w7, FIX_0_298631336);
    tmp1 = imul(w5, FIX_2_053119869);
    tmp2 = imul(w3, FIX_3_072711026);
    tmp3 = imul(w1, FIX_1_501321110);
    z1 = imul(z1, -FIX_0_899976223);
    z2 = imul(z2, -FIX_2_562915447);
    z3 = (imul(z3, -FIX_1_961570560) + z5) | 0;
    z4 = (imul(z4, -FIX_0_390180644) + z5) | 0;
    tmp0 = (tmp0 + z1 + z3) | 0;
    tmp1 = (tmp1 + z2 + z4) | 0;
    tmp2 = (tmp2 + z2 + z3) | 0;
    tmp3 = (tmp3 + z1 + z4) | 0;

    out[o] = sample((tmp10 + tmp3) >> shift);
    out[o + 1] = sample((tmp11 + tmp2) >> shift);
    out[o + 2] = sample((tmp12 + tmp1) >> shift);
    out[o + 3] = sample((tmp13 + tmp0) >> shift);
    out[o + 4] = sample((tmp13 - tmp0) >> shift);
    out[o + 5] = sample((tmp12 - tmp1) >> shift);
    out[o + 6] = sample((tmp11 - tmp2) >> shift);
    out[o + 7] = sample((tmp10 - tmp3) >> shift);
  }
}

/**
 * {@link idct8x8} of a block whose only nonzero coefficient is DC: every
 * sample is the same, computed exactly as the two passes would.
 */
export function idctDcOnly(dc: number, quant: number, out: Uint8Array, offset: number, stride: number): void {
  const v = clamp((((Math.imul(dc, quant) << PASS1_BITS) + (1 << (PASS1_BITS + 2))) >> (PASS1_BITS + 3)) + 128);
  for (let r = 0, o = offset; r < 8; r++, o += stride) {
    out[o] = v;
    out[o + 1] = v;
    out[o + 2] = v;
    out[o + 3] = v;
    out[o + 4] = v;
    out[o + 5] = v;
    out[o + 6] = v;
    out[o + 7] = v;
  }
}

/**
 * Averaging matrix for one axis: row j holds, for each of the 8 frequencies
 * u, the mean over output group j of the 8-point basis C(u)/2·cos((2x+1)uπ/16).
 * Group j covers pixels [8j/n, 8(j+1)/n) (fractional overlaps weighted), cut
 * at `real` pixels: in a block on the image's right or bottom edge the pixels
 * past the image are encoder padding and must not be averaged in.
 *
 * Applied to all 64 coefficients this is exactly the box-filtered (area)
 * downscale of the full IDCT output, what libjpeg's jidctred.c reduced IDCTs
 * compute (hence their use of coefficients 1, 3, 5, 7 for 2×2: the even ones
 * average out). Applied to the top-left n×n only, it is the area downscale of
 * the block's low frequencies.
 */
function averagingMatrix(n: number, real: number): Float64Array {
  const m = new Float64Array(n * 8);
  const span = 8 / n;
  for (let j = 0; j < n; j++) {
    const from = j * span;
    const to = (j + 1) * span;
    // A group wholly in the padding is cropped from the output anyway.
    const end = real > from ? Math.min(to, real) : to;
    let total = 0;
    for (let x = Math.floor(from); x < end; x++) {
      const w = Math.min(x + 1, end) - Math.max(x, from);
      if (w <= 0) continue;
      total += w;
      for (let u = 0; u < 8; u++) {
        const cu = u === 0 ? Math.SQRT1_2 : 1;
        m[j * 8 + u]! += (w * cu * Math.cos(((2 * x + 1) * u * Math.PI) / 16)) / 2;
      }
    }
    for (let u = 0; u < 8; u++) m[j * 8 + u]! /= total;
  }
  return m;
}

/** Averaging matrices by `n * 16 + real` (n 1..8, real 1..8), built on first use. */
const matrices: (Float64Array | undefined)[] = [];

function matrixFor(n: number, real: number): Float64Array {
  const key = n * 16 + real;
  return (matrices[key] ??= averagingMatrix(n, real));
}

const rowPass = new Float64Array(64);
/** Per block: the rows v with a nonzero coefficient, and one row's nonzero columns u with coefficient and quantizer. */
const usedRows = new Int32Array(8);
const nzU = new Int32Array(8);
const nzC = new Int32Array(8);
const nzQ = new Int32Array(8);

/**
 * Inverse DCT of one block to `nx`×`ny` samples (each 1..8): the full islow
 * IDCT at 8×8, libjpeg's reduced IDCTs for interior square blocks, otherwise
 * (edge blocks, unequal sizes) the area-averaging reduced IDCT above. `realX` and
 * `realY` (1..8) are the block's pixels inside the image; coefficients that
 * are zero (or were never kept) cost nothing: each row pass multiplies only a
 * row's nonzero coefficients, the column pass reads only rows that had one,
 * and a block with none is flat grey. Zero terms are skipped, never reordered,
 * so the floating-point sums are the same as the plain matrix products.
 */
export function idctBlock(
  coefs: Int32Array,
  quant: Int32Array,
  nx: number,
  ny: number,
  realX: number,
  realY: number,
  out: Uint8Array,
  offset: number,
  stride: number,
): void {
  if (nx === 8 && ny === 8) {
    idct8x8(coefs, quant, out, offset, stride);
    return;
  }
  if (realX === 8 && realY === 8 && nx === ny) {
    // Interior blocks at 1/2, 1/4, 1/8: libjpeg's reduced IDCTs (jidctred.c),
    // the same means in fixed point (within 1 level of the float path below).
    if (nx === 4) return idct4x4(coefs, quant, out, offset, stride);
    if (nx === 2) return idct2x2(coefs, quant, out, offset, stride);
    if (nx === 1) {
      // DC only: the block average (libjpeg jpeg_idct_1x1).
      out[offset] = clamp(((coefs[0]! * quant[0]! + 4) >> 3) + 128);
      return;
    }
  }
  const mx = matrixFor(nx, realX);
  const my = matrixFor(ny, realY);
  let used = 0;
  for (let v = 0; v < 8; v++) {
    const base = v * 8;
    let n = 0;
    for (let u = 0; u < 8; u++) {
      const c = coefs[base + u]!;
      if (c !== 0) {
        nzU[n] = u;
        nzC[n] = c;
        nzQ[n] = quant[base + u]!;
        n++;
      }
    }
    if (n === 0) continue;
    usedRows[used++] = v;
    for (let x = 0; x < nx; x++) {
      const m = x * 8;
      let sum = 0;
      for (let k = 0; k < n; k++) sum += mx[m + nzU[k]!]! * nzC[k]! * nzQ[k]!;
      rowPass[base + x] = sum;
    }
  }
  if (used === 0) {
    for (let y = 0; y < ny; y++) out.fill(128, offset + y * stride, offset + y * stride + nx);
    return;
  }
  for (let y = 0; y < ny; y++) {
    const o = offset + y * stride;
    const m = y * 8;
    for (let x = 0; x < nx; x++) {
      let sum = 0;
      for (let k = 0; k < used; k++) {
        const v = usedRows[k]!;
        sum += my[m + v]! * rowPass[v * 8 + x]!;
      }
      out[o + x] = clamp(Math.floor(sum + 128.5));
    }
  }
}
