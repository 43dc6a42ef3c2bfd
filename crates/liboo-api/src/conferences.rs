//! `/api/conferences/...`: making a conference, importing its schedule (a dry run,
//! then applied), its page (rooms with what is on now and next), its schedule (and the
//! schedule exported as schedule.json, schedule.xml or iCalendar), its rooms' keys.
//! An organiser is whoever made the conference; their `userId` travels in bodies only.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use liboo_conference::import::{ImportError, ImportRequest, check_slug, fetch, import};
use liboo_conference::plan::Report;
use liboo_db::{Channel, Conference, ConferenceFields, RoomSpec, Talk, TalkState, hash_secret};
use liboo_schedule::Format;

use crate::conference_model::*;
use crate::talks::{talk_info, talks_by_room};
use crate::validation::check_user_id;
use crate::{ApiError, ApiState, ErrorBody, JsonBody, QueryParams, iso, now_ms};

impl ApiState {
    /// The conference with this slug, or 404.
    pub(crate) async fn conference(&self, slug: &str) -> Result<Conference, ApiError> {
        self.0
            .db
            .conference_by_slug(slug)
            .await?
            .ok_or_else(|| ApiError::NotFound("no such conference".to_owned()))
    }

    /// The conference with this slug if `user_id` is its organiser: 404 or 403.
    pub(crate) async fn own_conference(
        &self,
        slug: &str,
        user_id: &str,
    ) -> Result<Conference, ApiError> {
        check_user_id(user_id)?;
        let c = self.conference(slug).await?;
        if c.organizer_hash != hash_secret(user_id) {
            return Err(ApiError::Forbidden(
                "this conference is another organiser's".to_owned(),
            ));
        }
        Ok(c)
    }

    /// The room keys function the importer and the sweeper use.
    pub fn room_keys(&self) -> liboo_conference::import::RoomKeys {
        let keys = self.0.keys.clone();
        std::sync::Arc::new(move |slug: &str, room: &str| {
            let k = keys.room_keys(slug, room);
            (k.session_key, hash_secret(&k.stream_key))
        })
    }
}

#[utoipa::path(post, path = "/api/conferences", tag = "conferences", request_body = CreateConference,
    description = "Makes a conference; its caller is its organiser.",
    responses((status = 201, description = "Made", body = ConferenceView), (status = 400, description = "Bad input", body = ErrorBody),
        (status = 409, description = "The slug is taken", body = ErrorBody)))]
pub(crate) async fn create_conference(
    State(s): State<ApiState>,
    JsonBody(req): JsonBody<CreateConference>,
) -> Result<(StatusCode, Json<ConferenceView>), ApiError> {
    check_user_id(&req.user_id)?;
    let fields = check_conference(&req)?;
    let c =
        s.0.db
            .create_conference(&fields, &hash_secret(&req.user_id), now_ms())
            .await?;
    Ok((
        StatusCode::CREATED,
        Json(conference_view(&s, &c, true).await?),
    ))
}

fn check_conference(req: &CreateConference) -> Result<ConferenceFields, ApiError> {
    let mut fields = std::collections::BTreeMap::new();
    if let Err(e) = check_slug(&req.slug) {
        fields.insert("slug".to_owned(), e.to_string());
    }
    let title = req.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        fields.insert("title".to_owned(), "1-200 characters".to_owned());
    }
    if !liboo_schedule::is_time_zone(&req.time_zone) {
        fields.insert(
            "timeZone".to_owned(),
            "an IANA time zone such as Europe/Brussels".to_owned(),
        );
    }
    let day_change = match req.day_change.as_deref() {
        None => Some(240),
        Some(v) => parse_hh_mm(v),
    };
    if day_change.is_none() {
        fields.insert("dayChange".to_owned(), "HH:MM".to_owned());
    }
    for (name, v) in [("startDate", &req.start_date), ("endDate", &req.end_date)] {
        if !is_date(v) {
            fields.insert(name.to_owned(), "a date, YYYY-MM-DD".to_owned());
        }
    }
    if is_date(&req.start_date) && is_date(&req.end_date) && req.end_date < req.start_date {
        fields.insert("endDate".to_owned(), "on or after startDate".to_owned());
    }
    let visibility = req.visibility.as_deref().unwrap_or("public");
    if !matches!(visibility, "public" | "unlisted") {
        fields.insert("visibility".to_owned(), "public or unlisted".to_owned());
    }
    let description = req.description.clone().unwrap_or_default();
    if description.chars().count() > 5000 {
        fields.insert(
            "description".to_owned(),
            "at most 5000 characters".to_owned(),
        );
    }
    if !fields.is_empty() {
        return Err(ApiError::invalid_fields(fields));
    }
    Ok(ConferenceFields {
        slug: req.slug.clone(),
        title: title.to_owned(),
        time_zone: req.time_zone.clone(),
        day_change_minutes: day_change.expect("checked"),
        start_date: req.start_date.clone(),
        end_date: req.end_date.clone(),
        description,
        logo: String::new(),
        url: String::new(),
        visibility: visibility.to_owned(),
    })
}

