import { purgeMedia } from './cache/edge-cache';
import { deleteObjects, deleteObjectsOrThrow } from './storage/objects';
import { deleteImageObjects } from './storage/variants';

/*
 * Deleting stored media: the R2 objects (storage/), then their entries in this
 * data centre's edge cache (cache/). The purge comes after the delete, so a
 * cache miss in between cannot refill the cache from an object about to go.
 * Storage knows nothing of the cache; every delete goes through here.
 */

/**
 * Deletes objects and purges their cached responses, logging failures:
 * for use after the rows are gone, when an undeleted object is an orphan.
 */
export async function deleteMedia(bucket: R2Bucket, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await deleteObjects(bucket, keys);
  await purgeMedia(keys);
}

/**
 * Deletes objects (at most 1000) and purges their cached responses, letting
 * an R2 failure through (nothing is purged then): for the cleanup job, whose
 * run then fails and is retried.
 */
export async function deleteMediaOrThrow(bucket: R2Bucket, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await deleteObjectsOrThrow(bucket, keys);
  await purgeMedia(keys);
}

/**
 * Deletes an image's objects (main, thumbnail and every size variant) and
 * purges their cached responses, after its row is gone; failures are logged.
 */
export async function deleteImageMedia(bucket: R2Bucket, image: { mainKey: string; thumbKey: string }): Promise<void> {
  await purgeMedia(await deleteImageObjects(bucket, image));
}
