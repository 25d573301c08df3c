import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { imageColumns, toRecord, type ImageRow } from '../../src/db/images';

const ROW = {
  id: '00000000-0000-4000-8000-000000000001',
  owner_id: 'migrated',
  kind: 'avatar',
  main_key: 'avatars/migrated/00000000-0000-4000-8000-000000000001.webp',
  thumb_key: 'avatars/migrated/00000000-0000-4000-8000-000000000001_thumb.webp',
  width: 640,
  height: 480,
  bytes: 12345,
  thumb_width: 400,
  thumb_height: 300,
  thumb_bytes: 2345,
  original_format: 'jpeg',
  original_bytes: 99999,
  created_at: '2026-01-02T03:04:05.678Z',
};
const COLUMNS = Object.keys(ROW);

function insertImage(row: Record<string, unknown>) {
  return env.DB.prepare(
    `INSERT INTO images (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `?${i + 1}`).join(', ')})`,
  ).bind(...COLUMNS.map((c) => row[c]));
}

/** Back to an empty database, then only the migrations before `upTo`. */
async function migrateFreshTo(upTo: string): Promise<void> {
  // Every table the migrations made (any branch may add one), children first so foreign keys hold.
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
  ).all<{ name: string }>();
  const tables = results.map((r) => r.name).sort((a, b) => Number(b === 'profiles') - Number(a === 'profiles'));
  await env.DB.batch(tables.map((t) => env.DB.prepare(`DROP TABLE IF EXISTS ${t}`)));
  await applyD1Migrations(
    env.DB,
    env.TEST_MIGRATIONS.filter((m) => m.name < upTo),
  );
}

describe('0003_original_format_unconstrained', () => {
  it('keeps every row, the profile pointer, the index and the other constraints; drops only the format CHECK', async () => {
    await migrateFreshTo('0003');
    await insertImage(ROW).run();
    await env.DB.prepare('INSERT INTO profiles (user_id, avatar_image_id, updated_at) VALUES (?1, ?2, ?3)')
      .bind(ROW.owner_id, ROW.id, ROW.created_at)
      .run();
    await expect(
      insertImage({ ...ROW, id: 'x', main_key: 'a', thumb_key: 'b', original_format: 'avif' }).run(),
    ).rejects.toThrow(/CHECK/);

    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

    expect(await env.DB.prepare('SELECT * FROM images').all()).toMatchObject({ results: [ROW] });
    const profile = await env.DB.prepare(
      'SELECT i.id FROM profiles p JOIN images i ON i.id = p.avatar_image_id WHERE p.user_id = ?1',
    )
      .bind(ROW.owner_id)
      .first('id');
    expect(profile).toBe(ROW.id);
    // A new format needs no migration now.
    await insertImage({ ...ROW, id: 'x', main_key: 'a', thumb_key: 'b', original_format: 'avif' }).run();
    // What stays constrained still is.
    await expect(insertImage({ ...ROW, id: 'y', main_key: 'c', thumb_key: 'd', kind: 'banner' }).run()).rejects.toThrow(
      /CHECK/,
    );
    await expect(insertImage({ ...ROW, id: 'z', thumb_key: 'e' }).run()).rejects.toThrow(/UNIQUE/);
    await expect(
      env.DB.prepare('INSERT INTO profiles (user_id, avatar_image_id, updated_at) VALUES (?1, ?2, ?3)')
        .bind('someone', 'no-such-image', ROW.created_at)
        .run(),
    ).rejects.toThrow(/FOREIGN KEY/);
    const index = await env.DB.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1")
      .bind('images_owner_created')
      .first<string>('sql');
    expect(index).toContain('owner_id, created_at DESC, id DESC');
    const { results: tables } = await env.DB.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all<{
      name: string;
      sql: string;
    }>();
    expect(tables.map((t) => t.name)).not.toContain('images_rebuilt');
    expect(tables.map((t) => t.name)).not.toContain('profiles_rebuilt');
    expect(tables.find((t) => t.name === 'profiles')?.sql).toMatch(/REFERENCES "?images"? \(id\)/);
  });
});

describe('0004_create_users', () => {
  it('records every existing user, with their id as their subject, at their first row', async () => {
    await migrateFreshTo('0004');
    const at = (n: number) => `2026-01-0${n}T00:00:00.000Z`;
    for (const [n, owner] of [
      [1, 'alice'],
      [2, 'alice'],
      [3, 'bob'],
    ] as const) {
      await insertImage({
        ...ROW,
        id: `00000000-0000-4000-8000-00000000000${n}`,
        owner_id: owner,
        main_key: `m${n}`,
        thumb_key: `t${n}`,
        created_at: at(n),
      }).run();
    }
    // A profile without images left (its avatar was deleted) is a user too.
    await env.DB.prepare('INSERT INTO profiles (user_id, avatar_image_id, updated_at) VALUES (?1, NULL, ?2)')
      .bind('carol', at(5))
      .run();

    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

    const { results } = await env.DB.prepare('SELECT id, sub, created_at FROM users ORDER BY id').all();
    expect(results).toEqual([
      { id: 'alice', sub: 'alice', created_at: at(1) },
      { id: 'bob', sub: 'bob', created_at: at(3) },
      { id: 'carol', sub: 'carol', created_at: at(5) },
    ]);
  });
});

describe('0005_image_colour', () => {
  it('gives rows stored before it an unknown, unconverted colour, and refuses a converted flag other than 0/1', async () => {
    await migrateFreshTo('0005');
    await insertImage(ROW).run();
    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
    expect(await env.DB.prepare('SELECT colour_source, colour_converted FROM images').first()).toEqual({
      colour_source: 'unknown',
      colour_converted: 0,
    });
    await expect(
      env.DB.prepare('UPDATE images SET colour_converted = 2 WHERE id = ?1').bind(ROW.id).run(),
    ).rejects.toThrow(/CHECK/);
  });
});

describe('0006_image_thumbhash', () => {
  it('leaves rows stored before it without a ThumbHash', async () => {
    await migrateFreshTo('0006');
    await insertImage(ROW).run();
    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
    expect(await env.DB.prepare('SELECT thumbhash FROM images').first('thumbhash')).toBeNull();
  });
});

describe('0008_image_removed', () => {
  it('gives rows stored before it an empty list, read back as [], and refuses a value that is not a JSON array', async () => {
    await migrateFreshTo('0008');
    await insertImage(ROW).run();
    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
    expect(await env.DB.prepare('SELECT removed FROM images').first('removed')).toBe('[]');
    const row = await env.DB.prepare(`SELECT ${imageColumns()} FROM images`).first<ImageRow>();
    expect(toRecord(row!).removed).toEqual([]);
    for (const bad of ['exif', '{"exif":true}']) {
      await expect(
        env.DB.prepare('UPDATE images SET removed = ?1 WHERE id = ?2').bind(bad, ROW.id).run(),
      ).rejects.toThrow(/CHECK/);
    }
  });
});
