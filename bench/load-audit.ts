// Reads the state `wrangler dev --persist-to <dir>` left behind, without the
// app: a Miniflare instance (the `miniflare` package wrangler itself uses) is
// pointed at the same persistence root and given the same bindings, so it sees
// the same local R2 bucket and D1 database. This is how `wrangler d1 execute
// --local` reads the database too (`<persist-to>/v3`, v4-style options).
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';

export interface StoredRow {
  id: string;
  owner_id: string;
  kind: string;
  main_key: string;
  thumb_key: string;
}

export interface PersistedState {
  objects: Set<string>;
  rows: Map<string, StoredRow>;
  avatarPointers: Map<string, string | null>;
}

export interface Bindings {
  bucketName: string;
  databaseId: string;
}

/** A load run against a private `wrangler dev` whose persisted state the audit reads (chaos, slow clients). */
export interface DevRun<O> {
  options: O;
  secret: string;
  toml: string;
  bindings: Bindings;
  persistDir: string;
  logPath: string;
  logFd: number;
  port: number;
  inspectorPort: number;
  /** Tells the caller which wrangler to stop on a signal or an error (undefined: none running). */
  setChild(child: ChildProcess | undefined): void;
}

/** Reads the R2 bucket name and D1 database id wrangler.toml gives IMAGES and DB (as wrangler dev binds them). */
export function bindingsFromWranglerToml(toml: string): Bindings {
  const block = (header: string, binding: string): string | undefined =>
    toml
      .split(/^\s*\[\[/m)
      .filter((b) => b.startsWith(`${header}]]`))
      .find((b) => new RegExp(`^\\s*binding\\s*=\\s*"${binding}"`, 'm').test(b));
  const value = (text: string | undefined, key: string) =>
    text?.match(new RegExp(`^\\s*${key}\\s*=\\s*"([^"]*)"`, 'm'))?.[1];
  const r2 = block('r2_buckets', 'IMAGES');
  const d1 = block('d1_databases', 'DB');
  const bucketName = value(r2, 'bucket_name');
  // wrangler dev binds the local D1 by preview_database_id ?? database_id.
  const databaseId = value(d1, 'preview_database_id') ?? value(d1, 'database_id');
  if (!bucketName || !databaseId) throw new Error('Could not find the IMAGES / DB bindings in wrangler.toml');
  return { bucketName, databaseId };
}

/** Lists every R2 object and every D1 row in the persisted state (wrangler must be stopped). */
export async function readPersistedState(persistDir: string, bindings: Bindings): Promise<PersistedState> {
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: 'export default { fetch() { return new Response(null, { status: 404 }); } };',
      resourcePersistencePath: join(persistDir, 'v3'),
      r2Buckets: { IMAGES: bindings.bucketName },
      d1Databases: { DB: bindings.databaseId },
    }),
  );
  try {
    const bucket = await mf.getR2Bucket('IMAGES');
    const objects = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await bucket.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const o of page.objects) objects.add(o.key);
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);

    const db = await mf.getD1Database('DB');
    const { results } = await db.prepare('SELECT id, owner_id, kind, main_key, thumb_key FROM images').all<StoredRow>();
    const rows = new Map(results.map((r) => [r.id, r]));
    const profiles = await db
      .prepare('SELECT user_id, avatar_image_id FROM profiles')
      .all<{ user_id: string; avatar_image_id: string | null }>();
    const avatarPointers = new Map(profiles.results.map((p) => [p.user_id, p.avatar_image_id]));
    return { objects, rows, avatarPointers };
  } finally {
    await mf.dispose();
  }
}
