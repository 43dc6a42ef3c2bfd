//! Talks: scheduled in a room, imported by key (idempotent), moved through their states
//! by the conference sweeper and by the room's host, and cut into replays.
//!
//! Every state change is a conditional `UPDATE ... WHERE state = ?`, so two nodes
//! sweeping at once make each change once; `state_ms` says when a talk last changed,
//! which is what chat nodes poll to tell rooms.

use sqlx::{AssertSqlSafe, Row};

use crate::rows::AnyQuery;
use crate::{Db, DbError, conferences::ensure_room_in};
use crate::{RoomSpec, ScheduleSource};

const TALK_COLS: &str = "id, conference_id, channel_id, talk_key, guid, code, source_id, slug, \
     title, subtitle, abstract_text, description, track, kind, language, url, day, \
     sched_start_ms, duration_ms, do_not_record, persons, links, state, state_ms, manual, \
     actual_start_ms, actual_end_ms, cut_in_ms, cut_out_ms, replay_broadcast_id, updated_ms";

/// What a schedule says of a talk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TalkFields {
    /// Stable across imports: guid, else code, else derived from the source and id.
    pub talk_key: String,
    /// The file's guid.
    pub guid: Option<String>,
    /// pretalx's code.
    pub code: Option<String>,
    /// frab's numeric id.
    pub source_id: Option<String>,
    /// The file's slug or "".
    pub slug: String,
    /// Title.
    pub title: String,
    /// Subtitle or "".
    pub subtitle: String,
    /// Abstract as given.
    pub abstract_text: String,
    /// Description as given.
    pub description: String,
    /// Track or "".
    pub track: String,
    /// The file's `type` or "".
    pub kind: String,
    /// Language code or "".
    pub language: String,
    /// The talk's page in the schedule system, or "".
    pub url: String,
    /// The schedule day, `YYYY-MM-DD` local.
    pub day: String,
    /// Scheduled start, Unix ms.
    pub sched_start_ms: i64,
    /// Scheduled length, ms.
    pub duration_ms: i64,
    /// The speakers asked not to be recorded: no replay.
    pub do_not_record: bool,
    /// Speakers as a JSON array of `{name, biography, avatar}`.
    pub persons: String,
    /// Links as a JSON array of `{url, title}`.
    pub links: String,
}

/// A talk's state (see `liboo-conference`'s state machine).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TalkState {
    /// Before its waiting room opens.
    Scheduled,
    /// The waiting room: a countdown, questions open.
    Waiting,
    /// On air in its room.
    Live,
    /// Over; its replay is being cut.
    Ended,
    /// Its replay is cut.
    Replay,
    /// Over without a replay (`do_not_record`, or its room never went live).
    NoReplay,
    /// Gone from the schedule.
    Cancelled,
}

impl TalkState {
    /// The stored (and wire) name.
    pub fn as_str(self) -> &'static str {
        match self {
            TalkState::Scheduled => "scheduled",
            TalkState::Waiting => "waiting",
            TalkState::Live => "live",
            TalkState::Ended => "ended",
            TalkState::Replay => "replay",
            TalkState::NoReplay => "no_replay",
            TalkState::Cancelled => "cancelled",
        }
    }

    /// The state a stored name means.
    pub fn parse(s: &str) -> Option<TalkState> {
        Some(match s {
            "scheduled" => TalkState::Scheduled,
            "waiting" => TalkState::Waiting,
            "live" => TalkState::Live,
            "ended" => TalkState::Ended,
            "replay" => TalkState::Replay,
            "no_replay" => TalkState::NoReplay,
            "cancelled" => TalkState::Cancelled,
            _ => return None,
        })
    }

    /// A talk that is live or over keeps its times whatever a new import says.
    pub fn is_fixed(self) -> bool {
        matches!(
            self,
            TalkState::Live | TalkState::Ended | TalkState::Replay | TalkState::NoReplay
        )
    }
}

/// A stored talk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Talk {
    /// Row id, the public `talkId`.
    pub id: i64,
    /// Its conference.
    pub conference_id: i64,
    /// Its room's channel.
    pub channel_id: i64,
    /// What the schedule says.
    pub fields: TalkFields,
    /// Where it is in its lifecycle.
    pub state: TalkState,
    /// Unix ms of its last state change.
    pub state_ms: i64,
    /// Began by the host's "start talk" rather than by the schedule.
    pub manual: bool,
    /// When it actually went live.
    pub actual_start_ms: Option<i64>,
    /// When it actually ended.
    pub actual_end_ms: Option<i64>,
    /// The organiser's replay in point, if moved.
    pub cut_in_ms: Option<i64>,
    /// The organiser's replay out point, if moved.
    pub cut_out_ms: Option<i64>,
    /// Its replay (a broadcast row), once cut.
    pub replay_broadcast_id: Option<i64>,
    /// Unix ms of its last change.
    pub updated_ms: i64,
}

