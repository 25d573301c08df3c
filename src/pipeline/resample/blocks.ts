import { writeSrgb } from '../colour/encode';
import { isSrgbConversion, srgbConversion, type ColourConversion } from '../colour/transform';
import type { ImageSink } from '../rows';

/**
 * Area-averages `factor`×`factor` blocks (edge blocks may be smaller) in
 * linear light as pixels arrive in any order, as PNG's Adam7 passes deliver
 * them, converting through `colour` (table to linear, 3×3 and sRGB encode per
 * output pixel). Sums are kept per output pixel, premultiplied by alpha, as
 * integers: linear light in `scale` steps chosen so a whole block fits a
 * 16-bit cell while `factor` ≤ 4 (14 bits of linear light at factor 2, 12 at
 * 4), 32-bit cells with 16 bits beyond that (where the output is small):
 * 8 or 16 bytes per output pixel instead of a full-resolution frame.
 * `factor` 1 converts pixels in place.
 */
export function createBlockReducer(
  srcW: number,
  srcH: number,
  factor: number,
  colour: ColourConversion = srgbConversion(),
): ImageSink {
  const dw = Math.ceil(srcW / factor);
  const dh = Math.ceil(srcH / factor);
  if (factor === 1) return createPlacer(srcW, srcH, colour);
  const narrow = factor <= 4;
  const sums = narrow ? new Uint16Array(dw * dh * 4) : new Uint32Array(dw * dh * 4);
  const scale = narrow ? Math.floor(65535 / (factor * factor)) : 65535;
  const [toR, toG, toB] = colour.toLinear;
  const step = scale / 255; // a linear value times alpha (0..255) in sum units
  return {
    put(y, rgba, x0 = 0, dx = 1) {
      const row = Math.floor(y / factor) * dw;
      for (let i = 0, x = x0; x < srcW && i < rgba.length; i += 4, x += dx) {
        const a = rgba[i + 3]!;
        const k = (row + Math.floor(x / factor)) * 4;
        const w = a * step;
        sums[k] = sums[k]! + ((toR[rgba[i]!]! * w + 0.5) | 0);
        sums[k + 1] = sums[k + 1]! + ((toG[rgba[i + 1]!]! * w + 0.5) | 0);
        sums[k + 2] = sums[k + 2]! + ((toB[rgba[i + 2]!]! * w + 0.5) | 0);
        sums[k + 3] = sums[k + 3]! + a;
      }
    },
    finish() {
      const out = new Uint8ClampedArray(dw * dh * 4);
      for (let by = 0; by < dh; by++) {
        const rows = Math.min(srcH, (by + 1) * factor) - by * factor;
        for (let bx = 0; bx < dw; bx++) {
          const count = rows * (Math.min(srcW, (bx + 1) * factor) - bx * factor);
          const k = (by * dw + bx) * 4;
          const alpha = sums[k + 3]!;
          if (alpha > 0) {
            const unit = 1 / (alpha * step);
            writeSrgb(colour.matrix, sums[k]! * unit, sums[k + 1]! * unit, sums[k + 2]! * unit, out, k);
          }
          out[k + 3] = alpha / count;
        }
      }
      return { width: dw, height: dh, data: out };
    },
  };
}

function createPlacer(width: number, height: number, colour: ColourConversion): ImageSink {
  const out = new Uint8ClampedArray(width * height * 4);
  const convert = !isSrgbConversion(colour);
  const [toR, toG, toB] = colour.toLinear;
  return {
    put(y, rgba, x0 = 0, dx = 1) {
      if (!convert && dx === 1) return out.set(rgba.subarray(0, (width - x0) * 4), (y * width + x0) * 4);
      for (let i = 0, x = x0; x < width && i < rgba.length; i += 4, x += dx) {
        const o = (y * width + x) * 4;
        if (convert) {
          writeSrgb(colour.matrix, toR[rgba[i]!]!, toG[rgba[i + 1]!]!, toB[rgba[i + 2]!]!, out, o);
          out[o + 3] = rgba[i + 3]!;
        } else out.set(rgba.subarray(i, i + 4), o);
      }
    },
    finish: () => ({ width, height, data: out }),
  };
}
