import { purgeMedia } from '../cache/edge-cache';
import { guardStorage, storageUnavailable } from '../lib/guard-storage';

/** Cache-Control of stored objects: new content always gets a new key. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** One object to write. */
export interface ObjectToPut {
  key: string;
  bytes: Uint8Array;
  /** Small string metadata stored with the object (owner, dimensions). */
  metadata: Record<string, string>;
}

/**
 * Writes an object create-only (`etagDoesNotMatch: '*'`): an existing key is
 * never overwritten, so a stored URL always means the same bytes.
 * @throws ApiError `storage_unavailable` when R2 fails or the key exists.
 */
async function putCreateOnly(bucket: R2Bucket, object: ObjectToPut): Promise<void> {
  // A key is a fresh UUID; if it exists anyway, refuse rather than overwrite.
  if (!(await putIfAbsent(bucket, object))) {
    throw storageUnavailable(new Error(`R2 key ${object.key} already exists`));
  }
}

/**
 * Writes an object unless its key exists (`etagDoesNotMatch: '*'`, atomic in
 * R2): returns false, writing nothing, when another writer got there first.
 * @throws ApiError `storage_unavailable` when R2 fails.
 */
export async function putIfAbsent(bucket: R2Bucket, object: ObjectToPut): Promise<boolean> {
  const written = await guardStorage(`R2 put ${object.key}`, () =>
    bucket.put(object.key, object.bytes, {
      onlyIf: { etagDoesNotMatch: '*' },
      httpMetadata: { contentType: 'image/webp', cacheControl: IMMUTABLE_CACHE_CONTROL },
      customMetadata: object.metadata,
    }),
  );
  return written !== null;
}

/**
 * Writes the main object then the thumbnail. If the second write fails the
 * first is deleted, so a failed call leaves nothing behind (best effort: a
 * failed delete leaves an orphan for the cleanup job, never a dangling row).
 * @throws ApiError `storage_unavailable`
 */
export async function putImagePair(bucket: R2Bucket, main: ObjectToPut, thumb: ObjectToPut): Promise<void> {
  await putCreateOnly(bucket, main);
  try {
    await putCreateOnly(bucket, thumb);
  } catch (error) {
    await deleteObjects(bucket, [main.key]);
    throw error;
  }
}

/**
 * Deletes objects (at most 1000, R2's limit per call), then their entries in
 * this data centre's edge cache, letting a failure through: for the cleanup
 * job, whose run then fails and is retried.
 */
export async function deleteObjectsOrThrow(bucket: R2Bucket, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await bucket.delete(keys);
  await purgeMedia(keys);
}

/** One page (up to 1000 objects) of the objects under `prefix`, from `cursor`. */
export function listObjects(bucket: R2Bucket, prefix: string, cursor: string | undefined): Promise<R2Objects> {
  return bucket.list({ prefix, cursor });
}

/**
 * Deletes objects, then their entries in this data centre's edge cache
 * (after, so a miss cannot refill the cache from an object about to go),
 * swallowing and logging failures: callers use this after the rows are gone,
 * when an undeleted object is an orphan, not an error.
 */
export async function deleteObjects(bucket: R2Bucket, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  try {
    await bucket.delete(keys);
  } catch (error) {
    console.error(
      JSON.stringify({ message: 'R2 delete failed; objects left for cleanup', keys, error: String(error) }),
    );
  }
  await purgeMedia(keys);
}
