/** A server API key as the gateway sees it (never the key itself). */
export interface ApiKeyRecord {
  id: string;
  name: string;
}

/** The active (not revoked) key whose SHA-256 is `keySha256`, if any. */
export async function findActiveApiKey(db: D1Database, keySha256: string): Promise<ApiKeyRecord | null> {
  return db
    .prepare('SELECT id, name FROM api_keys WHERE key_sha256 = ?1 AND revoked_at IS NULL')
    .bind(keySha256)
    .first<ApiKeyRecord>();
}
