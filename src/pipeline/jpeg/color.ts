import type { ColorTransform } from './frame';

// YCbCr → RGB per JFIF (ITU T.871 §7, BT.601 full range), with libjpeg's
// 16-bit fixed-point tables (jdcolor.c build_ycc_rgb_table) so the result
// matches libjpeg/mozjpeg exactly.
const SCALEBITS = 16;
const ONE_HALF = 1 << (SCALEBITS - 1);
const fix = (x: number): number => Math.floor(x * (1 << SCALEBITS) + 0.5);

const CR_R = new Int32Array(256);
const CB_B = new Int32Array(256);
const CR_G = new Int32Array(256);
const CB_G = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  CR_R[i] = (fix(1.402) * x + ONE_HALF) >> SCALEBITS;
  CB_B[i] = (fix(1.772) * x + ONE_HALF) >> SCALEBITS;
  CR_G[i] = -fix(0.71414) * x;
  CB_G[i] = -fix(0.34414) * x + ONE_HALF;
}

/** Sample + offset → sample clamped to 0..255 (libjpeg's range_limit table): one load instead of two compares. */
const RANGE_OFFSET = 384;
const RANGE = new Uint8Array(1024);
for (let i = 0; i < RANGE.length; i++) RANGE[i] = Math.min(255, Math.max(0, i - RANGE_OFFSET));

/** Opaque alpha in the top byte, as an int32 (so a pixel word stays a small integer for V8). */
const ALPHA = -0x1000000;

/** Whether a 32-bit word holds R in its lowest-addressed byte, so a pixel can be stored in one write. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([0x01020304]).buffer)[0] === 4;

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Inverted ink (0 = full ink) times inverted black: the usual Adobe CMYK → RGB approximation. */
function inkTimesBlack(ink: number, black: number): number {
  return ((ink * black + 127) / 255) | 0;
}

/**
 * Converts one row of component samples (all at output resolution) to RGBA,
 * alpha 255. `pixels` is `rgba` seen as 32-bit words (one per pixel).
 */
export function convertRow(
  transform: ColorTransform,
  rows: Uint8Array[],
  width: number,
  rgba: Uint8ClampedArray,
  pixels: Int32Array,
): void {
  const c0 = rows[0]!;
  switch (transform) {
    case 'gray':
      for (let x = 0, o = 0; x < width; x++, o += 4) {
        const g = c0[x]!;
        rgba[o] = g;
        rgba[o + 1] = g;
        rgba[o + 2] = g;
        rgba[o + 3] = 255;
      }
      return;
    case 'rgb': {
      const c1 = rows[1]!;
      const c2 = rows[2]!;
      for (let x = 0, o = 0; x < width; x++, o += 4) {
        rgba[o] = c0[x]!;
        rgba[o + 1] = c1[x]!;
        rgba[o + 2] = c2[x]!;
        rgba[o + 3] = 255;
      }
      return;
    }
    case 'ycbcr': {
      const c1 = rows[1]!;
      const c2 = rows[2]!;
      if (LITTLE_ENDIAN) {
        for (let x = 0; x < width; x++) {
          const y = c0[x]! + RANGE_OFFSET;
          const cb = c1[x]!;
          const cr = c2[x]!;
          pixels[x] =
            RANGE[y + CR_R[cr]!]! |
            (RANGE[y + ((CB_G[cb]! + CR_G[cr]!) >> SCALEBITS)]! << 8) |
            (RANGE[y + CB_B[cb]!]! << 16) |
            ALPHA;
        }
        return;
      }
      for (let x = 0, o = 0; x < width; x++, o += 4) {
        const y = c0[x]!;
        const cb = c1[x]!;
        const cr = c2[x]!;
        rgba[o] = y + CR_R[cr]!;
        rgba[o + 1] = y + ((CB_G[cb]! + CR_G[cr]!) >> SCALEBITS);
        rgba[o + 2] = y + CB_B[cb]!;
        rgba[o + 3] = 255;
      }
      return;
    }
    case 'cmyk':
    case 'adobe-cmyk': {
      const c1 = rows[1]!;
      const c2 = rows[2]!;
      const c3 = rows[3]!;
      const flip = transform === 'cmyk' ? 255 : 0;
      for (let x = 0, o = 0; x < width; x++, o += 4) {
        const k = c3[x]! ^ flip;
        rgba[o] = inkTimesBlack(c0[x]! ^ flip, k);
        rgba[o + 1] = inkTimesBlack(c1[x]! ^ flip, k);
        rgba[o + 2] = inkTimesBlack(c2[x]! ^ flip, k);
        rgba[o + 3] = 255;
      }
      return;
    }
    case 'ycck': {
      // libjpeg's ycck_cmyk_convert: C = 255 − R etc., where R is the YCbCr → RGB
      // result; C is then in the file's (inverted) CMYK convention.
      const c1 = rows[1]!;
      const c2 = rows[2]!;
      const c3 = rows[3]!;
      for (let x = 0, o = 0; x < width; x++, o += 4) {
        const y = c0[x]!;
        const cb = c1[x]!;
        const cr = c2[x]!;
        const k = c3[x]!;
        rgba[o] = inkTimesBlack(255 - clamp(y + CR_R[cr]!), k);
        rgba[o + 1] = inkTimesBlack(255 - clamp(y + ((CB_G[cb]! + CR_G[cr]!) >> SCALEBITS)), k);
        rgba[o + 2] = inkTimesBlack(255 - clamp(y + CB_B[cb]!), k);
        rgba[o + 3] = 255;
      }
      return;
    }
  }
}

