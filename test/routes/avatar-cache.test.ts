import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { encodePng } from '../helpers/encoders';
import { call, expectError, tokenFor, untilCached, upload, type AvatarUploadJson } from '../helpers/api';
import { noise } from '../fixtures/pixels';

async function setAvatar(token: string, seed: number): Promise<AvatarUploadJson> {
  const response = await upload('/users/me/avatar', await encodePng(noise(30, 20, seed)), {
    token,
    contentType: 'image/png',
  });
  expect(response.status).toBe(201);
  return (await response.json()) as AvatarUploadJson;
}

const manual = { redirect: 'manual' } as const;

describe('the stable avatar redirect through the edge cache', () => {
  it('is cached per user and purged when the avatar changes or is deleted', async () => {
    const token = await tokenFor('redirect-cache');
    const first = await setAvatar(token, 1);
    const paths = [
      ['/users/redirect-cache/avatar', 'avatar_url'],
      ['/users/redirect-cache/avatar/thumb', 'avatar_thumb_url'],
    ] as const;

    for (const [path, field] of paths) {
      const miss = await call(path, manual);
      expect(miss.status).toBe(302);
      expect(miss.headers.get('CF-Cache-Status')).toBeNull();
      const hit = await untilCached(path, manual);
      expect(hit.status).toBe(302);
      expect(hit.headers.get('Location')).toBe(first[field]);
      expect(hit.headers.get('Cache-Control')).toBe('public, max-age=60');
    }

    // Unpoint the profile behind the cache: the redirect still comes from the cache, not D1.
    await env.DB.prepare('UPDATE profiles SET avatar_image_id = NULL WHERE user_id = ?1').bind('redirect-cache').run();
    expect((await call(paths[0][0], manual)).headers.get('Location')).toBe(first.avatar_url);
    await env.DB.prepare('UPDATE profiles SET avatar_image_id = ?2 WHERE user_id = ?1')
      .bind('redirect-cache', first.image.id)
      .run();

    // A new avatar purges the redirects at once.
    const second = await setAvatar(token, 2);
    for (const [path, field] of paths) {
      const response = await call(path, manual);
      expect(response.headers.get('CF-Cache-Status')).toBeNull();
      expect(response.headers.get('Location')).toBe(second[field]);
      await untilCached(path, manual);
    }

    // Deleting it too.
    const deleted = await call('/users/me/avatar', { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } });
    expect(deleted.status).toBe(204);
    for (const [path] of paths) await expectError(await call(path, manual), 404, 'not_found');
  });

  it('deleting the current avatar through /images/:id purges its redirect', async () => {
    const token = await tokenFor('redirect-image-delete');
    const avatar = await setAvatar(token, 3);
    await untilCached('/users/redirect-image-delete/avatar', manual);
    const deleted = await call(`/images/${avatar.image.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(deleted.status).toBe(204);
    await expectError(await call('/users/redirect-image-delete/avatar', manual), 404, 'not_found');
  });
});
