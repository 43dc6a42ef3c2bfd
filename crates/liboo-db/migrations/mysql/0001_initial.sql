-- Times are Unix epoch milliseconds. User identities are stored only as SHA-256
-- hashes: a userId is a bearer secret for a host.
CREATE TABLE settings (
    name VARCHAR(64) PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE channels (
    id BIGINT PRIMARY KEY AUTO_INCREMENT,
    session_key VARCHAR(32) NOT NULL UNIQUE,
    stream_key_hash VARCHAR(64) NOT NULL UNIQUE,
    title TEXT NOT NULL,
    host_name TEXT NOT NULL,
    notice TEXT NOT NULL,
    category TEXT NOT NULL,
    tags TEXT NOT NULL,
    thumbnail_key TEXT,
    live_broadcast_id BIGINT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE broadcasts (
    id BIGINT PRIMARY KEY AUTO_INCREMENT,
    video_id VARCHAR(32) NOT NULL UNIQUE,
    channel_id BIGINT NOT NULL,
    session_key VARCHAR(32) NOT NULL,
    title TEXT NOT NULL,
    host_name TEXT NOT NULL,
    notice TEXT NOT NULL,
    category TEXT NOT NULL,
    tags TEXT NOT NULL,
    thumbnail_key TEXT,
    media_prefix TEXT NOT NULL,
    is_live INTEGER NOT NULL,
    start_ms BIGINT NOT NULL,
    end_ms BIGINT,
    duration_ms BIGINT NOT NULL DEFAULT 0,
    heartbeat_ms BIGINT NOT NULL,
    read_count BIGINT NOT NULL DEFAULT 0,
    live_pr BIGINT NOT NULL DEFAULT 0
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX broadcasts_live_start ON broadcasts (is_live, start_ms);
CREATE INDEX broadcasts_channel ON broadcasts (channel_id, start_ms);

CREATE TABLE broadcast_viewers (
    broadcast_id BIGINT NOT NULL,
    viewer_hash VARCHAR(64) NOT NULL,
    PRIMARY KEY (broadcast_id, viewer_hash)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE questions (
    id BIGINT PRIMARY KEY AUTO_INCREMENT,
    broadcast_id BIGINT NOT NULL,
    user_hash VARCHAR(64) NOT NULL,
    nickname TEXT NOT NULL,
    msg TEXT NOT NULL,
    asked_ms BIGINT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    done_ms BIGINT,
    upvotes BIGINT NOT NULL DEFAULT 0
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX questions_broadcast ON questions (broadcast_id, id);

CREATE TABLE question_votes (
    question_id BIGINT NOT NULL,
    user_hash VARCHAR(64) NOT NULL,
    PRIMARY KEY (question_id, user_hash)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE bans (
    channel_id BIGINT NOT NULL,
    user_hash VARCHAR(64) NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (channel_id, user_hash)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
