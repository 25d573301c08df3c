/** What an upload is for: it decides the key prefix and the row's kind. */
export type ImageKind = 'avatar' | 'image';

/** The R2 keys of one stored image. */
export interface ImageKeys {
  main: string;
  thumb: string;
}

const PREFIX: Record<ImageKind, string> = { avatar: 'avatars', image: 'images' };

/** User ids appear in keys and paths: the JWT `sub` must match this. */
export const USER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Image ids are lowercase UUIDs (crypto.randomUUID()). */
export const IMAGE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const MEDIA_KEY_PATTERN =
  /^(?:avatars|images)\/[A-Za-z0-9_-]{1,64}\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:_thumb)?\.webp$/;

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
  if (!isMediaKey(key)) return undefined;
  return /\/([^/]+?)(?:_thumb)?\.webp$/.exec(key)?.[1];
}
