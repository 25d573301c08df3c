import { describe, expect, it } from 'vitest';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createApp } from '../../src/app';
import { runCleanup } from '../../src/cleanup';
import { workerdCodecs } from '../../src/codecs/workerd';
import { decodeWebp, encodePng } from '../helpers/encoders';
import { webpSize } from '../helpers/webp-inspect';
import {
  allKeys,
  BASE,
  call,
  expectError,
  keyOf,
  objectBytes,
  tokenFor,
  untilCached,
  upload,
  type AvatarUploadJson,
  type ImageJson,
  type VariantJson,
} from '../helpers/api';
import { noise } from '../fixtures/pixels';
import { subjectOnBackdrop } from '../fixtures/subject';

const manual = { redirect: 'manual' } as const;
const PICTURE = subjectOnBackdrop(360, 240, { x: 24, y: 72, size: 120 });

async function setAvatar(userId: string, seed = 1): Promise<{ token: string; avatar: AvatarUploadJson }> {
  const token = await tokenFor(userId);
  const picture = seed === 1 ? PICTURE : subjectOnBackdrop(360, 240, { x: 180, y: 30, size: 120 }, seed);
  const response = await upload('/users/me/avatar', await encodePng(picture), { token, contentType: 'image/png' });
  expect(response.status).toBe(201);
  return { token, avatar: (await response.json()) as AvatarUploadJson };
}

async function uploadImage(userId: string): Promise<{ token: string; image: ImageJson }> {
  const token = await tokenFor(userId);
  const response = await upload('/images', await encodePng(PICTURE), { token, contentType: 'image/png' });
  expect(response.status).toBe(201);
  return { token, image: (await response.json()) as ImageJson };
}

const variantKeysOf = async (id: string) => (await allKeys()).filter((k) => k.includes(`${id}_co`));

