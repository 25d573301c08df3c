import { describe, expect, it } from 'vitest';
import { rgbaToThumbHash, thumbHashToApproximateAspectRatio, thumbHashToAverageRGBA, thumbHashToRGBA } from 'thumbhash';
import { encodeThumbHash, thumbHashOf } from '../../src/pipeline/thumbhash';
import { alphaGradient, noise, quadrants } from '../fixtures/pixels';

const bytesOf = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

describe('thumbHashOf', () => {
  it('round-trips: the decoded placeholder keeps the layout, the average colour and the aspect ratio', () => {
    // Red top-left, green top-right, blue bottom-left, white bottom-right.
    const hash = bytesOf(thumbHashOf(quadrants(400, 300)));
    expect(hash.length).toBeLessThanOrEqual(30);
    // ThumbHash stores the aspect ratio coarsely (as its DCT grid size).
    expect(Math.abs(thumbHashToApproximateAspectRatio(hash) - 4 / 3)).toBeLessThan(0.1);
    const average = thumbHashToAverageRGBA(hash);
    expect(average.a).toBe(1);
    // Each channel covers half the picture (red: red + white quadrants, …): about half bright on average.
    for (const v of [average.r, average.g, average.b]) expect(Math.abs(v - 0.5)).toBeLessThan(0.2);
    const { w, h, rgba } = thumbHashToRGBA(hash);
    const at = (fx: number, fy: number) => {
      const i = (Math.floor(fy * h) * w + Math.floor(fx * w)) * 4;
      return [rgba[i]!, rgba[i + 1]!, rgba[i + 2]!];
    };
    const [r, g, b] = at(0.1, 0.1);
    expect(r).toBeGreaterThan(g! + 60);
    expect(r).toBeGreaterThan(b! + 60);
    const [r2, g2, b2] = at(0.9, 0.1);
    expect(g2).toBeGreaterThan(r2! + 60);
    expect(g2).toBeGreaterThan(b2! + 60);
    expect(Math.min(...at(0.9, 0.9))).toBeGreaterThan(150);
  });

  it('keeps transparency', () => {
    const { rgba } = thumbHashToRGBA(bytesOf(thumbHashOf(alphaGradient(200, 100))));
    let minAlpha = 255;
    for (let i = 3; i < rgba.length; i += 4) minAlpha = Math.min(minAlpha, rgba[i]!);
    expect(minAlpha).toBeLessThan(128);
  });

  it.each([
    ['quadrants 100×75', quadrants(100, 75)],
    ['alpha gradient 100×50', alphaGradient(100, 50)],
    ['noise 64×100', noise(64, 100, 7)],
    ['noise 1×1', noise(1, 1, 3)],
  ])('encodes %s as the reference encoder does, up to float rounding', (_, image) => {
    const ours = encodeThumbHash(image.width, image.height, image.data);
    const reference = rgbaToThumbHash(image.width, image.height, image.data);
    expect(ours.length).toBe(reference.length);
    // The header (sizes, DC terms, scales) is the same; an AC term that sits on a rounding tie
    // (a term that is zero in exact arithmetic lands on 7.5) may come out one step apart.
    const headerBytes = (reference[2]! & 0x80) !== 0 ? 6 : 5;
    expect(ours.subarray(0, headerBytes)).toEqual(reference.subarray(0, headerBytes));
    for (let i = headerBytes; i < reference.length; i++) {
      expect(Math.abs((ours[i]! & 15) - (reference[i]! & 15))).toBeLessThanOrEqual(1);
      expect(Math.abs((ours[i]! >> 4) - (reference[i]! >> 4))).toBeLessThanOrEqual(1);
    }
  });
});
