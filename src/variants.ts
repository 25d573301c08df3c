import type { Codecs } from './pipeline/codecs';
import type { ImageRecord } from './db/images';
import { ApiError } from './lib/errors';
import { guardStorage, storageUnavailable } from './lib/guard-storage';
import { runImageWork } from './lib/limiter';
import { renderVariant, type VariantFit } from './pipeline/variant';
import { variantKey } from './storage/keys';
import { putIfAbsent } from './storage/objects';

/** Where variants come from and go. */
export interface VariantTarget {
  bucket: R2Bucket;
  codecs: Codecs;
  /** WebP quality of variants (THUMB_QUALITY). */
  quality: number;
}

/** A stored size variant. */
export interface StoredVariant {
  key: string;
  width: number;
  height: number;
  bytes: number;
}

/** Variant keys being rendered in this isolate; a second request for one waits, then finds it stored. */
const rendering = new Set<string>();
const WAIT_MS = 10;

function fromObject(object: R2Object): StoredVariant {
  const { width, height } = object.customMetadata ?? {};
  return { key: object.key, width: Number(width), height: Number(height), bytes: object.size };
}

/**
 * The stored `size`/`fit` variant of `image`, rendered from its stored main
 * WebP on first request (never from the original upload, which is not kept)
 * and written create-only at the key derived from image, size and fit. Two
 * concurrent first requests in one isolate render once (the second waits on
 * its own timer, then finds the object); across isolates the create-only
 * write keeps the first object and the loser serves it.
 * @throws ApiError `not_found` when the main object is missing; `storage_unavailable`.
 */
export async function ensureVariant(
  target: VariantTarget,
  image: ImageRecord,
  size: number,
  fit: VariantFit,
): Promise<StoredVariant> {
  const key = variantKey(image.mainKey, size, fit);
  while (rendering.has(key)) await new Promise((resolve) => setTimeout(resolve, WAIT_MS));
  const existing = await guardStorage('R2 head', () => target.bucket.head(key));
  if (existing) return fromObject(existing);

  rendering.add(key);
  try {
    const main = await guardStorage('R2 get', () => target.bucket.get(image.mainKey));
    if (!main) throw new ApiError('not_found', 'Image not found');
    const bytes = new Uint8Array(await main.arrayBuffer());
    const variant = await runImageWork(() =>
      renderVariant(bytes, { size, fit, quality: target.quality }, target.codecs),
    );
    const metadata = {
      owner: image.ownerId,
      image: image.id,
      width: String(variant.width),
      height: String(variant.height),
      fit,
      size: String(size),
    };
    if (await putIfAbsent(target.bucket, { key, bytes: variant.bytes, metadata })) {
      return { key, width: variant.width, height: variant.height, bytes: variant.bytes.byteLength };
    }
    // Another isolate stored it first: serve that one, never overwrite.
    const winner = await guardStorage('R2 head', () => target.bucket.head(key));
    if (!winner) throw storageUnavailable(new Error(`R2 put of ${key} lost to a writer whose object is gone`));
    return fromObject(winner);
  } finally {
    rendering.delete(key);
  }
}
