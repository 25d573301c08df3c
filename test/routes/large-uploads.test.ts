import { beforeAll, describe, expect, it } from 'vitest';
import { maxAlphaOutputPixels } from '../../src/pipeline/limits';
import { decodeWebp, encodePng, encodeWebp } from '../helpers/encoders';
import { expectError, keyOf, objectBytes, storageSnapshot, tokenFor, upload, type ImageJson } from '../helpers/api';
import { paint, quadrants, readCorners, UPRIGHT_CORNERS } from '../fixtures/pixels';
import { webpChunks, webpHasAlpha, webpSize } from '../helpers/webp-inspect';
import {
  ANIM,
  anmfPayload,
  vp8lPayload,
  VP8X_ALPHA,
  VP8X_ANIMATION,
  vp8xPayload,
  webpFile,
} from '../fixtures/containers';
import { riffChunk } from '../fixtures/webp';

// Uploads past the sizes jSquash's libwebp 1.1.0 forced the gateway to refuse
// or shrink: WebP decoded straight to the output size by the gateway's own
// libwebp build, and alpha at full size when it is opaque.

let token: string;
beforeAll(async () => {
  token = await tokenFor('large-uploader');
});

async function stored(bytes: Uint8Array, contentType: string): Promise<{ json: ImageJson; main: Uint8Array }> {
  const response = await upload('/images', bytes, { token, contentType });
  expect(response.status).toBe(201);
  const json = (await response.json()) as ImageJson;
  const main = (await objectBytes(keyOf(json.url)))!;
  expect(webpSize(main)).toEqual({ width: json.width, height: json.height });
  return { json, main };
}

describe('WebP uploads are decoded straight to the output size', () => {
  it('a 2600×1950 lossy WebP (over the old 4.9 MP cap) → 2048×1536, upright colours', async () => {
    const { json, main } = await stored(await encodeWebp(quadrants(2600, 1950), { quality: 60 }), 'image/webp');
    expect([json.width, json.height]).toEqual([2048, 1536]);
    expect(readCorners(await decodeWebp(main))).toEqual(UPRIGHT_CORNERS[1]);
  });

  it('an animated WebP keeps its first frame, placed on the canvas, scaled', async () => {
    const still = await encodeWebp(quadrants(1000, 600), { quality: 80 });
    const vp8 = webpChunks(still).find((c) => c.fourcc === 'VP8 ')!;
    const frame = still.subarray(vp8.offset, vp8.offset + vp8.size);
    const animation = webpFile(
      riffChunk('VP8X', vp8xPayload(VP8X_ANIMATION | VP8X_ALPHA, 3000, 1200)),
      ANIM,
      riffChunk('ANMF', anmfPayload(2000, 600, 1000, 600, riffChunk('VP8 ', frame))),
      riffChunk('ANMF', anmfPayload(0, 0, 2, 2, riffChunk('VP8L', vp8lPayload(2, 2)))),
    );
    const { json, main } = await stored(animation, 'image/webp');
    expect([json.width, json.height]).toEqual([2048, 819]);
    const image = await decodeWebp(main);
    const pixel = (x: number, y: number) => Array.from(image.data.subarray((y * 2048 + x) * 4, (y * 2048 + x) * 4 + 4));
    expect(pixel(100, 100)[3]).toBe(0); // outside the frame: transparent canvas
    const [r, g, b, a] = pixel(1400, 500); // the frame's red quadrant
    expect([r! > 230, g! < 30, b! < 30, a]).toEqual([true, true, true, 255]);
    expect(
      pixel(2000, 780)
        .slice(0, 3)
        .every((v) => v > 230),
    ).toBe(true); // the frame's white quadrant
  });

  it('a lossless WebP too large to decode whole in the budget → 422 dimensions_exceeded, nothing stored', async () => {
    // Only the header matters: the size is refused before a pixel is decoded.
    const bitstream = [...vp8lPayload(4096, 4096), ...new Array<number>(64).fill(0)];
    const before = await storageSnapshot();
    const response = await upload('/images', webpFile(riffChunk('VP8L', bitstream)), {
      token,
      contentType: 'image/webp',
    });
    await expectError(response, 422, 'dimensions_exceeded');
    expect(await storageSnapshot()).toEqual(before);
  });
});

describe('alpha: opaque alpha at full size, real transparency as large as the budget allows', () => {
  it('a 2048×2048 RGBA PNG whose alpha is all 255 → 2048×2048 with no alpha chunk', async () => {
    const screenshot = paint(2048, 2048, (x, y) => [(x >> 3) & 255, (y >> 3) & 255, 200, 255]);
    const { json, main } = await stored(await encodePng(screenshot), 'image/png');
    expect([json.width, json.height]).toEqual([2048, 2048]);
    expect(webpChunks(main).map((c) => c.fourcc)).toEqual(['VP8 ']);
  });

  it('a 1600×1000 RGBA PNG with real transparency → 1600×1000, alpha kept', async () => {
    const big = paint(1600, 1000, (x, y) => [255, (y * 255) / 999, 0, (x * 255) / 1599]);
    const { json, main } = await stored(await encodePng(big), 'image/png');
    expect([json.width, json.height]).toEqual([1600, 1000]);
    expect(webpHasAlpha(main)).toBe(true);
  });

  it('a 2048×2048 RGBA PNG with real transparency → scaled inside the encoder to the alpha budget', async () => {
    const cutout = paint(2048, 2048, (x, y) => [
      x & 255,
      y & 255,
      90,
      (x - 1024) ** 2 + (y - 1024) ** 2 < 900 ** 2 ? 255 : 0,
    ]);
    const { json, main } = await stored(await encodePng(cutout), 'image/png');
    const edge = Math.floor(2048 * Math.sqrt(maxAlphaOutputPixels(2048 * 2048) / (2048 * 2048)));
    expect(edge).toBeGreaterThanOrEqual(1700);
    expect([json.width, json.height]).toEqual([edge, edge]);
    expect(webpHasAlpha(main)).toBe(true);
  });
});