/// How long after a talk ends its questions stay open (people ask on their way out).
pub const QUESTIONS_CLOSE_AFTER_MS: i64 = 15 * 60 * 1000;

impl Talk {
    /// Scheduled end, Unix ms.
    pub fn sched_end_ms(&self) -> i64 {
        self.fields.sched_start_ms + self.fields.duration_ms
    }

    /// Whether a question may be asked now: from its publication (scheduled, in the
    /// waiting room, live) until [`QUESTIONS_CLOSE_AFTER_MS`] after it ended.
    pub fn accepts_questions(&self, now_ms: i64) -> bool {
        match self.state {
            TalkState::Scheduled | TalkState::Waiting | TalkState::Live => true,
            TalkState::Ended | TalkState::Replay | TalkState::NoReplay => {
                let end = self.actual_end_ms.unwrap_or_else(|| self.sched_end_ms());
                now_ms < end + QUESTIONS_CLOSE_AFTER_MS
            }
            TalkState::Cancelled => false,
        }
    }
}

/// One talk of an import: the new fields, the room it is in (by room key) and, if the
/// talk is stored already, its id.
#[derive(Clone, Debug)]
pub struct TalkUpsert {
    /// The stored talk this updates, `None` to add it.
    pub existing: Option<i64>,
    /// Key of its room in [`ImportWrite::rooms`] or among the stored rooms.
    pub room_key: String,
    /// What the file says.
    pub fields: TalkFields,
}

/// Everything an applied import writes, in one transaction.
#[derive(Clone, Debug)]
pub struct ImportWrite {
    /// The conference's fields from the file (or as the organiser set them).
    pub conference: crate::ConferenceFields,
    /// Where it came from.
    pub source: ScheduleSource,
    /// Every room the schedule names; missing ones are made.
    pub rooms: Vec<RoomSpec>,
    /// Talks to add or update.
    pub upserts: Vec<TalkUpsert>,
    /// Stored talks gone from the file: marked cancelled.
    pub cancel: Vec<i64>,
}

fn select_talks<'q>(rest: &str) -> AnyQuery<'q> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {TALK_COLS} FROM talks {rest}"
    )))
}

fn talk_from_row(row: &sqlx::any::AnyRow) -> Result<Talk, DbError> {
    let state: String = row.try_get("state")?;
    Ok(Talk {
        id: row.try_get("id")?,
        conference_id: row.try_get("conference_id")?,
        channel_id: row.try_get("channel_id")?,
        fields: TalkFields {
            talk_key: row.try_get("talk_key")?,
            guid: row.try_get("guid")?,
            code: row.try_get("code")?,
            source_id: row.try_get("source_id")?,
            slug: row.try_get("slug")?,
            title: row.try_get("title")?,
            subtitle: row.try_get("subtitle")?,
            abstract_text: row.try_get("abstract_text")?,
            description: row.try_get("description")?,
            track: row.try_get("track")?,
            kind: row.try_get("kind")?,
            language: row.try_get("language")?,
            url: row.try_get("url")?,
            day: row.try_get("day")?,
            sched_start_ms: row.try_get("sched_start_ms")?,
            duration_ms: row.try_get("duration_ms")?,
            do_not_record: row.try_get::<i64, _>("do_not_record")? != 0,
            persons: row.try_get("persons")?,
            links: row.try_get("links")?,
        },
        state: TalkState::parse(&state)
            .ok_or_else(|| DbError::Corrupt(format!("talk state {state:?}")))?,
        state_ms: row.try_get("state_ms")?,
        manual: row.try_get::<i64, _>("manual")? != 0,
        actual_start_ms: row.try_get("actual_start_ms")?,
        actual_end_ms: row.try_get("actual_end_ms")?,
        cut_in_ms: row.try_get("cut_in_ms")?,
        cut_out_ms: row.try_get("cut_out_ms")?,
        replay_broadcast_id: row.try_get("replay_broadcast_id")?,
        updated_ms: row.try_get("updated_ms")?,
    })
}

