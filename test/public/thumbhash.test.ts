import { rgbaToThumbHash, thumbHashToRGBA } from 'thumbhash';
import { describe, expect, it } from 'vitest';
import { thumbHashToRgba } from '../../public/thumbhash.js';
import { alphaGradient, noise, quadrants } from '../fixtures/pixels';
import type { RgbaImage } from '../../src/pipeline/types';

// The demo page's own ThumbHash decoder against the reference implementation
// (the `thumbhash` package by the format's author), on hashes the reference encodes.

const cases: [string, RgbaImage][] = [
  ['landscape quadrants', quadrants(100, 75)],
  ['portrait quadrants', quadrants(60, 100)],
  ['alpha gradient', alphaGradient(90, 90)],
  ['noise', noise(100, 40, 3)],
];

describe('public/thumbhash.js', () => {
  it.each(cases)('decodes %s like the reference decoder (within 1 level per channel)', (_name, image) => {
    const hash = rgbaToThumbHash(image.width, image.height, image.data);
    const reference = thumbHashToRGBA(hash);
    const ours = thumbHashToRgba(hash);
    expect([ours.width, ours.height]).toEqual([reference.w, reference.h]);
    expect(ours.rgba.length).toBe(reference.rgba.length);
    let worst = 0;
    for (let i = 0; i < ours.rgba.length; i++) worst = Math.max(worst, Math.abs(ours.rgba[i]! - reference.rgba[i]!));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('refuses a hash too short to hold its header', () => {
    expect(() => thumbHashToRgba(new Uint8Array(3))).toThrow();
  });
});
