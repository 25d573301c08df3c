/**
 * The Workers Cache API (`caches.default`) in front of R2 and D1: the one
 * place that knows its keys. Entries live in the data centre that wrote them;
 * a delete here reaches only that data centre (README, "Edge cache").
 */

/**
 * Keys are built on one fixed origin, not the request's, so every hostname the
 * Worker answers on shares one entry, and the cleanup job (which has no
 * request) can purge what a request cached.
 */
const KEY_ORIGIN = 'https://edge-image-gateway.cache';

/**
 * How long a data centre keeps a stored object. Clients are still told
 * `immutable` for a year; the edge keeps it a day so a deleted image that a
 * purge could not reach (another data centre) stops being served there too.
 */
export const MEDIA_EDGE_TTL_SECONDS = 86400;

/** The cache key of a stored object's full `200` response. */
export function mediaCacheKey(objectKey: string): string {
  return `${KEY_ORIGIN}/media/${objectKey}`;
}

/** The cache key of a user's stable avatar redirect (`which`: main, thumb or `<size>-<fit>`). */
export function avatarCacheKey(userId: string, which: string): string {
  return `${KEY_ORIGIN}/avatar/${userId}/${which}`;
}

/** Every redirect entry a user's avatar may have in the cache: main, thumb, each size × fit. */
function avatarCacheKeys(userId: string, sizes: number[]): string[] {
  const sized = sizes.flatMap((size) => [`${size}-cover`, `${size}-contain`]);
  return ['main', 'thumb', ...sized].map((which) => avatarCacheKey(userId, which));
}

/**
 * Purges `userId`'s cached avatar redirects in this data centre: call after
 * the profile points elsewhere. Other data centres follow within the
 * redirect's `max-age` (60 s).
 */
export function purgeAvatarRedirects(userId: string, sizes: number[]): Promise<void> {
  return purgeCache(avatarCacheKeys(userId, sizes));
}

/** The cached response for `key`, or undefined on a miss (or when the cache fails: it is only a cache). */
export async function matchCache(key: string): Promise<Response | undefined> {
  try {
    return await caches.default.match(key);
  } catch (error) {
    console.error(JSON.stringify({ message: 'cache match failed', key, error: String(error) }));
    return undefined;
  }
}

/** Stores `response` under `key`; failures are logged (a miss next time is the only cost). */
export async function putCache(key: string, response: Response): Promise<void> {
  try {
    await caches.default.put(key, response);
  } catch (error) {
    console.error(JSON.stringify({ message: 'cache put failed', key, error: String(error) }));
  }
}

/** Deletes `keys` from this data centre's cache; failures are logged, never raised. */
export async function purgeCache(keys: string[]): Promise<void> {
  await Promise.all(
    keys.map(async (key) => {
      try {
        await caches.default.delete(key);
      } catch (error) {
        console.error(JSON.stringify({ message: 'cache purge failed', key, error: String(error) }));
      }
    }),
  );
}

/** Purges the cached responses of stored objects. */
export function purgeMedia(objectKeys: string[]): Promise<void> {
  return purgeCache(objectKeys.map(mediaCacheKey));
}
