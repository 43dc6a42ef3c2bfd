//! `/api/talks/...`: a talk (its page before, during and after it), its questions, the
//! host's "start talk" / "end talk", and the organiser's replay cut. Also the talk's
//! JSON shape and the schedule as the exporters take it, from what is stored.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use liboo_conference::state::{ActionError, end_talk, start_talk};
use liboo_conference::sweeper::{apply_step, cut_talk, room_air};
use liboo_db::{Channel, Conference, QuestionScope, Talk, TalkState};
use liboo_storage::layout::BroadcastPrefix;

use crate::conference_model::*;
use crate::{ApiError, ApiState, ErrorBody, JsonBody, iso, now_ms, views};

/// A conference's talks by room.
pub(crate) fn talks_by_room(talks: &[Talk]) -> HashMap<i64, Vec<&Talk>> {
    let mut by_room: HashMap<i64, Vec<&Talk>> = HashMap::new();
    for t in talks {
        by_room.entry(t.channel_id).or_default().push(t);
    }
    by_room
}

/// A talk as its page shows it; `replay` is its replay's prefix and id when known.
pub(crate) fn talk_info(
    s: &ApiState,
    c: &Conference,
    room: Option<&Channel>,
    t: &Talk,
    replay: Option<(&str, &str)>,
) -> TalkInfo {
    let f = &t.fields;
    let (room_id, room_name) = match room {
        Some(r) => (
            r.session_key.clone(),
            r.room.as_ref().map(|i| i.name.clone()).unwrap_or_default(),
        ),
        None => (String::new(), String::new()),
    };
    let stream_url =
        (t.state == TalkState::Live && !room_id.is_empty()).then(|| s.0.views.stream_url(&room_id));
    TalkInfo {
        talk_id: t.id,
        key: f.talk_key.clone(),
        conference: c.fields.slug.clone(),
        conference_title: c.fields.title.clone(),
        time_zone: c.fields.time_zone.clone(),
        room_id,
        room_name,
        title: f.title.clone(),
        subtitle: f.subtitle.clone(),
        abstract_text: f.abstract_text.clone(),
        description: f.description.clone(),
        track: f.track.clone(),
        kind: f.kind.clone(),
        language: f.language.clone(),
        url: f.url.clone(),
        do_not_record: f.do_not_record,
        day: f.day.clone(),
        sched_start: iso(f.sched_start_ms),
        sched_end: iso(t.sched_end_ms()),
        speakers: serde_json::from_str(&f.persons).unwrap_or_default(),
        links: serde_json::from_str(&f.links).unwrap_or_default(),
        state: t.state.as_str().to_owned(),
        actual_start: t.actual_start_ms.map(iso),
        actual_end: t.actual_end_ms.map(iso),
        questions_open: t.accepts_questions(now_ms()),
        stream_url,
        replay_video_id: replay.map(|(_, id)| id.to_owned()),
        replay_url: replay.map(|(prefix, _)| {
            s.0.views
                .media_url(&BroadcastPrefix::from_stored(prefix).replay_playlist())
        }),
        cut_in: t.cut_in_ms.map(iso),
        cut_out: t.cut_out_ms.map(iso),
    }
}

/// The stored schedule in the shape the exporters take.
pub(crate) fn as_schedule(
    c: &Conference,
    rooms: &[Channel],
    talks: &[Talk],
) -> liboo_schedule::Schedule {
    let room_key: HashMap<i64, String> = rooms
        .iter()
        .filter_map(|r| r.room.as_ref().map(|i| (r.id, i.key.clone())))
        .collect();
    let f = &c.fields;
    liboo_schedule::Schedule {
        format: liboo_schedule::Format::FrabJson,
        version: c
            .source
            .as_ref()
            .map(|s| s.version.clone())
            .unwrap_or_default(),
        generator: Some("liboo".to_owned()),
        conference: liboo_schedule::Conference {
            acronym: f.slug.clone(),
            title: f.title.clone(),
            time_zone: f.time_zone.clone(),
            day_change_minutes: f.day_change_minutes as u32,
            start_date: f.start_date.clone(),
            end_date: f.end_date.clone(),
            description: f.description.clone(),
            logo: f.logo.clone(),
            url: f.url.clone(),
        },
        rooms: rooms
            .iter()
            .filter_map(|r| {
                r.room.as_ref().map(|i| liboo_schedule::Room {
                    key: i.key.clone(),
                    name: i.name.clone(),
                    guid: None,
                })
            })
            .collect(),
        talks: talks
            .iter()
            .filter(|t| t.state != TalkState::Cancelled)
            .map(|t| {
                let f = &t.fields;
                let speakers: Vec<Speaker> = serde_json::from_str(&f.persons).unwrap_or_default();
                let links: Vec<TalkLink> = serde_json::from_str(&f.links).unwrap_or_default();
                liboo_schedule::Talk {
                    key: f.talk_key.clone(),
                    guid: f.guid.clone(),
                    code: f.code.clone(),
                    source_id: f.source_id.clone(),
                    room: room_key.get(&t.channel_id).cloned().unwrap_or_default(),
                    title: f.title.clone(),
                    subtitle: f.subtitle.clone(),
                    abstract_text: f.abstract_text.clone(),
                    description: f.description.clone(),
                    track: f.track.clone(),
                    kind: f.kind.clone(),
                    language: f.language.clone(),
                    slug: f.slug.clone(),
                    url: f.url.clone(),
                    start_ms: f.sched_start_ms,
                    duration_ms: f.duration_ms,
                    do_not_record: f.do_not_record,
                    day: f.day.clone(),
                    persons: speakers
                        .into_iter()
                        .map(|p| liboo_schedule::Person {
                            key: p.name.clone(),
                            name: p.name,
                            biography: p.biography,
                            avatar: p.avatar,
                        })
                        .collect(),
                    links: links
                        .into_iter()
                        .map(|l| liboo_schedule::Link {
                            url: l.url,
                            title: l.title,
                        })
                        .collect(),
                }
            })
            .collect(),
        warnings: Vec::new(),
    }
}

