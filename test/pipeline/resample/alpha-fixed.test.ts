import { describe, expect, it } from 'vitest';
import { workerdCodecs } from '../../../src/codecs/workerd';
import { createFilterResampler } from '../../../src/pipeline/resample/filter-rows';
import { srgbConversion } from '../../../src/pipeline/colour/transform';
import { streamImage } from '../../../src/pipeline/rows';
import type { Orientation, RgbaImage } from '../../../src/pipeline/types';
import { alphaGradient, noise, paint } from '../../fixtures/pixels';

function resample(image: RgbaImage, dw: number, dh: number, orientation: Orientation, float: boolean): RgbaImage {
  const r = createFilterResampler(
    workerdCodecs(),
    image.width,
    image.height,
    dw,
    dh,
    orientation,
    srgbConversion(),
    false,
    float,
  );
  return streamImage(image, r);
}

/**
 * The fixed-point RGBA path against the float one: alpha within one level,
 * colour × alpha (what shows once composited) within two (alpha's level and
 * colour's) everywhere, and colour itself within one where alpha is at least
 * `solid` (below it colour is carried as linear light × alpha in 1/65535
 * steps, so its own resolution shrinks with alpha).
 */
function expectClose(image: RgbaImage, dw: number, dh: number, orientation: Orientation = 1, solid = 32) {
  const fixed = resample(image, dw, dh, orientation, false);
  const float = resample(image, dw, dh, orientation, true);
  expect([fixed.width, fixed.height]).toEqual([float.width, float.height]);
  const f = fixed.data;
  const g = float.data;
  for (let i = 0; i < g.length; i += 4) {
    expect(Math.abs(f[i + 3]! - g[i + 3]!), `alpha ${i}`).toBeLessThanOrEqual(1);
    for (let c = i; c < i + 3; c++) {
      expect(Math.abs(f[c]! * f[i + 3]! - g[c]! * g[i + 3]!) / 255, `premultiplied ${c}`).toBeLessThanOrEqual(2);
      if (g[i + 3]! >= solid) expect(Math.abs(f[c]! - g[c]!), `colour ${c}`).toBeLessThanOrEqual(1);
    }
  }
}

describe('the fixed-point RGBA resampler', () => {
  it.each([
    [256, 256, 128, 128, 1],
    [300, 200, 37, 23, 6], // a box pre-shrink of 4
    [301, 203, 150, 101, 8],
    [800, 420, 2, 1, 1], // a box of 210: past 32-bit box sums, summed in float
  ] as const)('%ix%i → %ix%i (orientation %i) matches the float path on an alpha gradient', (sw, sh, dw, dh, o) => {
    expectClose(alphaGradient(sw, sh), dw, dh, o);
  });

  it.each([
    [26, 26, 25, 25],
    [53, 41, 50, 39],
    [64, 64, 31, 31],
  ])('%ix%i → %ix%i holds on 1-px checkerboards with alpha (the largest lobes: the 32-bit bound)', (sw, sh, dw, dh) => {
    expectClose(
      paint(sw, sh, (x, y) => ((x + y) % 2 ? [255, 255, 255, 255] : [0, 255, 0, 0])),
      dw,
      dh,
    );
    expectClose(
      paint(sw, sh, (x, y) => ((x + y) % 2 ? [255, 255, 255, 40] : [0, 0, 0, 255])),
      dw,
      dh,
    );
  });

  it.each([
    [200, 150, 100, 75],
    [200, 150, 199, 149],
    [200, 150, 37, 23],
  ])('%ix%i → %ix%i holds on noise with noisy alpha', (sw, sh, dw, dh) => {
    const image = noise(sw, sh, sw + dw);
    for (let i = 3; i < image.data.length; i += 4) image.data[i] = (i * 37) % 256;
    expectClose(image, dw, dh);
  });

  it('keeps transparent pixels transparent, lets no colour bleed from under alpha 0, and keeps flat colour', () => {
    // Left half opaque red, right half fully transparent *green*.
    const half = paint(40, 20, (x) => (x < 20 ? [255, 0, 0, 255] : [0, 255, 0, 0]));
    for (const o of [1, 6] as const) {
      const out = resample(half, 13, 7, o, false);
      for (let i = 0; i < out.data.length; i += 4) {
        expect(out.data[i + 1], `green ${i}`).toBe(0);
        expect(out.data[i + 2], `blue ${i}`).toBe(0);
        if (out.data[i + 3] === 0) expect(out.data[i], `red under alpha 0 ${i}`).toBe(0);
      }
    }
    const out = resample(half, 13, 7, 1, false);
    for (let y = 0; y < 7; y++) {
      expect(Array.from(out.data.subarray((y * 13 + 12) * 4, (y * 13 + 13) * 4))).toEqual([0, 0, 0, 0]);
      expect(Array.from(out.data.subarray(y * 13 * 4, y * 13 * 4 + 4))).toEqual([255, 0, 0, 255]);
    }
    const flat = resample(
      paint(30, 20, () => [10, 200, 90, 128]),
      7,
      5,
      1,
      false,
    );
    for (let i = 0; i < flat.data.length; i += 4)
      expect(Array.from(flat.data.subarray(i, i + 4))).toEqual([10, 200, 90, 128]);
  });
});
