import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { sign } from 'hono/jwt';
import { encodePng } from '../helpers/encoders';
import { call, expectError, keyOf, tokenFor, upload, type AvatarUploadJson, type ImageJson } from '../helpers/api';
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
    ['sub with a control character', async () => `Bearer ${await tokenFor('bob\n')}`],
    ['sub over 255 characters', async () => `Bearer ${await tokenFor('b'.repeat(256))}`],
    ['empty sub', async () => `Bearer ${await tokenFor('')}`],
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

describe('subjects from real identity providers (HS256 here; JWKS in test/middleware/auth.test.ts)', () => {
  it.each([
    ['alice-classic_01', 'alice-classic_01'],
    ['google-oauth2|118012345678901234567', /^h-[a-z2-7]{26}$/],
    ['001234.0a1b2c3d4e5f.1234', /^h-[a-z2-7]{26}$/],
    ['../bob', /^h-[a-z2-7]{26}$/],
    ['h-aaaaaaaaaaaaaaaaaaaaaaaaaa', /^h-[a-z2-7]{26}$/],
    ['x'.repeat(255), /^h-[a-z2-7]{26}$/],
  ] as const)('sub %j is accepted; its keys use a safe id, its subject is on record', async (sub, expected) => {
    const token = await tokenFor(sub);
    const response = await upload('/users/me/avatar', await png(), { token, contentType: 'image/png' });
    expect(response.status).toBe(201);
    const { avatar_url } = (await response.json()) as AvatarUploadJson;
    const userId = keyOf(avatar_url).split('/')[1]!;
    if (typeof expected === 'string') expect(userId).toBe(expected);
    else expect(userId).toMatch(expected);
    // A sub shaped like a derived id is hashed too, so it cannot take another subject's id.
    if (sub.startsWith('h-')) expect(userId).not.toBe(sub);
    const onRecord = await env.DB.prepare('SELECT sub FROM users WHERE id = ?1').bind(userId).first<string>('sub');
    expect(onRecord).toBe(sub);

    // The same subject keeps its id.
    const again = await upload('/images', await png(), { token, contentType: 'image/png' });
    expect(keyOf(((await again.json()) as ImageJson).url).split('/')[1]).toBe(userId);

    // The stable avatar URL answers to the id, and to the percent-encoded subject.
    for (const param of [userId, encodeURIComponent(sub)]) {
      if (param.startsWith('..')) continue; // `..` is refused before routing
      if (sub.startsWith('h-') && param === sub) continue; // an id-shaped parameter is taken as an id
      const redirect = await call(`/users/${param}/avatar`, { redirect: 'manual' });
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get('Location')).toBe(avatar_url);
    }
  });

  it('different subjects get different ids', async () => {
    const ids = new Set<string>();
    for (const sub of ['auth0|64f1a', 'auth0|64f1b', 'auth0|64F1a', 'auth0|64f1a ']) {
      const response = await upload('/images', await png(), { token: await tokenFor(sub), contentType: 'image/png' });
      ids.add(keyOf(((await response.json()) as ImageJson).url).split('/')[1]!);
    }
    expect(ids.size).toBe(4);
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
