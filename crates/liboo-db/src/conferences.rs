//! Conferences and their rooms: a conference is made by an organiser (by hand or by a
//! schedule import), and each of its rooms is a channel with `conference_id` set, so
//! ingest, chat and LiBoo's calls treat a room as the channel it is.

use sqlx::{AssertSqlSafe, Row};

use crate::rows::{AnyQuery, channel_from_row, select_channels};
use crate::{Channel, Db, DbError};

const CONFERENCE_COLS: &str = "id, slug, title, time_zone, day_change_minutes, start_date, \
     end_date, description, logo, url, visibility, organizer_hash, source_url, source_format, \
     source_version, imported_ms, refresh_s, created_ms, updated_ms";

/// What an organiser sets of a conference (or an import takes from the file).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConferenceFields {
    /// URL name, unique: `[a-z0-9-]`, 2-64 characters.
    pub slug: String,
    /// Shown everywhere.
    pub title: String,
    /// IANA zone the schedule's local times are in.
    pub time_zone: String,
    /// Minutes after local midnight at which a schedule day begins.
    pub day_change_minutes: i64,
    /// First day, `YYYY-MM-DD`.
    pub start_date: String,
    /// Last day, `YYYY-MM-DD`.
    pub end_date: String,
    /// Free text.
    pub description: String,
    /// Logo URL or "".
    pub logo: String,
    /// The conference's website or "".
    pub url: String,
    /// `public` (listed) or `unlisted` (reachable by its URL only).
    pub visibility: String,
}

/// Where a conference's schedule was imported from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScheduleSource {
    /// The URL fetched, `None` for an uploaded file.
    pub url: Option<String>,
    /// `frab-xml` or `frab-json`.
    pub format: String,
    /// The file's version string.
    pub version: String,
}

/// A stored conference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conference {
    /// Row id.
    pub id: i64,
    /// What the organiser set.
    pub fields: ConferenceFields,
    /// SHA-256 of the organiser's `userId`.
    pub organizer_hash: String,
    /// The last import's source, if any.
    pub source: Option<ScheduleSource>,
    /// Unix ms of the last import.
    pub imported_ms: Option<i64>,
    /// Re-import the source URL every this many seconds (`None`: never).
    pub refresh_s: Option<i64>,
    /// Unix ms it was made.
    pub created_ms: i64,
    /// Unix ms of its last change.
    pub updated_ms: i64,
}

/// A room to make (or keep) in a conference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomSpec {
    /// The room's key in the schedule: its guid, else its name.
    pub key: String,
    /// Its name.
    pub name: String,
    /// Where it stands in the conference's list.
    pub position: i64,
    /// The room channel's public session key.
    pub session_key: String,
    /// SHA-256 of the room channel's stream key.
    pub stream_key_hash: String,
}

fn select_conferences<'q>(rest: &str) -> AnyQuery<'q> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {CONFERENCE_COLS} FROM conferences {rest}"
    )))
}

fn conference_from_row(row: &sqlx::any::AnyRow) -> Result<Conference, DbError> {
    let format: Option<String> = row.try_get("source_format")?;
    Ok(Conference {
        id: row.try_get("id")?,
        fields: ConferenceFields {
            slug: row.try_get("slug")?,
            title: row.try_get("title")?,
            time_zone: row.try_get("time_zone")?,
            day_change_minutes: row.try_get("day_change_minutes")?,
            start_date: row.try_get("start_date")?,
            end_date: row.try_get("end_date")?,
            description: row.try_get("description")?,
            logo: row.try_get("logo")?,
            url: row.try_get("url")?,
            visibility: row.try_get("visibility")?,
        },
        organizer_hash: row.try_get("organizer_hash")?,
        source: match format {
            Some(format) => Some(ScheduleSource {
                url: row.try_get("source_url")?,
                format,
                version: row
                    .try_get::<Option<String>, _>("source_version")?
                    .unwrap_or_default(),
            }),
            None => None,
        },
        imported_ms: row.try_get("imported_ms")?,
        refresh_s: row.try_get("refresh_s")?,
        created_ms: row.try_get("created_ms")?,
        updated_ms: row.try_get("updated_ms")?,
    })
}

/// Binds the ten organiser fields in the order the statements below name them.
pub(crate) fn bind_fields<'q>(query: AnyQuery<'q>, f: &'q ConferenceFields) -> AnyQuery<'q> {
    query
        .bind(&f.slug)
        .bind(&f.title)
        .bind(&f.time_zone)
        .bind(f.day_change_minutes)
        .bind(&f.start_date)
        .bind(&f.end_date)
        .bind(&f.description)
        .bind(&f.logo)
        .bind(&f.url)
        .bind(&f.visibility)
}

