// Reduced-size inverse DCTs for interior blocks: ports of libjpeg's
// jidctred.c (kept by libjpeg-turbo for scale 1/2 and 1/4), which replace each
// 8-point LL&M IDCT step with one producing the averages of 2 (or 4) adjacent
// outputs. Level shift, dequantization and clamping included, as in idct.ts.

const CONST_BITS = 13;
const PASS1_BITS = 2;
const FIX_0_211164243 = 1730;
const FIX_0_509795579 = 4176;
const FIX_0_601344887 = 4926;
const FIX_0_720959822 = 5906;
const FIX_0_765366865 = 6270;
const FIX_0_850430095 = 6967;
const FIX_0_899976223 = 7373;
const FIX_1_061594337 = 8697;
const FIX_1_272758580 = 10426;
const FIX_1_451774981 = 11893;
const FIX_1_847759065 = 15137;
const FIX_2_172734803 = 17799;
const FIX_2_562915447 = 20995;
const FIX_3_624509785 = 29692;

const workspace = new Int32Array(64);
// 32-bit arithmetic throughout, as in idct.ts idct8x8 (same samples, no float fallback).
const imul = Math.imul;

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * 8×8 coefficients to 4×4 samples, each the mean of a 2×2 group of the full
 * IDCT's output (libjpeg jpeg_idct_4x4). Coefficient row and column 4 average
 * out and are not read; a column or row whose AC terms are zero costs a copy.
 */
export function idct4x4(coefs: Int32Array, quant: Int32Array, out: Uint8Array, offset: number, stride: number): void {
  const ws = workspace;
  const shift1 = CONST_BITS - PASS1_BITS + 1;
  const round1 = 1 << (shift1 - 1);
  for (let c = 0; c < 8; c++) {
    if (c === 4) continue;
    if (
      coefs[8 + c] === 0 &&
      coefs[16 + c] === 0 &&
      coefs[24 + c] === 0 &&
      coefs[40 + c] === 0 &&
      coefs[48 + c] === 0 &&
      coefs[56 + c] === 0
    ) {
      const dc = imul(coefs[c]!, quant[c]!) << PASS1_BITS;
      ws[c] = dc;
      ws[8 + c] = dc;
      ws[16 + c] = dc;
      ws[24 + c] = dc;
      continue;
    }
    // Even part.
    let tmp0 = imul(coefs[c]!, quant[c]!) << (CONST_BITS + 1);
    let tmp2 =
      (imul(imul(coefs[16 + c]!, quant[16 + c]!), FIX_1_847759065) -
        imul(imul(coefs[48 + c]!, quant[48 + c]!), FIX_0_765366865)) |
      0;
    const tmp10 = (tmp0 + tmp2) | 0;
    const tmp12 = (tmp0 - tmp2) | 0;
    // Odd part.
    const z1 = imul(coefs[56 + c]!, quant[56 + c]!);
    const z2 = imul(coefs[40 + c]!, quant[40 + c]!);
    const z3 = imul(coefs[24 + c]!, quant[24 + c]!);
    const z4 = imul(coefs[8 + c]!, quant[8 + c]!);
    tmp0 =
      (imul(z2, FIX_1_451774981) - imul(z1, FIX_0_211164243) - imul(z3, FIX_2_172734803) + imul(z4, FIX_1_061594337)) |
      0;
    tmp2 =
      (imul(z3, FIX_0_899976223) + imul(z4, FIX_2_562915447) - imul(z1, FIX_0_509795579) - imul(z2, FIX_0_601344887)) |
      0;
    ws[c] = (tmp10 + tmp2 + round1) >> shift1;
    ws[24 + c] = (tmp10 - tmp2 + round1) >> shift1;
    ws[8 + c] = (tmp12 + tmp0 + round1) >> shift1;
    ws[16 + c] = (tmp12 - tmp0 + round1) >> shift1;
  }
  const shift2 = CONST_BITS + PASS1_BITS + 3 + 1;
  const round2 = 1 << (shift2 - 1);
  for (let r = 0; r < 4; r++) {
    const w = r * 8;
    let o = offset + r * stride;
    if (
      ws[w + 1] === 0 &&
      ws[w + 2] === 0 &&
      ws[w + 3] === 0 &&
      ws[w + 5] === 0 &&
      ws[w + 6] === 0 &&
      ws[w + 7] === 0
    ) {
      const v = clamp(((ws[w]! + (1 << (PASS1_BITS + 2))) >> (PASS1_BITS + 3)) + 128);
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
      out[o + 3] = v;
      continue;
    }
    let tmp0 = ws[w]! << (CONST_BITS + 1);
    let tmp2 = (imul(ws[w + 2]!, FIX_1_847759065) - imul(ws[w + 6]!, FIX_0_765366865)) | 0;
    const tmp10 = (tmp0 + tmp2) | 0;
    const tmp12 = (tmp0 - tmp2) | 0;
    const z1 = ws[w + 7]!;
    const z2 = ws[w + 5]!;
    const z3 = ws[w + 3]!;
    const z4 = ws[w + 1]!;
    tmp0 =
      (imul(z2, FIX_1_451774981) - imul(z1, FIX_0_211164243) - imul(z3, FIX_2_172734803) + imul(z4, FIX_1_061594337)) |
      0;
    tmp2 =
      (imul(z3, FIX_0_899976223) + imul(z4, FIX_2_562915447) - imul(z1, FIX_0_509795579) - imul(z2, FIX_0_601344887)) |
      0;
    out[o++] = clamp(((tmp10 + tmp2 + round2) >> shift2) + 128);
    out[o++] = clamp(((tmp12 + tmp0 + round2) >> shift2) + 128);
    out[o++] = clamp(((tmp12 - tmp0 + round2) >> shift2) + 128);
    out[o] = clamp(((tmp10 - tmp2 + round2) >> shift2) + 128);
  }
}

