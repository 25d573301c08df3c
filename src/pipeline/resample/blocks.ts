import type { ImageSink } from '../rows';

/**
 * Area-averages `factor`×`factor` blocks (edge blocks may be smaller) as
 * pixels arrive in any order, as PNG's Adam7 passes deliver them. Sums are
 * kept per output pixel, premultiplied by alpha and rounded to 8 bits, in
 * 16-bit cells while `factor` ≤ 16 (16² × 255 < 2¹⁶): 8 bytes per output
 * pixel instead of a full-resolution frame. `factor` 1 writes pixels in place.
 */
export function createBlockReducer(srcW: number, srcH: number, factor: number): ImageSink {
  const dw = Math.ceil(srcW / factor);
  const dh = Math.ceil(srcH / factor);
  if (factor === 1) return createPlacer(srcW, srcH);
  const sums = factor <= 16 ? new Uint16Array(dw * dh * 4) : new Uint32Array(dw * dh * 4);
  return {
    put(y, rgba, x0 = 0, dx = 1) {
      const row = Math.floor(y / factor) * dw;
      for (let i = 0, x = x0; x < srcW && i < rgba.length; i += 4, x += dx) {
        const a = rgba[i + 3]!;
        const k = (row + Math.floor(x / factor)) * 4;
        sums[k] = sums[k]! + Math.round((rgba[i]! * a) / 255);
        sums[k + 1] = sums[k + 1]! + Math.round((rgba[i + 1]! * a) / 255);
        sums[k + 2] = sums[k + 2]! + Math.round((rgba[i + 2]! * a) / 255);
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
            out[k] = (sums[k]! * 255) / alpha;
            out[k + 1] = (sums[k + 1]! * 255) / alpha;
            out[k + 2] = (sums[k + 2]! * 255) / alpha;
          }
          out[k + 3] = alpha / count;
        }
      }
      return { width: dw, height: dh, data: out };
    },
  };
}

function createPlacer(width: number, height: number): ImageSink {
  const out = new Uint8ClampedArray(width * height * 4);
  return {
    put(y, rgba, x0 = 0, dx = 1) {
      if (dx === 1) return out.set(rgba.subarray(0, (width - x0) * 4), (y * width + x0) * 4);
      for (let i = 0, x = x0; x < width && i < rgba.length; i += 4, x += dx) {
        out.set(rgba.subarray(i, i + 4), (y * width + x) * 4);
      }
    },
    finish: () => ({ width, height, data: out }),
  };
}
