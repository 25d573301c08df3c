import { Hono, type Context } from 'hono';
import type { AppDeps, AppEnv } from '../app-types';
import { guardStorage } from '../lib/guard-storage';
import { clearAvatar, findAvatar } from '../db/profiles';
import { removeStaleAvatars } from '../ingest';
import { baseUrlOf, requireUser } from './context';
import { ApiError } from '../lib/errors';
import { SUBJECT_PATTERN, USER_ID_PATTERN, userIdForSubject } from '../domain/users';
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
      return c.body(null, 204);
    })
    .get('/:userId/avatar', (c) => redirectToAvatar(c.req.param('userId'), 'main', c))
    .get('/:userId/avatar/thumb', (c) => redirectToAvatar(c.req.param('userId'), 'thumb', c));
}

/**
 * `:userId` is a user id; anything else that is a valid token subject
 * (percent-encoded, e.g. `auth0%7C64f1…`) stands for the id derived from it.
 * @throws ApiError `invalid_request`
 */
async function userIdOfParam(param: string): Promise<string> {
  if (USER_ID_PATTERN.test(param)) return param;
  if (SUBJECT_PATTERN.test(param)) return userIdForSubject(param);
  throw new ApiError('invalid_request', 'Expected a user id, or a token subject of 1-255 printable ASCII characters');
}

/**
 * The stable avatar URL a page embeds: a short-lived redirect to the current
 * immutable object, so a new avatar shows within a minute while the object
 * itself is cached for a year.
 */
async function redirectToAvatar(param: string, which: 'main' | 'thumb', c: Context<AppEnv>): Promise<Response> {
  const userId = await userIdOfParam(param);
  const avatar = await guardStorage('find avatar', () => findAvatar(c.env.DB, userId));
  if (!avatar) throw new ApiError('not_found', 'This user has no avatar');
  const key = which === 'main' ? avatar.mainKey : avatar.thumbKey;
  c.header('Cache-Control', AVATAR_REDIRECT_CACHE);
  return c.redirect(`${baseUrlOf(c)}/media/${key}`, 302);
}
