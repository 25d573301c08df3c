import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { sign } from 'hono/jwt';
import { encodePng } from '../helpers/encoders';
import { call, expectError, tokenFor, upload, type ImageJson } from '../helpers/api';
import { quadrants } from '../fixtures/pixels';

const png = () => encodePng(quadrants(8, 8));

describe('authentication', () => {
  const now = Math.floor(Date.now() / 1000);
  it.each<[string, () => Promise<string | undefined>]>([
    ['no token', async () => undefined],
    ['garbage token', async () => 'Bearer not-a-jwt'],
    ['wrong secret', async () => `Bearer ${await tokenFor('alice', {}, 'another-secret-0123456789abcdef0123456789')}`],
    ['expired', async () => `Bearer ${await tokenFor('alice', { exp: now - 60 })}`],
    ['not yet valid', async () => `Bearer ${await tokenFor('alice', { nbf: now + 600 })}`],
    ['no sub', async () => `Bearer ${await sign({ exp: now + 60 }, env.JWT_SECRET!, 'HS256')}`],
    ['unsafe sub', async () => `Bearer ${await tokenFor('../bob')}`],
    [
      'alg none',
      async () =>
        `Bearer ${btoa('{"alg":"none","typ":"JWT"}').replace(/=/g, '')}.${btoa(`{"sub":"alice","exp":${now + 60}}`).replace(/=/g, '')}.`,
    ],
  ])('%s → 401 unauthorized', async (_name, header) => {
    const authorization = await header();
    for (const [method, path] of [
      ['POST', '/images'],
      ['GET', '/images'],
      ['POST', '/users/me/avatar'],
      ['DELETE', '/users/me/avatar'],
    ] as const) {
      const headers: Record<string, string> = { 'Content-Type': 'image/png' };
      if (authorization) headers.Authorization = authorization;
      const response = await call(path, { method, headers, body: method === 'POST' ? await png() : undefined });
      await expectError(response, 401, 'unauthorized');
      expect(response.headers.get('WWW-Authenticate')).toBe('Bearer');
    }
  });
});

describe('ownership', () => {
  it("another user's image is 404 for read and delete, and survives", async () => {
    const alice = await tokenFor('alice');
    const bob = await tokenFor('bob');
    const created = (await (
      await upload('/images', await png(), { token: alice, contentType: 'image/png' })
    ).json()) as ImageJson;

    const auth = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });
    await expectError(await call(`/images/${created.id}`, auth(bob)), 404, 'not_found');
    await expectError(await call(`/images/${created.id}`, { method: 'DELETE', ...auth(bob) }), 404, 'not_found');
    const list = (await (await call('/images', auth(bob))).json()) as { images: ImageJson[] };
    expect(list.images.map((i) => i.id)).not.toContain(created.id);

    const mine = await call(`/images/${created.id}`, auth(alice));
    expect(mine.status).toBe(200);
    expect(((await mine.json()) as ImageJson).id).toBe(created.id);
  });
});
