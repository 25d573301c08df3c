import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCleanup } from '../../src/cleanup';
import { signUploadGrant } from '../../src/lib/upload-url';
import {
  BASE,
  call,
  expectError,
  keyOf,
  objectBytes,
  storageSnapshot,
  tokenFor,
  upload,
  type ImageJson,
} from '../helpers/api';
import { assertNoMetadata } from '../helpers/webp-inspect';
import { makeFixtures } from '../fixtures/make';

const fixtures = await makeFixtures();
const phone = fixtures.getAccepted('phone.jpg');
const notAnImage = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"></svg>');

/** Asks for a direct-upload URL with `authorization` (a user token or an API key). */
function issue(authorization: string | undefined, body: unknown): Promise<Response> {
  const headers = new Headers({ 'Content-Type': 'application/json' });
  if (authorization) headers.set('Authorization', `Bearer ${authorization}`);
  return call('/uploads', { method: 'POST', headers, body: JSON.stringify(body) });
}

/** A fresh upload URL's path for `userId`. */
async function uploadPath(userId: string, body: Record<string, unknown> = { purpose: 'image' }): Promise<string> {
  const response = await issue(await tokenFor(userId), body);
  expect(response.status).toBe(201);
  const json = (await response.json()) as { upload_url: string; expires_at: string };
  expect(json.upload_url.startsWith(`${BASE}/uploads/`)).toBe(true);
  return json.upload_url.slice(BASE.length);
}

/** A server API key, stored the way `npm run apikey:create` stores it. */
async function createApiKey(revoked = false): Promise<string> {
  const id = crypto.randomUUID().replace(/-/g, '').slice(0, 12);
  const secret = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  const key = `gwk_${id}_${secret}`;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)));
  const hash = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  await env.DB.prepare(
    'INSERT INTO api_keys (id, name, key_sha256, created_at, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5)',
  )
    .bind(id, 'test site', hash, new Date().toISOString(), revoked ? new Date().toISOString() : null)
    .run();
  return key;
}

describe('POST /uploads (issuing a direct-upload URL)', () => {
  it('gives a user token a one-time URL valid for UPLOAD_URL_TTL_SECONDS (1800 by default), never cached', async () => {
    const before = Date.now();
    const response = await issue(await tokenFor('direct-alice'), { purpose: 'image' });
    expect(response.status).toBe(201);
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    const json = (await response.json()) as { upload_url: string; expires_at: string };
    const expires = Date.parse(json.expires_at);
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 1800_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 1800_000);
  });

  it.each([
    ['no credentials', undefined, { purpose: 'image' }, 401, 'unauthorized'],
    ['a malformed token', 'not-a-token', { purpose: 'image' }, 401, 'unauthorized'],
    ['an unknown purpose', 'user', { purpose: 'banner' }, 400, 'invalid_request'],
    ['no purpose', 'user', {}, 400, 'invalid_request'],
    ['a user_id that is no subject', 'user', { purpose: 'image', user_id: 'x'.repeat(256) }, 400, 'invalid_request'],
    ['max_bytes over MAX_UPLOAD_BYTES', 'user', { purpose: 'image', max_bytes: 10485761 }, 400, 'invalid_request'],
    ["another user's user_id with a user token", 'user', { purpose: 'image', user_id: 'mallory' }, 403, 'forbidden'],
  ] as const)('refuses %s: %i %s', async (_name, auth, body, status, code) => {
    const authorization = auth === 'user' ? await tokenFor('direct-bob') : auth;
    await expectError(await issue(authorization, body), status, code);
  });

  it('refuses a body that is not JSON: 400 invalid_request', async () => {
    const response = await call('/uploads', {
      method: 'POST',
      headers: { Authorization: `Bearer ${await tokenFor('direct-bob')}`, 'Content-Type': 'application/json' },
      body: '{purpose',
    });
    await expectError(response, 400, 'invalid_request');
  });

  it('authenticates before reading the body: an anonymous 1 MiB body is 401 unauthorized, not read', async () => {
    const big = JSON.stringify({ purpose: 'image', pad: 'x'.repeat(1024 * 1024) });
    const response = await call('/uploads', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: big,
    });
    await expectError(response, 401, 'unauthorized');
  });

  it('caps the JSON body at 4 KiB, declared or chunked: 413 payload_too_large', async () => {
    const token = await tokenFor('direct-bob');
    const big = JSON.stringify({ purpose: 'image', pad: 'x'.repeat(5000) });
    const declared = await call('/uploads', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: big,
    });
    await expectError(declared, 413, 'payload_too_large');
    const bytes = new TextEncoder().encode(big);
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 1000) controller.enqueue(bytes.slice(at, at + 1000));
        controller.close();
      },
    });
    const streamed = await call('/uploads', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: chunked,
      // @ts-expect-error workerd's RequestInit takes `duplex` for a streamed body
      duplex: 'half',
    });
    await expectError(streamed, 413, 'payload_too_large');
  });
});