describe('GET /users/:userId/avatar?size=N&fit=…', () => {
  it('size=64&fit=cover: 302 to a stored 64×64 WebP of a few KB; later requests reuse it', async () => {
    const { avatar } = await setAvatar('variant-cover');
    const first = await call('/users/variant-cover/avatar?size=64&fit=cover', manual);
    expect(first.status).toBe(302);
    expect(first.headers.get('Cache-Control')).toBe('public, max-age=60');
    const location = first.headers.get('Location')!;
    expect(keyOf(location)).toBe(`avatars/variant-cover/${avatar.image.id}_cover_64.webp`);

    const served = await call(new URL(location).pathname);
    expect(served.status).toBe(200);
    expect(served.headers.get('Content-Type')).toBe('image/webp');
    const bytes = new Uint8Array(await served.arrayBuffer());
    expect(webpSize(bytes)).toEqual({ width: 64, height: 64 });
    expect(bytes.byteLength).toBeLessThan(4096);
    const stored = await env.IMAGES.head(keyOf(location));
    expect(stored?.customMetadata).toMatchObject({ owner: 'variant-cover', image: avatar.image.id, fit: 'cover' });

    // Later requests (cached redirect or not) point at the same object; it is not rewritten.
    const again = await untilCached('/users/variant-cover/avatar?size=64&fit=cover', manual);
    expect(again.headers.get('Location')).toBe(location);
    await caches.default.delete('https://edge-image-gateway.cache/avatar/variant-cover/64-cover');
    expect((await call('/users/variant-cover/avatar?size=64&fit=cover', manual)).headers.get('Location')).toBe(
      location,
    );
    expect((await env.IMAGES.head(keyOf(location)))?.etag).toBe(stored?.etag);
    expect(await variantKeysOf(avatar.image.id)).toEqual([keyOf(location)]);
  });

  it('the default fit for an avatar is cover; contain fits inside N×N', async () => {
    const { avatar } = await setAvatar('variant-fits');
    const cover = await call('/users/variant-fits/avatar?size=32', manual);
    expect(keyOf(cover.headers.get('Location')!)).toBe(`avatars/variant-fits/${avatar.image.id}_cover_32.webp`);
    const contain = await call('/users/variant-fits/avatar?size=96&fit=contain', manual);
    const bytes = (await objectBytes(keyOf(contain.headers.get('Location')!)))!;
    expect(webpSize(bytes)).toEqual({ width: 96, height: 64 });
    // Same picture, independently reduced: the mean colour matches the main image's.
    const mean = (data: Uint8ClampedArray, channel: number) => {
      let sum = 0;
      for (let i = channel; i < data.length; i += 4) sum += data[i]!;
      return sum / (data.length / 4);
    };
    const main = await decodeWebp((await objectBytes(keyOf(avatar.avatar_url)))!);
    const small = await decodeWebp(bytes);
    for (const channel of [0, 1, 2])
      expect(Math.abs(mean(small.data, channel) - mean(main.data, channel))).toBeLessThan(4);
  });

  it.each([
    ['size=65', 'not a configured size'],
    ['size=abc', 'not a number'],
    ['size=064', 'not canonical'],
    ['size=', 'empty'],
    ['fit=cover', 'fit without size'],
    ['size=64&fit=fill', 'unknown fit'],
  ])('%s (%s) → 400 invalid_request listing the allowed values', async (query) => {
    const response = await call(`/users/variant-bad/avatar?${query}`, manual);
    const body = (await response.clone().json()) as { error: { details: Record<string, unknown> } };
    await expectError(response, 400, 'invalid_request');
    const allowed = body.error.details.allowed_sizes ?? body.error.details.allowed_fits;
    expect(allowed).toEqual(query.includes('fill') ? ['cover', 'contain'] : [32, 48, 64, 96, 128, 192, 256, 512]);
  });

  it('two concurrent first requests store one object', async () => {
    const { avatar } = await setAvatar('variant-race');
    const [a, b] = await Promise.all([
      call('/users/variant-race/avatar?size=128&fit=cover', manual),
      call('/users/variant-race/avatar?size=128&fit=cover', manual),
    ]);
    expect(a.status).toBe(302);
    expect(b.headers.get('Location')).toBe(a.headers.get('Location'));
    expect(await variantKeysOf(avatar.image.id)).toEqual([`avatars/variant-race/${avatar.image.id}_cover_128.webp`]);
  });

  it('a request that loses the create-only write to another isolate serves the winner, untouched', async () => {
    const { avatar } = await setAvatar('variant-loser');
    const key = `avatars/variant-loser/${avatar.image.id}_cover_48.webp`;
    // Another isolate's object, there before this request's write but after its existence check.
    const winner = await env.IMAGES.put(key, new Uint8Array([1, 2, 3]), {
      customMetadata: { width: '48', height: '48' },
    });
    let heads = 0;
    const bucket = new Proxy(env.IMAGES, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (property === 'head') return (k: string) => (++heads === 1 ? Promise.resolve(null) : target.head(k));
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const ctx = createExecutionContext();
    const response = await createApp({ codecs: workerdCodecs }).fetch(
      new Request(`${BASE}/users/variant-loser/avatar?size=48&fit=cover`, manual),
      { ...env, IMAGES: bucket },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(302);
    expect(keyOf(response.headers.get('Location')!)).toBe(key);
    expect(heads).toBe(2);
    expect((await env.IMAGES.head(key))?.etag).toBe(winner.etag);
    expect(await objectBytes(key)).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('a new avatar purges the sized redirects; the old variants go with the old avatar', async () => {
    const { token, avatar: first } = await setAvatar('variant-replace');
    const path = '/users/variant-replace/avatar?size=64&fit=cover';
    const old = (await untilCached(path, manual)).headers.get('Location')!;
    await untilCached(new URL(old).pathname);

    const response = await upload('/users/me/avatar', await encodePng(noise(50, 40, 9)), {
      token,
      contentType: 'image/png',
    });
    const second = (await response.json()) as AvatarUploadJson;
    const fresh = await call(path, manual);
    expect(keyOf(fresh.headers.get('Location')!)).toBe(`avatars/variant-replace/${second.image.id}_cover_64.webp`);
    expect(await variantKeysOf(first.image.id)).toEqual([]);
    await expectError(await call(new URL(old).pathname), 404, 'not_found');
  });
});

describe('GET /images/:id/variants?size=N&fit=…', () => {
  it('returns the stored variant (generated once) as JSON with its immutable URL', async () => {
    const { token, image } = await uploadImage('variant-images');
    const auth = { headers: { Authorization: `Bearer ${token}` } };
    const response = await call(`/images/${image.id}/variants?size=128`, auth);
    expect(response.status).toBe(200);
    const variant = (await response.json()) as VariantJson;
    expect(variant).toMatchObject({ size: 128, fit: 'contain', width: 128, height: 85, content_type: 'image/webp' });
    expect(keyOf(variant.url)).toBe(`images/variant-images/${image.id}_contain_128.webp`);
    const bytes = (await objectBytes(keyOf(variant.url)))!;
    expect(bytes.byteLength).toBe(variant.bytes);
    expect(webpSize(bytes)).toEqual({ width: 128, height: 85 });
    expect(await (await call(`/images/${image.id}/variants?size=128`, auth)).json()).toEqual(variant);

    const cover = (await (await call(`/images/${image.id}/variants?size=64&fit=cover`, auth)).json()) as VariantJson;
    expect([cover.width, cover.height]).toEqual([64, 64]);

    const other = await tokenFor('variant-stranger');
    await expectError(
      await call(`/images/${image.id}/variants?size=128`, { headers: { Authorization: `Bearer ${other}` } }),
      404,
      'not_found',
    );
    await expectError(await call(`/images/${image.id}/variants`, auth), 400, 'invalid_request');
    await expectError(await call(`/images/${image.id}/variants?size=100`, auth), 400, 'invalid_request');
  });

  it('deleting the image deletes its variants and makes every URL 404, cached ones too', async () => {
    const { token, image } = await uploadImage('variant-delete');
    const auth = { headers: { Authorization: `Bearer ${token}` } };
    const urls = [image.url, image.thumb_url];
    for (const query of ['size=32', 'size=256&fit=cover']) {
      urls.push(((await (await call(`/images/${image.id}/variants?${query}`, auth)).json()) as VariantJson).url);
    }
    expect(await variantKeysOf(image.id)).toHaveLength(2);
    for (const url of urls) await (await untilCached(new URL(url).pathname)).arrayBuffer();

    expect((await call(`/images/${image.id}`, { method: 'DELETE', ...auth })).status).toBe(204);
    expect((await allKeys()).filter((k) => k.includes(image.id))).toEqual([]);
    for (const url of urls) await expectError(await call(new URL(url).pathname), 404, 'not_found');
  });
});

describe('the cleanup job and variants', () => {
  it('counts variants, keeps those whose image exists, deletes orphaned ones', async () => {
    const kept = await uploadImage('variant-cron-kept');
    const gone = await uploadImage('variant-cron-gone');
    for (const { token, image } of [kept, gone]) {
      const response = await call(`/images/${image.id}/variants?size=48`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
    }
    await env.DB.prepare('DELETE FROM images WHERE id = ?1').bind(gone.image.id).run();

    const report = await runCleanup(env.IMAGES, env.DB, { now: Date.now() + 3600_000, graceMs: 0 });
    expect(report.variantObjects).toBeGreaterThanOrEqual(2);
    expect(report.deletedOrphans).toContain(`images/variant-cron-gone/${gone.image.id}_contain_48.webp`);
    expect(await variantKeysOf(kept.image.id)).toEqual([`images/variant-cron-kept/${kept.image.id}_contain_48.webp`]);
    expect(await variantKeysOf(gone.image.id)).toEqual([]);
  });
});
