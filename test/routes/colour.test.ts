import { beforeAll, describe, expect, it } from 'vitest';
import { decodeWebp, encodeJpeg, encodePng } from '../helpers/encoders';
import { env } from 'cloudflare:workers';
import { thumbHashToAverageRGBA } from 'thumbhash';
import { call, keyOf, objectBytes, tokenFor, upload, type ImageJson } from '../helpers/api';
import { concat, zlibCompress, ascii } from '../fixtures/bytes';
import { ADOBE_RGB, buildIccProfile, DISPLAY_P3 } from '../fixtures/icc';
import { app2Icc, withSegments } from '../fixtures/jpeg';
import { withChunks } from '../fixtures/png';
import { paint } from '../fixtures/pixels';
import type { RgbaImage } from '../../src/pipeline/types';

let token: string;
beforeAll(async () => {
  token = await tokenFor('colour-tester');
});

// Four flat patches (quadrants) and what lcms 2.14 makes of them in sRGB
// (relative colorimetric; see test/pipeline/colour/convert.test.ts for how the
// numbers were computed).
const PATCHES = [
  [192, 0, 0],
  [200, 150, 100],
  [50, 100, 200],
  [120, 180, 240],
] as const;
const LCMS = {
  adobe: [
    [225, 0, 0],
    [217, 151, 97],
    [0, 100, 204],
    [81, 181, 243],
  ],
  p3: [
    [210, 0, 0],
    [209, 147, 91],
    [26, 101, 207],
    [100, 182, 246],
  ],
};

function patches(width: number, height: number): RgbaImage {
  return paint(width, height, (x, y) => {
    const p = PATCHES[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)]!;
    return [p[0], p[1], p[2], 255];
  });
}

/** The mean colour of the middle half of each quadrant. */
function patchMeans(image: RgbaImage): number[][] {
  const { width: w, height: h, data } = image;
  return [
    [0, 0],
    [w / 2, 0],
    [0, h / 2],
    [w / 2, h / 2],
  ].map(([x0, y0]) => {
    const sum = [0, 0, 0];
    let n = 0;
    for (let y = Math.floor(y0! + h / 8); y < y0! + (3 * h) / 8; y++) {
      for (let x = Math.floor(x0! + w / 8); x < x0! + (3 * w) / 8; x++) {
        for (let c = 0; c < 3; c++) sum[c]! += data[(y * w + x) * 4 + c]!;
        n++;
      }
    }
    return sum.map((v) => Math.round(v / n));
  });
}

async function uploadAndDecode(bytes: Uint8Array, contentType: string) {
  const response = await upload('/images', bytes, { token, contentType });
  expect(response.status).toBe(201);
  const json = (await response.json()) as ImageJson;
  const main = await decodeWebp((await objectBytes(keyOf(json.url)))!);
  const thumb = await decodeWebp((await objectBytes(keyOf(json.thumb_url)))!);
  return { json, main, thumb };
}

/** Each patch within `tolerance` levels (JPEG + WebP loss) of lcms's conversion. */
function expectPatches(image: RgbaImage, expected: number[][], tolerance: number) {
  patchMeans(image).forEach((got, i) =>
    got.forEach((v, c) =>
      expect(Math.abs(v - expected[i]![c]!), `patch ${i}: ${got} vs ${expected[i]}`).toBeLessThanOrEqual(tolerance),
    ),
  );
}

describe('uploads are converted to sRGB from their embedded profile', () => {
  it('Adobe RGB (1998) JPEG (APP2 ICC_PROFILE): stored pixels match lcms, main and thumbnail', async () => {
    const jpeg = withSegments(await encodeJpeg(patches(96, 64), { quality: 95 }), [
      app2Icc(buildIccProfile(ADOBE_RGB)),
    ]);
    const { json, main, thumb } = await uploadAndDecode(jpeg, 'image/jpeg');
    expect(json.colour).toEqual({ source: 'Adobe RGB (1998)', converted: true });
    // Stored in D1: the image JSON read back says the same.
    const again = await call(`/images/${json.id}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(((await again.json()) as ImageJson).colour).toEqual({ source: 'Adobe RGB (1998)', converted: true });
    const row = await env.DB.prepare('SELECT colour_source, colour_converted FROM images WHERE id = ?1')
      .bind(json.id)
      .first();
    expect(row).toEqual({ colour_source: 'Adobe RGB (1998)', colour_converted: 1 });
    // The ThumbHash is in the JSON and in D1, and paints the thumbnail's average colour.
    const stored = await env.DB.prepare('SELECT thumbhash FROM images WHERE id = ?1').bind(json.id).first('thumbhash');
    expect(stored).toBe(json.thumbhash);
    const average = thumbHashToAverageRGBA(Uint8Array.from(atob(json.thumbhash!), (c) => c.charCodeAt(0)));
    const thumbMean = [0, 1, 2].map((c) => {
      let sum = 0;
      for (let i = c; i < thumb.data.length; i += 4) sum += thumb.data[i]!;
      return sum / (thumb.width * thumb.height) / 255;
    });
    [average.r, average.g, average.b].forEach((v, c) => expect(Math.abs(v - thumbMean[c]!)).toBeLessThan(0.1));
    expectPatches(main, LCMS.adobe, 4);
    expectPatches(thumb, LCMS.adobe, 4);
  });

  it('Display P3 PNG (iCCP): stored pixels match lcms', async () => {
    const iccp = concat(ascii('Display P3\0\0'), await zlibCompress(buildIccProfile(DISPLAY_P3)));
    const png = withChunks(await encodePng(patches(96, 64)), [{ type: 'iCCP', data: iccp }]);
    const { json, main } = await uploadAndDecode(png, 'image/png');
    expect(json.colour).toEqual({ source: 'Display P3', converted: true });
    expectPatches(main, LCMS.p3, 4);
  });

  it('a malformed profile is ignored and reported, not a 5xx', async () => {
    const broken = buildIccProfile(ADOBE_RGB).slice(0, 200);
    const jpeg = withSegments(await encodeJpeg(patches(96, 64), { quality: 95 }), [app2Icc(broken)]);
    const { json, main } = await uploadAndDecode(jpeg, 'image/jpeg');
    expect(json.colour).toEqual({ source: 'Invalid ICC profile', converted: false });
    expectPatches(
      main,
      PATCHES.map((p) => [...p]),
      4,
    );
  });

  it('an untagged JPEG is kept as sRGB', async () => {
    const { json, main } = await uploadAndDecode(await encodeJpeg(patches(96, 64), { quality: 95 }), 'image/jpeg');
    expect(json.colour).toEqual({ source: 'sRGB', converted: false });
    expectPatches(
      main,
      PATCHES.map((p) => [...p]),
      4,
    );
  });

  it('a 1-px black/white checkerboard becomes the linear-light grey in main and thumbnail', async () => {
    const board = paint(4096, 48, (x, y) => ((x + y) % 2 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
    const { main, thumb } = await uploadAndDecode(await encodePng(board), 'image/png');
    for (const image of [main, thumb]) {
      let sum = 0;
      for (let i = 0; i < image.data.length; i += 4) sum += image.data[i]!;
      const mean = sum / (image.width * image.height);
      expect(mean).toBeGreaterThanOrEqual(180);
      expect(mean).toBeLessThanOrEqual(196);
    }
  });
});
