import { describe, expect, it } from 'vitest';
import { workerdCodecs } from '../../src/codecs/workerd';
import { chooseCoverCrop } from '../../src/pipeline/crop-focus';
import { renderVariant } from '../../src/pipeline/variant';
import type { RgbaImage } from '../../src/pipeline/types';
import { decodeWebp, encodeWebp } from '../helpers/encoders';
import { webpSize } from '../helpers/webp-inspect';
import { noise, paint } from '../fixtures/pixels';
import { subjectInCrop, subjectOnBackdrop } from '../fixtures/subject';

/** Standard deviation of luma: how much detail a picture holds. */
function lumaSpread(image: RgbaImage): number {
  const values: number[] = [];
  for (let i = 0; i < image.data.length; i += 4) {
    values.push(0.2126 * image.data[i]! + 0.7152 * image.data[i + 1]! + 0.0722 * image.data[i + 2]!);
  }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

describe('chooseCoverCrop', () => {
  it.each([
    ['wide, subject at the left edge', 300, 100, { x: 8, y: 20, size: 60 }],
    ['wide, subject at the right edge', 300, 100, { x: 230, y: 10, size: 60 }],
    ['tall, subject at the bottom', 90, 270, { x: 15, y: 200, size: 60 }],
  ])('%s: the square holds the whole subject (the geometric centre holds none)', (_name, width, height, box) => {
    const image = subjectOnBackdrop(width, height, box);
    const side = Math.min(width, height);
    const centre =
      width > height
        ? { x: Math.floor((width - side) / 2), y: 0, side }
        : { x: 0, y: Math.floor((height - side) / 2), side };
    expect(subjectInCrop(box, centre)).toBe(0);
    const crop = chooseCoverCrop(image);
    expect(crop.side).toBe(side);
    expect(subjectInCrop(box, crop)).toBe(1);
  });

  it.each([
    ['flat', paint(300, 100, () => [128, 128, 128, 255])],
    ['evenly detailed', noise(300, 100, 5)],
  ])('%s picture: keeps the geometric centre', (_name, image) => {
    expect(chooseCoverCrop(image)).toEqual({ x: 100, y: 0, side: 100 });
  });

  it('a square picture is its own crop', () => {
    expect(chooseCoverCrop(noise(50, 50, 1))).toEqual({ x: 0, y: 0, side: 50 });
  });
});

describe('renderVariant (stored main WebP → variant WebP)', () => {
  const codecs = workerdCodecs();

  it('cover: an N×N square around the subject, far more detailed than the centre crop', async () => {
    const box = { x: 20, y: 150, size: 160 };
    const main = await encodeWebp(subjectOnBackdrop(900, 300, box), { quality: 90 });
    const variant = await renderVariant(main, { size: 64, fit: 'cover', quality: 80 }, codecs);
    expect(webpSize(variant.bytes)).toEqual({ width: 64, height: 64 });
    const pixels = await decodeWebp(variant.bytes);
    // The geometric-centre square (x 300..600) is the smooth backdrop only.
    const centre = subjectOnBackdrop(900, 300, box);
    const centreSquare = paint(300, 300, (x, y) => {
      const i = (y * 900 + x + 300) * 4;
      return [centre.data[i]!, centre.data[i + 1]!, centre.data[i + 2]!, 255];
    });
    expect(lumaSpread(pixels)).toBeGreaterThan(4 * lumaSpread(centreSquare));
  });

  it('contain: fits inside N×N with the aspect kept; colours survive', async () => {
    const red = paint(300, 200, () => [220, 40, 30, 255]);
    const variant = await renderVariant(await encodeWebp(red), { size: 64, fit: 'contain', quality: 80 }, codecs);
    expect(webpSize(variant.bytes)).toEqual({ width: 64, height: 43 });
    const pixels = await decodeWebp(variant.bytes);
    const centre = (21 * 64 + 32) * 4;
    expect(Math.abs(pixels.data[centre]! - 220)).toBeLessThan(12);
    expect(Math.abs(pixels.data[centre + 1]! - 40)).toBeLessThan(12);
    expect(Math.abs(pixels.data[centre + 2]! - 30)).toBeLessThan(12);
  });

  it('never upscales: a 40×30 image asked for 128 gives 30×30 (cover) and 40×30 (contain)', async () => {
    const main = await encodeWebp(noise(40, 30, 2));
    const cover = await renderVariant(main, { size: 128, fit: 'cover', quality: 80 }, codecs);
    const contain = await renderVariant(main, { size: 128, fit: 'contain', quality: 80 }, codecs);
    expect(webpSize(cover.bytes)).toEqual({ width: 30, height: 30 });
    expect(webpSize(contain.bytes)).toEqual({ width: 40, height: 30 });
  });
});