/**
 * 8×8 coefficients to 2×2 samples, each the mean of a 4×4 quarter of the full
 * IDCT's output (libjpeg jpeg_idct_2x2): only the odd coefficients and DC
 * survive that averaging, so only they are read.
 */
export function idct2x2(coefs: Int32Array, quant: Int32Array, out: Uint8Array, offset: number, stride: number): void {
  const ws = workspace;
  const shift1 = CONST_BITS - PASS1_BITS + 2;
  const round1 = 1 << (shift1 - 1);
  for (let c = 0; c < 8; c++) {
    if (c === 2 || c === 4 || c === 6) continue;
    if (coefs[8 + c] === 0 && coefs[24 + c] === 0 && coefs[40 + c] === 0 && coefs[56 + c] === 0) {
      const dc = imul(coefs[c]!, quant[c]!) << PASS1_BITS;
      ws[c] = dc;
      ws[8 + c] = dc;
      continue;
    }
    const tmp10 = imul(coefs[c]!, quant[c]!) << (CONST_BITS + 2);
    const tmp0 =
      (imul(imul(coefs[40 + c]!, quant[40 + c]!), FIX_0_850430095) -
        imul(imul(coefs[56 + c]!, quant[56 + c]!), FIX_0_720959822) -
        imul(imul(coefs[24 + c]!, quant[24 + c]!), FIX_1_272758580) +
        imul(imul(coefs[8 + c]!, quant[8 + c]!), FIX_3_624509785)) |
      0;
    ws[c] = (tmp10 + tmp0 + round1) >> shift1;
    ws[8 + c] = (tmp10 - tmp0 + round1) >> shift1;
  }
  const shift2 = CONST_BITS + PASS1_BITS + 3 + 2;
  const round2 = 1 << (shift2 - 1);
  for (let r = 0; r < 2; r++) {
    const w = r * 8;
    const o = offset + r * stride;
    if (ws[w + 1] === 0 && ws[w + 3] === 0 && ws[w + 5] === 0 && ws[w + 7] === 0) {
      const v = clamp(((ws[w]! + (1 << (PASS1_BITS + 2))) >> (PASS1_BITS + 3)) + 128);
      out[o] = v;
      out[o + 1] = v;
      continue;
    }
    const tmp10 = ws[w]! << (CONST_BITS + 2);
    const tmp0 =
      (imul(ws[w + 5]!, FIX_0_850430095) -
        imul(ws[w + 7]!, FIX_0_720959822) -
        imul(ws[w + 3]!, FIX_1_272758580) +
        imul(ws[w + 1]!, FIX_3_624509785)) |
      0;
    out[o] = clamp(((tmp10 + tmp0 + round2) >> shift2) + 128);
    out[o + 1] = clamp(((tmp10 - tmp0 + round2) >> shift2) + 128);
  }
}
