import type { HonoJsonWebKey } from 'hono/utils/jwt/jws';
import { ApiError } from '../lib/errors';

/** How long fetched keys are used before fetching again. */
const TTL_MS = 10 * 60 * 1000;
/** An unknown `kid` refetches at most this often, so junk tokens cannot make every request fetch. */
const MIN_REFETCH_MS = 60 * 1000;
const FETCH_TIMEOUT_MS = 5000;

interface CachedKeys {
  keys: HonoJsonWebKey[];
  fetchedAt: number;
}

/** Per isolate: one identity provider's keys, shared by every request. */
const cache = new Map<string, CachedKeys>();

async function fetchKeys(url: string): Promise<HonoJsonWebKey[]> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
    const body = (await response.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new Error('JWKS has no "keys" array');
    return body.keys as HonoJsonWebKey[];
  } catch (error) {
    throw new ApiError('upstream_unavailable', 'The identity provider is unavailable; try again shortly', {
      cause: error,
      headers: { 'Retry-After': '5' },
    });
  }
}

/**
 * The JWKS keys for `url`, cached per isolate for {@link TTL_MS}. With `kid`,
 * a key the cache lacks triggers one refetch (key rotation), at most every
 * {@link MIN_REFETCH_MS}.
 * @throws ApiError `upstream_unavailable` when the JWKS cannot be fetched.
 */
export async function jwksKeys(url: string, kid: string | undefined, now = Date.now()): Promise<HonoJsonWebKey[]> {
  const cached = cache.get(url);
  const fresh = cached !== undefined && now - cached.fetchedAt < TTL_MS;
  const missingKid = kid !== undefined && cached !== undefined && !cached.keys.some((k) => k.kid === kid);
  if (fresh && !(missingKid && now - cached.fetchedAt >= MIN_REFETCH_MS)) return cached.keys;
  const keys = await fetchKeys(url);
  cache.set(url, { keys, fetchedAt: now });
  return keys;
}