/// Binds the schedule's columns in the order [`INSERT_TALK`] and [`UPDATE_TALK`] name them.
fn bind_talk<'q>(query: AnyQuery<'q>, f: &'q TalkFields) -> AnyQuery<'q> {
    query
        .bind(&f.guid)
        .bind(&f.code)
        .bind(&f.source_id)
        .bind(&f.slug)
        .bind(&f.title)
        .bind(&f.subtitle)
        .bind(&f.abstract_text)
        .bind(&f.description)
        .bind(&f.track)
        .bind(&f.kind)
        .bind(&f.language)
        .bind(&f.url)
        .bind(&f.day)
        .bind(f.sched_start_ms)
        .bind(f.duration_ms)
        .bind(f.do_not_record as i64)
        .bind(&f.persons)
        .bind(&f.links)
}

const INSERT_TALK: &str = "INSERT INTO talks (guid, code, source_id, slug, title, subtitle, \
     abstract_text, description, track, kind, language, url, day, sched_start_ms, duration_ms, \
     do_not_record, persons, links, conference_id, channel_id, talk_key, state, state_ms, \
     created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \
     ?, 'scheduled', ?, ?, ?)";

/// Updates what the schedule says; the state goes back to scheduled only for a talk that
/// was cancelled and is in the file again. `state_ms` is set before `state`: MySQL
/// evaluates a single-table `SET` left to right, each assignment seeing the ones before.
const UPDATE_TALK: &str = "UPDATE talks SET guid = ?, code = ?, source_id = ?, slug = ?, \
     title = ?, subtitle = ?, abstract_text = ?, description = ?, track = ?, kind = ?, \
     language = ?, url = ?, day = ?, sched_start_ms = ?, duration_ms = ?, do_not_record = ?, \
     persons = ?, links = ?, channel_id = ?, \
     state_ms = CASE WHEN state = 'cancelled' THEN ? ELSE state_ms END, \
     state = CASE WHEN state = 'cancelled' THEN 'scheduled' ELSE state END, updated_ms = ? \
     WHERE id = ? AND state NOT IN ('live', 'ended', 'replay', 'no_replay')";

/// For a talk that is live or over: its texts change, its times and room never do.
const UPDATE_FIXED_TALK: &str = "UPDATE talks SET title = ?, subtitle = ?, abstract_text = ?, \
     description = ?, track = ?, kind = ?, language = ?, url = ?, persons = ?, links = ?, \
     updated_ms = ? WHERE id = ? AND state IN ('live', 'ended', 'replay', 'no_replay')";