/**
 * 4:2:0 at full scale in one pass: jdsample.c h2v2_fancy_upsample of both
 * chroma rows (same arithmetic as upsample.ts h2v2Fancy) fused with the
 * YCbCr → RGB conversion above, the way libjpeg-turbo's merged/fused paths
 * avoid writing and re-reading two upsampled rows. `width` is the chroma
 * width (at least 2); `outWidth` is 2·width or 2·width − 1. Needs a
 * little-endian platform ({@link canFuseYcc}).
 */
export function h2v2FancyYccRow(
  luma: Uint8Array,
  cbNear: Uint8Array,
  cbFar: Uint8Array,
  crNear: Uint8Array,
  crFar: Uint8Array,
  width: number,
  outWidth: number,
  pixels: Int32Array,
): void {
  let cbThis = cbNear[0]! * 3 + cbFar[0]!;
  let crThis = crNear[0]! * 3 + crFar[0]!;
  let cbLast = cbThis;
  let crLast = crThis;
  for (let i = 0; i < width; i++) {
    const j = i + 1 < width ? i + 1 : i;
    const cbNext = cbNear[j]! * 3 + cbFar[j]!;
    const crNext = crNear[j]! * 3 + crFar[j]!;
    const x = i * 2;
    let cb = (cbThis * 3 + cbLast + 8) >> 4;
    let cr = (crThis * 3 + crLast + 8) >> 4;
    let y = luma[x]! + RANGE_OFFSET;
    pixels[x] =
      RANGE[y + CR_R[cr]!]! |
      (RANGE[y + ((CB_G[cb]! + CR_G[cr]!) >> SCALEBITS)]! << 8) |
      (RANGE[y + CB_B[cb]!]! << 16) |
      ALPHA;
    if (x + 1 < outWidth) {
      cb = (cbThis * 3 + cbNext + 7) >> 4;
      cr = (crThis * 3 + crNext + 7) >> 4;
      y = luma[x + 1]! + RANGE_OFFSET;
      pixels[x + 1] =
        RANGE[y + CR_R[cr]!]! |
        (RANGE[y + ((CB_G[cb]! + CR_G[cr]!) >> SCALEBITS)]! << 8) |
        (RANGE[y + CB_B[cb]!]! << 16) |
        ALPHA;
    }
    cbLast = cbThis;
    crLast = crThis;
    cbThis = cbNext;
    crThis = crNext;
  }
}

/** Whether {@link h2v2FancyYccRow} may be used (it stores a pixel as one 32-bit word). */
export const canFuseYcc = LITTLE_ENDIAN;
