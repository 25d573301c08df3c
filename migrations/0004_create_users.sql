-- The token subject behind each user id. Keys, paths and rows use the user id:
-- the JWT `sub` itself when it is 1-64 of A-Z a-z 0-9 _ - (every id before this
-- migration), else `h-` + a hash of the subject (src/lib/user-id.ts), which
-- cannot be turned back into the subject: this table keeps it.
CREATE TABLE users (
  id TEXT PRIMARY KEY,                 -- the user id in keys, paths and rows
  sub TEXT NOT NULL,                   -- the JWT `sub` as the identity provider issued it
  created_at TEXT NOT NULL             -- ISO 8601 UTC: first upload (or, for older users, their first row)
);

-- Users with data from before this table: their id is their subject.
INSERT INTO users (id, sub, created_at)
  SELECT owner_id, owner_id, MIN(created_at) FROM images GROUP BY owner_id;
INSERT INTO users (id, sub, created_at)
  SELECT user_id, user_id, updated_at FROM profiles WHERE user_id NOT IN (SELECT id FROM users);
