-- What each upload held that the stored image does not (issue 10): a JSON
-- array of names from the fixed vocabulary in src/pipeline/removed.ts, in
-- vocabulary order. Rows stored before this migration were not inspected and
-- read as an empty list.
ALTER TABLE images ADD COLUMN removed TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(removed) AND json_type(removed) = 'array');
