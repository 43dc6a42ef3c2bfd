-- Conferences: a conference has rooms (each a channel with conference_id set) and
-- talks scheduled in them. A plain channel (LiBoo's) is a room of no conference.
CREATE TABLE conferences (
    id BIGINT PRIMARY KEY AUTO_INCREMENT,
    slug VARCHAR(64) NOT NULL UNIQUE,
    title TEXT NOT NULL,
    time_zone VARCHAR(64) NOT NULL,
    day_change_minutes INTEGER NOT NULL,
    start_date VARCHAR(10) NOT NULL,
    end_date VARCHAR(10) NOT NULL,
    description TEXT NOT NULL,
    logo TEXT NOT NULL,
    url TEXT NOT NULL,
    visibility VARCHAR(16) NOT NULL,
    organizer_hash VARCHAR(64) NOT NULL,
    source_url TEXT,
    source_format VARCHAR(16),
    source_version TEXT,
    imported_ms BIGINT,
    refresh_s BIGINT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A room: the channel's key in the schedule (its guid, else its name), its name, and
-- where it stands in the conference's list.
ALTER TABLE channels ADD COLUMN conference_id BIGINT;
ALTER TABLE channels ADD COLUMN room_key VARCHAR(191);
ALTER TABLE channels ADD COLUMN room_name TEXT;
ALTER TABLE channels ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
CREATE INDEX channels_conference ON channels (conference_id, position);

-- Persons and links are JSON arrays: they are shown with their talk and searched
-- with it, never on their own.
CREATE TABLE talks (
    id BIGINT PRIMARY KEY AUTO_INCREMENT,
    conference_id BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    talk_key VARCHAR(191) NOT NULL,
    guid TEXT,
    code TEXT,
    source_id TEXT,
    slug TEXT NOT NULL,
    title TEXT NOT NULL,
    subtitle TEXT NOT NULL,
    abstract_text TEXT NOT NULL,
    description TEXT NOT NULL,
    track TEXT NOT NULL,
    kind TEXT NOT NULL,
    language TEXT NOT NULL,
    url TEXT NOT NULL,
    day VARCHAR(10) NOT NULL,
    sched_start_ms BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    do_not_record INTEGER NOT NULL,
    persons TEXT NOT NULL,
    links TEXT NOT NULL,
    state VARCHAR(16) NOT NULL,
    state_ms BIGINT NOT NULL,
    -- 1 when the host's "start talk" began it: it then runs until "next talk", the
    -- room's next talk or the overrun cap, not just its slot.
    manual INTEGER NOT NULL DEFAULT 0,
    actual_start_ms BIGINT,
    actual_end_ms BIGINT,
    cut_in_ms BIGINT,
    cut_out_ms BIGINT,
    replay_broadcast_id BIGINT,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    UNIQUE (conference_id, talk_key)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
CREATE INDEX talks_room ON talks (channel_id, sched_start_ms);
CREATE INDEX talks_state ON talks (state, sched_start_ms);
CREATE INDEX talks_changed ON talks (state_ms);

-- A talk's replay is a broadcast row of its own (so LiBoo's replay calls serve it)
-- whose playlist lists the room broadcast's segments between the talk's cut points.
ALTER TABLE broadcasts ADD COLUMN talk_id BIGINT;

-- Questions belong to a broadcast (a plain channel live), to a talk (asked before,
-- during or right after it), or to a plain channel's next broadcast (asked while it is
-- offline: both ids NULL until it starts).
ALTER TABLE questions MODIFY broadcast_id BIGINT NULL;
ALTER TABLE questions ADD COLUMN channel_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE questions ADD COLUMN talk_id BIGINT;
UPDATE questions q JOIN broadcasts b ON b.id = q.broadcast_id SET q.channel_id = b.channel_id;
CREATE INDEX questions_talk ON questions (talk_id, id);
CREATE INDEX questions_channel ON questions (channel_id, id);
