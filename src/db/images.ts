import type { ImageKind } from '../domain/images';

/** A stored image, as the rest of the code sees a row of `images`. */
export interface ImageRecord {
  id: string;
  ownerId: string;
  kind: ImageKind;
  mainKey: string;
  thumbKey: string;
  width: number;
  height: number;
  bytes: number;
  thumbWidth: number;
  thumbHeight: number;
  thumbBytes: number;
  /** A format name from the pipeline's registry (src/pipeline/formats.ts) when it was stored. */
  originalFormat: string;
  originalBytes: number;
  /** The colour space the upload's pixels were in ("Display P3", "sRGB", …; "unknown" for rows older than migration 0005). */
  colourSource: string;
  /** Whether the pixels were converted from `colourSource` to sRGB. */
  colourConverted: boolean;
  /** The thumbnail's ThumbHash, base64; null for rows older than migration 0006. */
  thumbhash: string | null;
  /**
   * What the upload held that the stored image does not (names from the
   * pipeline's fixed vocabulary, src/pipeline/removed.ts, in its order); `[]`
   * for rows older than migration 0008.
   */
  removed: string[];
  /** ISO 8601 UTC. */
  createdAt: string;
}

export interface ImageRow {
  id: string;
  owner_id: string;
  kind: ImageKind;
  main_key: string;
  thumb_key: string;
  width: number;
  height: number;
  bytes: number;
  thumb_width: number;
  thumb_height: number;
  thumb_bytes: number;
  original_format: string;
  original_bytes: number;
  colour_source: string;
  colour_converted: number;
  thumbhash: string | null;
  /** A JSON array of strings (migration 0008). */
  removed: string;
  created_at: string;
}

const COLUMN_NAMES = [
  'id',
  'owner_id',
  'kind',
  'main_key',
  'thumb_key',
  'width',
  'height',
  'bytes',
  'thumb_width',
  'thumb_height',
  'thumb_bytes',
  'original_format',
  'original_bytes',
  'colour_source',
  'colour_converted',
  'thumbhash',
  'removed',
  'created_at',
] as const;

/** The `images` columns for a SELECT or RETURNING, optionally qualified by a table alias. */
export function imageColumns(alias?: string): string {
  return COLUMN_NAMES.map((c) => (alias ? `${alias}.${c}` : c)).join(', ');
}

const COLUMNS = imageColumns();

/** The one row ↔ record mapping. */
export function toRecord(row: ImageRow): ImageRecord {
  return {
    id: row.id,
    ownerId: row.owner_id,
    kind: row.kind,
    mainKey: row.main_key,
    thumbKey: row.thumb_key,
    width: row.width,
    height: row.height,
    bytes: row.bytes,
    thumbWidth: row.thumb_width,
    thumbHeight: row.thumb_height,
    thumbBytes: row.thumb_bytes,
    originalFormat: row.original_format,
    originalBytes: row.original_bytes,
    colourSource: row.colour_source,
    colourConverted: row.colour_converted === 1,
    thumbhash: row.thumbhash,
    removed: parseRemoved(row.removed),
    createdAt: row.created_at,
  };
}

