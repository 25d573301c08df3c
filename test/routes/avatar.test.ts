import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { encodePng } from '../helpers/encoders';
import {
  allKeys,
  call,
  expectError,
  keyOf,
  tokenFor,
  upload,
  type AvatarUploadJson,
  type ImageJson,
} from '../helpers/api';
import { noise } from '../fixtures/pixels';

async function setAvatar(token: string, seed: number, multipart = false): Promise<AvatarUploadJson> {
  const response = await upload('/users/me/avatar', await encodePng(noise(30, 20, seed)), {
    token,
    contentType: 'image/png',
    multipart,
  });
  expect(response.status).toBe(201);
  return (await response.json()) as AvatarUploadJson;
}

const profilePointer = (userId: string) =>
  env.DB.prepare('SELECT avatar_image_id AS id FROM profiles WHERE user_id = ?1').bind(userId).first<string>('id');

describe('avatar flow', () => {
  it('stores main + thumbnail under avatars/<user>/ and points the profile at them', async () => {
    const token = await tokenFor('ava');
    const body = await setAvatar(token, 1, true);
    expect(body.image.kind).toBe('avatar');
    expect(body.avatar_url).toBe(body.image.url);
    expect(body.avatar_thumb_url).toBe(body.image.thumb_url);
    expect(keyOf(body.avatar_url)).toBe(`avatars/ava/${body.image.id}.webp`);
    expect(keyOf(body.avatar_thumb_url)).toBe(`avatars/ava/${body.image.id}_thumb.webp`);
    expect(await profilePointer('ava')).toBe(body.image.id);

    const object = await env.IMAGES.head(keyOf(body.avatar_url));
    expect(object?.httpMetadata?.contentType).toBe('image/webp');
    expect(object?.httpMetadata?.cacheControl).toBe('public, max-age=31536000, immutable');
    expect(object?.customMetadata).toMatchObject({ owner: 'ava', image: body.image.id, width: '30', height: '20' });
  });

  it('the stable URL redirects to the current object, briefly cacheable', async () => {
    const token = await tokenFor('stable');
    const body = await setAvatar(token, 2);
    for (const [path, target] of [
      ['/users/stable/avatar', body.avatar_url],
      ['/users/stable/avatar/thumb', body.avatar_thumb_url],
    ] as const) {
      const response = await call(path, { redirect: 'manual' });
      expect(response.status).toBe(302);
      expect(response.headers.get('Location')).toBe(target);
      expect(response.headers.get('Cache-Control')).toBe('public, max-age=60');
    }
    await expectError(await call('/users/nobody-here/avatar'), 404, 'not_found');
    await expectError(await call('/users/bad%01id/avatar'), 400, 'invalid_request');
  });

  it('replacing removes the previous row and objects, after the profile points at the new one', async () => {
    const token = await tokenFor('replacer');
    const first = await setAvatar(token, 3);
    const second = await setAvatar(token, 4);
    expect(second.image.id).not.toBe(first.image.id);
    expect(await profilePointer('replacer')).toBe(second.image.id);

    const keys = await allKeys();
    expect(keys).not.toContain(keyOf(first.avatar_url));
    expect(keys).not.toContain(keyOf(first.avatar_thumb_url));
    expect(keys).toEqual(expect.arrayContaining([keyOf(second.avatar_url), keyOf(second.avatar_thumb_url)]));
    const rows = await env.DB.prepare('SELECT id FROM images WHERE owner_id = ?1')
      .bind('replacer')
      .all<{ id: string }>();
    expect(rows.results.map((r) => r.id)).toEqual([second.image.id]);
    expect((await call('/users/replacer/avatar', { redirect: 'manual' })).headers.get('Location')).toBe(
      second.avatar_url,
    );
  });

  it('DELETE /users/me/avatar clears the profile and removes the objects', async () => {
    const token = await tokenFor('remover');
    const body = await setAvatar(token, 5);
    const response = await call('/users/me/avatar', {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(204);
    expect(await profilePointer('remover')).toBeNull();
    const keys = await allKeys();
    expect(keys).not.toContain(keyOf(body.avatar_url));
    expect(keys).not.toContain(keyOf(body.avatar_thumb_url));
    await expectError(await call('/users/remover/avatar'), 404, 'not_found');
    await expectError(
      await call('/users/me/avatar', { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } }),
      404,
      'not_found',
    );
  });

  it('general uploads do not touch the profile', async () => {
    const token = await tokenFor('general');
    const avatar = await setAvatar(token, 6);
    const response = await upload('/images', await encodePng(noise(10, 10, 7)), { token, contentType: 'image/png' });
    expect(response.status).toBe(201);
    const image = (await response.json()) as ImageJson;
    expect(image.kind).toBe('image');
    expect(keyOf(image.url)).toBe(`images/general/${image.id}.webp`);
    expect(await profilePointer('general')).toBe(avatar.image.id);
  });

  it('deleting the current avatar through /images/:id unpoints the profile', async () => {
    const token = await tokenFor('unpoint');
    const body = await setAvatar(token, 8);
    const response = await call(`/images/${body.image.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(204);
    expect(await profilePointer('unpoint')).toBeNull();
    await expectError(await call('/users/unpoint/avatar'), 404, 'not_found');
  });
});
