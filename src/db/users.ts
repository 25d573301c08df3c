/**
 * Records which subject `userId` stands for (a derived id cannot be turned
 * back into its subject), keeping the first record. Returns the subject on
 * record, which differs from `sub` only if two subjects share an id (a hash
 * collision: never expected, and refused by the caller).
 */
export async function recordUser(db: D1Database, userId: string, sub: string, now: string): Promise<string | null> {
  return db
    .prepare(
      `INSERT INTO users (id, sub, created_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (id) DO UPDATE SET id = id RETURNING sub`,
    )
    .bind(userId, sub, now)
    .first<string>('sub');
}