/// A talk with its conference, room and replay, or 404.
async fn talk_parts(s: &ApiState, id: i64) -> Result<(Talk, Conference, Channel), ApiError> {
    let not_found = || ApiError::NotFound("no such talk".to_owned());
    let t = s.0.db.talk(id).await?.ok_or_else(not_found)?;
    let c =
        s.0.db
            .conference_by_id(t.conference_id)
            .await?
            .ok_or_else(not_found)?;
    let room =
        s.0.db
            .channel_by_id(t.channel_id)
            .await?
            .ok_or_else(not_found)?;
    Ok((t, c, room))
}

/// [`talk_parts`] of a talk whose conference is the caller's: 404 or 403 otherwise.
async fn organisers_talk(
    s: &ApiState,
    id: i64,
    user_id: &str,
) -> Result<(Talk, Conference, Channel), ApiError> {
    let parts = talk_parts(s, id).await?;
    s.own_conference(&parts.1.fields.slug, user_id).await?;
    Ok(parts)
}

/// The talk as it is stored now (after an action), as its page shows it.
async fn fresh_view(s: &ApiState, id: i64) -> Result<Json<TalkInfo>, ApiError> {
    let (t, c, room) = talk_parts(s, id).await?;
    Ok(Json(view(s, &t, &c, &room).await?))
}

async fn view(
    s: &ApiState,
    t: &Talk,
    c: &Conference,
    room: &Channel,
) -> Result<TalkInfo, ApiError> {
    let replay = match t.replay_broadcast_id {
        Some(id) => s.0.db.broadcast_by_id(id).await?,
        None => None,
    };
    Ok(talk_info(
        s,
        c,
        Some(room),
        t,
        replay
            .as_ref()
            .map(|b| (b.media_prefix.as_str(), b.video_id.as_str())),
    ))
}

#[utoipa::path(get, path = "/api/talks/{id}", tag = "talks",
    params(("id" = i64, Path, description = "The talk")),
    description = "A talk: before it, its waiting room (schedStart is the countdown's target, \
        questionsOpen says questions are taken); while live, the room's streamUrl; afterwards \
        its replay.",
    responses((status = 200, description = "Success", body = TalkInfo), (status = 404, description = "No such talk", body = ErrorBody)))]
pub(crate) async fn get_talk(
    State(s): State<ApiState>,
    Path(id): Path<i64>,
) -> Result<Json<TalkInfo>, ApiError> {
    let (t, c, room) = talk_parts(&s, id).await?;
    Ok(Json(view(&s, &t, &c, &room).await?))
}

#[utoipa::path(get, path = "/api/talks/{id}/questions", tag = "talks",
    params(("id" = i64, Path, description = "The talk")),
    description = "The talk's questions, oldest first, those of its waiting room included, with \
        the time into its replay at which each was asked and answered.",
    responses((status = 200, description = "Success", body = TalkQuestions), (status = 404, description = "No such talk", body = ErrorBody)))]
