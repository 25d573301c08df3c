import { describe, expect, it } from 'vitest';
import {
  alphaEncodeMethod,
  checkLimits,
  checkWebpDecodeCost,
  encoderMemoryLimitBytes,
  maxAlphaOutputPixels,
} from '../../src/pipeline/limits';
import { FORMATS } from '../../src/pipeline/formats';
import { thrownCode } from '../helpers/pipeline-error';

const MiB = 2 ** 20;
const OUT_2048 = 2048 * 2048;

describe('checkWebpDecodeCost: what libwebp holds whatever the output size', () => {
  it.each([
    { name: '4096² lossy, no alpha (decoded in rows)', px: 4096 * 4096, lossless: false, alpha: false, code: 'none' },
    { name: '4096² lossy with alpha (1-byte planes)', px: 4096 * 4096, lossless: false, alpha: true, code: 'none' },
    { name: '2896² lossless', px: 2896 * 2896, lossless: true, alpha: true, code: 'none' },
    { name: '4096×2560 lossless', px: 4096 * 2560, lossless: true, alpha: false, code: 'dimensions_exceeded' },
    { name: '4096² lossless', px: 4096 * 4096, lossless: true, alpha: false, code: 'dimensions_exceeded' },
  ])('$name, stored at 2048² from a 2 MiB file → $code', ({ px, lossless, alpha, code }) => {
    const cost = {
      inputPixels: px,
      lossless,
      hasAlpha: alpha,
      outputPixels: OUT_2048,
      canvasPixels: 0,
      fileBytes: 2 * MiB,
    };
    expect(thrownCode(() => checkWebpDecodeCost(cost))).toBe(code);
  });
});

describe('checkLimits: no format is capped below the input limits by its decoder any more', () => {
  it.each(FORMATS.map((f) => f.name))('%s at 4096×4096 passes', (format) => {
    const header = { format, width: 4096, height: 4096, orientation: 1, frames: 1, hasAlpha: true } as const;
    expect(thrownCode(() => checkLimits(header, { maxWidth: 4096, maxHeight: 4096, maxFrames: 10 }))).toBe('none');
  });
});

describe('maxAlphaOutputPixels', () => {
  it('fits a 2048×1536 frame whole and scales a 2048² one to about 1700²', () => {
    expect(maxAlphaOutputPixels(2048 * 1536)).toBeGreaterThanOrEqual(2048 * 1536);
    const square = maxAlphaOutputPixels(OUT_2048);
    expect(square).toBeLessThan(OUT_2048);
    expect(Math.sqrt(square)).toBeGreaterThan(1700);
  });
});

describe('alphaEncodeMethod: sharp’s default effort when the alpha encoder fits', () => {
  it.each([
    ['a 512² image', 4, 512, 512],
    ['a 400² thumbnail of a 2048² frame', 4, 400, 400],
    ['a 1024² image', 4, 1024, 1024],
    ['a 2048×1536 image', 2, 2048, 1536],
  ] as const)('%s: method %d', (_name, method, width, height) => {
    const frame = width === 400 ? OUT_2048 : width * height;
    expect(alphaEncodeMethod(width * height, encoderMemoryLimitBytes(frame))).toBe(method);
  });
});
