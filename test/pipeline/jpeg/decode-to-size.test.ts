import { describe, expect, it } from 'vitest';
import { workerdCodecs } from '../../../src/codecs/workerd';
import { fullScaleCoefficientBytes } from '../../../src/pipeline/jpeg/buffer';
import { chooseJpegScale, decodeJpegToSize } from '../../../src/pipeline/jpeg/decode-to-size';
import { probeImage } from '../../../src/pipeline/probe';
import { mozjpegEncode, testPicture } from '../../helpers/jpeg-oracle';

describe('chooseJpegScale: DCT scaling only while a factor of two remains for the filter', () => {
  it.each([
    [4032, 3024, 2048, 1],
    [4096, 4096, 2048, 1],
    [4032, 3024, 1000, 2],
    [4032, 3024, 400, 4],
    [4032, 3024, 200, 8],
    [1000, 800, 2048, 1],
  ] as const)('%ix%i bound for %i → 1/%i', (w, h, edge, scale) => {
    expect(chooseJpegScale(w, h, edge)).toBe(scale);
  });
});

describe('decodeJpegToSize', () => {
  it('hits the exact target size (806×604 bound for 410 → 410×307, not 1/2 scale 403×302)', async () => {
    const jpeg = await mozjpegEncode(testPicture(806, 604, 3), { quality: 90, lumaFactor: 2 });
    const image = decodeJpegToSize(jpeg, probeImage(jpeg), 410, workerdCodecs());
    expect([image.width, image.height]).toEqual([410, 307]);
  });

  it('counts what a buffered decode would hold at full scale', async () => {
    const picture = testPicture(64, 48, 4);
    expect(fullScaleCoefficientBytes(await mozjpegEncode(picture, { lumaFactor: 2 }))).toBe(0);
    // 4:2:0 progressive: 4×3 MCUs of 4 luma + 2 chroma blocks, 128 bytes each.
    const progressive = await mozjpegEncode(picture, { lumaFactor: 2, progressive: true });
    expect(fullScaleCoefficientBytes(progressive)).toBe(4 * 3 * 6 * 128);
  });
});
