-- The thumbnail's ThumbHash (base64, about 25 bytes), so a page can paint a
-- placeholder before the image loads (issue 10). Rows stored before this
-- migration have none.
ALTER TABLE images ADD COLUMN thumbhash TEXT;
