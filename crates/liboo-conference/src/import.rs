//! A schedule import from start to end: fetch (or take) the file, parse it, plan it
//! against what is stored and, when asked, write the plan in one transaction. The API's
//! `POST /api/conferences/import` and the sweeper's re-imports of a schedule URL both
//! come here.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use liboo_db::{Conference, Db, DbError};
use liboo_schedule::{Format, ImportOptions, ScheduleError};

use crate::plan::{Report, Target, plan};

/// A room's channel keys from the conference's slug and the room's key:
/// `(session key, SHA-256 of the stream key)`. Derived with the server secret (the
/// API's key deriver), so nobody computes a room's stream key without it.
pub type RoomKeys = Arc<dyn Fn(&str, &str) -> (String, String) + Send + Sync>;

/// How long a schedule URL may take to answer.
const FETCH_TIMEOUT: Duration = Duration::from_secs(20);

/// What an import is asked to do.
#[derive(Clone, Debug, Default)]
pub struct ImportRequest {
    /// The file's bytes.
    pub bytes: Bytes,
    /// Its format, when the caller says (else judged by its first byte).
    pub format: Option<Format>,
    /// An IANA zone for files that name none (or to override theirs).
    pub time_zone: Option<String>,
    /// Where it was fetched from.
    pub source_url: Option<String>,
    /// Into this conference (the caller's own), else a new one named by the file's
    /// acronym.
    pub slug: Option<String>,
    /// `public` or `unlisted` for a new conference.
    pub visibility: Option<String>,
    /// Write it (false: a dry run).
    pub apply: bool,
}

/// Why an import did nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is not a schedule this importer reads; nothing was written.
    #[error("{0}")]
    Schedule(#[from] ScheduleError),
    /// The conference is another organiser's.
    #[error("this conference is another organiser's")]
    NotOrganizer,
    /// The conference name is unusable or taken.
    #[error("{0}")]
    Slug(String),
    /// The schedule URL could not be fetched.
    #[error("{0}")]
    Fetch(String),
    /// The database failed.
    #[error("{0}")]
    Db(#[from] DbError),
}

/// Runs an import for the organiser whose `userId` hashes to `organizer_hash`.
pub async fn import(
    db: &Db,
    room_keys: &RoomKeys,
    organizer_hash: &str,
    req: &ImportRequest,
    now_ms: i64,
) -> Result<Report, ImportError> {
    let options = ImportOptions {
        time_zone: req.time_zone.clone(),
        source_url: req.source_url.clone(),
    };
    let schedule = liboo_schedule::parse(&req.bytes, req.format, &options)?;
    let slug = match &req.slug {
        Some(s) => s.clone(),
        None => slug_from(&schedule.conference.acronym, &schedule.conference.title)?,
    };
    check_slug(&slug)?;
    let existing = db.conference_by_slug(&slug).await?;
    let (rooms, talks) = match &existing {
        Some(c) if c.organizer_hash != organizer_hash => {
            return Err(match req.slug {
                Some(_) => ImportError::NotOrganizer,
                None => ImportError::Slug(format!(
                    "the conference name {slug:?} (from the file) is taken: import with another slug"
                )),
            });
        }
        Some(c) => (db.rooms(c.id).await?, db.talks_of_conference(c.id).await?),
        None => (Vec::new(), Vec::new()),
    };
    let visibility = match &existing {
        Some(c) => c.fields.visibility.clone(),
        None => req
            .visibility
            .clone()
            .unwrap_or_else(|| "public".to_owned()),
    };
    let keys = |room: &str| room_keys(&slug, room);
    let planned = plan(
        &schedule,
        &Target {
            slug: &slug,
            visibility: &visibility,
            rooms: &rooms,
            talks: &talks,
            source_url: req.source_url.as_deref(),
            room_keys: &keys,
        },
    );
    let mut report = planned.report;
    if req.apply {
        db.write_import(
            existing.as_ref().map(|c| c.id),
            organizer_hash,
            &planned.write,
            now_ms,
        )
        .await
        .map_err(|e| match e {
            DbError::Conflict(m) => ImportError::Slug(m),
            e => ImportError::Db(e),
        })?;
        report.applied = true;
        tracing::info!(
            conference = %slug,
            added = report.added.len(),
            changed = report.changed.len(),
            cancelled = report.cancelled.len(),
            warnings = report.warnings.len(),
            "schedule imported"
        );
    }
    Ok(report)
}

/// Imports a conference's schedule URL again (its refresh interval is due).
pub async fn reimport(
    db: &Db,
    room_keys: &RoomKeys,
    conference: &Conference,
    now_ms: i64,
) -> Result<Report, ImportError> {
    let source = conference.source.as_ref();
    let url = source
        .and_then(|s| s.url.clone())
        .ok_or_else(|| ImportError::Fetch("the conference has no schedule URL".into()))?;
    let bytes = fetch(&url).await?;
    let req = ImportRequest {
        bytes,
        format: None,
        time_zone: Some(conference.fields.time_zone.clone()),
        source_url: Some(url),
        slug: Some(conference.fields.slug.clone()),
        visibility: None,
        apply: true,
    };
    import(db, room_keys, &conference.organizer_hash, &req, now_ms).await
}

/// Fetches a schedule URL (http or https), at most [`liboo_schedule::MAX_BYTES`].
pub async fn fetch(url: &str) -> Result<Bytes, ImportError> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ImportError::Fetch(format!(
            "the schedule URL must start with http:// or https://, not {url:?}"
        )));
    }
    let client = reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .map_err(|e| ImportError::Fetch(e.to_string()))?;
    let failed = |e: reqwest::Error| {
        ImportError::Fetch(format!(
            "could not fetch the schedule: {e}; check the URL, or upload the file instead"
        ))
    };
    let response = client.get(url).send().await.map_err(failed)?;
    if !response.status().is_success() {
        return Err(ImportError::Fetch(format!(
            "the schedule URL answered {}; check the URL, or upload the file instead",
            response.status()
        )));
    }
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(failed)?;
        if body.len() + chunk.len() > liboo_schedule::MAX_BYTES {
            return Err(ScheduleError::TooLarge {
                bytes: body.len() + chunk.len(),
                max: liboo_schedule::MAX_BYTES,
            }
            .into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.into())
}

/// A slug from the file's acronym (else title): lower case, `[a-z0-9-]`.
fn slug_from(acronym: &str, title: &str) -> Result<String, ImportError> {
    let source = if acronym.trim().is_empty() {
        title
    } else {
        acronym
    };
    let mut slug = String::new();
    for c in source.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_matches('-').chars().take(64).collect();
    if slug.len() < 2 {
        return Err(ImportError::Slug(
            "the file gives no usable conference name: import with a slug".into(),
        ));
    }
    Ok(slug)
}

/// A conference slug is 2-64 characters of `[a-z0-9-]`, starting with a letter or digit.
pub fn check_slug(slug: &str) -> Result<(), ImportError> {
    let ok = (2..=64).contains(&slug.len())
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(ImportError::Slug(format!(
            "{slug:?} is not a conference name: use 2-64 lower-case letters, digits and '-'"
        )))
    }
}
