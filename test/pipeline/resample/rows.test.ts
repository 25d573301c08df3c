import { describe, expect, it } from 'vitest';
import { workerdCodecs } from '../../../src/codecs/workerd';
import { createRowResampler } from '../../../src/pipeline/resample/rows';
import { areaReduce, lanczosResize } from '../../../src/pipeline/resample/resize';
import { applyOrientation } from '../../../src/pipeline/orient';
import { streamImage } from '../../../src/pipeline/rows';
import type { Orientation, RgbaImage } from '../../../src/pipeline/types';
import { parseIccProfile } from '../../../src/pipeline/colour/icc';
import { planFromProfile } from '../../../src/pipeline/colour/transform';
import { ADOBE_RGB, buildIccProfile } from '../../fixtures/icc';
import { noise, paint, quadrants } from '../../fixtures/pixels';

function resample(image: RgbaImage, dw: number, dh: number, orientation: Orientation = 1, opaque = false): RgbaImage {
  const resampler = createRowResampler(
    workerdCodecs(),
    image.width,
    image.height,
    dw,
    dh,
    orientation,
    undefined,
    opaque,
  );
  return streamImage(image, resampler);
}

/** The non-streaming definition: box pre-shrink by the same integer factor, then a whole-frame Lanczos-3 (both in linear light). */
function reference(image: RgbaImage, dw: number, dh: number): RgbaImage {
  const box = Math.max(1, Math.floor(Math.min(image.width / dw, image.height / dh) / 2));
  return lanczosResize(box > 1 ? areaReduce(image, box) : image, dw, dh);
}

