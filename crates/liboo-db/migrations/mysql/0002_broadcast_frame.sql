-- A frame of the broadcast as a JPEG, stored next to its segments (frame.jpg) by ingest
-- every few seconds while live: the Unix ms of the latest one, or NULL before the first.
ALTER TABLE broadcasts ADD COLUMN frame_ms BIGINT;