fn parse_hh_mm(v: &str) -> Option<i64> {
    let (h, m) = v.split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
    ((0..24).contains(&h) && (0..60).contains(&m)).then_some(h * 60 + m)
}

fn is_date(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[utoipa::path(post, path = "/api/conferences/import", tag = "conferences", request_body = ImportBody,
    description = "Imports a frab schedule.xml or frab-compatible schedule.json, from a URL or \
        the body. With apply false it is a dry run: the report says what would be added, changed \
        and cancelled, which rooms would be made, and what was odd in the file. With apply true \
        the same plan is written in one transaction. Importing again is idempotent by each talk's \
        key; a talk live or over never moves. A file that cannot be read imports nothing.",
    responses((status = 200, description = "The report", body = Object), (status = 400, description = "The file or the input is wrong: the message says where", body = ErrorBody),
        (status = 403, description = "Another organiser's conference", body = ErrorBody), (status = 409, description = "The conference name is taken", body = ErrorBody),
        (status = 502, description = "The schedule URL failed", body = ErrorBody)))]
pub(crate) async fn import_schedule(
    State(s): State<ApiState>,
    JsonBody(req): JsonBody<ImportBody>,
) -> Result<Json<Report>, ApiError> {
    check_user_id(&req.user_id)?;
    let format = match req.format.as_deref() {
        None | Some("") => None,
        Some("frab-xml" | "xml") => Some(Format::FrabXml),
        Some("frab-json" | "json") => Some(Format::FrabJson),
        Some(_) => return Err(ApiError::bad_request("format: frab-xml or frab-json")),
    };
    if let Some(v) = &req.visibility
        && !matches!(v.as_str(), "public" | "unlisted")
    {
        return Err(ApiError::bad_request("visibility: public or unlisted"));
    }
    let bytes = match (&req.url, &req.body) {
        (Some(url), None) if !(url.starts_with("http://") || url.starts_with("https://")) => {
            return Err(ApiError::bad_request(
                "url: a schedule URL starting with http:// or https://",
            ));
        }
        (Some(url), None) => fetch(url).await.map_err(import_error)?,
        (None, Some(body)) => bytes::Bytes::from(body.clone().into_bytes()),
        _ => {
            return Err(ApiError::bad_request(
                "give the schedule as url (to fetch) or as body (the file), one of them",
            ));
        }
    };
    let request = ImportRequest {
        bytes,
        format,
        time_zone: req.time_zone.clone().filter(|z| !z.is_empty()),
        source_url: req.url.clone(),
        slug: req.slug.clone().filter(|z| !z.is_empty()),
        visibility: req.visibility.clone(),
        apply: req.apply,
    };
    let organizer = hash_secret(&req.user_id);
    let report = import(&s.0.db, &s.room_keys(), &organizer, &request, now_ms())
        .await
        .map_err(import_error)?;
    if req.apply
        && req.url.is_some()
        && let Some(minutes) = req.refresh_minutes
    {
        let c = s.conference(&report.conference.slug).await?;
        let refresh = match minutes {
            0 => None,
            5..=1440 => Some(i64::from(minutes) * 60),
            _ => {
                return Err(ApiError::bad_request(
                    "refreshMinutes: 5-1440, or 0 to stop",
                ));
            }
        };
        s.0.db.set_conference_refresh(c.id, refresh).await?;
    }
    Ok(Json(report))
}

fn import_error(e: ImportError) -> ApiError {
    match e {
        ImportError::Schedule(e) => {
            ApiError::bad_request(format!("the schedule was not imported: {e}"))
        }
        ImportError::NotOrganizer => {
            ApiError::Forbidden("this conference is another organiser's".to_owned())
        }
        ImportError::Slug(m) => ApiError::Conflict(m),
        ImportError::Fetch(m) => ApiError::BadGateway(m),
        ImportError::Db(e) => e.into(),
    }
}

#[utoipa::path(get, path = "/api/conferences", tag = "conferences",
    description = "Public conferences, the latest first.",
    responses((status = 200, description = "Success", body = ConferenceList)))]