impl Db {
    /// Writes an applied import in one transaction: the conference (made if
    /// `conference_id` is `None`), its missing rooms, every added and changed talk, the
    /// cancellations. Returns the conference's id. Nothing is written if any of it fails.
    pub async fn write_import(
        &self,
        conference_id: Option<i64>,
        organizer_hash: &str,
        write: &ImportWrite,
        now_ms: i64,
    ) -> Result<i64, DbError> {
        let mut tx = self.begin_write().await?;
        let c = &write.conference;
        let id = match conference_id {
            Some(id) => {
                sqlx::query(
                    "UPDATE conferences SET title = ?, time_zone = ?, day_change_minutes = ?, \
                     start_date = ?, end_date = ?, description = ?, logo = ?, url = ?, \
                     source_url = ?, source_format = ?, source_version = ?, imported_ms = ?, \
                     updated_ms = ? WHERE id = ?",
                )
                .bind(&c.title)
                .bind(&c.time_zone)
                .bind(c.day_change_minutes)
                .bind(&c.start_date)
                .bind(&c.end_date)
                .bind(&c.description)
                .bind(&c.logo)
                .bind(&c.url)
                .bind(&write.source.url)
                .bind(&write.source.format)
                .bind(&write.source.version)
                .bind(now_ms)
                .bind(now_ms)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                id
            }
            None => {
                let inserted = crate::conferences::bind_fields(
                    self.insert_ignore(
                        "conferences (slug, title, time_zone, day_change_minutes, start_date, \
                         end_date, description, logo, url, visibility, organizer_hash, \
                         source_url, source_format, source_version, imported_ms, created_ms, \
                         updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ),
                    c,
                )
                .bind(organizer_hash)
                .bind(&write.source.url)
                .bind(&write.source.format)
                .bind(&write.source.version)
                .bind(now_ms)
                .bind(now_ms)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?;
                if inserted.rows_affected() != 1 {
                    return Err(DbError::Conflict(format!(
                        "the conference name {:?} is taken: import with another slug",
                        c.slug
                    )));
                }
                sqlx::query("SELECT id FROM conferences WHERE slug = ?")
                    .bind(&c.slug)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get("id")?
            }
        };
        let mut room_ids = std::collections::HashMap::new();
        for room in &write.rooms {
            let channel = ensure_room_in(self, &mut tx, id, room, now_ms).await?;
            room_ids.insert(room.key.as_str(), channel);
        }
        for t in &write.upserts {
            let channel_id = match room_ids.get(t.room_key.as_str()) {
                Some(c) => *c,
                None => {
                    return Err(DbError::Corrupt(format!(
                        "talk {:?} is in room {:?}, which the import does not name",
                        t.fields.title, t.room_key
                    )));
                }
            };
            let f = &t.fields;
            match t.existing {
                None => {
                    bind_talk(sqlx::query(INSERT_TALK), f)
                        .bind(id)
                        .bind(channel_id)
                        .bind(&f.talk_key)
                        .bind(now_ms)
                        .bind(now_ms)
                        .bind(now_ms)
                        .execute(&mut *tx)
                        .await?;
                }
                Some(talk_id) => {
                    let moved = bind_talk(sqlx::query(UPDATE_TALK), f)
                        .bind(channel_id)
                        .bind(now_ms)
                        .bind(now_ms)
                        .bind(talk_id)
                        .execute(&mut *tx)
                        .await?;
                    if moved.rows_affected() == 0 {
                        sqlx::query(UPDATE_FIXED_TALK)
                            .bind(&f.title)
                            .bind(&f.subtitle)
                            .bind(&f.abstract_text)
                            .bind(&f.description)
                            .bind(&f.track)
                            .bind(&f.kind)
                            .bind(&f.language)
                            .bind(&f.url)
                            .bind(&f.persons)
                            .bind(&f.links)
                            .bind(now_ms)
                            .bind(talk_id)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
            }
        }
        for talk_id in &write.cancel {
            sqlx::query(
                "UPDATE talks SET state = 'cancelled', state_ms = ?, updated_ms = ? \
                 WHERE id = ? AND state IN ('scheduled', 'waiting')",
            )
            .bind(now_ms)
            .bind(now_ms)
            .bind(talk_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Every talk of a conference, by start.
    pub async fn talks_of_conference(&self, conference_id: i64) -> Result<Vec<Talk>, DbError> {
        let query =
            select_talks("WHERE conference_id = ? ORDER BY sched_start_ms, id").bind(conference_id);
        self.fetch_all(query, talk_from_row).await
    }

    /// Every talk of a room, by start.
    pub async fn talks_of_room(&self, channel_id: i64) -> Result<Vec<Talk>, DbError> {
        let query =
            select_talks("WHERE channel_id = ? ORDER BY sched_start_ms, id").bind(channel_id);
        self.fetch_all(query, talk_from_row).await
    }

    /// The talk a room is about now: the live one, else the next one not yet over.
    pub async fn current_talk_of_room(&self, channel_id: i64) -> Result<Option<Talk>, DbError> {
        let live = select_talks("WHERE channel_id = ? AND state = 'live' LIMIT 1").bind(channel_id);
        if let Some(t) = self.fetch_optional(live, talk_from_row).await? {
            return Ok(Some(t));
        }
        let next = select_talks(
            "WHERE channel_id = ? AND state IN ('scheduled', 'waiting') \
             ORDER BY sched_start_ms, id LIMIT 1",
        )
        .bind(channel_id);
        self.fetch_optional(next, talk_from_row).await
    }

    /// The talk with this id, if any.
    pub async fn talk(&self, id: i64) -> Result<Option<Talk>, DbError> {
        self.fetch_optional(select_talks("WHERE id = ?").bind(id), talk_from_row)
            .await
    }

    /// Talks the sweeper may have to move: those not yet over whose waiting room opens
    /// before `until_ms`, and those ended (waiting for their cut).
    pub async fn active_talks(&self, until_ms: i64) -> Result<Vec<Talk>, DbError> {
        let query = select_talks(
            "WHERE (state IN ('scheduled', 'waiting') AND sched_start_ms <= ?) \
             OR state IN ('live', 'ended') ORDER BY channel_id, sched_start_ms, id",
        )
        .bind(until_ms);
        self.fetch_all(query, talk_from_row).await
    }

    /// Talks whose state changed after `since_ms` (chat nodes poll this to tell rooms).
    pub async fn talks_changed_since(&self, since_ms: i64) -> Result<Vec<Talk>, DbError> {
        let query =
            select_talks("WHERE state_ms > ? ORDER BY state_ms, id LIMIT 500").bind(since_ms);
        self.fetch_all(query, talk_from_row).await
    }

    /// Moves a talk from `from` to `to` if it is still in `from`, setting the actual
    /// start or end when given; true if this call moved it. A talk going live makes its
    /// room's channel show the talk's title and speakers (what LiBoo's client reads).
    pub async fn move_talk(
        &self,
        talk_id: i64,
        from: TalkState,
        to: TalkState,
        marks: TalkMarks,
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let moved = sqlx::query(
            "UPDATE talks SET state = ?, state_ms = ?, updated_ms = ?, \
             actual_start_ms = COALESCE(?, actual_start_ms), \
             actual_end_ms = COALESCE(?, actual_end_ms), \
             manual = CASE WHEN ? = 1 THEN 1 ELSE manual END \
             WHERE id = ? AND state = ?",
        )
        .bind(to.as_str())
        .bind(now_ms)
        .bind(now_ms)
        .bind(marks.actual_start_ms)
        .bind(marks.actual_end_ms)
        .bind(marks.manual as i64)
        .bind(talk_id)
        .bind(from.as_str())
        .execute(&self.pool)
        .await?;
        Ok(moved.rows_affected() == 1)
    }

    /// Sets (or clears, with `None`) the organiser's replay cut points.
    pub async fn set_talk_cut(
        &self,
        talk_id: i64,
        in_ms: Option<i64>,
        out_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE talks SET cut_in_ms = ?, cut_out_ms = ?, updated_ms = ?, state_ms = ? \
             WHERE id = ?",
        )
        .bind(in_ms)
        .bind(out_ms)
        .bind(now_ms)
        .bind(now_ms)
        .bind(talk_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Stores a talk's replay: a broadcast row of the talk's room whose media prefix
    /// holds the cut playlist, made once (its video id is derived from the talk, so
    /// racing nodes make one) or updated when the cut moves; the talk goes to `replay`.
    pub async fn store_talk_replay(
        &self,
        talk: &Talk,
        replay: &TalkReplay,
    ) -> Result<i64, DbError> {
        let mut tx = self.begin_write().await?;
        self.insert_ignore(
            "broadcasts (video_id, channel_id, session_key, title, host_name, notice, category, \
             tags, thumbnail_key, media_prefix, is_live, start_ms, end_ms, duration_ms, \
             heartbeat_ms, talk_id) SELECT ?, id, session_key, ?, ?, '', ?, '[]', thumbnail_key, \
             ?, 0, ?, ?, ?, ?, ? FROM channels WHERE id = ?",
        )
        .bind(&replay.video_id)
        .bind(&talk.fields.title)
        .bind(&replay.host_name)
        .bind(&talk.fields.track)
        .bind(&replay.media_prefix)
        .bind(replay.start_ms)
        .bind(replay.end_ms)
        .bind(replay.duration_ms)
        .bind(replay.end_ms)
        .bind(talk.id)
        .bind(talk.channel_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE broadcasts SET start_ms = ?, end_ms = ?, duration_ms = ?, title = ?, \
             host_name = ? WHERE video_id = ?",
        )
        .bind(replay.start_ms)
        .bind(replay.end_ms)
        .bind(replay.duration_ms)
        .bind(&talk.fields.title)
        .bind(&replay.host_name)
        .bind(&replay.video_id)
        .execute(&mut *tx)
        .await?;
        let id: i64 = sqlx::query("SELECT id FROM broadcasts WHERE video_id = ?")
            .bind(&replay.video_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
        sqlx::query(
            // state_ms before state: see UPDATE_TALK.
            "UPDATE talks SET replay_broadcast_id = ?, \
             state_ms = CASE WHEN state = 'replay' THEN state_ms ELSE ? END, state = 'replay', \
             updated_ms = ? WHERE id = ? AND state IN ('ended', 'replay')",
        )
        .bind(id)
        .bind(replay.end_ms.max(replay.made_ms))
        .bind(replay.made_ms)
        .bind(talk.id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// The actual start or end a state change sets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TalkMarks {
    /// Sets `actual_start_ms`.
    pub actual_start_ms: Option<i64>,
    /// Sets `actual_end_ms`.
    pub actual_end_ms: Option<i64>,
    /// The host started it ("start talk").
    pub manual: bool,
}

/// A talk's cut replay, as [`Db::store_talk_replay`] stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TalkReplay {
    /// Its public id (the same namespace as broadcasts' video ids).
    pub video_id: String,
    /// Where its playlist is (`{media_prefix}/replay.m3u8`).
    pub media_prefix: String,
    /// The speakers, shown as the replay's host name.
    pub host_name: String,
    /// Wall-clock time of its first segment's first frame.
    pub start_ms: i64,
    /// Wall-clock time of its last segment's end.
    pub end_ms: i64,
    /// Length of the playlist.
    pub duration_ms: i64,
    /// When it was cut.
    pub made_ms: i64,
}
