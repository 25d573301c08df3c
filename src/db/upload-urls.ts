/**
 * Claims a direct-upload URL for one use. Atomic: the token id is the primary
 * key, so of any number of simultaneous claims exactly one inserts a row.
 * @returns true when this request now owns the URL.
 */
export async function claimUploadUrl(
  db: D1Database,
  claim: { tokenId: string; userId: string; now: string; expiresAt: string },
): Promise<boolean> {
  const result = await db
    .prepare(
      `INSERT INTO upload_url_claims (token_id, user_id, claimed_at, expires_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (token_id) DO NOTHING`,
    )
    .bind(claim.tokenId, claim.userId, claim.now, claim.expiresAt)
    .run();
  return result.meta.changes === 1;
}

/** Gives a claimed URL back after its upload failed, so it can be used again until it expires. */
export async function releaseUploadUrl(db: D1Database, tokenId: string): Promise<void> {
  await db.prepare('DELETE FROM upload_url_claims WHERE token_id = ?1').bind(tokenId).run();
}

/** Deletes claims of URLs past their expiry (the signature check refuses those anyway). */
export async function purgeExpiredUploadClaims(db: D1Database, now: string): Promise<number> {
  const result = await db.prepare('DELETE FROM upload_url_claims WHERE expires_at <= ?1').bind(now).run();
  return result.meta.changes;
}