pub(crate) async fn list_conferences(
    State(s): State<ApiState>,
) -> Result<Json<ConferenceList>, ApiError> {
    let mut info = Vec::new();
    for c in s.0.db.conferences(None).await? {
        info.push(conference_view(&s, &c, false).await?);
    }
    Ok(Json(ConferenceList { info }))
}

#[utoipa::path(post, path = "/api/host/conferences", tag = "conferences", request_body = OrganizerRequest,
    description = "The caller's own conferences, unlisted ones too.",
    responses((status = 200, description = "Success", body = ConferenceList), (status = 400, description = "Bad input", body = ErrorBody)))]
pub(crate) async fn my_conferences(
    State(s): State<ApiState>,
    JsonBody(req): JsonBody<OrganizerRequest>,
) -> Result<Json<ConferenceList>, ApiError> {
    check_user_id(&req.user_id)?;
    let mut info = Vec::new();
    for c in s.0.db.conferences(Some(&hash_secret(&req.user_id))).await? {
        info.push(conference_view(&s, &c, true).await?);
    }
    Ok(Json(ConferenceList { info }))
}

#[utoipa::path(get, path = "/api/conferences/{slug}", tag = "conferences",
    params(("slug" = String, Path, description = "The conference")),
    description = "A conference with its rooms, each with its live state and its current and next talk.",
    responses((status = 200, description = "Success", body = ConferenceView), (status = 404, description = "No such conference", body = ErrorBody)))]
pub(crate) async fn get_conference(
    State(s): State<ApiState>,
    Path(slug): Path<String>,
) -> Result<Json<ConferenceView>, ApiError> {
    let c = s.conference(&slug).await?;
    Ok(Json(conference_view(&s, &c, false).await?))
}

#[utoipa::path(get, path = "/api/conferences/{slug}/now", tag = "conferences",
    params(("slug" = String, Path, description = "The conference")),
    description = "What is on now and next in each room.",
    responses((status = 200, description = "Success", body = NowView), (status = 404, description = "No such conference", body = ErrorBody)))]
pub(crate) async fn conference_now(
    State(s): State<ApiState>,
    Path(slug): Path<String>,
) -> Result<Json<NowView>, ApiError> {
    let c = s.conference(&slug).await?;
    let rooms = s.0.db.rooms(c.id).await?;
    let talks = s.0.db.talks_of_conference(c.id).await?;
    let (rooms, _) = room_views(&s, &c, &rooms, &talks).await?;
    Ok(Json(NowView {
        slug: c.fields.slug,
        at: iso(now_ms()),
        rooms,
    }))
}

#[utoipa::path(get, path = "/api/conferences/{slug}/schedule", tag = "conferences",
    params(("slug" = String, Path, description = "The conference"), ScheduleQuery),
    description = "The talks, by start (cancelled ones included, marked). With format frab-json, \
        xml or ics, the schedule exported as schedule.json, schedule.xml or iCalendar (for \
        calendar apps to subscribe to).",
    responses((status = 200, description = "Success", body = ScheduleView), (status = 400, description = "Bad input", body = ErrorBody),
        (status = 404, description = "No such conference", body = ErrorBody)))]