impl Db {
    /// Makes a conference; [`DbError::Conflict`] if its slug is taken.
    pub async fn create_conference(
        &self,
        fields: &ConferenceFields,
        organizer_hash: &str,
        now_ms: i64,
    ) -> Result<Conference, DbError> {
        let inserted = bind_fields(
            self.insert_ignore(
                "conferences (slug, title, time_zone, day_change_minutes, start_date, end_date, \
                 description, logo, url, visibility, organizer_hash, created_ms, updated_ms) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ),
            fields,
        )
        .bind(organizer_hash)
        .bind(now_ms)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        if inserted.rows_affected() != 1 {
            return Err(DbError::Conflict(format!(
                "the conference name {:?} is taken: choose another slug",
                fields.slug
            )));
        }
        self.conference_by_slug(&fields.slug)
            .await?
            .ok_or_else(|| DbError::Corrupt(format!("conference {} vanished", fields.slug)))
    }

    /// Replaces what the organiser set of a conference (the slug stays).
    pub async fn update_conference(
        &self,
        id: i64,
        fields: &ConferenceFields,
        now_ms: i64,
    ) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE conferences SET title = ?, time_zone = ?, day_change_minutes = ?, \
             start_date = ?, end_date = ?, description = ?, logo = ?, url = ?, visibility = ?, \
             updated_ms = ? WHERE id = ?",
        )
        .bind(&fields.title)
        .bind(&fields.time_zone)
        .bind(fields.day_change_minutes)
        .bind(&fields.start_date)
        .bind(&fields.end_date)
        .bind(&fields.description)
        .bind(&fields.logo)
        .bind(&fields.url)
        .bind(&fields.visibility)
        .bind(now_ms)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The conference with this slug, if any.
    pub async fn conference_by_slug(&self, slug: &str) -> Result<Option<Conference>, DbError> {
        self.fetch_optional(
            select_conferences("WHERE slug = ?").bind(slug),
            conference_from_row,
        )
        .await
    }

    /// The conference with this id, if any.
    pub async fn conference_by_id(&self, id: i64) -> Result<Option<Conference>, DbError> {
        self.fetch_optional(
            select_conferences("WHERE id = ?").bind(id),
            conference_from_row,
        )
        .await
    }

    /// Public conferences, the latest first; an organiser's own (any visibility) when
    /// `organizer_hash` is given.
    pub async fn conferences(
        &self,
        organizer_hash: Option<&str>,
    ) -> Result<Vec<Conference>, DbError> {
        let query = match organizer_hash {
            Some(hash) => select_conferences(
                "WHERE organizer_hash = ? ORDER BY start_date DESC, id DESC LIMIT 200",
            )
            .bind(hash.to_owned()),
            None => select_conferences(
                "WHERE visibility = 'public' ORDER BY start_date DESC, id DESC LIMIT 200",
            ),
        };
        self.fetch_all(query, conference_from_row).await
    }

    /// Conferences whose schedule URL is due to be imported again.
    pub async fn conferences_due_refresh(&self, now_ms: i64) -> Result<Vec<Conference>, DbError> {
        let query = select_conferences(
            "WHERE refresh_s IS NOT NULL AND source_url IS NOT NULL \
             AND COALESCE(imported_ms, 0) + refresh_s * 1000 <= ?",
        )
        .bind(now_ms);
        self.fetch_all(query, conference_from_row).await
    }

    /// Sets (or clears) the re-import interval of a conference's schedule URL.
    pub async fn set_conference_refresh(
        &self,
        id: i64,
        refresh_s: Option<i64>,
    ) -> Result<(), DbError> {
        sqlx::query("UPDATE conferences SET refresh_s = ? WHERE id = ?")
            .bind(refresh_s)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Counts a failed re-import as an import, so the next try waits for the interval.
    pub async fn touch_import(&self, id: i64, now_ms: i64) -> Result<(), DbError> {
        sqlx::query("UPDATE conferences SET imported_ms = ? WHERE id = ?")
            .bind(now_ms)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A conference's rooms, in their order.
    pub async fn rooms(&self, conference_id: i64) -> Result<Vec<Channel>, DbError> {
        let query =
            select_channels("WHERE conference_id = ? ORDER BY position, id").bind(conference_id);
        self.fetch_all(query, channel_from_row).await
    }

    /// Makes a room (a channel of the conference) unless one with its key exists, and
    /// returns the room as stored. A room channel's title is the room's name until a
    /// talk goes live in it.
    pub async fn ensure_room(
        &self,
        conference_id: i64,
        room: &RoomSpec,
        now_ms: i64,
    ) -> Result<Channel, DbError> {
        let mut tx = self.begin_write().await?;
        ensure_room_in(self, &mut tx, conference_id, room, now_ms).await?;
        tx.commit().await?;
        let query = select_channels("WHERE session_key = ?").bind(room.session_key.clone());
        self.fetch_optional(query, channel_from_row)
            .await?
            .ok_or_else(|| DbError::Corrupt(format!("room {} vanished", room.key)))
    }
}

/// [`Db::ensure_room`] inside a transaction (an import makes its rooms and talks in one).
pub(crate) async fn ensure_room_in(
    db: &Db,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    conference_id: i64,
    room: &RoomSpec,
    now_ms: i64,
) -> Result<i64, DbError> {
    db.insert_ignore(
        "channels (session_key, stream_key_hash, title, host_name, notice, category, tags, \
         created_ms, updated_ms, conference_id, room_key, room_name, position) \
         VALUES (?, ?, ?, '', '', '', '[]', ?, ?, ?, ?, ?, ?)",
    )
    .bind(&room.session_key)
    .bind(&room.stream_key_hash)
    .bind(&room.name)
    .bind(now_ms)
    .bind(now_ms)
    .bind(conference_id)
    .bind(&room.key)
    .bind(&room.name)
    .bind(room.position)
    .execute(&mut **tx)
    .await?;
    let row = sqlx::query("SELECT id, conference_id FROM channels WHERE session_key = ?")
        .bind(&room.session_key)
        .fetch_one(&mut **tx)
        .await?;
    if row.try_get::<Option<i64>, _>("conference_id")? != Some(conference_id) {
        return Err(DbError::Corrupt(format!(
            "room {} collides with another channel",
            room.key
        )));
    }
    Ok(row.try_get("id")?)
}
