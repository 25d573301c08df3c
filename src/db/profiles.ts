import { imageColumns, toRecord, type ImageRecord, type ImageRow } from './images';

/** Points `userId`'s profile at `imageId` (creating the profile if needed), or clears it with null. */
export function setAvatar(db: D1Database, userId: string, imageId: string | null, now: string): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO profiles (user_id, avatar_image_id, updated_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (user_id) DO UPDATE SET avatar_image_id = excluded.avatar_image_id, updated_at = excluded.updated_at`,
    )
    .bind(userId, imageId, now);
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