pub(crate) async fn conference_schedule(
    State(s): State<ApiState>,
    Path(slug): Path<String>,
    QueryParams(q): QueryParams<ScheduleQuery>,
) -> Result<Response, ApiError> {
    let c = s.conference(&slug).await?;
    let rooms = s.0.db.rooms(c.id).await?;
    let all = s.0.db.talks_of_conference(c.id).await?;
    let mut talks = all.clone();
    if let Some(day) = &q.day {
        talks.retain(|t| &t.fields.day == day);
    }
    if let Some(room) = &q.room {
        let Some(ch) = rooms.iter().find(|r| &r.session_key == room) else {
            return Err(ApiError::bad_request(
                "room: no such room in this conference",
            ));
        };
        talks.retain(|t| t.channel_id == ch.id);
    }
    let format = q.format.as_deref().unwrap_or("json");
    let export = |content_type: &'static str, name: &str, body: String| {
        let disposition = format!("inline; filename=\"{slug}-{name}\"");
        (
            [
                (header::CONTENT_TYPE, content_type.to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            body,
        )
            .into_response()
    };
    match format {
        "json" => {
            let room_by_id: HashMap<i64, &Channel> = rooms.iter().map(|r| (r.id, r)).collect();
            let conference = conference_view_of(&s, &c, &rooms, &all, false).await?;
            let replays: HashMap<i64, (String, String)> =
                s.0.db
                    .talk_replays(c.id)
                    .await?
                    .into_iter()
                    .filter_map(|b| Some((b.talk_id?, (b.media_prefix, b.video_id))))
                    .collect();
            let talks = talks
                .iter()
                .map(|t| {
                    let replay = replays
                        .get(&t.id)
                        .map(|(prefix, id)| (prefix.as_str(), id.as_str()));
                    talk_info(&s, &c, room_by_id.get(&t.channel_id).copied(), t, replay)
                })
                .collect();
            Ok(Json(ScheduleView { conference, talks }).into_response())
        }
        "frab-json" | "xml" | "ics" => {
            let schedule = crate::talks::as_schedule(&c, &rooms, &talks);
            Ok(match format {
                "frab-json" => export(
                    "application/json",
                    "schedule.json",
                    liboo_schedule::export::json(&schedule),
                ),
                "xml" => export(
                    "application/xml; charset=utf-8",
                    "schedule.xml",
                    liboo_schedule::export::xml(&schedule),
                ),
                _ => export(
                    "text/calendar; charset=utf-8",
                    "schedule.ics",
                    liboo_schedule::export::ical(&schedule, "https://liboo.invalid/"),
                ),
            })
        }
        _ => Err(ApiError::bad_request("format: json, frab-json, xml or ics")),
    }
}

#[utoipa::path(post, path = "/api/conferences/{slug}/rooms", tag = "conferences", request_body = AddRoom,
    params(("slug" = String, Path, description = "The conference")),
    description = "Adds a room by hand (an import adds the schedule's rooms).",
    responses((status = 201, description = "Made", body = RoomView), (status = 400, description = "Bad input", body = ErrorBody),
        (status = 403, description = "Another organiser's conference", body = ErrorBody), (status = 404, description = "No such conference", body = ErrorBody)))]
pub(crate) async fn add_room(
    State(s): State<ApiState>,
    Path(slug): Path<String>,
    JsonBody(req): JsonBody<AddRoom>,
) -> Result<(StatusCode, Json<RoomView>), ApiError> {
    let c = s.own_conference(&slug, &req.user_id).await?;
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::bad_request("name: 1-100 characters"));
    }
    let rooms = s.0.db.rooms(c.id).await?;
    let keys = s.0.keys.room_keys(&c.fields.slug, name);
    let channel =
        s.0.db
            .ensure_room(
                c.id,
                &RoomSpec {
                    key: name.to_owned(),
                    name: name.to_owned(),
                    position: rooms.len() as i64 + 1,
                    session_key: keys.session_key,
                    stream_key_hash: hash_secret(&keys.stream_key),
                },
                now_ms(),
            )
            .await?;
    let view = room_view(&s, &c, &channel, &[]).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(post, path = "/api/conferences/{slug}/rooms/keys", tag = "conferences", request_body = OrganizerRequest,
    params(("slug" = String, Path, description = "The conference")),
    description = "Every room's OBS settings (server and stream key), for the organiser only.",
    responses((status = 200, description = "Success", body = [RoomKeysView]),
        (status = 403, description = "Another organiser's conference", body = ErrorBody), (status = 404, description = "No such conference", body = ErrorBody)))]
pub(crate) async fn room_keys(
    State(s): State<ApiState>,
    Path(slug): Path<String>,
    JsonBody(req): JsonBody<OrganizerRequest>,
) -> Result<Json<Vec<RoomKeysView>>, ApiError> {
    let c = s.own_conference(&slug, &req.user_id).await?;
    let rooms = s.0.db.rooms(c.id).await?;
    Ok(Json(
        rooms
            .iter()
            .filter_map(|r| {
                let info = r.room.as_ref()?;
                let keys = s.0.keys.room_keys(&c.fields.slug, &info.key);
                Some(RoomKeysView {
                    room_id: r.session_key.clone(),
                    name: info.name.clone(),
                    stream_key: keys.stream_key,
                    ingest_url: s.0.ingest_url.clone(),
                })
            })
            .collect(),
    ))
}

/// A conference as its pages show it.
pub(crate) async fn conference_view(
    s: &ApiState,
    c: &Conference,
    organizer: bool,
) -> Result<ConferenceView, ApiError> {
    let rooms = s.0.db.rooms(c.id).await?;
    let talks = s.0.db.talks_of_conference(c.id).await?;
    conference_view_of(s, c, &rooms, &talks, organizer).await
}

