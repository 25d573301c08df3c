import { claimKey, completeKey, findKey, releaseKey } from '../db/idempotency';
import { ApiError } from '../lib/errors';
import { sha256Hex } from '../lib/encoding';
import { guardStorage } from '../lib/guard-storage';
import { idempotencyKeySchema } from './api-schemas';

/** What a handler answered, stored for replays. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface IdempotencyOptions {
  userId: string;
  /** The `Idempotency-Key` header, if any. */
  key: string | undefined;
  /** The method and route, so a key cannot be replayed on another endpoint. */
  route: string;
  /** The uploaded bytes: the same key with different bytes is a conflict. */
  bytes: Uint8Array;
  ttlSeconds: number;
}

/** A pending claim older than this belongs to a request that died; it may be retaken. */
const ABANDONED_MS = 5 * 60 * 1000;

/**
 * Runs `handler` at most once per (user, Idempotency-Key): a retry with the
 * same key and body gets the first response back (`replayed: true`) without
 * a second image; the same key with another body or route, or while the
 * first request is still running, is 409 `idempotency_conflict`. If the
 * handler fails, the key is released so the client can retry.
 * @throws ApiError `invalid_request` (malformed key), `idempotency_conflict`
 */
export async function runIdempotent(
  db: D1Database,
  options: IdempotencyOptions,
  handler: () => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  const { userId, key, route } = options;
  if (key === undefined) return { ...(await handler()), replayed: false };
  // Keys are opaque to us: 1–255 visible ASCII characters (a UUID is typical).
  idempotencyKeySchema.parse(key, 'Idempotency-Key');
  const bodySha256 = await sha256Hex(options.bytes);
  const now = Date.now();
  const claimed = await guardStorage('D1 claim idempotency key', () =>
    claimKey(db, {
      userId,
      key,
      route,
      bodySha256,
      now: new Date(now).toISOString(),
      expiresAt: new Date(now + options.ttlSeconds * 1000).toISOString(),
      staleBefore: new Date(now - ABANDONED_MS).toISOString(),
    }),
  );

  if (!claimed) {
    const existing = await guardStorage('D1 read idempotency key', () => findKey(db, userId, key));
    // Gone between the claim and the read (released by a failed request, or expired): retry shortly.
    if (existing && (existing.route !== route || existing.bodySha256 !== bodySha256)) {
      throw new ApiError('idempotency_conflict', 'This Idempotency-Key was already used for a different request');
    }
    if (
      !existing ||
      existing.status === 'pending' ||
      existing.responseBody === null ||
      existing.responseStatus === null
    ) {
      throw new ApiError('idempotency_conflict', 'A request with this Idempotency-Key is still in progress', {
        headers: { 'Retry-After': '1' },
      });
    }
    return { status: existing.responseStatus, body: JSON.parse(existing.responseBody), replayed: true };
  }

  let response: StoredResponse;
  try {
    response = await handler();
  } catch (error) {
    await releaseKey(db, userId, key).catch(() => undefined);
    throw error;
  }
  // The image is stored; failing to record the key only loses deduplication.
  await completeKey(db, userId, key, response.status, JSON.stringify(response.body)).catch((error) =>
    console.error(JSON.stringify({ message: 'could not record idempotency key', userId, error: String(error) })),
  );
  return { ...response, replayed: false };
}
