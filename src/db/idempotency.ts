/** A stored Idempotency-Key, as the rest of the code sees it. */
export interface IdempotencyRecord {
  route: string;
  bodySha256: string;
  status: 'pending' | 'done';
  responseStatus: number | null;
  responseBody: string | null;
}

interface IdempotencyRow {
  route: string;
  body_sha256: string;
  status: 'pending' | 'done';
  response_status: number | null;
  response_body: string | null;
}

/**
 * Claims `key` for this request (a `pending` row), first dropping an expired
 * key or a pending claim abandoned before `staleBefore` (a request that died).
 * @returns true when this request now owns the key.
 */
export async function claimKey(
  db: D1Database,
  claim: {
    userId: string;
    key: string;
    route: string;
    bodySha256: string;
    now: string;
    expiresAt: string;
    staleBefore: string;
  },
): Promise<boolean> {
  const [, inserted] = await db.batch([
    db
      .prepare(
        `DELETE FROM idempotency_keys WHERE user_id = ?1 AND key = ?2
           AND (expires_at <= ?3 OR (status = 'pending' AND created_at <= ?4))`,
      )
      .bind(claim.userId, claim.key, claim.now, claim.staleBefore),
    db
      .prepare(
        `INSERT INTO idempotency_keys (user_id, key, route, body_sha256, status, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6) ON CONFLICT (user_id, key) DO NOTHING`,
      )
      .bind(claim.userId, claim.key, claim.route, claim.bodySha256, claim.now, claim.expiresAt),
  ]);
  return (inserted?.meta.changes ?? 0) === 1;
}

export async function findKey(db: D1Database, userId: string, key: string): Promise<IdempotencyRecord | null> {
  const row = await db
    .prepare(
      'SELECT route, body_sha256, status, response_status, response_body FROM idempotency_keys WHERE user_id = ?1 AND key = ?2',
    )
    .bind(userId, key)
    .first<IdempotencyRow>();
  return row
    ? {
        route: row.route,
        bodySha256: row.body_sha256,
        status: row.status,
        responseStatus: row.response_status,
        responseBody: row.response_body,
      }
    : null;
}

export async function completeKey(db: D1Database, userId: string, key: string, status: number, body: string) {
  await db
    .prepare(
      `UPDATE idempotency_keys SET status = 'done', response_status = ?3, response_body = ?4 WHERE user_id = ?1 AND key = ?2`,
    )
    .bind(userId, key, status, body)
    .run();
}

export async function releaseKey(db: D1Database, userId: string, key: string) {
  await db
    .prepare(`DELETE FROM idempotency_keys WHERE user_id = ?1 AND key = ?2 AND status = 'pending'`)
    .bind(userId, key)
    .run();
}

/** Deletes expired keys; returns how many. */
export async function purgeExpiredKeys(db: D1Database, now: string): Promise<number> {
  const result = await db.prepare('DELETE FROM idempotency_keys WHERE expires_at <= ?1').bind(now).run();
  return result.meta.changes ?? 0;
}
