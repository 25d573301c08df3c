-- original_format is whatever the pipeline's format registry (src/pipeline/formats.ts)
-- names: a CHECK listing the formats would need a migration for every new format.
-- SQLite cannot drop a CHECK in place, so `images` is rebuilt with its rows and
-- index. `profiles` points at it, and dropping a parent that rows still point at
-- breaks the foreign key even when deferred, so `profiles` is rebuilt too, pointing
-- at the new table from the start (a table rename carries such references along).

CREATE TABLE images_rebuilt (
  id TEXT PRIMARY KEY,                 -- UUID, also the last part of the R2 keys
  owner_id TEXT NOT NULL,              -- the JWT `sub` of the uploader
  kind TEXT NOT NULL CHECK (kind IN ('avatar', 'image')),
  main_key TEXT NOT NULL UNIQUE,
  thumb_key TEXT NOT NULL UNIQUE,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  thumb_width INTEGER NOT NULL,
  thumb_height INTEGER NOT NULL,
  thumb_bytes INTEGER NOT NULL,
  original_format TEXT NOT NULL,       -- a format name from src/pipeline/formats.ts
  original_bytes INTEGER NOT NULL,
  created_at TEXT NOT NULL             -- ISO 8601 UTC, millisecond precision
);

INSERT INTO images_rebuilt (id, owner_id, kind, main_key, thumb_key, width, height, bytes, thumb_width,
  thumb_height, thumb_bytes, original_format, original_bytes, created_at)
SELECT id, owner_id, kind, main_key, thumb_key, width, height, bytes, thumb_width,
  thumb_height, thumb_bytes, original_format, original_bytes, created_at
FROM images;

-- One row per user with an avatar; avatar_image_id points at the current one.
CREATE TABLE profiles_rebuilt (
  user_id TEXT PRIMARY KEY,
  avatar_image_id TEXT REFERENCES images_rebuilt (id),
  updated_at TEXT NOT NULL
);

INSERT INTO profiles_rebuilt (user_id, avatar_image_id, updated_at)
SELECT user_id, avatar_image_id, updated_at FROM profiles;

DROP TABLE profiles;
DROP TABLE images;
ALTER TABLE images_rebuilt RENAME TO images;
ALTER TABLE profiles_rebuilt RENAME TO profiles;

-- Listing a user's images newest first, with (created_at, id) as the cursor.
CREATE INDEX images_owner_created ON images (owner_id, created_at DESC, id DESC);
