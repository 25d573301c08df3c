import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { createExecutionContext } from 'cloudflare:test';
import { createApp } from '../../src/app';
import { workerdCodecs } from '../../src/codecs/workerd';
import { encodePng } from '../helpers/encoders';
import { BASE, expectError, rowCounts, tokenFor, upload, type ImageJson } from '../helpers/api';
import { noise } from '../fixtures/pixels';

const png = (seed: number) => encodePng(noise(24, 16, seed));

describe('Idempotency-Key', () => {
  it('a retry with the same key and body returns the first result without a second image', async () => {
    const token = await tokenFor('idem');
    const headers = { 'Idempotency-Key': 'retry-1' };
    const bytes = await png(1);
    const first = await upload('/images', bytes, { token, contentType: 'image/png', headers });
    expect(first.status).toBe(201);
    const before = await rowCounts();

    const retry = await upload('/images', bytes, { token, contentType: 'image/png', headers });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await retry.json()).toEqual(await first.json());
    expect(await rowCounts()).toEqual(before);
  });

  it('the same key with a different body → 409, and the first image stays the only one', async () => {
    const token = await tokenFor('idem-conflict');
    const headers = { 'Idempotency-Key': 'k-2' };
    expect((await upload('/images', await png(2), { token, contentType: 'image/png', headers })).status).toBe(201);
    const before = await rowCounts();
    await expectError(
      await upload('/images', await png(3), { token, contentType: 'image/png', headers }),
      409,
      'idempotency_conflict',
    );
    // …and on another route with the same bytes.
    await expectError(
      await upload('/users/me/avatar', await png(2), { token, contentType: 'image/png', headers }),
      409,
      'idempotency_conflict',
    );
    expect(await rowCounts()).toEqual(before);
  });

  it('keys are per user, and a failed upload releases its key', async () => {
    const headers = { 'Idempotency-Key': 'shared-name' };
    const a = await upload('/images', await png(4), {
      token: await tokenFor('idem-a'),
      contentType: 'image/png',
      headers,
    });
    const b = await upload('/images', await png(5), {
      token: await tokenFor('idem-b'),
      contentType: 'image/png',
      headers,
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(((await a.json()) as ImageJson).id).not.toBe(((await b.json()) as ImageJson).id);

    const token = await tokenFor('idem-fail');
    const bad = new TextEncoder().encode('not an image');
    await expectError(
      await upload('/images', bad, { token, contentType: 'image/png', headers }),
      415,
      'unsupported_media_type',
    );
    const retry = await upload('/images', await png(6), { token, contentType: 'image/png', headers });
    expect(retry.status).toBe(201);
  });

  it('an expired key can be used again for a new upload', async () => {
    const token = await tokenFor('idem-expiry');
    const headers = { 'Idempotency-Key': 'expiring' };
    expect((await upload('/images', await png(7), { token, contentType: 'image/png', headers })).status).toBe(201);
    await env.DB.prepare(
      "UPDATE idempotency_keys SET expires_at = '2000-01-01T00:00:00.000Z' WHERE user_id = 'idem-expiry'",
    ).run();
    const again = await upload('/images', await png(8), { token, contentType: 'image/png', headers });
    expect(again.status).toBe(201);
    expect(again.headers.get('Idempotent-Replayed')).toBeNull();
  });

  it('a malformed key → 400', async () => {
    const token = await tokenFor('idem-bad');
    const headers = { 'Idempotency-Key': 'x'.repeat(256) };
    await expectError(
      await upload('/images', await png(9), { token, contentType: 'image/png', headers }),
      400,
      'invalid_request',
    );
  });
});

describe('per-user upload rate limit', () => {
  it('over the limit → 429 rate_limited with Retry-After; other users are unaffected', async () => {
    const app = createApp({ codecs: workerdCodecs });
    const tightEnv = { ...env, UPLOAD_RATE_LIMITER: env.TEST_TIGHT_RATE_LIMITER };
    const send = async (userId: string, seed: number) =>
      app.fetch(
        new Request(`${BASE}/images`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${await tokenFor(userId)}`, 'Content-Type': 'image/png' },
          body: await png(seed),
        }),
        tightEnv,
        createExecutionContext(),
      );
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await send('limited', i)).status);
    expect(statuses).toEqual([201, 201, 201]);
    const limited = await send('limited', 10);
    expect(limited.headers.get('Retry-After')).toBe('60');
    await expectError(limited, 429, 'rate_limited');
    expect((await send('not-limited', 11)).status).toBe(201);
  });
});
