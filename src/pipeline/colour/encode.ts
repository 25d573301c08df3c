import { ENCODE_STEPS, srgbEncodeTable } from './trc';

/**
 * Writes linear light in the source's primaries as 8-bit sRGB: the 3×3 (when
 * there is one), clipping to [0, 1] (relative colorimetric clips out-of-gamut
 * colours, as lcms's 8-bit matrix-shaper path does), then the encode table.
 * No allocation and no `Math.pow`: this runs once per output pixel.
 */
export function writeSrgb(
  matrix: Float32Array | undefined,
  r: number,
  g: number,
  b: number,
  out: Uint8Array | Uint8ClampedArray,
  at: number,
): void {
  const table = srgbEncodeTable();
  if (matrix !== undefined) {
    const lr = matrix[0]! * r + matrix[1]! * g + matrix[2]! * b;
    const lg = matrix[3]! * r + matrix[4]! * g + matrix[5]! * b;
    const lb = matrix[6]! * r + matrix[7]! * g + matrix[8]! * b;
    r = lr;
    g = lg;
    b = lb;
  }
  out[at] = table[quantise(r)]!;
  out[at + 1] = table[quantise(g)]!;
  out[at + 2] = table[quantise(b)]!;
}

function quantise(v: number): number {
  // `v > 0` is false for NaN too.
  return v >= 1 ? ENCODE_STEPS : v > 0 ? (v * ENCODE_STEPS + 0.5) | 0 : 0;
}