describe('POST /uploads/<token> (using a direct-upload URL)', () => {
  it('stores a raw-body upload for the bound user, with no other credentials, then refuses the URL: 410 upload_url_used', async () => {
    const path = await uploadPath('direct-carol');
    const response = await upload(path, phone.bytes);
    expect(response.status).toBe(201);
    const image = (await response.json()) as ImageJson;
    expect(image.kind).toBe('image');
    expect(keyOf(image.url)).toMatch(/^images\/direct-carol\//);
    assertNoMetadata((await objectBytes(keyOf(image.url)))!);
    // The image belongs to the user the URL was issued for.
    const owned = await call(`/images/${image.id}`, {
      headers: { Authorization: `Bearer ${await tokenFor('direct-carol')}` },
    });
    expect(owned.status).toBe(200);

    const before = await storageSnapshot();
    await expectError(await upload(path, phone.bytes), 410, 'upload_url_used');
    expect(await storageSnapshot()).toEqual(before);
  });

  it('an avatar URL takes multipart and answers like POST /users/me/avatar', async () => {
    const path = await uploadPath('direct-dave', { purpose: 'avatar' });
    const response = await upload(path, phone.bytes, { multipart: true });
    expect(response.status).toBe(201);
    const json = (await response.json()) as { avatar_url: string; avatar_thumb_url: string; image: ImageJson };
    expect(json.image.kind).toBe('avatar');
    expect(json.avatar_url).toBe(json.image.url);
    const redirect = await call('/users/direct-dave/avatar', { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('Location')).toBe(json.avatar_url);
  });

  it('two simultaneous uses of one URL: one 201, one 410 upload_url_used, one image stored', async () => {
    const path = await uploadPath('direct-erin');
    const before = await storageSnapshot();
    const responses = await Promise.all([upload(path, phone.bytes), upload(path, phone.bytes)]);
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 410]);
    await expectError(
      responses.find((r) => r.status === 410)!,
      410,
      'upload_url_used',
    );
    const after = await storageSnapshot();
    expect(after.rows.images).toBe(before.rows.images + 1);
    expect(after.keys.length).toBe(before.keys.length + 2);
  });

  it('an upload that fails validation gives the URL back: the same URL then stores one image, once', async () => {
    const path = await uploadPath('direct-frank');
    await expectError(await upload(path, notAnImage, { contentType: 'image/svg+xml' }), 415, 'unsupported_media_type');
    const claims = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM upload_url_claims WHERE user_id = 'direct-frank'",
    ).first<number>('n');
    expect(claims).toBe(0);
    expect((await upload(path, phone.bytes)).status).toBe(201);
    await expectError(await upload(path, phone.bytes), 410, 'upload_url_used');
  });

  it('enforces the max_bytes the URL was issued with: 413 payload_too_large', async () => {
    const path = await uploadPath('direct-gina', { purpose: 'image', max_bytes: 1024 });
    expect(phone.bytes.byteLength).toBeGreaterThan(1024);
    await expectError(await upload(path, phone.bytes), 413, 'payload_too_large');
  });

  it('refuses an expired URL: 410 upload_url_expired', async () => {
    const token = await signUploadGrant(
      {
        id: crypto.randomUUID(),
        subject: 'direct-hal',
        purpose: 'image',
        maxBytes: 10485760,
        expiresAt: Math.floor(Date.now() / 1000) - 1,
      },
      env.UPLOAD_URL_SECRET!,
    );
    await expectError(await upload(`/uploads/${token}`, phone.bytes), 410, 'upload_url_expired');
  });

  it('refuses a tampered URL: 401 upload_url_invalid', async () => {
    const path = await uploadPath('direct-ivy');
    const [payload, signature] = path.slice('/uploads/'.length).split('.') as [string, string];
    // Re-bind the URL to another user, keeping the old signature.
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Record<string, unknown>;
    const forged = btoa(JSON.stringify({ ...json, sub: 'mallory' }))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    const otherSecret = await signUploadGrant(
      {
        id: crypto.randomUUID(),
        subject: 'direct-ivy',
        purpose: 'image',
        maxBytes: 10485760,
        expiresAt: Math.floor(Date.now() / 1000) + 600,
      },
      'another-secret-0123456789abcdef0123456789',
    );
    const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.at(-1);
    const before = await storageSnapshot();
    for (const token of [`${forged}.${signature}`, `${payload}.${flipped}`, otherSecret, 'garbage', `${payload}`]) {
      await expectError(await upload(`/uploads/${token}`, phone.bytes), 401, 'upload_url_invalid');
    }
    expect(await storageSnapshot()).toEqual(before);
    // The genuine URL still works.
    expect((await upload(path, phone.bytes)).status).toBe(201);
  });
});

