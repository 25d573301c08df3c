import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { encodePng } from '../helpers/encoders';
import { allKeys, call, expectError, keyOf, tokenFor, upload, type ImageJson } from '../helpers/api';
import { noise } from '../fixtures/pixels';

const auth = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

async function uploadPng(token: string, seed: number): Promise<ImageJson> {
  const response = await upload('/images', await encodePng(noise(20, 10, seed)), { token, contentType: 'image/png' });
  expect(response.status).toBe(201);
  return (await response.json()) as ImageJson;
}

describe('GET /images', () => {
  it('pages through your own images newest first with a cursor', async () => {
    const token = await tokenFor('lister');
    const uploaded: ImageJson[] = [];
    for (let i = 0; i < 5; i++) uploaded.push(await uploadPng(token, i));
    await uploadPng(await tokenFor('someone-else'), 99);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const response = await call(`/images${query}`, auth(token));
      expect(response.status).toBe(200);
      const page = (await response.json()) as { images: ImageJson[]; next_cursor: string | null };
      expect(page.images.length).toBeLessThanOrEqual(2);
      seen.push(...page.images.map((i) => i.id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 10);

    expect(pages).toBe(3);
    const newestFirst = [...uploaded].sort((a, b) =>
      a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1,
    );
    expect(seen).toEqual(newestFirst.map((i) => i.id));
  });

  it.each(['?limit=0', '?limit=101', '?limit=abc', '?cursor=%21%21', '?cursor=bm90LWEtY3Vyc29y'])(
    'bad query %s → 400 invalid_request',
    async (query) => {
      await expectError(await call(`/images${query}`, auth(await tokenFor('lister'))), 400, 'invalid_request');
    },
  );
});

describe('GET /images/:id', () => {
  it('returns the metadata the upload returned', async () => {
    const token = await tokenFor('getter');
    const created = await uploadPng(token, 1);
    const response = await call(`/images/${created.id}`, auth(token));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(created);
  });

  it('a malformed id → 400, an unknown one → 404', async () => {
    const token = await tokenFor('getter');
    await expectError(await call('/images/not-a-uuid', auth(token)), 400, 'invalid_request');
    await expectError(await call('/images/00000000-0000-4000-8000-000000000000', auth(token)), 404, 'not_found');
  });
});

describe('DELETE /images/:id', () => {
  it('removes the row and both objects', async () => {
    const token = await tokenFor('deleter');
    const created = await uploadPng(token, 2);
    const keys = [keyOf(created.url), keyOf(created.thumb_url)];
    expect(await allKeys()).toEqual(expect.arrayContaining(keys));

    const response = await call(`/images/${created.id}`, { method: 'DELETE', ...auth(token) });
    expect(response.status).toBe(204);
    const remaining = await allKeys();
    for (const key of keys) expect(remaining).not.toContain(key);
    expect(await env.DB.prepare('SELECT id FROM images WHERE id = ?1').bind(created.id).first()).toBeNull();
    await expectError(await call(`/images/${created.id}`, auth(token)), 404, 'not_found');
    await expectError(await call(created.url.replace('https://gateway.test', '')), 404, 'not_found');
  });
});
