import { describe, expect, it } from 'vitest';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createApp } from '../../src/app';
import { workerdCodecs } from '../../src/codecs/workerd';
import { encodePng } from '../helpers/encoders';
import { BASE, call, expectError, objectBytes, tokenFor, type ImageJson } from '../helpers/api';
import { noise } from '../fixtures/pixels';

const MEDIA = 'https://media.example.test';
const app = createApp({ codecs: workerdCodecs });

/** The gateway with PUBLIC_MEDIA_BASE_URL set, on the same local R2 and D1. */
async function callWithMediaDomain(path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await app.fetch(
    new Request(`${BASE}${path}`, init),
    { ...env, PUBLIC_MEDIA_BASE_URL: `${MEDIA}/` },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

describe('PUBLIC_MEDIA_BASE_URL', () => {
  it('set: returned URLs are <media domain>/<R2 key>, and /media still serves the object', async () => {
    const token = await tokenFor('media-domain');
    const upload = async (path: string, seed: number) =>
      callWithMediaDomain(path, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'image/png' },
        body: await encodePng(noise(24, 16, seed)),
      });
    const imageResponse = await upload('/images', 1);
    expect(imageResponse.status).toBe(201);
    const image = (await imageResponse.json()) as ImageJson;
    const avatarResponse = await upload('/users/me/avatar', 2);
    expect(avatarResponse.status).toBe(201);
    const avatar = (await avatarResponse.json()) as { avatar_url: string; avatar_thumb_url: string };

    for (const url of [image.url, image.thumb_url, avatar.avatar_url, avatar.avatar_thumb_url]) {
      // An R2 custom domain serves the object named by the URL's path: it must be the object's key.
      expect(url.startsWith(`${MEDIA}/`)).toBe(true);
      const key = url.slice(MEDIA.length + 1);
      const stored = await objectBytes(key);
      expect(stored).not.toBeNull();
      const viaWorker = await callWithMediaDomain(`/media/${key}`);
      expect(viaWorker.status).toBe(200);
      expect(new Uint8Array(await viaWorker.arrayBuffer())).toEqual(stored);
    }
    const listed = (await (
      await callWithMediaDomain('/images', { headers: { Authorization: `Bearer ${token}` } })
    ).json()) as { images: ImageJson[] };
    expect(listed.images.map((i) => i.url)).toContain(image.url);

    const redirect = await callWithMediaDomain('/users/media-domain/avatar', { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('Location')).toBe(avatar.avatar_url);
    // The same cached redirect entry serves the default configuration with its own URLs.
    const plain = await call('/users/media-domain/avatar', { redirect: 'manual' });
    expect(plain.headers.get('Location')).toBe(`${BASE}/media/${avatar.avatar_url.slice(MEDIA.length + 1)}`);
  });

  it('unset (the default): returned URLs are this Worker’s /media/<key>', async () => {
    const token = await tokenFor('media-default');
    const response = await call('/images', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'image/png' },
      body: await encodePng(noise(24, 16, 3)),
    });
    const image = (await response.json()) as ImageJson;
    expect(image.url).toBe(`${BASE}/media/images/media-default/${image.id}.webp`);
    expect((await call(new URL(image.url).pathname)).status).toBe(200);
  });

  it('a value that is not an http(s) URL is refused with the var named', async () => {
    const response = await app.fetch(
      new Request(`${BASE}/health`),
      { ...env, PUBLIC_MEDIA_BASE_URL: 'media.example.test' },
      createExecutionContext(),
    );
    await expectError(response, 500, 'internal_error');
  });
});