/** The `removed` column's list; anything but a JSON array of strings (the column's CHECK allows none) reads as `[]`. */
function parseRemoved(column: string | null): string[] {
  try {
    const value: unknown = JSON.parse(column ?? '[]');
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

export function insertImage(db: D1Database, r: ImageRecord): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO images (${COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)`,
    )
    .bind(
      r.id,
      r.ownerId,
      r.kind,
      r.mainKey,
      r.thumbKey,
      r.width,
      r.height,
      r.bytes,
      r.thumbWidth,
      r.thumbHeight,
      r.thumbBytes,
      r.originalFormat,
      r.originalBytes,
      r.colourSource,
      r.colourConverted ? 1 : 0,
      r.thumbhash,
      JSON.stringify(r.removed),
      r.createdAt,
    );
}

/** The image if it exists and belongs to `ownerId`; otherwise null (callers answer 404 either way). */
export async function findOwnedImage(db: D1Database, id: string, ownerId: string): Promise<ImageRecord | null> {
  const row = await db
    .prepare(`SELECT ${COLUMNS} FROM images WHERE id = ?1 AND owner_id = ?2`)
    .bind(id, ownerId)
    .first<ImageRow>();
  return row ? toRecord(row) : null;
}

export async function imageRowExists(db: D1Database, id: string): Promise<boolean> {
  return (await db.prepare('SELECT 1 AS found FROM images WHERE id = ?1').bind(id).first('found')) !== null;
}

/** Where a page of a listing ends: the last item's sort key. */
export interface ListCursor {
  createdAt: string;
  id: string;
}

/** One page of `ownerId`'s images, newest first, strictly after `cursor`. */
export async function listOwnedImages(
  db: D1Database,
  ownerId: string,
  limit: number,
  cursor: ListCursor | undefined,
): Promise<ImageRecord[]> {
  const statement = cursor
    ? db
        .prepare(
          `SELECT ${COLUMNS} FROM images WHERE owner_id = ?1 AND (created_at < ?2 OR (created_at = ?2 AND id < ?3))
           ORDER BY created_at DESC, id DESC LIMIT ?4`,
        )
        .bind(ownerId, cursor.createdAt, cursor.id, limit)
    : db
        .prepare(`SELECT ${COLUMNS} FROM images WHERE owner_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2`)
        .bind(ownerId, limit);
  const { results } = await statement.all<ImageRow>();
  return results.map(toRecord);
}

/**
 * Deletes `ownerId`'s image row, first unpointing the profile if it is the
 * current avatar (one transaction), and returns what was deleted so the caller
 * can delete its objects after: rows go before objects.
 */
export async function deleteOwnedImage(db: D1Database, id: string, ownerId: string): Promise<ImageRecord | null> {
  const [, deleted] = await db.batch<ImageRow>([
    db
      .prepare('UPDATE profiles SET avatar_image_id = NULL WHERE user_id = ?2 AND avatar_image_id = ?1')
      .bind(id, ownerId),
    db.prepare(`DELETE FROM images WHERE id = ?1 AND owner_id = ?2 RETURNING ${COLUMNS}`).bind(id, ownerId),
  ]);
  const row = deleted?.results[0];
  return row ? toRecord(row) : null;
}

/** Deletes `userId`'s avatar rows that the profile no longer points at, returning them. */
export async function deleteStaleAvatars(db: D1Database, userId: string): Promise<ImageRecord[]> {
  const { results } = await db
    .prepare(
      `DELETE FROM images WHERE owner_id = ?1 AND kind = 'avatar'
         AND id NOT IN (SELECT avatar_image_id FROM profiles WHERE user_id = ?1 AND avatar_image_id IS NOT NULL)
       RETURNING ${COLUMNS}`,
    )
    .bind(userId)
    .all<ImageRow>();
  return results.map(toRecord);
}

/** D1 allows 100 bound parameters per statement. */
const ID_BATCH = 90;

/** The object keys (main and thumbnail) of the rows behind `ids`; ids without a row add nothing. */
export async function objectKeysOfImages(db: D1Database, ids: string[]): Promise<Set<string>> {
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

/** One image's id and object keys. */
export interface ImageObjectKeys {
  id: string;
  mainKey: string;
  thumbKey: string;
}

/**
 * A page of every owner's rows created before `createdBefore`, in id order,
 * strictly after the id `after` (start with `''`); fewer than `limit` rows
 * means the last page.
 */
export async function imageKeysByPage(
  db: D1Database,
  page: { after: string; createdBefore: string; limit: number },
): Promise<ImageObjectKeys[]> {
  const { results } = await db
    .prepare('SELECT id, main_key, thumb_key FROM images WHERE id > ?1 AND created_at < ?2 ORDER BY id LIMIT ?3')
    .bind(page.after, page.createdBefore, page.limit)
    .all<{ id: string; main_key: string; thumb_key: string }>();
  return results.map((row) => ({ id: row.id, mainKey: row.main_key, thumbKey: row.thumb_key }));
}

/**
 * Deletes every avatar row no profile points at (left when a replacement's
 * clean-up failed), returning them so their objects can go too. An avatar
 * row and its profile pointer are written in one batch, so an unpointed
 * avatar row is always stale.
 */
export async function deleteUnpointedAvatars(db: D1Database): Promise<ImageRecord[]> {
  const { results } = await db
    .prepare(
      `DELETE FROM images WHERE kind = 'avatar'
         AND id NOT IN (SELECT avatar_image_id FROM profiles WHERE avatar_image_id IS NOT NULL)
       RETURNING ${COLUMNS}`,
    )
    .all<ImageRow>();
  return results.map(toRecord);
}
