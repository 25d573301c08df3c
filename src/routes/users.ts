import { Hono, type Context } from 'hono';
import type { AppDeps, AppEnv } from '../app-types';
import { avatarCacheKey, matchCache, purgeAvatarRedirects, putCache } from '../cache/edge-cache';
import { guardStorage } from '../lib/guard-storage';
import { clearAvatar, findAvatar } from '../db/profiles';
import { removeStaleAvatars } from '../ingest';
import { mediaBaseOf, requireUser } from '../lib/context';
import { ApiError } from '../lib/errors';
import { USER_ID_PATTERN, USER_ID_RULE } from '../storage/keys';
import { handleUpload } from './uploads';

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
      await purgeAvatarRedirects(userId);
      return c.body(null, 204);
    })
    .get('/:userId/avatar', (c) => redirectToAvatar(c.req.param('userId'), 'main', c))
    .get('/:userId/avatar/thumb', (c) => redirectToAvatar(c.req.param('userId'), 'thumb', c));
}

/**
 * The stable avatar URL a page embeds: a short-lived redirect to the current
 * immutable object, so a new avatar shows within a minute while the object
 * itself is cached for a year. Which object it is comes from this data
 * centre's edge cache (keyed per user and size) when it is there, else from
 * D1; the redirect is built per request, so each hostname gets its own URLs.
 * Entries are purged when the avatar changes ({@link purgeAvatarRedirects}).
 */
async function redirectToAvatar(userId: string, which: 'main' | 'thumb', c: Context<AppEnv>): Promise<Response> {
  if (!USER_ID_PATTERN.test(userId)) {
    throw new ApiError('invalid_request', `Expected a valid user id: ${USER_ID_RULE}`);
  }
  const cacheKey = avatarCacheKey(userId, which);
  const cached = await matchCache(cacheKey);
  let key: string;
  if (cached) {
    key = await cached.text();
    c.header('CF-Cache-Status', cached.headers.get('CF-Cache-Status') ?? 'HIT');
  } else {
    const avatar = await guardStorage('find avatar', () => findAvatar(c.env.DB, userId));
    if (!avatar) throw new ApiError('not_found', 'This user has no avatar');
    key = which === 'main' ? avatar.mainKey : avatar.thumbKey;
    const entry = new Response(key, { headers: { 'Cache-Control': AVATAR_REDIRECT_CACHE } });
    c.executionCtx.waitUntil(putCache(cacheKey, entry));
  }
  c.header('Cache-Control', AVATAR_REDIRECT_CACHE);
  return c.redirect(`${mediaBaseOf(c)}/${key}`, 302);
}
