import { Hono, type Context } from 'hono';
import type { AppDeps, AppEnv } from '../app-types';
import { avatarCacheKey, matchCache, purgeAvatarRedirects, putCache } from '../cache/edge-cache';
import { guardStorage } from '../lib/guard-storage';
import { clearAvatar, findAvatar } from '../db/profiles';
import { removeStaleAvatars } from '../ingest';
import { configOf, mediaBaseOf, requireUser, runToEnd } from './context';
import { ApiError } from '../lib/errors';
import { USER_ID_PATTERN, userIdForSubject } from '../domain/users';
import type { VariantFit } from '../domain/variants';
import { ensureVariant } from '../variants';
import { handleUpload } from './uploads';
import { variantSizeSchema } from './api-schemas';
import { getAvatar, getAvatarThumb } from './operations';
import { paramsOf, queryOf } from './validate';

/** How long a CDN or browser may keep the stable avatar URL's redirect. */
const AVATAR_REDIRECT_CACHE = 'public, max-age=60';

/** Avatars: upload/replace/delete your own; a stable public URL for anyone's. */
export function usersRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .post('/me/avatar', requireUser, (c) => handleUpload(c, deps, 'avatar'))
    .delete('/me/avatar', requireUser, async (c) => {
      const userId = c.get('user').id;
      const current = await guardStorage('find avatar', () => findAvatar(c.env.DB, userId));
      if (!current) throw new ApiError('not_found', 'No avatar to delete');
      await guardStorage('clear avatar', () => clearAvatar(c.env.DB, userId, current.id, new Date().toISOString()));
      await removeStaleAvatars(c.env.IMAGES, c.env.DB, userId);
      await purgeAvatarRedirects(userId, configOf(c).variantSizes);
      return c.body(null, 204);
    })
    .get('/:userId/avatar', (c) => redirectToAvatar(paramsOf(c, getAvatar.params).userId, avatarVariant(c), c, deps))
    .get('/:userId/avatar/thumb', (c) => redirectToAvatar(paramsOf(c, getAvatarThumb.params).userId, 'thumb', c, deps));
}

/** Which object of the avatar a redirect points at. */
type AvatarObject = 'main' | 'thumb' | { size: number; fit: VariantFit };

/** `?size=N&fit=…` (fit `cover` by default; a fit needs a size), or the main image when neither is given. */
function avatarVariant(c: Context<AppEnv>): AvatarObject {
  const { size, fit } = queryOf(c, getAvatar.query);
  if (size === undefined && fit === undefined) return 'main';
  return { size: size ?? variantSizeSchema(configOf(c)).parse(undefined, 'size'), fit: fit ?? 'cover' };
}

const cacheName = (which: AvatarObject) => (typeof which === 'string' ? which : `${which.size}-${which.fit}`);

/** The R2 key of `which` for the user's current avatar, rendering a size variant on first request. */
async function currentAvatarKey(userId: string, which: AvatarObject, c: Context<AppEnv>, deps: AppDeps) {
  const avatar = await guardStorage('find avatar', () => findAvatar(c.env.DB, userId));
  if (!avatar) throw new ApiError('not_found', 'This user has no avatar');
  if (which === 'main') return avatar.mainKey;
  if (which === 'thumb') return avatar.thumbKey;
  const target = { bucket: c.env.IMAGES, codecs: deps.codecs(), quality: configOf(c).process.thumbQuality };
  return (await runToEnd(c, ensureVariant(target, avatar, which.size, which.fit))).key;
}

/**
 * `:userId` (already a valid subject, routes/api-schemas.ts) is a user id;
 * anything else (percent-encoded, e.g. `auth0%7C64f1…`) stands for the id
 * derived from it.
 */
async function userIdOfParam(param: string): Promise<string> {
  return USER_ID_PATTERN.test(param) ? param : userIdForSubject(param);
}

/**
 * The stable avatar URL a page embeds (`?size=N&fit=cover|contain` for a
 * size variant): a short-lived redirect to the current immutable object, so
 * a new avatar shows within a minute while the object itself is cached for a
 * year. Which object it is comes from this data centre's edge cache (keyed per
 * user and size) when it is there, else from D1 (and R2 for a variant); the
 * redirect is built per request, so each hostname gets its own URLs. Entries
 * are purged when the avatar changes ({@link purgeAvatarRedirects}).
 */
async function redirectToAvatar(
  param: string,
  which: AvatarObject,
  c: Context<AppEnv>,
  deps: AppDeps,
): Promise<Response> {
  const userId = await userIdOfParam(param);
  const cacheKey = avatarCacheKey(userId, cacheName(which));
  const cached = await matchCache(cacheKey);
  let key: string;
  if (cached) {
    key = await cached.text();
    c.header('CF-Cache-Status', cached.headers.get('CF-Cache-Status') ?? 'HIT');
  } else {
    key = await currentAvatarKey(userId, which, c, deps);
    const entry = new Response(key, { headers: { 'Cache-Control': AVATAR_REDIRECT_CACHE } });
    c.executionCtx.waitUntil(putCache(cacheKey, entry));
  }
  c.header('Cache-Control', AVATAR_REDIRECT_CACHE);
  return c.redirect(`${mediaBaseOf(c)}/${key}`, 302);
}
