import { imageColumns, toRecord, type ImageRecord, type ImageRow } from './images';

/** Points `userId`'s profile at `imageId`, creating the profile if needed. */
export function setAvatar(db: D1Database, userId: string, imageId: string, now: string): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO profiles (user_id, avatar_image_id, updated_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (user_id) DO UPDATE SET avatar_image_id = excluded.avatar_image_id, updated_at = excluded.updated_at`,
    )
    .bind(userId, imageId, now);
}

/**
 * Unpoints `userId`'s profile, but only from `imageId`: an avatar uploaded
 * meanwhile stays (a concurrent upload must not be cleared by a stale delete).
 */
export async function clearAvatar(db: D1Database, userId: string, imageId: string, now: string): Promise<void> {
  await db
    .prepare('UPDATE profiles SET avatar_image_id = NULL, updated_at = ?3 WHERE user_id = ?1 AND avatar_image_id = ?2')
    .bind(userId, imageId, now)
    .run();
}

/** The image `userId`'s profile points at, if any. */
export async function findAvatar(db: D1Database, userId: string): Promise<ImageRecord | null> {
  const row = await db
    .prepare(
      `SELECT ${imageColumns('i')}
       FROM profiles p JOIN images i ON i.id = p.avatar_image_id WHERE p.user_id = ?1`,
    )
    .bind(userId)
    .first<ImageRow>();
  return row ? toRecord(row) : null;
}
