import { ADAM7 } from '../../../src/pipeline/png/adam7';
import { describe, expect, it } from 'vitest';
import { areaReduce } from '../../../src/pipeline/resample/resize';
import { createBlockReducer } from '../../../src/pipeline/resample/blocks';
import type { RgbaImage } from '../../../src/pipeline/types';
import { noise } from '../../fixtures/pixels';

/** Feeds an image in Adam7 order: sparse rows (x0, dx) out of row order. */
function feedAdam7(image: RgbaImage, sink: ReturnType<typeof createBlockReducer>) {
  for (const [x0, y0, dx, dy] of ADAM7) {
    for (let y = y0; y < image.height; y += dy) {
      const pixels: number[] = [];
      for (let x = x0; x < image.width; x += dx)
        pixels.push(...image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));
      if (pixels.length) sink.put(y, Uint8ClampedArray.from(pixels), x0, dx);
    }
  }
}

describe('createBlockReducer', () => {
  it.each([1, 2, 3, 5])('factor %i from Adam7-ordered pixels matches block averaging', (factor) => {
    const image = noise(37, 23, factor);
    const reducer = createBlockReducer(37, 23, factor);
    feedAdam7(image, reducer);
    const got = reducer.finish();
    const want = factor === 1 ? image : areaReduce(image, factor);
    expect([got.width, got.height]).toEqual([want.width, want.height]);
    for (let i = 0; i < want.data.length; i++)
      expect(Math.abs(got.data[i]! - want.data[i]!), `byte ${i}`).toBeLessThanOrEqual(1);
  });
});
