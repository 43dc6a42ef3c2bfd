-- Q&A as conferences run it: questions moderated before the room sees them, one pinned
-- at a time, roles granted by invitation, polls, and a log of every moderation action.

-- A question's state: pending (moderation on, not yet screened), approved, dismissed
-- (by a moderator) or withdrawn (by its asker). Every question asked before this was
-- shown at once: approved when asked.
ALTER TABLE questions ADD COLUMN state VARCHAR(16) NOT NULL DEFAULT 'approved';
ALTER TABLE questions ADD COLUMN approved_ms BIGINT;
ALTER TABLE questions ADD COLUMN removed_ms BIGINT;
ALTER TABLE questions ADD COLUMN edited_ms BIGINT;
ALTER TABLE questions ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
ALTER TABLE questions ADD COLUMN pinned_ms BIGINT;
ALTER TABLE questions ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0;
UPDATE questions SET approved_ms = asked_ms;

-- Moderation and anonymous questions per channel (and so per broadcast), and per talk,
-- where NULL follows the talk's room.
ALTER TABLE channels ADD COLUMN moderated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN anonymous_questions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE talks ADD COLUMN moderated INTEGER;
ALTER TABLE talks ADD COLUMN anonymous_questions INTEGER;
-- When a channel's or one of its talks' switches last changed: chat nodes read it to
-- tell their members.
ALTER TABLE channels ADD COLUMN qa_changed_ms BIGINT NOT NULL DEFAULT 0;
CREATE INDEX channels_qa_changed ON channels (qa_changed_ms);

-- A role holds for one channel (a plain channel or a conference room) or for every
-- room of a conference: exactly one of the two ids is set.
CREATE TABLE roles (
    id BIGINT PRIMARY KEY AUTO_INCREMENT,
    channel_id BIGINT,
    conference_id BIGINT,
    user_hash VARCHAR(64) NOT NULL,
    role VARCHAR(16) NOT NULL,
    name TEXT NOT NULL,
    invitation_id BIGINT,
    granted_ms BIGINT NOT NULL
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX roles_user ON roles (user_hash);
CREATE INDEX roles_channel ON roles (channel_id);
CREATE INDEX roles_conference ON roles (conference_id);

-- The token of an invitation is its id and an HMAC (with the server secret) over the id,
-- the role, the scope, the expiry and this nonce; the token itself is never stored.
CREATE TABLE invitations (
    id BIGINT PRIMARY KEY AUTO_INCREMENT,
    channel_id BIGINT,
    conference_id BIGINT,
    role VARCHAR(16) NOT NULL,
    nonce VARCHAR(64) NOT NULL,
    created_by_hash VARCHAR(64) NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    revoked_ms BIGINT,
    accepted INTEGER NOT NULL DEFAULT 0
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX invitations_channel ON invitations (channel_id);
CREATE INDEX invitations_conference ON invitations (conference_id);

CREATE TABLE moderation_log (
    id BIGINT PRIMARY KEY AUTO_INCREMENT,
    channel_id BIGINT NOT NULL,
    actor_hash VARCHAR(64) NOT NULL,
    actor_role VARCHAR(16) NOT NULL,
    action VARCHAR(32) NOT NULL,
    question_id BIGINT,
    poll_id BIGINT,
    detail TEXT NOT NULL,
    at_ms BIGINT NOT NULL
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX moderation_log_channel ON moderation_log (channel_id, id);

-- Polls belong where questions do: a broadcast, a talk, or a channel's next broadcast.
-- Options are a JSON array of strings; a vote is a JSON array of option indices.
CREATE TABLE polls (
    id BIGINT PRIMARY KEY AUTO_INCREMENT,
    channel_id BIGINT NOT NULL,
    broadcast_id BIGINT,
    talk_id BIGINT,
    question TEXT NOT NULL,
    options TEXT NOT NULL,
    multiple INTEGER NOT NULL,
    state VARCHAR(16) NOT NULL,
    created_ms BIGINT NOT NULL,
    opened_ms BIGINT,
    closed_ms BIGINT
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX polls_channel ON polls (channel_id, id);
CREATE INDEX polls_broadcast ON polls (broadcast_id, id);
CREATE INDEX polls_talk ON polls (talk_id, id);

CREATE TABLE poll_votes (
    poll_id BIGINT NOT NULL,
    user_hash VARCHAR(64) NOT NULL,
    options VARCHAR(64) NOT NULL,
    voted_ms BIGINT NOT NULL,
    PRIMARY KEY (poll_id, user_hash)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