describe('the cleanup job', () => {
  it('purges claims of expired URLs and keeps the others', async () => {
    const path = await uploadPath('direct-jay');
    expect((await upload(path, phone.bytes)).status).toBe(201);
    const past = new Date(Date.now() - 1000).toISOString();
    await env.DB.prepare(
      "INSERT INTO upload_url_claims (token_id, user_id, claimed_at, expires_at) VALUES ('expired-claim', 'direct-jay', ?1, ?1)",
    )
      .bind(past)
      .run();
    const report = await runCleanup(env.IMAGES, env.DB, { now: Date.now(), graceMs: 3600_000 });
    expect(report.expiredUploadClaims).toBe(1);
    const left = await env.DB.prepare("SELECT token_id FROM upload_url_claims WHERE user_id = 'direct-jay'").all();
    expect(left.results).toHaveLength(1);
    expect(left.results[0]!.token_id).not.toBe('expired-claim');
  });
});

describe('server API keys', () => {
  let apiKey: string;
  beforeAll(async () => {
    apiKey = await createApiKey();
  });

  it('issue URLs for the user they name', async () => {
    const response = await issue(apiKey, { purpose: 'image', user_id: 'site-user-1' });
    expect(response.status).toBe(201);
    const { upload_url } = (await response.json()) as { upload_url: string };
    const stored = await upload(upload_url.slice(BASE.length), phone.bytes);
    expect(stored.status).toBe(201);
    expect(keyOf(((await stored.json()) as ImageJson).url)).toMatch(/^images\/site-user-1\//);
  });

  it("name the user by token subject: images land under the same user id as the user's own uploads", async () => {
    const sub = 'auth0|64f1c0ffee';
    const response = await issue(apiKey, { purpose: 'image', user_id: sub });
    expect(response.status).toBe(201);
    const { upload_url } = (await response.json()) as { upload_url: string };
    const direct = (await (await upload(upload_url.slice(BASE.length), phone.bytes)).json()) as ImageJson;
    const own = (await (await upload('/images', phone.bytes, { token: await tokenFor(sub) })).json()) as ImageJson;
    const prefix = (url: string) => keyOf(url).split('/').slice(0, 2).join('/');
    expect(prefix(direct.url)).toMatch(/^images\/h-[a-z2-7]{26}$/);
    expect(prefix(direct.url)).toBe(prefix(own.url));
  });

  it('must name a user: 400 invalid_request', async () => {
    await expectError(await issue(apiKey, { purpose: 'image' }), 400, 'invalid_request');
  });

  it('unknown or revoked keys are 401 unauthorized', async () => {
    const revoked = await createApiKey(true);
    const unknown = `gwk_${'0'.repeat(12)}_${'A'.repeat(43)}`;
    for (const key of [revoked, unknown]) {
      await expectError(await issue(key, { purpose: 'image', user_id: 'site-user-1' }), 401, 'unauthorized');
    }
  });

  it('are usable only on POST /uploads: 401 unauthorized elsewhere', async () => {
    await expectError(await upload('/images', phone.bytes, { token: apiKey }), 401, 'unauthorized');
    await expectError(await call('/images', { headers: { Authorization: `Bearer ${apiKey}` } }), 401, 'unauthorized');
  });
});
