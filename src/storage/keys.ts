import type { VariantFit } from '../pipeline/variant';

/** What an upload is for: it decides the key prefix and the row's kind. */
export type ImageKind = 'avatar' | 'image';

/** The R2 keys of one stored image. */
export interface ImageKeys {
  main: string;
  thumb: string;
}

const PREFIX: Record<ImageKind, string> = { avatar: 'avatars', image: 'images' };

const USER_ID = '[A-Za-z0-9_-]{1,64}';
const IMAGE_ID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** User ids appear in keys and paths: the JWT `sub` must match this. */
export const USER_ID_PATTERN = new RegExp(`^${USER_ID}$`);

/** What a client is told when a user id does not match {@link USER_ID_PATTERN}. */
export const USER_ID_RULE = 'a user id is 1-64 characters of A-Z, a-z, 0-9, _ or -';

/** Image ids are lowercase UUIDs (crypto.randomUUID()). */
export const IMAGE_ID_PATTERN = new RegExp(`^${IMAGE_ID}$`);

const VARIANT_SUFFIX = '_(?:cover|contain)_[1-9][0-9]{0,3}';
const MEDIA_KEY_PATTERN = new RegExp(
  `^(?:avatars|images)/${USER_ID}/(${IMAGE_ID})(?:_thumb|${VARIANT_SUFFIX})?\\.webp$`,
);
const VARIANT_KEY_PATTERN = new RegExp(`^(.*)${VARIANT_SUFFIX}\\.webp$`);

/**
 * The one place that knows the key layout:
 * `avatars/<userId>/<uuid>.webp` and `avatars/<userId>/<uuid>_thumb.webp`
 * (`images/...` for general uploads), plus size variants ({@link variantKey}).
 * Keys never come from client input.
 */
export function imageKeys(kind: ImageKind, userId: string, imageId: string): ImageKeys {
  const base = `${PREFIX[kind]}/${userId}/${imageId}`;
  return { main: `${base}.webp`, thumb: `${base}_thumb.webp` };
}

/**
 * The key of a size variant of the image whose main object is `mainKey`:
 * `<prefix>/<userId>/<uuid>_<fit>_<size>.webp`. Derived, never stored: every
 * request for the same image, size and fit names the same object.
 */
export function variantKey(mainKey: string, size: number, fit: VariantFit): string {
  return `${mainKey.replace(/\.webp$/, '')}_${fit}_${size}.webp`;
}

/** What every variant key of the image whose main object is `mainKey` starts with (the thumbnail too). */
export function variantListPrefix(mainKey: string): string {
  return `${mainKey.replace(/\.webp$/, '')}_`;
}

/** The main object key a variant key belongs to, or undefined when `key` is not a variant. */
export function mainKeyOfVariant(key: string): string | undefined {
  const base = VARIANT_KEY_PATTERN.exec(key)?.[1];
  return base === undefined ? undefined : `${base}.webp`;
}

/** Whether a path segment names an object this gateway could have written. */
export function isMediaKey(key: string): boolean {
  return MEDIA_KEY_PATTERN.test(key);
}

/** The image id an object key belongs to (main, thumbnail or variant), if it is one of ours. */
export function imageIdOfKey(key: string): string | undefined {
  return MEDIA_KEY_PATTERN.exec(key)?.[1];
}
