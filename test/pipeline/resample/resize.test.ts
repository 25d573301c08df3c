import { describe, expect, it } from 'vitest';
import { workerdCodecs } from '../../../src/codecs/workerd';
import { areaReduce, fitWithin, lanczosResize, resizeToFit } from '../../../src/pipeline/resample/resize';
import type { RgbaImage } from '../../../src/pipeline/types';
import { paint, quadrants } from '../../fixtures/pixels';

const solid = (w: number, h: number, rgba: [number, number, number, number]) => paint(w, h, () => rgba);

function pixel(image: RgbaImage, x: number, y: number): number[] {
  const i = (y * image.width + x) * 4;
  return Array.from(image.data.subarray(i, i + 4));
}

describe('fitWithin', () => {
  it.each([
    [4032, 3024, 400, 400, 300],
    [3024, 4032, 400, 300, 400],
    [400, 400, 400, 400, 400],
    [100, 50, 400, 100, 50],
    [5000, 1, 400, 400, 1],
  ])('%ix%i inside %i → %ix%i', (w, h, max, ew, eh) => {
    expect(fitWithin(w, h, max)).toEqual({ width: ew, height: eh });
  });
});

describe('resizeToFit', () => {
  it('returns the input when it already fits', () => {
    const image = solid(10, 10, [1, 2, 3, 255]);
    expect(resizeToFit(image, 400, workerdCodecs())).toBe(image);
  });

  it('keeps a flat colour flat (weights are normalised), through both stages', () => {
    const out = resizeToFit(solid(1000, 500, [200, 100, 50, 255]), 100, workerdCodecs());
    expect(out.width).toBe(100);
    expect(out.height).toBe(50);
    for (const [x, y] of [
      [0, 0],
      [50, 25],
      [99, 49],
    ] as const)
      expect(pixel(out, x, y)).toEqual([200, 100, 50, 255]);
  });

  it('keeps the quadrant layout', () => {
    const out = resizeToFit(quadrants(800, 600), 40, workerdCodecs());
    expect(out.width).toBe(40);
    expect(out.height).toBe(30);
    expect(pixel(out, 2, 2)).toEqual([255, 0, 0, 255]);
    expect(pixel(out, 37, 2)).toEqual([0, 255, 0, 255]);
    expect(pixel(out, 2, 27)).toEqual([0, 0, 255, 255]);
    expect(pixel(out, 37, 27)).toEqual([255, 255, 255, 255]);
  });

  it('does not bleed the colour of transparent pixels (premultiplied alpha)', () => {
    // Left half opaque red, right half fully transparent *green*: no green may appear.
    const image = paint(64, 8, (x) => (x < 32 ? [255, 0, 0, 255] : [0, 255, 0, 0]));
    for (const out of [lanczosResize(image, 16, 2), resizeToFit(image, 16, workerdCodecs())]) {
      expect([out.width, out.height]).toEqual([16, 2]);
      for (let x = 0; x < 16; x++) {
        const [r, g, , a] = pixel(out, x, 0);
        if (a! > 0) {
          expect(g).toBe(0);
          expect(r).toBeGreaterThan(250);
        }
      }
      expect(pixel(out, 0, 0)[3]).toBe(255);
      expect(pixel(out, 15, 0)[3]).toBe(0);
    }
  });
});

describe('areaReduce', () => {
  it('turns a 1-px checkerboard into the linear-light grey, and so does the Lanczos thumbnail', () => {
    const board = paint(800, 600, (x, y) => ((x + y) % 2 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
    for (const out of [
      areaReduce(board, 2),
      resizeToFit(board, 400, workerdCodecs()),
      resizeToFit(board, 333, workerdCodecs()),
    ]) {
      let sum = 0;
      for (let i = 0; i < out.data.length; i += 4) sum += out.data[i]!;
      const mean = sum / (out.width * out.height);
      expect(mean).toBeGreaterThanOrEqual(180);
      expect(mean).toBeLessThanOrEqual(196);
    }
  });

  it('averages blocks in linear light, including partial edge blocks', () => {
    const image: RgbaImage = {
      width: 3,
      height: 1,
      data: new Uint8ClampedArray([0, 0, 0, 255, 100, 100, 100, 255, 40, 50, 60, 255]),
    };
    const out = areaReduce(image, 2);
    expect(out.width).toBe(2);
    // sRGB 100 is 0.1274 linear; half of it is 0.0637, which sRGB encodes as 71.3 (gamma-space averaging gave 50).
    expect(Array.from(out.data)).toEqual([71, 71, 71, 255, 40, 50, 60, 255]);
  });
});
