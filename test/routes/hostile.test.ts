import { describe, expect, it } from 'vitest';
import { makeFixtures } from '../fixtures/make';
import { seededRandom } from '../fixtures/bytes';
import { encodeGif } from '../helpers/gif-encode';
import { makeJpeg, vp8Payload, vp8xPayload, webpFile } from '../fixtures/containers';
import { riffChunk } from '../fixtures/webp';
import { expectError, keyOf, objectBytes, storageSnapshot, tokenFor, upload, type ImageJson } from '../helpers/api';
import { webpHasAlpha } from '../helpers/webp-inspect';

const fixtures = await makeFixtures();

/** A GIF of `frames` 1×1 frames on a `width`×`height` screen. */
function manyFrameGif(frames: number, width = 1, height = 1): Uint8Array {
  const frame = { width: 1, height: 1, indices: [0] };
  return encodeGif(
    Array.from({ length: frames }, () => frame),
    { width, height, palette: [[0, 0, 0]] },
  );
}

describe('bombs and CPU burners are refused from the header, before decoding', () => {
  it.each<[string, number, string, () => Uint8Array]>([
    ['JPEG declaring 65500×65500', 422, 'dimensions_exceeded', () => fixtures.get('huge-dimensions.jpg').bytes],
    ['PNG declaring 20000×20000', 422, 'dimensions_exceeded', () => fixtures.get('huge-dimensions.png').bytes],
    ['GIF screen of 20000×20000', 422, 'dimensions_exceeded', () => manyFrameGif(1, 20000, 20000)],
    [
      'WebP canvas of 20000×20000',
      422,
      'dimensions_exceeded',
      () => webpFile(riffChunk('VP8X', vp8xPayload(0, 20000, 20000)), riffChunk('VP8 ', vp8Payload(16, 16))),
    ],
    [
      'progressive JPEG with 5000 scans',
      422,
      'invalid_image',
      () => makeJpeg({ sof: 0xc2, scans: 5000, entropy: [1] }),
    ],
    ['GIF with 5000 frames', 422, 'dimensions_exceeded', () => manyFrameGif(5000)],
    [
      'WebP over the WebP pixel cap (2600×1900)',
      422,
      'dimensions_exceeded',
      () => webpFile(riffChunk('VP8X', vp8xPayload(0, 2600, 1900)), riffChunk('VP8 ', vp8Payload(16, 16))),
    ],
  ])('%s → %i %s, nothing stored', async (_name, status, code, make) => {
    const token = await tokenFor('bomber');
    const before = await storageSnapshot();
    await expectError(await upload('/images', make(), { token, contentType: 'image/png' }), status, code);
    expect(await storageSnapshot()).toEqual(before);
  });
});

describe('a header that says opaque is held to it', () => {
  it('a GIF with indices past its colour table (transparent pixels, no transparency flag) is stored opaque', async () => {
    const token = await tokenFor('opaque');
    const indices = Array.from({ length: 64 }, (_, i) => (i % 3 === 0 ? 3 : i % 2));
    const gif = encodeGif([{ width: 8, height: 8, indices }], {
      width: 8,
      height: 8,
      palette: [
        [255, 0, 0],
        [0, 0, 255],
      ],
    });
    const response = await upload('/images', gif, { token, contentType: 'image/gif' });
    expect(response.status).toBe(201);
    const image = (await response.json()) as ImageJson;
    expect(webpHasAlpha((await objectBytes(keyOf(image.url)))!)).toBe(false);
  });
});

describe('codec hygiene', () => {
  it('200 corrupt WebP files reaching libwebp, then a valid upload succeeds', async () => {
    const token = await tokenFor('hygiene');
    const valid = fixtures.getAccepted('alpha.webp').bytes;
    const random = seededRandom(404);
    // Corrupt only the bitstream after the container and frame headers, so the
    // files pass the structure walk and the damage reaches the WASM decoder.
    const headerEnd = 64;
    const statuses = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      const corrupt = valid.slice();
      for (let k = 0; k < 16; k++) {
        const at = headerEnd + Math.floor(random() * (corrupt.length - headerEnd));
        corrupt[at] = Math.floor(random() * 256);
      }
      const response = await upload('/images', corrupt, { token, contentType: 'image/webp' });
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      expect(response.status).toBeLessThan(500);
      await response.arrayBuffer();
    }
    expect(statuses.get(422) ?? 0).toBeGreaterThan(50);
    const after = await upload('/images', valid, { token, contentType: 'image/webp' });
    expect(after.status).toBe(201);
  });
});