describe('createRowResampler', () => {
  it.each([
    [17, 13, 17, 13],
    [40, 30, 20, 15],
    [37, 29, 20, 11],
    [100, 7, 33, 5],
    [9, 9, 1, 1],
    [200, 150, 37, 23],
  ])('%ix%i → %ix%i matches box + Lanczos-3 on the whole frame', (sw, sh, dw, dh) => {
    const image = noise(sw, sh, sw * 31 + sh);
    // Give it some transparency so the alpha weighting is exercised.
    for (let i = 3; i < image.data.length; i += 28) image.data[i] = (i * 7) % 256;
    const got = resample(image, dw, dh);
    const want = reference(image, dw, dh);
    expect(got.width).toBe(dw);
    expect(got.height).toBe(dh);
    // The whole-frame path rounds to 8 bits between its box and Lanczos stages; the streaming one does not.
    const tolerance = want === lanczosResize(image, dw, dh) ? 1 : 2;
    for (let i = 0; i < want.data.length; i++) {
      if (want.data[i | 3]! < 8) continue; // colour of nearly transparent pixels is noise in both
      expect(Math.abs(got.data[i]! - want.data[i]!), `byte ${i}`).toBeLessThanOrEqual(tolerance);
    }
  });

  it.each([
    [40, 30, 20, 15, 1],
    [37, 29, 20, 11, 6],
    [200, 150, 37, 23, 8],
    [100, 7, 33, 5, 3],
    [800, 420, 2, 1, 1], // a box of 210: past 32-bit box sums, summed in float
  ] as const)(
    '%ix%i → %ix%i (orientation %i): the opaque three-channel path matches the RGBA one within rounding',
    (sw, sh, dw, dh, orientation) => {
      const image = noise(sw, sh, sw * 7 + sh);
      const rgba = resample(image, dw, dh, orientation);
      const rgb = resample(image, dw, dh, orientation, true);
      expect([rgb.width, rgb.height]).toEqual([rgba.width, rgba.height]);
      for (let i = 0; i < rgba.data.length; i++) {
        expect(Math.abs(rgb.data[i]! - rgba.data[i]!), `byte ${i}`).toBeLessThanOrEqual(1);
      }
    },
  );

  it.each([
    [26, 26, 25, 25],
    [53, 41, 50, 39],
    [64, 64, 31, 31],
  ])(
    '%ix%i → %ix%i: the fixed-point opaque path holds on a 1-px black/white checkerboard (the largest lobes)',
    (sw, sh, dw, dh) => {
      const board = paint(sw, sh, (x, y) => ((x + y) % 2 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
      const rgba = resample(board, dw, dh);
      const rgb = resample(board, dw, dh, 1, true);
      for (let i = 0; i < rgba.data.length; i++) {
        expect(Math.abs(rgb.data[i]! - rgba.data[i]!), `byte ${i}`).toBeLessThanOrEqual(1);
      }
    },
  );

  it('keeps flat colours exact and the quadrant layout', () => {
    const flat = resample(
      paint(30, 20, () => [10, 200, 90, 255]),
      7,
      5,
    );
    for (let i = 0; i < flat.data.length; i += 4)
      expect(Array.from(flat.data.subarray(i, i + 4))).toEqual([10, 200, 90, 255]);
    const flatOpaque = resample(
      paint(30, 20, () => [10, 200, 90, 255]),
      7,
      5,
      6,
      true,
    );
    for (let i = 0; i < flatOpaque.data.length; i += 4)
      expect(Array.from(flatOpaque.data.subarray(i, i + 4))).toEqual([10, 200, 90, 255]);
    const q = resample(quadrants(64, 48), 16, 12);
    expect(Array.from(q.data.subarray(0, 4))).toEqual([255, 0, 0, 255]);
    expect(Array.from(q.data.subarray((12 * 16 - 1) * 4))).toEqual([255, 255, 255, 255]);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8] as Orientation[])(
    'writes orientation %i upright as it goes (same as orienting afterwards), resampled and copied',
    (orientation) => {
      const image = noise(40, 50, orientation);
      for (const [dw, dh] of [
        [40, 50],
        [6, 4],
        [20, 37], // more than one tile of 16 rows when the orientation transposes
      ] as const) {
        const fused = resample(image, dw, dh, orientation);
        const after = applyOrientation(resample(image, dw, dh), orientation);
        expect([fused.width, fused.height]).toEqual([after.width, after.height]);
        expect(Array.from(fused.data)).toEqual(Array.from(after.data));
      }
    },
  );

  it('averages a 1-px black/white checkerboard to the linear-light grey (180–196), not 128', () => {
    const board = paint(64, 64, (x, y) => ((x + y) % 2 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
    for (const [dw, dh] of [
      [32, 32],
      [7, 5],
    ] as const) {
      const out = resample(board, dw, dh);
      for (let i = 0; i < out.data.length; i += 4) expect(out.data[i]).toBeGreaterThanOrEqual(180);
      for (let i = 0; i < out.data.length; i += 4) expect(out.data[i]).toBeLessThanOrEqual(196);
    }
  });

  it('converts through a colour plan, resampled and copied alike (Adobe RGB 192,0,0 → lcms 225,0,0)', () => {
    const parsed = parseIccProfile(buildIccProfile(ADOBE_RGB));
    if (!parsed.ok) throw new Error(parsed.reason);
    const { conversion } = planFromProfile(parsed.profile, 'RGB');
    const image = paint(20, 10, () => [192, 0, 0, 255]);
    for (const [dw, dh, opaque] of [
      [20, 10, false],
      [9, 4, false],
      [9, 4, true],
    ] as const) {
      const out = streamImage(image, createRowResampler(workerdCodecs(), 20, 10, dw, dh, 6, conversion, opaque));
      expect([out.width, out.height]).toEqual([dh, dw]);
      for (let i = 0; i < out.data.length; i += 4)
        expect(Array.from(out.data.subarray(i, i + 4))).toEqual([225, 0, 0, 255]);
    }
  });

  it('refuses to upscale and notices missing rows', () => {
    expect(() => createRowResampler(workerdCodecs(), 10, 10, 11, 10)).toThrow(RangeError);
    const r = createRowResampler(workerdCodecs(), 10, 10, 5, 5);
    r.put(0, new Uint8ClampedArray(40));
    expect(() => r.finish()).toThrow(RangeError);
  });
});
