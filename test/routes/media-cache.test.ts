import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { createExecutionContext } from 'cloudflare:test';
import { createApp } from '../../src/app';
import { runCleanup } from '../../src/cleanup';
import { workerdCodecs } from '../../src/codecs/workerd';
import { withFaults } from '../helpers/faults';
import { encodePng } from '../helpers/encoders';
import {
  BASE,
  call,
  expectError,
  keyOf,
  objectBytes,
  tokenFor,
  untilCached,
  upload,
  type ImageJson,
} from '../helpers/api';
import { noise } from '../fixtures/pixels';

async function uploadImage(userId: string, seed: number): Promise<{ image: ImageJson; token: string }> {
  const token = await tokenFor(userId);
  const response = await upload('/images', await encodePng(noise(40, 30, seed)), { token, contentType: 'image/png' });
  expect(response.status).toBe(201);
  return { image: (await response.json()) as ImageJson, token };
}

const pathOf = (url: string) => new URL(url).pathname;
const app = createApp({ codecs: workerdCodecs });

describe('/media through the edge cache', () => {
  it('a first request is a miss; a repeated one is a HIT with the same bytes and headers', async () => {
    const { image } = await uploadImage('cache-fill', 1);
    const stored = await objectBytes(keyOf(image.url));
    const miss = await call(pathOf(image.url));
    expect(miss.status).toBe(200);
    expect(miss.headers.get('CF-Cache-Status')).toBeNull();
    expect(new Uint8Array(await miss.arrayBuffer())).toEqual(stored);

    const hit = await untilCached(pathOf(image.url));
    expect(hit.status).toBe(200);
    for (const name of [
      'Content-Type',
      'ETag',
      'Content-Length',
      'Content-Security-Policy',
      'X-Content-Type-Options',
    ]) {
      expect(hit.headers.get(name)).toBe(miss.headers.get(name));
    }
    expect(hit.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
    expect(hit.headers.get('Cache-Tag')).toBeNull();
    expect(new Uint8Array(await hit.arrayBuffer())).toEqual(stored);
  });

  it('a hit makes no R2 call (served with the object gone from R2); deleting the image purges it → 404', async () => {
    const { image, token } = await uploadImage('cache-purge', 2);
    const paths = [pathOf(image.url), pathOf(image.thumb_url)];
    const bytes = await Promise.all(paths.map((p) => objectBytes(p.slice('/media/'.length))));
    for (const path of paths) await (await untilCached(path)).arrayBuffer();

    // Take the objects out from behind the cache: a hit cannot have come from R2.
    await env.IMAGES.delete(paths.map((p) => p.slice('/media/'.length)));
    for (const [i, path] of paths.entries()) {
      const response = await call(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('CF-Cache-Status')).toBe('HIT');
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes[i]);
    }

    const deleted = await call(`/images/${image.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(deleted.status).toBe(204);
    for (const path of paths) await expectError(await call(path), 404, 'not_found');
  });

  it('a hit calls neither R2 head nor get (counted on a wrapped binding)', async () => {
    const { image } = await uploadImage('cache-count', 4);
    const path = pathOf(image.url);
    await (await untilCached(path)).arrayBuffer();
    const bucket = withFaults(env.IMAGES, {});
    const response = await app.fetch(
      new Request(`${BASE}${path}`),
      { ...env, IMAGES: bucket.binding },
      createExecutionContext(),
    );
    expect(response.headers.get('CF-Cache-Status')).toBe('HIT');
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(await objectBytes(keyOf(image.url)));
    expect(bucket.calls).toEqual({});
  });

  it('the cleanup job purges the orphans it deletes', async () => {
    const { image } = await uploadImage('cache-orphan', 3);
    const path = pathOf(image.url);
    await (await untilCached(path)).arrayBuffer();
    // The row goes without its objects (a delete whose object removal failed): they are orphans now.
    await env.DB.prepare('DELETE FROM images WHERE id = ?1').bind(image.id).run();
    expect((await call(path)).headers.get('CF-Cache-Status')).toBe('HIT');

    const report = await runCleanup(env.IMAGES, env.DB, { now: Date.now() + 3600_000, graceMs: 0 });
    expect(report.deletedOrphans).toContain(keyOf(image.url));
    await expectError(await call(path), 404, 'not_found');
  });
});
