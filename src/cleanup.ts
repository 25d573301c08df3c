import { purgeExpiredKeys } from './db/idempotency';
import { IMAGE_ID_PATTERN } from './storage/keys';

/** What one cleanup run found and did. */
export interface CleanupReport {
  /** Objects listed under the gateway's prefixes. */
  scannedObjects: number;
  /** Orphans (objects no row points at) older than the grace period, now deleted. */
  deletedOrphans: string[];
  /** Orphans younger than the grace period: probably an upload in flight; left alone. */
  youngOrphans: number;
  /** Rows whose main or thumbnail object is missing: reported, never deleted automatically. */
  rowsMissingObjects: string[];
  /** Idempotency keys past their expiry, now deleted. */
  expiredIdempotencyKeys: number;
}

export interface CleanupOptions {
  /** The run's clock (the cron's scheduled time). */
  now: number;
  /** Objects younger than this may belong to an upload whose row is not written yet. */
  graceMs: number;
}

const PREFIXES = ['avatars/', 'images/'];
/** R2 deletes at most 1000 keys per call. */
const R2_DELETE_BATCH = 1000;
/** D1 allows 100 bound parameters per statement. */
const ID_BATCH = 90;

async function listObjects(bucket: R2Bucket): Promise<R2Object[]> {
  const objects: R2Object[] = [];
  for (const prefix of PREFIXES) {
    let cursor: string | undefined;
    do {
      const page = await bucket.list({ prefix, cursor });
      objects.push(...page.objects);
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
  return objects;
}

/** The image id a key belongs to (`<prefix>/<user>/<id>.webp` or `…/<id>_thumb.webp`). */
function imageIdOf(key: string): string | undefined {
  const id = /\/([^/]+?)(?:_thumb)?\.webp$/.exec(key)?.[1];
  return id && IMAGE_ID_PATTERN.test(id) ? id : undefined;
}

async function rowKeys(db: D1Database, ids: string[]): Promise<Set<string>> {
  const keys = new Set<string>();
  for (let i = 0; i < ids.length; i += ID_BATCH) {
    const batch = ids.slice(i, i + ID_BATCH);
    const placeholders = batch.map((_, n) => `?${n + 1}`).join(', ');
    const { results } = await db
      .prepare(`SELECT main_key, thumb_key FROM images WHERE id IN (${placeholders})`)
      .bind(...batch)
      .all<{ main_key: string; thumb_key: string }>();
    for (const row of results) keys.add(row.main_key).add(row.thumb_key);
  }
  return keys;
}

async function rowsWithMissingObjects(db: D1Database, existing: Set<string>, before: string): Promise<string[]> {
  const missing: string[] = [];
  let after = '';
  for (;;) {
    // Rows newer than the listing may have objects the listing did not see; skip them.
    const { results } = await db
      .prepare('SELECT id, main_key, thumb_key FROM images WHERE id > ?1 AND created_at < ?2 ORDER BY id LIMIT 500')
      .bind(after, before)
      .all<{ id: string; main_key: string; thumb_key: string }>();
    for (const row of results) {
      if (!existing.has(row.main_key) || !existing.has(row.thumb_key)) missing.push(row.id);
    }
    if (results.length < 500) return missing;
    after = results.at(-1)!.id;
  }
}

/**
 * The scheduled consistency job. Deletes R2 objects that no row points at and
 * that are older than the grace period (left by an upload that failed between
 * R2 and D1, or by a delete whose object removal failed), and reports rows
 * whose objects are missing, and purges expired Idempotency-Keys. Rows are never deleted here: a row without its
 * object is a bug to look at, not something to paper over.
 */
export async function runCleanup(bucket: R2Bucket, db: D1Database, options: CleanupOptions): Promise<CleanupReport> {
  const listedAt = new Date(options.now).toISOString();
  const objects = await listObjects(bucket);
  const ids = [...new Set(objects.map((o) => imageIdOf(o.key)).filter((id): id is string => id !== undefined))];
  const referenced = await rowKeys(db, ids);

  const orphans = objects.filter((o) => !referenced.has(o.key));
  const old = orphans.filter((o) => o.uploaded.getTime() < options.now - options.graceMs);
  for (let i = 0; i < old.length; i += R2_DELETE_BATCH) {
    await bucket.delete(old.slice(i, i + R2_DELETE_BATCH).map((o) => o.key));
  }

  return {
    scannedObjects: objects.length,
    deletedOrphans: old.map((o) => o.key),
    youngOrphans: orphans.length - old.length,
    rowsMissingObjects: await rowsWithMissingObjects(db, new Set(objects.map((o) => o.key)), listedAt),
    expiredIdempotencyKeys: await purgeExpiredKeys(db, listedAt),
  };
}
