import type { Codecs } from './pipeline/codecs';
import { guardStorage } from './lib/guard-storage';
import { deleteStaleAvatars, imageRowExists, insertImage, type ImageRecord } from './db/images';
import { setAvatar } from './db/profiles';
import { runImageWork } from './lib/limiter';
import { processImage, type ProcessOptions } from './pipeline';
import type { ImageKind } from './domain/images';
import { imageKeys } from './storage/keys';
import { putImagePair } from './storage/objects';
import { purgeMedia } from './cache/edge-cache';
import { deleteImageMedia, deleteMedia } from './delete-media';

/** Where an upload lands. */
export interface IngestTarget {
  bucket: R2Bucket;
  db: D1Database;
  codecs: Codecs;
  options: ProcessOptions;
}

/**
 * Processes an upload and stores it: objects first (create-only), then the row
 * in one D1 batch; for an avatar the same batch points the profile at it.
 * If the batch fails the objects are deleted, so a failure leaves neither a
 * row without objects nor (barring a failed delete) objects without a row.
 * Replaced avatars are removed only after the profile points at the new one.
 *
 * @throws PipelineError for bad images; ApiError `storage_unavailable`.
 */
export async function ingestUpload(
  target: IngestTarget,
  ownerId: string,
  kind: ImageKind,
  bytes: Uint8Array,
): Promise<ImageRecord> {
  const processed = await runImageWork(() => processImage(bytes, target.options, target.codecs));
  const id = crypto.randomUUID();
  const keys = imageKeys(kind, ownerId, id);
  const { main, thumb } = processed;
  const metadata = (w: number, h: number) => ({ owner: ownerId, image: id, width: String(w), height: String(h) });
  try {
    await putImagePair(
      target.bucket,
      { key: keys.main, bytes: main.bytes, metadata: metadata(main.width, main.height) },
      { key: keys.thumb, bytes: thumb.bytes, metadata: metadata(thumb.width, thumb.height) },
    );
  } catch (error) {
    // putImagePair deletes a main object it wrote before the thumbnail failed: purge it like every delete.
    await purgeMedia([keys.main]);
    throw error;
  }

  const record: ImageRecord = {
    id,
    ownerId,
    kind,
    mainKey: keys.main,
    thumbKey: keys.thumb,
    width: main.width,
    height: main.height,
    bytes: main.bytes.byteLength,
    thumbWidth: thumb.width,
    thumbHeight: thumb.height,
    thumbBytes: thumb.bytes.byteLength,
    originalFormat: processed.originalFormat,
    originalBytes: bytes.byteLength,
    colourSource: processed.colour.source,
    colourConverted: processed.colour.converted,
    thumbhash: processed.thumbhash,
    removed: processed.removed,
    createdAt: new Date().toISOString(),
  };
  const statements = [insertImage(target.db, record)];
  if (kind === 'avatar') statements.push(setAvatar(target.db, ownerId, id, record.createdAt));
  try {
    await guardStorage('insert image', () => target.db.batch(statements));
  } catch (error) {
    // A batch can fail after committing (a lost response). Committed: the
    // image is stored, so answer as stored (a 503 would make the client, an
    // Idempotency-Key or a direct-upload URL retry and store it twice).
    // Certainly absent: delete the objects. Unsure either way, they stay for
    // the cleanup job, which removes them if no row appears.
    const exists = await rowExists(target.db, id);
    if (exists !== true) {
      if (exists === false) await deleteMedia(target.bucket, [keys.main, keys.thumb]);
      throw error;
    }
    console.error(JSON.stringify({ message: 'D1 batch answered an error after committing', imageId: id }));
  }
  if (kind === 'avatar') await removeStaleAvatars(target.bucket, target.db, ownerId);
  return record;
}

/**
 * Deletes `userId`'s avatar rows the profile no longer points at, then their
 * objects. Failures here are logged, not raised: the new avatar is already
 * stored and pointed at, and the cleanup job removes unpointed avatar rows
 * and orphaned objects later.
 */
export async function removeStaleAvatars(bucket: R2Bucket, db: D1Database, userId: string): Promise<void> {
  let stale: ImageRecord[];
  try {
    stale = await deleteStaleAvatars(db, userId);
  } catch (error) {
    console.error(JSON.stringify({ message: 'stale avatar cleanup failed', userId, error: String(error) }));
    return;
  }
  for (const record of stale) await deleteImageMedia(bucket, record);
}

/** Whether the row exists: true/false, or undefined when D1 cannot tell us. */
async function rowExists(db: D1Database, id: string): Promise<boolean | undefined> {
  try {
    return await imageRowExists(db, id);
  } catch {
    return undefined;
  }
}
