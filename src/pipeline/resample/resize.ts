import { writeSrgb } from '../colour/encode';
import { srgbToLinearTable } from '../colour/trc';
import { streamImage } from '../rows';
import type { RgbaImage } from '../types';
import { computeTaps } from './taps';
import { createFilterResampler, type RowFilters } from './filter-rows';
import { srgbConversion } from '../colour/transform';

/** The size that fits inside `maxEdge`×`maxEdge` keeping the aspect ratio; never upscales. */
export function fitWithin(width: number, height: number, maxEdge: number): { width: number; height: number } {
  const scale = Math.min(1, maxEdge / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/**
 * Downscales so the image fits inside `maxEdge`×`maxEdge` (aspect kept, never
 * upscaled), through the same streaming filter as a decode
 * ({@link createFilterResampler}): large reductions first area-average by an
 * integer factor while a factor of two remains (cheap, alias-free), then
 * Lanczos-3 gives the final size. Both run in linear light (tables, no
 * `Math.pow` per pixel) without rounding to 8 bits in between; an image with
 * any transparency is filtered premultiplied by alpha, so transparent pixels
 * don't bleed their (invisible) colour into the edges. `filters`: the
 * codecs' WASM SIMD multiply-add loops.
 */
export function resizeToFit(image: RgbaImage, maxEdge: number, filters: RowFilters): RgbaImage {
  const { width, height, data } = image;
  const target = fitWithin(width, height, maxEdge);
  if (target.width === width && target.height === height) return image;
  const sink = createFilterResampler(
    filters,
    width,
    height,
    target.width,
    target.height,
    1,
    srgbConversion(),
    image.opaque || isOpaque(data),
  );
  return streamImage(image, sink);
}

function isOpaque(data: Uint8ClampedArray): boolean {
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) return false;
  return true;
}

/** Averages each `factor`×`factor` block (edge blocks may be smaller) of an sRGB image in linear light, premultiplied. */
export function areaReduce(image: RgbaImage, factor: number): RgbaImage {
  const { width: sw, height: sh, data: src } = image;
  const lin = srgbToLinearTable();
  const dw = Math.ceil(sw / factor);
  const dh = Math.ceil(sh / factor);
  const out = new Uint8ClampedArray(dw * dh * 4);
  const sums = new Float64Array(dw * 4);
  const counts = new Uint32Array(dw);
  for (let dy = 0; dy < dh; dy++) {
    sums.fill(0);
    counts.fill(0);
    const yEnd = Math.min(sh, (dy + 1) * factor);
    for (let sy = dy * factor; sy < yEnd; sy++) {
      let s = sy * sw * 4;
      for (let sx = 0; sx < sw; sx++, s += 4) {
        const d = Math.floor(sx / factor);
        const k = d * 4;
        const a = src[s + 3]!;
        sums[k] = sums[k]! + lin[src[s]!]! * a;
        sums[k + 1] = sums[k + 1]! + lin[src[s + 1]!]! * a;
        sums[k + 2] = sums[k + 2]! + lin[src[s + 2]!]! * a;
        sums[k + 3] = sums[k + 3]! + a;
        counts[d] = counts[d]! + 1;
      }
    }
    for (let dx = 0; dx < dw; dx++) {
      const alphaSum = sums[dx * 4 + 3]!;
      const o = (dy * dw + dx) * 4;
      if (alphaSum > 0) {
        writeSrgb(
          undefined,
          sums[dx * 4]! / alphaSum,
          sums[dx * 4 + 1]! / alphaSum,
          sums[dx * 4 + 2]! / alphaSum,
          out,
          o,
        );
      }
      out[o + 3] = alphaSum / counts[dx]!;
    }
  }
  return { width: dw, height: dh, data: out };
}

/** Separable Lanczos-3 resample of an sRGB image to exactly `dw`×`dh`, in linear light, premultiplied alpha. */
export function lanczosResize(image: RgbaImage, dw: number, dh: number): RgbaImage {
  const { width: sw, height: sh, data: src } = image;
  const lin = srgbToLinearTable();
  const tx = computeTaps(sw, dw);
  const ty = computeTaps(sh, dh);
  // Horizontal pass into premultiplied floats (dw × sh).
  const mid = new Float32Array(dw * sh * 4);
  for (let y = 0; y < sh; y++) {
    const rowIn = y * sw * 4;
    for (let x = 0; x < dw; x++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      const first = tx.start[x]!;
      const n = tx.count[x]!;
      const wBase = x * tx.stride;
      for (let k = 0; k < n; k++) {
        const s = rowIn + (first + k) * 4;
        const alpha = src[s + 3]!;
        const wa = tx.weights[wBase + k]! * alpha;
        r += lin[src[s]!]! * wa;
        g += lin[src[s + 1]!]! * wa;
        b += lin[src[s + 2]!]! * wa;
        a += tx.weights[wBase + k]! * alpha;
      }
      const o = (y * dw + x) * 4;
      mid[o] = r;
      mid[o + 1] = g;
      mid[o + 2] = b;
      mid[o + 3] = a;
    }
  }
  // Vertical pass, then un-premultiply into bytes.
  const out = new Uint8ClampedArray(dw * dh * 4);
  for (let y = 0; y < dh; y++) {
    const first = ty.start[y]!;
    const n = ty.count[y]!;
    const wBase = y * ty.stride;
    for (let x = 0; x < dw; x++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let k = 0; k < n; k++) {
        const w = ty.weights[wBase + k]!;
        const s = ((first + k) * dw + x) * 4;
        r += mid[s]! * w;
        g += mid[s + 1]! * w;
        b += mid[s + 2]! * w;
        a += mid[s + 3]! * w;
      }
      const o = (y * dw + x) * 4;
      if (a > 0.5) writeSrgb(undefined, r / a, g / a, b / a, out, o);
      out[o + 3] = a;
    }
  }
  return { width: dw, height: dh, data: out };
}
