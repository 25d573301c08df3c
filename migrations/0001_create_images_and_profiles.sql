-- Images the gateway stored. A row is written only after both R2 objects exist,
-- and deleted before them, so a row never points at a missing object.
CREATE TABLE images (
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
  original_format TEXT NOT NULL CHECK (original_format IN ('jpeg', 'png', 'webp', 'gif')),
  original_bytes INTEGER NOT NULL,
  created_at TEXT NOT NULL             -- ISO 8601 UTC, millisecond precision
);

-- Listing a user's images newest first, with (created_at, id) as the cursor.
CREATE INDEX images_owner_created ON images (owner_id, created_at DESC, id DESC);

-- One row per user with an avatar; avatar_image_id points at the current one.
CREATE TABLE profiles (
  user_id TEXT PRIMARY KEY,
  avatar_image_id TEXT REFERENCES images (id),
  updated_at TEXT NOT NULL
);
