-- The stream as ingest measures it (bitrate, frame rate, picture size, keyframe interval,
-- audio, drops), as JSON, refreshed with every heartbeat while live.
ALTER TABLE broadcasts ADD COLUMN health TEXT;
