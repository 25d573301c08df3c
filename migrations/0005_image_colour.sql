-- What colour space each upload's pixels were in, and whether the gateway
-- converted them to sRGB (issue 10). Rows stored before this migration were
-- never converted; what their source was is not known.
ALTER TABLE images ADD COLUMN colour_source TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE images ADD COLUMN colour_converted INTEGER NOT NULL DEFAULT 0 CHECK (colour_converted IN (0, 1));
