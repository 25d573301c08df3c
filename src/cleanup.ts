import { deleteUnpointedAvatars, imageKeysByPage, objectKeysOfImages } from './db/images';
import { purgeExpiredKeys } from './db/idempotency';
import { purgeExpiredUploadClaims } from './db/upload-urls';
import { imageIdOfKey, KEY_PREFIXES, mainKeyOfVariant } from './storage/keys';
import { listObjects } from './storage/objects';
import { deleteMediaOrThrow } from './delete-media';
import { imageObjectKeys } from './storage/variants';

/** What one cleanup run found and did. */
export interface CleanupReport {
  /** Idempotency keys past their expiry, now deleted. */
  expiredIdempotencyKeys: number;
  /** Claims of direct-upload URLs past their expiry, now deleted. */
  expiredUploadClaims: number;
  /** Replaced avatars whose removal failed at the time: rows and objects now deleted. */
  staleAvatars: string[];
  /** Objects listed under the gateway's prefixes. */
  scannedObjects: number;
  /** Of those, size variants (kept while their image's row exists, deleted with it). */
  variantObjects: number;
  /** Orphans (objects no row points at) older than the grace period, now deleted. */
  deletedOrphans: string[];
  /** Orphans younger than the grace period: probably an upload in flight; left alone. */
  youngOrphans: number;
  /**
   * Rows whose main or thumbnail object is missing: reported, never deleted
   * automatically. `null` when the bucket was too large to audit in one run.
   */
  rowsMissingObjects: string[] | null;
}

export interface CleanupOptions {
  /** The run's clock (the cron's scheduled time). */
  now: number;
  /** Objects younger than this may belong to an upload whose row is not written yet. */
  graceMs: number;
}

/** Keys remembered for the missing-object audit; past this the audit is skipped (bounded memory). */
const MAX_AUDITED_KEYS = 200_000;
const ROW_PAGE = 500;

/** Deletes one listing page's orphans that are past the grace period; returns [deleted, young]. */
async function sweepPage(
  bucket: R2Bucket,
  db: D1Database,
  objects: R2Object[],
  options: CleanupOptions,
): Promise<[string[], number]> {
  const ids = [...new Set(objects.map((o) => imageIdOfKey(o.key)).filter((id) => id !== undefined))];
  const referenced = await objectKeysOfImages(db, ids);
  // A variant belongs to its image's main object: it is an orphan when that is.
  const orphans = objects.filter((o) => !referenced.has(mainKeyOfVariant(o.key) ?? o.key));
  const old = orphans.filter((o) => o.uploaded.getTime() < options.now - options.graceMs).map((o) => o.key);
  await deleteMediaOrThrow(bucket, old); // a list page holds at most 1000 keys, R2's delete limit
  return [old, orphans.length - old.length];
}

async function rowsWithMissingObjects(db: D1Database, existing: Set<string>, before: string): Promise<string[]> {
  const missing: string[] = [];
  let after = '';
  for (;;) {
    // Rows newer than the listing may have objects the listing did not see; skip them.
    const results = await imageKeysByPage(db, { after, createdBefore: before, limit: ROW_PAGE });
    for (const row of results) {
      if (!existing.has(row.mainKey) || !existing.has(row.thumbKey)) missing.push(row.id);
    }
    if (results.length < ROW_PAGE) return missing;
    after = results.at(-1)!.id;
  }
}

/**
 * The scheduled consistency job, cheapest work first: purges expired
 * Idempotency-Keys and direct-upload claims; removes replaced avatars whose removal failed at the
 * time (rows, then objects); deletes R2 objects no row points at that are
 * older than the grace period (left by an upload that failed between R2 and
 * D1, or by a delete whose object removal failed), one listing page at a
 * time; and reports rows whose objects are missing. Such rows are never
 * deleted here: a row without its object is a bug to look at, not something
 * to paper over.
 */
export async function runCleanup(bucket: R2Bucket, db: D1Database, options: CleanupOptions): Promise<CleanupReport> {
  const listedAt = new Date(options.now).toISOString();
  const expiredIdempotencyKeys = await purgeExpiredKeys(db, listedAt);
  const expiredUploadClaims = await purgeExpiredUploadClaims(db, listedAt);
  const stale = await deleteUnpointedAvatars(db);
  for (const record of stale) await deleteMediaOrThrow(bucket, await imageObjectKeys(bucket, record));

  const audited = new Set<string>();
  let auditable = true;
  let scannedObjects = 0;
  let variantObjects = 0;
  let youngOrphans = 0;
  const deletedOrphans: string[] = [];
  for (const prefix of KEY_PREFIXES) {
    let cursor: string | undefined;
    do {
      const page = await listObjects(bucket, prefix, cursor);
      const [deleted, young] = await sweepPage(bucket, db, page.objects, options);
      deletedOrphans.push(...deleted);
      youngOrphans += young;
      scannedObjects += page.objects.length;
      variantObjects += page.objects.filter((o) => mainKeyOfVariant(o.key) !== undefined).length;
      if (auditable) for (const o of page.objects) audited.add(o.key);
      if (audited.size > MAX_AUDITED_KEYS) auditable = false;
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }

  return {
    expiredIdempotencyKeys,
    expiredUploadClaims,
    staleAvatars: stale.map((r) => r.id),
    scannedObjects,
    variantObjects,
    deletedOrphans,
    youngOrphans,
    rowsMissingObjects: auditable ? await rowsWithMissingObjects(db, audited, listedAt) : null,
  };
}
