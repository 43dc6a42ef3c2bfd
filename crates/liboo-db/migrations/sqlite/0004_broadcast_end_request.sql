-- When the host asked to end a broadcast (the studio's "End broadcast", POST /api/host/end):
-- the ingest node serving it ends it at once, even within its reconnect grace.
ALTER TABLE broadcasts ADD COLUMN end_requested_ms INTEGER;
