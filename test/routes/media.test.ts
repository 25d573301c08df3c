import { beforeAll, describe, expect, it } from 'vitest';
import { mediaCacheKey } from '../../src/cache/edge-cache';
import { encodePng } from '../helpers/encoders';
import { call, expectError, keyOf, objectBytes, tokenFor, untilCached, upload, type ImageJson } from '../helpers/api';
import { noise } from '../fixtures/pixels';

let image: ImageJson;
let stored: Uint8Array;

beforeAll(async () => {
  const token = await tokenFor('media-user');
  const response = await upload('/images', await encodePng(noise(64, 48, 7)), { token, contentType: 'image/png' });
  expect(response.status).toBe(201);
  image = (await response.json()) as ImageJson;
  stored = (await objectBytes(keyOf(image.url)))!;
});

const path = () => new URL(image.url).pathname;

describe('GET /media/<key>', () => {
  it('serves the stored WebP with immutable caching and safe headers', async () => {
    const response = await call(path());
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('image/webp');
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(response.headers.get('Content-Security-Policy')).toBe("default-src 'none'");
    expect(response.headers.get('Content-Disposition')).toBe('inline');
    expect(response.headers.get('ETag')).toMatch(/^"[^"]+"$/);
    expect(response.headers.get('Content-Length')).toBe(String(stored.byteLength));
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(stored);
  });

  describe.each(['miss', 'hit'] as const)('on a cache %s', (state) => {
    /** One request made on a cache miss or on a hit, as the case says, checked to be one. */
    async function get(init: RequestInit = {}): Promise<Response> {
      await untilCached(path()); // also lets any earlier miss finish filling the cache
      if (state === 'miss') await caches.default.delete(mediaCacheKey(keyOf(image.url)));
      const response = await call(path(), init);
      expect(response.headers.get('CF-Cache-Status')).toBe(state === 'hit' ? 'HIT' : null);
      return response;
    }

    it('answers If-None-Match with 304 and no body', async () => {
      const etag = (await get()).headers.get('ETag')!;
      for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const response = await get({ headers: { 'If-None-Match': header } });
        expect(response.status).toBe(304);
        expect(response.headers.get('ETag')).toBe(etag);
        expect(await response.text()).toBe('');
      }
      expect((await get({ headers: { 'If-None-Match': '"stale"' } })).status).toBe(200);
    });

    it.each([
      ['bytes=0-9', 0, 10],
      ['bytes=10-', 10, undefined],
      ['bytes=-16', -16, undefined],
      ['bytes=5-100000000', 5, undefined],
    ])('Range %s → 206 with those bytes', async (range, start, length) => {
      const response = await get({ headers: { Range: range } });
      expect(response.status).toBe(206);
      const from = start < 0 ? stored.byteLength + start : start;
      const to = length === undefined ? stored.byteLength : from + length;
      expect(response.headers.get('Content-Range')).toBe(`bytes ${from}-${to - 1}/${stored.byteLength}`);
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(stored.subarray(from, to));
    });

    it('answers an unsatisfiable Range with 416', async () => {
      const response = await get({ headers: { Range: `bytes=${stored.byteLength}-` } });
      expect(response.status).toBe(416);
      expect(response.headers.get('Content-Range')).toBe(`bytes */${stored.byteLength}`);
    });

    it('answers HEAD with headers and no body', async () => {
      const response = await get({ method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(response.headers.get('Content-Length')).toBe(String(stored.byteLength));
      expect(response.headers.get('Content-Type')).toBe('image/webp');
      expect(await response.text()).toBe('');
    });
  });

  it.each([
    '/media/images/media-user/00000000-0000-4000-8000-000000000000.webp',
    '/media/images/media-user/not-a-uuid.webp',
    '/media/secrets.txt',
    '/media/',
  ])('unknown key %s → 404 JSON', async (missing) => {
    await expectError(await call(missing), 404, 'not_found');
  });

  it.each(['/media/images/x%2e%2e.webp', '/media/images/..%2fx', '/media/a%5cb', '/media/a%00b', '/images?cursor=..'])(
    'traversal-looking path %s → 400',
    async (bad) => {
      await expectError(await call(bad), 400, 'invalid_request');
    },
  );
});