/// [`conference_view`] from rooms and talks the caller has read already.
async fn conference_view_of(
    s: &ApiState,
    c: &Conference,
    rooms: &[Channel],
    talks: &[Talk],
    organizer: bool,
) -> Result<ConferenceView, ApiError> {
    let (rooms, days) = room_views(s, c, rooms, talks).await?;
    let f = &c.fields;
    Ok(ConferenceView {
        slug: f.slug.clone(),
        title: f.title.clone(),
        time_zone: f.time_zone.clone(),
        day_change: format!(
            "{:02}:{:02}",
            f.day_change_minutes / 60,
            f.day_change_minutes % 60
        ),
        start_date: f.start_date.clone(),
        end_date: f.end_date.clone(),
        description: f.description.clone(),
        logo: f.logo.clone(),
        url: f.url.clone(),
        visibility: f.visibility.clone(),
        days,
        rooms,
        source: c.source.as_ref().map(|src| SourceView {
            url: src.url.clone(),
            format: src.format.clone(),
            version: src.version.clone(),
            imported_at: c.imported_ms.map(iso),
            refresh_minutes: c.refresh_s.map(|r| r / 60),
        }),
        organizer,
    })
}

/// Each room with its current and next talk, and the days that have talks.
async fn room_views(
    s: &ApiState,
    c: &Conference,
    rooms: &[Channel],
    talks: &[Talk],
) -> Result<(Vec<RoomView>, Vec<String>), ApiError> {
    let mut days: Vec<String> = talks.iter().map(|t| t.fields.day.clone()).collect();
    days.sort();
    days.dedup();
    let by_room = talks_by_room(talks);
    let mut views = Vec::new();
    for r in rooms {
        let own = by_room.get(&r.id).map(Vec::as_slice).unwrap_or(&[]);
        views.push(room_view(s, c, r, own).await?);
    }
    Ok((views, days))
}

async fn room_view(
    s: &ApiState,
    c: &Conference,
    room: &Channel,
    talks: &[&Talk],
) -> Result<RoomView, ApiError> {
    let live = room.live_broadcast_id.is_some();
    let upcoming: Vec<&&Talk> = talks
        .iter()
        .filter(|t| {
            matches!(
                t.state,
                TalkState::Live | TalkState::Waiting | TalkState::Scheduled
            )
        })
        .collect();
    let current = upcoming
        .iter()
        .find(|t| t.state == TalkState::Live)
        .or(upcoming.first())
        .copied();
    let next = current.and_then(|cur| {
        upcoming
            .iter()
            .find(|t| t.id != cur.id && t.fields.sched_start_ms >= cur.fields.sched_start_ms)
            .copied()
    });
    let info = |t: &&Talk| talk_info(s, c, Some(room), t, None);
    Ok(RoomView {
        room_id: room.session_key.clone(),
        name: room
            .room
            .as_ref()
            .map(|r| r.name.clone())
            .unwrap_or_default(),
        live,
        stream_url: s.0.views.stream_url(&room.session_key),
        live_title: room.settings.title.clone(),
        current: current.map(info),
        next: next.map(info),
    })
}

#[utoipa::path(post, path = "/api/conferences/{slug}/recordings", tag = "conferences", request_body = OrganizerRequest,
    params(("slug" = String, Path, description = "The conference")),
    description = "Every room's own broadcasts (the whole day each room streamed, which the public \
        lists leave out in favour of the talks' replays), newest first, for the organiser only.",
    responses((status = 200, description = "Success", body = [RoomRecording]),
        (status = 403, description = "Another organiser's conference", body = ErrorBody), (status = 404, description = "No such conference", body = ErrorBody)))]
pub(crate) async fn recordings(
    State(s): State<ApiState>,
    Path(slug): Path<String>,
    JsonBody(req): JsonBody<OrganizerRequest>,
) -> Result<Json<Vec<RoomRecording>>, ApiError> {
    let c = s.own_conference(&slug, &req.user_id).await?;
    let mut out = Vec::new();
    for room in s.0.db.rooms(c.id).await? {
        let name = room
            .room
            .as_ref()
            .map(|r| r.name.clone())
            .unwrap_or_default();
        for b in s.0.db.room_broadcasts(room.id, 0, i64::MAX).await? {
            out.push(RoomRecording {
                room_id: room.session_key.clone(),
                room_name: name.clone(),
                video_id: b.video_id.clone(),
                live: b.is_live,
                start_date: iso(b.start_ms),
                end_date: b.end_ms.map(iso),
                replay_url: s.0.views.media_url(
                    &liboo_storage::layout::BroadcastPrefix::from_stored(&b.media_prefix)
                        .replay_playlist(),
                ),
            });
        }
    }
    out.sort_by(|a, b| b.start_date.cmp(&a.start_date));
    Ok(Json(out))
}
