import { USER_ID_SOURCE } from '../lib/user-id';

/** What an upload is for: it decides the key prefix and the row's kind. */
export type ImageKind = 'avatar' | 'image';

/** The R2 keys of one stored image. */
export interface ImageKeys {
  main: string;
  thumb: string;
}

const PREFIX: Record<ImageKind, string> = { avatar: 'avatars', image: 'images' };

const USER_ID = USER_ID_SOURCE;
const IMAGE_ID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** User ids appear in keys and paths (derived from the JWT `sub`, see lib/user-id.ts). */
export const USER_ID_PATTERN = new RegExp(`^${USER_ID}$`);

/** What a client is told when a user id does not match {@link USER_ID_PATTERN}. */
export const USER_ID_RULE = 'a user id is 1-64 characters of A-Z, a-z, 0-9, _ or -';

/** Image ids are lowercase UUIDs (crypto.randomUUID()). */
export const IMAGE_ID_PATTERN = new RegExp(`^${IMAGE_ID}$`);

const MEDIA_KEY_PATTERN = new RegExp(`^(?:avatars|images)/${USER_ID}/(${IMAGE_ID})(?:_thumb)?\\.webp$`);

/**
 * The one place that knows the key layout:
 * `avatars/<userId>/<uuid>.webp` and `avatars/<userId>/<uuid>_thumb.webp`
 * (`images/...` for general uploads). Keys never come from client input.
 */
export function imageKeys(kind: ImageKind, userId: string, imageId: string): ImageKeys {
  const base = `${PREFIX[kind]}/${userId}/${imageId}`;
  return { main: `${base}.webp`, thumb: `${base}_thumb.webp` };
}

/** Whether a path segment names an object this gateway could have written. */
export function isMediaKey(key: string): boolean {
  return MEDIA_KEY_PATTERN.test(key);
}

/** The image id an object key belongs to (`<prefix>/<user>/<id>.webp` or `…/<id>_thumb.webp`), if it is one of ours. */
export function imageIdOfKey(key: string): string | undefined {
  return MEDIA_KEY_PATTERN.exec(key)?.[1];
}
