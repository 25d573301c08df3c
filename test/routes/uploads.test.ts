import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { decodeWebp, encodeJpeg, encodePng } from '../helpers/encoders';
import { MAX_ALPHA_OUTPUT_EDGE } from '../../src/pipeline/limits';
import { assertNoMetadata, webpChunks, webpHasAlpha, webpSize } from '../helpers/webp-inspect';
import { expectError, keyOf, objectBytes, storageSnapshot, tokenFor, upload, type ImageJson } from '../helpers/api';
import { makeFixtures, type AcceptedFixture, type Fixtures } from '../fixtures/make';
import { paint, readCorners } from '../fixtures/pixels';
import { perceptualDistance } from '../helpers/perceptual';

// Built at module load so the tables below can name one case per fixture.
const fixtures: Fixtures = await makeFixtures();
let token: string;

beforeAll(async () => {
  token = await tokenFor('uploader');
});

async function expectStoredImage(fixture: AcceptedFixture, json: ImageJson) {
  const { expect: want } = fixture;
  const main = await objectBytes(keyOf(json.url));
  const thumb = await objectBytes(keyOf(json.thumb_url));
  expect(main, 'main object in R2').not.toBeNull();
  expect(thumb, 'thumbnail object in R2').not.toBeNull();

  for (const bytes of [main!, thumb!]) {
    // Privacy: only image chunks, no EXIF/XMP/ICCP flags, no planted metadata string anywhere.
    assertNoMetadata(bytes);
    expect(
      webpChunks(bytes)
        .map((c) => c.fourcc)
        .every((f) => ['VP8 ', 'VP8L', 'VP8X', 'ALPH'].includes(f)),
    ).toBe(true);
  }

  expect(webpSize(main!)).toEqual({ width: want.width, height: want.height });
  expect(json.bytes).toBe(main!.byteLength);
  expect(json.thumb_bytes).toBe(thumb!.byteLength);
  const thumbSize = webpSize(thumb!);
  expect(Math.max(thumbSize.width, thumbSize.height)).toBeLessThanOrEqual(400);
  expect(thumbSize).toEqual({ width: json.thumb_width, height: json.thumb_height });
  expect(webpHasAlpha(main!)).toBe(want.alpha);

  const decoded = await decodeWebp(main!);
  // Measured 0–8 across the fixtures (two lossy encodes of saturated quadrants are the worst); a wrong
  // orientation or channel order scores over 60.
  expect(perceptualDistance(decoded, want.reference)).toBeLessThan(16);
  if (want.corners) expect(readCorners(decoded)).toEqual(want.corners);
}

describe('accepted uploads', () => {
  it('covers the fixture kinds the gateway promises to handle', () => {
    expect(fixtures.accepted.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'phone.jpg',
        'orient-6.jpg',
        'alpha.png',
        'palette.png',
        'metadata.webp',
        'animated.gif',
      ]),
    );
  });

  it.each(fixtures.accepted.map((f) => [f.name, f] as const))('%s → 201, upright, clean', async (_name, fixture) => {
    const before = await storageSnapshot();
    const response = await upload('/images', fixture.bytes, { token, contentType: fixture.contentType });
    expect(response.status).toBe(201);
    const json = (await response.json()) as ImageJson;

    expect(json).toMatchObject({
      kind: 'image',
      width: fixture.expect.width,
      height: fixture.expect.height,
      content_type: 'image/webp',
      original_format: fixture.expect.format,
      original_bytes: fixture.bytes.byteLength,
    });
    expect(json.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(keyOf(json.url)).toBe(`images/uploader/${json.id}.webp`);
    expect(keyOf(json.thumb_url)).toBe(`images/uploader/${json.id}_thumb.webp`);
    expect(Date.parse(json.created_at)).not.toBeNaN();

    await expectStoredImage(fixture, json);

    const row = await env.DB.prepare('SELECT * FROM images WHERE id = ?1').bind(json.id).first();
    expect(row).toMatchObject({
      owner_id: 'uploader',
      kind: 'image',
      main_key: keyOf(json.url),
      thumb_key: keyOf(json.thumb_url),
      width: json.width,
      height: json.height,
      bytes: json.bytes,
      thumb_width: json.thumb_width,
      thumb_height: json.thumb_height,
      thumb_bytes: json.thumb_bytes,
      original_format: fixture.expect.format,
      original_bytes: fixture.bytes.byteLength,
      created_at: json.created_at,
    });
    const after = await storageSnapshot();
    expect(after.rows.images).toBe(before.rows.images + 1);
    expect(after.keys.length).toBe(before.keys.length + 2);
  });

  it('the phone photo keeps none of its EXIF, GPS, serials, XMP or ICC profile', async () => {
    const phone = fixtures.getAccepted('phone.jpg');
    // The input really carries the metadata (so the test can fail)…
    expect(new TextDecoder('latin1').decode(phone.bytes)).toContain('CANARY-');
    const json = (await (await upload('/users/me/avatar', phone.bytes, { token, multipart: true })).json()) as {
      image: ImageJson;
    };
    // …and nothing of it reaches R2, in either object.
    for (const url of [json.image.url, json.image.thumb_url]) {
      const bytes = (await objectBytes(keyOf(url)))!;
      assertNoMetadata(bytes);
      expect(new TextDecoder('latin1').decode(bytes)).not.toContain('CANARY-');
    }
    expect([json.image.width, json.image.height]).toEqual([48, 64]);
  });

  it('a large image gets a thumbnail inside 400×400 with its aspect kept', async () => {
    const big = paint(1200, 800, (x, y) => [(x * 255) / 1199, (y * 255) / 799, 128, 255]);
    const response = await upload('/images', await encodeJpeg(big, { quality: 90 }), { token });
    expect(response.status).toBe(201);
    const json = (await response.json()) as ImageJson;
    expect([json.width, json.height]).toEqual([1200, 800]);
    expect([json.thumb_width, json.thumb_height]).toEqual([400, 267]);
    const thumb = await decodeWebp((await objectBytes(keyOf(json.thumb_url)))!);
    expect([thumb.width, thumb.height]).toEqual([400, 267]);
    // The gradient survives the resize: left-to-right red ramp, top-to-bottom green ramp.
    const at = (x: number, y: number) => thumb.data[(y * 400 + x) * 4]!;
    expect(at(5, 130)).toBeLessThan(20);
    expect(at(395, 130)).toBeGreaterThan(235);
  });
});

