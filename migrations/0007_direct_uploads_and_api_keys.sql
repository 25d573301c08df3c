-- Server API keys (`npm run apikey:create|list|revoke`). Only the SHA-256 of a
-- key is stored; the key itself is shown once, at creation. A key may only
-- issue direct-upload URLs (POST /uploads).
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,                 -- 12 hex characters, also inside the key: gwk_<id>_<secret>
  name TEXT NOT NULL,                  -- what the key is for, shown by apikey:list
  key_sha256 TEXT NOT NULL UNIQUE,     -- hex SHA-256 of the whole key
  created_at TEXT NOT NULL,            -- ISO 8601 UTC
  revoked_at TEXT                      -- set by apikey:revoke; a revoked key is refused
);

-- Direct-upload URLs that are spent or being used right now. The primary key
-- makes a URL single-use: of two simultaneous uses, only one INSERT succeeds.
-- A use whose upload fails deletes its row again, so the URL can be retried
-- until it expires; a successful upload keeps it forever (until purged).
CREATE TABLE upload_url_claims (
  token_id TEXT PRIMARY KEY,           -- the signed URL's id (a UUID)
  user_id TEXT NOT NULL,               -- the user the URL was issued for
  claimed_at TEXT NOT NULL,            -- ISO 8601 UTC
  expires_at TEXT NOT NULL             -- the URL's own expiry; after it the signature check refuses the URL anyway
);

CREATE INDEX upload_url_claims_expires ON upload_url_claims (expires_at);
