-- Idempotency-Key on uploads: a retry with the same key and body returns the
-- first result; the same key with another body is refused (409).
CREATE TABLE idempotency_keys (
  user_id TEXT NOT NULL,
  key TEXT NOT NULL,
  route TEXT NOT NULL,                 -- e.g. 'POST /images'
  body_sha256 TEXT NOT NULL,           -- hex SHA-256 of the uploaded file bytes
  status TEXT NOT NULL CHECK (status IN ('pending', 'done')),
  response_status INTEGER,             -- set when done
  response_body TEXT,                  -- the JSON returned the first time
  created_at TEXT NOT NULL,            -- ISO 8601 UTC
  expires_at TEXT NOT NULL,            -- ISO 8601 UTC; the cleanup job purges expired keys
  PRIMARY KEY (user_id, key)
);

CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);
