import { IMAGE_ID, type ImageKind } from '../domain/images';
import { USER_ID } from '../domain/users';

/** The R2 keys of one stored image. */
export interface ImageKeys {
  main: string;
  thumb: string;
}

const PREFIX: Record<ImageKind, string> = { avatar: 'avatars', image: 'images' };

/** Every listing prefix the gateway writes under (`avatars/`, `images/`). */
export const KEY_PREFIXES: readonly string[] = Object.values(PREFIX).map((prefix) => `${prefix}/`);

const MEDIA_KEY_PATTERN = new RegExp(
  `^(?:${Object.values(PREFIX).join('|')})/${USER_ID}/(${IMAGE_ID})(?:_thumb)?\\.webp$`,
);

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