describe('large inputs are reduced to MAX_OUTPUT_EDGE (2048) while decoding', () => {
  it.each([
    // A 12 MP phone photo: exactly 2048 on the long side (1/2 DCT scale would leave no factor of two for the filter).
    [4032, 3024, 2048, 1536],
    // Full-scale rows are filtered (Lanczos-3) to the target.
    [2400, 1600, 2048, 1365],
  ])('%ix%i JPEG → %ix%i main image, upright and recognisable', async (w, h, ew, eh) => {
    const big = paint(w, h, (x, y) => [x < w / 2 ? 255 : 0, y < h / 2 ? 255 : 0, 64, 255]);
    const response = await upload('/images', await encodeJpeg(big, { quality: 80 }), { token });
    expect(response.status).toBe(201);
    const json = (await response.json()) as ImageJson;
    expect([json.width, json.height]).toEqual([ew, eh]);
    const main = await decodeWebp((await objectBytes(keyOf(json.url)))!);
    expect([main.width, main.height]).toEqual([ew, eh]);
    const at = (x: number, y: number) => Array.from(main.data.subarray((y * ew + x) * 4, (y * ew + x) * 4 + 2));
    expect(at(10, 10).map((v) => v > 200)).toEqual([true, true]);
    expect(at(ew - 10, eh - 10).map((v) => v < 50)).toEqual([true, true]);
  });
});

describe('images with alpha are stored at most MAX_ALPHA_OUTPUT_EDGE (libwebp alpha memory)', () => {
  it('a 1600×1000 RGBA PNG → 1254×784, alpha kept', async () => {
    const big = paint(1600, 1000, (x, y) => [255, (y * 255) / 999, 0, (x * 255) / 1599]);
    const response = await upload('/images', await encodePng(big), { token, contentType: 'image/png' });
    expect(response.status).toBe(201);
    const json = (await response.json()) as ImageJson;
    expect([json.width, json.height]).toEqual([MAX_ALPHA_OUTPUT_EDGE, 784]);
    expect(webpHasAlpha((await objectBytes(keyOf(json.url)))!)).toBe(true);
  });
});

describe('rejected uploads', () => {
  it.each(fixtures.rejected.map((f) => [f.name, f] as const))(
    '%s → 4xx with a stable code, nothing stored',
    async (_name, fixture) => {
      const before = await storageSnapshot();
      for (const path of ['/images', '/users/me/avatar']) {
        const response = await upload(path, fixture.bytes, { token, contentType: fixture.contentType });
        await expectError(response, fixture.expect.status, fixture.expect.code);
      }
      expect(await storageSnapshot()).toEqual(before);
    },
  );
});
