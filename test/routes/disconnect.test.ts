import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { encodePng } from '../helpers/encoders';
import { allKeys, call, tokenFor, upload } from '../helpers/api';
import { noise } from '../fixtures/pixels';
import { runImageWork } from '../../src/lib/limiter';

// A client that goes away: the request's AbortController is aborted while the
// Worker reads its body or processes it. workerd then cancels the request (the
// Worker's next read fails with "client disconnected"), as it does for a
// dropped connection.

const MIB = 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What is stored for `userId`: its R2 keys and its image rows. */
async function storedFor(userId: string) {
  const keys = (await allKeys()).filter((k) => k.split('/')[1] === userId);
  const { results } = await env.DB.prepare('SELECT id, main_key, thumb_key FROM images WHERE owner_id = ?1')
    .bind(userId)
    .all<{ id: string; main_key: string; thumb_key: string }>();
  return { keys, rows: results };
}

/**
 * A body that sends `bytes` zeros, then aborts the request as the Worker asks
 * for more; resolves `cut` once it has. Announces 10 MiB with Content-Length.
 */
function cutOffUpload(token: string, bytes: number) {
  const controller = new AbortController();
  let sent = 0;
  let cut!: () => void;
  const done = new Promise<void>((resolve) => (cut = resolve));
  const body = new ReadableStream<Uint8Array>({
    pull(stream) {
      if (sent >= bytes) {
        controller.abort();
        cut();
        return new Promise<void>(() => {}); // the client is gone: nothing more, ever
      }
      const chunk = Math.min(256 * 1024, bytes - sent);
      sent += chunk;
      stream.enqueue(new Uint8Array(chunk));
    },
  });
  const response = call('/images', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'image/png', 'Content-Length': String(10 * MIB) },
    body,
    signal: controller.signal,
  });
  return { response, done };
}

/** A chunked body (no Content-Length): it claims the largest share of the body budget. */
function chunked(bytes: Uint8Array) {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(stream) {
      if (at >= bytes.byteLength) return stream.close();
      stream.enqueue(bytes.slice(at, at + 256 * 1024));
      at += 256 * 1024;
    },
  });
}

describe('a client that disconnects', () => {
  it('mid-body leaves nothing stored and gives its bytes back to the body budget', async () => {
    const token = await tokenFor('gone-mid-body');
    // Two bodies announcing 10 MiB each, cut off after 6 MiB. Had their holds outlived them, the
    // budget (two 10 MiB bodies) would let a chunked upload read only about 4 MiB before waiting
    // for bytes nobody will ever give back.
    const cuts = [cutOffUpload(token, 6 * MIB), cutOffUpload(token, 6 * MIB)];
    await Promise.all(cuts.map((c) => c.done));
    for (const { response } of cuts) await expect(response).rejects.toThrow(/abort/i);

    const png = await encodePng(noise(1400, 1200, 5));
    expect(png.byteLength).toBeGreaterThan(4.5 * MIB);
    const next = await call('/images', {
      method: 'POST',
      headers: { Authorization: `Bearer ${await tokenFor('after-the-gone')}`, 'Content-Type': 'image/png' },
      body: chunked(png),
    });
    expect(next.status).toBe(201);
    expect(await storedFor('gone-mid-body')).toEqual({ keys: [], rows: [] });
  });

  it('while its upload is processed gets it stored whole or not at all; a retry with its key returns it', async () => {
    const token = await tokenFor('gone-while-processing');
    const png = await encodePng(noise(600, 400, 6));
    const key = 'disconnect-retry-1';
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'image/png', 'Idempotency-Key': key };
    // The isolate is busy with another image (the test holds the image queue), so the upload
    // waits there once its body is read; the client goes away then, before any answer.
    let finishOther!: () => void;
    const other = runImageWork(() => new Promise<void>((resolve) => (finishOther = resolve)));
    const controller = new AbortController();
    const first = call('/images', { method: 'POST', headers, body: png, signal: controller.signal });
    first.catch(() => undefined);
    // Its body has been read once its Idempotency-Key is claimed.
    const claimed = () =>
      env.DB.prepare('SELECT status FROM idempotency_keys WHERE key = ?1').bind(key).first<string>('status');
    for (let i = 0; i < 1000 && (await claimed()) === null; i++) await sleep(10);
    expect(await claimed()).toBe('pending');
    controller.abort();
    await expect(first).rejects.toThrow(/abort/i);
    finishOther();
    await other;

    // The client retries with the same key, as told: 409 (with Retry-After) while the first runs.
    let retry: Response | undefined;
    for (let attempt = 0; attempt < 60; attempt++) {
      retry = await upload('/images', png, { token, contentType: 'image/png', headers: { 'Idempotency-Key': key } });
      if (retry.status !== 409) break;
      await sleep(Number(retry.headers.get('Retry-After')) * 1000);
    }
    expect(retry!.status).toBe(201);
    // The disconnected upload ran to its end and stored the image; the retry got that one back.
    expect(retry!.headers.get('Idempotent-Replayed')).toBe('true');
    const { id } = (await retry!.json()) as { id: string };

    const stored = await storedFor('gone-while-processing');
    expect(stored.rows.map((r) => r.id)).toEqual([id]);
    expect(stored.keys).toEqual([stored.rows[0]!.main_key, stored.rows[0]!.thumb_key].sort());
    // Nothing it held (the image queue, the body budget) is still held.
    const after = await upload('/images', await encodePng(noise(40, 30, 7)), { token, contentType: 'image/png' });
    expect(after.status).toBe(201);
  });
});
