import { describe, expect, it } from 'vitest';
import { createRowResampler } from '../../../src/pipeline/resample/rows';
import { applyOrientation } from '../../../src/pipeline/orient';
import type { Orientation, RgbaImage } from '../../../src/pipeline/types';
import { noise, paint, quadrants } from '../../fixtures/pixels';

function resample(image: RgbaImage, dw: number, dh: number, orientation: Orientation = 1): RgbaImage {
  const resampler = createRowResampler(image.width, image.height, dw, dh, orientation);
  for (let y = 0; y < image.height; y++) {
    resampler.put(y, image.data.subarray(y * image.width * 4, (y + 1) * image.width * 4));
  }
  return resampler.finish();
}

/** The obvious, slow definition: each output pixel is the alpha-weighted mean of the area it covers. */
function reference(image: RgbaImage, dw: number, dh: number): RgbaImage {
  const { width: sw, height: sh, data } = image;
  const out = new Uint8ClampedArray(dw * dh * 4);
  for (let oy = 0; oy < dh; oy++) {
    for (let ox = 0; ox < dw; ox++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0,
        area = 0;
      for (let y = 0; y < sh; y++) {
        const wy = Math.max(0, Math.min((y + 1) / sh, (oy + 1) / dh) - Math.max(y / sh, oy / dh));
        if (wy === 0) continue;
        for (let x = 0; x < sw; x++) {
          const wx = Math.max(0, Math.min((x + 1) / sw, (ox + 1) / dw) - Math.max(x / sw, ox / dw));
          if (wx === 0) continue;
          const i = (y * sw + x) * 4;
          const w = wx * wy;
          const alpha = data[i + 3]!;
          r += data[i]! * alpha * w;
          g += data[i + 1]! * alpha * w;
          b += data[i + 2]! * alpha * w;
          a += alpha * w;
          area += w;
        }
      }
      const o = (oy * dw + ox) * 4;
      if (a > 0) [out[o], out[o + 1], out[o + 2]] = [r / a, g / a, b / a];
      out[o + 3] = a / area;
    }
  }
  return { width: dw, height: dh, data: out };
}

describe('createRowResampler', () => {
  it.each([
    [17, 13, 17, 13],
    [40, 30, 20, 15],
    [37, 29, 20, 11],
    [100, 7, 33, 5],
    [9, 9, 1, 1],
  ])('%ix%i → %ix%i matches the area-average definition', (sw, sh, dw, dh) => {
    const image = noise(sw, sh, sw * 31 + sh);
    // Give it some transparency so the alpha weighting is exercised.
    for (let i = 3; i < image.data.length; i += 28) image.data[i] = (i * 7) % 256;
    const got = resample(image, dw, dh);
    const want = reference(image, dw, dh);
    expect(got.width).toBe(dw);
    expect(got.height).toBe(dh);
    for (let i = 0; i < want.data.length; i++) {
      expect(Math.abs(got.data[i]! - want.data[i]!), `byte ${i}`).toBeLessThanOrEqual(1);
    }
  });

  it('keeps flat colours exact and the quadrant layout', () => {
    const flat = resample(
      paint(30, 20, () => [10, 200, 90, 255]),
      7,
      5,
    );
    for (let i = 0; i < flat.data.length; i += 4)
      expect(Array.from(flat.data.subarray(i, i + 4))).toEqual([10, 200, 90, 255]);
    const q = resample(quadrants(64, 48), 16, 12);
    expect(Array.from(q.data.subarray(0, 4))).toEqual([255, 0, 0, 255]);
    expect(Array.from(q.data.subarray((12 * 16 - 1) * 4))).toEqual([255, 255, 255, 255]);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8] as Orientation[])(
    'writes orientation %i upright as it goes (same as orienting afterwards), resampled and copied',
    (orientation) => {
      const image = noise(13, 7, orientation);
      for (const [dw, dh] of [
        [13, 7],
        [6, 4],
      ] as const) {
        const fused = resample(image, dw, dh, orientation);
        const after = applyOrientation(resample(image, dw, dh), orientation);
        expect([fused.width, fused.height]).toEqual([after.width, after.height]);
        expect(Array.from(fused.data)).toEqual(Array.from(after.data));
      }
    },
  );

  it('refuses to upscale and notices missing rows', () => {
    expect(() => createRowResampler(10, 10, 11, 10)).toThrow(RangeError);
    const r = createRowResampler(10, 10, 5, 5);
    r.put(0, new Uint8ClampedArray(40));
    expect(() => r.finish()).toThrow(RangeError);
  });
});
