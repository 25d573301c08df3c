import { describe, expect, it } from 'vitest';
import { applyOrientation } from '../../src/pipeline/orient';
import type { Orientation, RgbaImage } from '../../src/pipeline/types';
import { quadrants, RGB, uprightCorners, uprightSize, type ColourName } from '../fixtures/pixels';

function colourAt(image: RgbaImage, x: number, y: number): [number, number, number] {
  const i = (y * image.width + x) * 4;
  return [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
}

describe('applyOrientation', () => {
  const stored = quadrants(6, 4);
  for (const orientation of [1, 2, 3, 4, 5, 6, 7, 8] as Orientation[]) {
    it(`orientation ${orientation} comes out upright`, () => {
      const out = applyOrientation(stored, orientation);
      expect({ width: out.width, height: out.height }).toEqual(uprightSize(6, 4, orientation));
      const want = uprightCorners(orientation);
      const rgb = (name: string) => RGB[name as ColourName];
      expect(colourAt(out, 0, 0)).toEqual(rgb(want.topLeft));
      expect(colourAt(out, out.width - 1, 0)).toEqual(rgb(want.topRight));
      expect(colourAt(out, 0, out.height - 1)).toEqual(rgb(want.bottomLeft));
      expect(colourAt(out, out.width - 1, out.height - 1)).toEqual(rgb(want.bottomRight));
    });
  }

  it('keeps alpha', () => {
    const image: RgbaImage = { width: 2, height: 1, data: new Uint8ClampedArray([1, 2, 3, 40, 5, 6, 7, 80]) };
    expect(Array.from(applyOrientation(image, 6).data)).toEqual([1, 2, 3, 40, 5, 6, 7, 80]);
    expect(Array.from(applyOrientation(image, 2).data)).toEqual([5, 6, 7, 80, 1, 2, 3, 40]);
  });
});
