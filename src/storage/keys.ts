import { IMAGE_ID, type ImageKind } from '../domain/images';
import { USER_ID } from '../domain/users';
import type { VariantFit } from '../pipeline/variant';

/** The R2 keys of one stored image. */
export interface ImageKeys {
  main: string;
  thumb: string;
}

const PREFIX: Record<ImageKind, string> = { avatar: 'avatars', image: 'images' };

/** Every listing prefix the gateway writes under (`avatars/`, `images/`). */
export const KEY_PREFIXES: readonly string[] = Object.values(PREFIX).map((prefix) => `${prefix}/`);

const VARIANT_SUFFIX = '_(?:cover|contain)_[1-9][0-9]{0,3}';
const MEDIA_KEY_PATTERN = new RegExp(
  `^(?:${Object.values(PREFIX).join('|')})/${USER_ID}/(${IMAGE_ID})(?:_thumb|${VARIANT_SUFFIX})?\\.webp$`,
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