pub(crate) async fn talk_questions(
    State(s): State<ApiState>,
    Path(id): Path<i64>,
) -> Result<Json<TalkQuestions>, ApiError> {
    let (t, _, _) = talk_parts(&s, id).await?;
    let start = match t.replay_broadcast_id {
        Some(b) => s.0.db.broadcast_by_id(b).await?.map(|b| b.start_ms),
        None => None,
    }
    .or(t.actual_start_ms)
    .unwrap_or(t.fields.sched_start_ms);
    let questions = s.0.db.approved_questions(QuestionScope::Talk(t.id)).await?;
    Ok(Json(TalkQuestions {
        talk_id: t.id,
        questions: questions
            .into_iter()
            .map(|q| views::question(q, start))
            .collect(),
    }))
}

fn action_error(e: ActionError) -> ApiError {
    ApiError::Conflict(e.to_string())
}

#[utoipa::path(post, path = "/api/talks/{id}/start", tag = "talks", request_body = OrganizerRequest,
    params(("id" = i64, Path, description = "The talk")),
    description = "The room's host starts the talk now (\"start talk\", or \"next talk\" on the \
        following one): the room's live talk ends now. The room must be on air.",
    responses((status = 200, description = "Success", body = TalkInfo), (status = 403, description = "Not the organiser", body = ErrorBody),
        (status = 404, description = "No such talk", body = ErrorBody), (status = 409, description = "The talk has begun, or the room is off air", body = ErrorBody)))]
pub(crate) async fn start(
    State(s): State<ApiState>,
    Path(id): Path<i64>,
    JsonBody(req): JsonBody<OrganizerRequest>,
) -> Result<Json<TalkInfo>, ApiError> {
    let (t, _, room) = organisers_talk(&s, id, &req.user_id).await?;
    let talks = s.0.db.talks_of_room(room.id).await?;
    let air = room_air(&s.0.db, &room).await?;
    let now = now_ms();
    for step in start_talk(&talks, t.id, air, now).map_err(action_error)? {
        apply_step(&s.0.db, &room, &talks, step, now).await?;
    }
    fresh_view(&s, id).await
}

#[utoipa::path(post, path = "/api/talks/{id}/end", tag = "talks", request_body = OrganizerRequest,
    params(("id" = i64, Path, description = "The talk")),
    description = "The room's host ends the live talk now; the room stays on air.",
    responses((status = 200, description = "Success", body = TalkInfo), (status = 403, description = "Not the organiser", body = ErrorBody),
        (status = 404, description = "No such talk", body = ErrorBody), (status = 409, description = "The talk is not live", body = ErrorBody)))]
pub(crate) async fn end(
    State(s): State<ApiState>,
    Path(id): Path<i64>,
    JsonBody(req): JsonBody<OrganizerRequest>,
) -> Result<Json<TalkInfo>, ApiError> {
    let (t, _, room) = organisers_talk(&s, id, &req.user_id).await?;
    let now = now_ms();
    let step = end_talk(&t, now).map_err(action_error)?;
    apply_step(&s.0.db, &room, &[t], step, now).await?;
    fresh_view(&s, id).await
}

#[utoipa::path(put, path = "/api/talks/{id}/cut", tag = "talks", request_body = CutBody,
    params(("id" = i64, Path, description = "The talk")),
    description = "Moves the replay's in and out points (Unix ms; null for the talk's actual start \
        or end). A replay already cut is cut again at once, from the same stored segments.",
    responses((status = 200, description = "Success", body = TalkInfo), (status = 400, description = "Bad input", body = ErrorBody),
        (status = 403, description = "Not the organiser", body = ErrorBody), (status = 404, description = "No such talk", body = ErrorBody),
        (status = 409, description = "The talk is not over", body = ErrorBody)))]
pub(crate) async fn cut(
    State(s): State<ApiState>,
    Path(id): Path<i64>,
    JsonBody(req): JsonBody<CutBody>,
) -> Result<Json<TalkInfo>, ApiError> {
    let (t, _, _) = organisers_talk(&s, id, &req.user_id).await?;
    if !matches!(t.state, TalkState::Ended | TalkState::Replay) {
        return Err(ApiError::Conflict(format!(
            "the talk is {}: only a talk that is over and recorded has a replay to cut",
            t.state.as_str().replace('_', " ")
        )));
    }
    let in_ms = req.in_ms.or(t.actual_start_ms);
    let out_ms = req.out_ms.or(t.actual_end_ms);
    if let (Some(a), Some(b)) = (in_ms, out_ms)
        && b <= a
    {
        return Err(ApiError::bad_request("outMs: after inMs"));
    }
    let now = now_ms();
    s.0.db
        .set_talk_cut(t.id, req.in_ms, req.out_ms, now)
        .await?;
    let (t, c, room) = talk_parts(&s, id).await?;
    cut_talk(&s.0.db, &s.0.media, &t, now).await?;
    let (t, _, _) = talk_parts(&s, id).await?;
    Ok(Json(view(&s, &t, &c, &room).await?))
}
