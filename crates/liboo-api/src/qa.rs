//! Q&A's HTTP calls: moderation switches, invitations and roles, the moderation log,
//! the export of a broadcast's or talk's questions and polls, and a replay's polls.
//!
//! A call acts on a place: the caller's own channel, a room by its `roomId` (a plain
//! channel or a conference's room), or a whole conference. Its owner is the host whose
//! `userId` derives to the channel, or the conference's organiser.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use liboo_db::{
    Broadcast, Channel, Conference, Invitation, Moderation, NotAccepted, Poll, PollState, Question,
    QuestionScope, Role, RoleGrant, RoleScope,
};
use rand::RngExt;

use crate::keys::hash_secret;
use crate::model::VideoIdQuery;
use crate::qa_model::*;
use crate::validation::check_user_id;
use crate::{ApiError, ApiState, ErrorBody, JsonBody, QueryParams, iso, now_ms};

/// What an invitation's signature is labelled with.
const INVITE_LABEL: &str = "liboo invitation";
/// Longest invitation, in hours (30 days).
const MAX_INVITE_HOURS: i64 = 720;
/// An invitation's life when the owner names none.
const DEFAULT_INVITE_HOURS: i64 = 72;
/// Longest name a role holder may give.
const MAX_NAME_CHARS: usize = 50;
/// Most log entries one call returns.
const LOG_LIMIT: i64 = 1_000;

/// Where a call acts, as found from its `roomId` or `conference`.
struct Place {
    scope: RoleScope,
    /// The channel, for a channel's place.
    channel: Option<Channel>,
    /// The conference: the place's, or its room's.
    conference: Option<Conference>,
}

impl Place {
    fn title(&self) -> String {
        match (&self.channel, &self.conference) {
            (Some(ch), Some(c)) => {
                let room = ch.room.as_ref().map(|r| r.name.as_str()).unwrap_or("");
                format!("{}: {room}", c.fields.title)
            }
            (Some(ch), None) => ch.settings.title.clone(),
            (None, Some(c)) => c.fields.title.clone(),
            (None, None) => String::new(),
        }
    }
}

impl ApiState {
    /// The channel with this session key, with its conference if it is a room.
    async fn place_of_channel(&self, channel: Channel) -> Result<Place, ApiError> {
        let conference = match &channel.room {
            Some(r) => self.0.db.conference_by_id(r.conference_id).await?,
            None => None,
        };
        Ok(Place {
            scope: RoleScope::Channel(channel.id),
            channel: Some(channel),
            conference,
        })
    }

    /// The place a call names: a conference, a room, or the caller's own channel.
    async fn place(
        &self,
        user_id: &str,
        room_id: Option<&str>,
        conference: Option<&str>,
    ) -> Result<Place, ApiError> {
        check_user_id(user_id)?;
        if let Some(slug) = conference.filter(|s| !s.is_empty()) {
            let c = self.conference(slug).await?;
            return Ok(Place {
                scope: RoleScope::Conference(c.id),
                channel: None,
                conference: Some(c),
            });
        }
        let session_key = match room_id.filter(|r| !r.is_empty()) {
            Some(r) => r.to_owned(),
            None => self.0.keys.session_key(user_id),
        };
        match self.0.db.channel_by_session_key(&session_key).await? {
            Some(ch) => self.place_of_channel(ch).await,
            None if room_id.is_some() => Err(ApiError::NotFound("no such room".to_owned())),
            None => Err(ApiError::NotFound(
                "no channel for this userId; get your keys first (POST /api/host/key)".to_owned(),
            )),
        }
    }

    /// Whether `user_id` owns the place: the host of a plain channel, the organiser of
    /// a conference or of a room's conference.
    fn owns(&self, place: &Place, user_id: &str) -> bool {
        match (&place.conference, &place.channel) {
            (Some(c), _) => c.organizer_hash == hash_secret(user_id),
            (None, Some(ch)) => self.0.keys.session_key(user_id) == ch.session_key,
            (None, None) => false,
        }
    }

    /// The place, if `user_id` owns it: 403 otherwise.
    async fn owned_place(
        &self,
        user_id: &str,
        room_id: Option<&str>,
        conference: Option<&str>,
    ) -> Result<Place, ApiError> {
        let place = self.place(user_id, room_id, conference).await?;
        if !self.owns(&place, user_id) {
            return Err(ApiError::Forbidden(
                "only the host or the conference's organiser may do this".to_owned(),
            ));
        }
        Ok(place)
    }

    /// Whether `user_id` owns the channel or moderates it (by its own grant or its
    /// conference's).
    async fn moderates(&self, place: &Place, user_id: &str) -> Result<bool, ApiError> {
        if self.owns(place, user_id) {
            return Ok(true);
        }
        let Some(ch) = &place.channel else {
            return Ok(false);
        };
        let conference = place.conference.as_ref().map(|c| c.id);
        let grant = self
            .0
            .db
            .role_in(ch.id, conference, &hash_secret(user_id))
            .await?;
        Ok(grant.is_some_and(|g| g.role == Role::Moderator))
    }

    /// How a scope is named on the wire: `channel` or `conference`, the room, the slug.
    async fn scope_names(
        &self,
        scope: RoleScope,
    ) -> Result<(&'static str, Option<String>, Option<String>), ApiError> {
        Ok(match scope {
            RoleScope::Channel(id) => {
                let ch = self.0.db.channel_by_id(id).await?;
                let slug = match ch.as_ref().and_then(|c| c.room.as_ref()) {
                    Some(r) => self
                        .0
                        .db
                        .conference_by_id(r.conference_id)
                        .await?
                        .map(|c| c.fields.slug),
                    None => None,
                };
                ("channel", ch.map(|c| c.session_key), slug)
            }
            RoleScope::Conference(id) => {
                let c = self.0.db.conference_by_id(id).await?;
                ("conference", None, c.map(|c| c.fields.slug))
            }
        })
    }

    /// The token of an invitation: its id and a signature over its id, role, scope,
    /// expiry and nonce.
    fn invitation_token(&self, inv: &Invitation) -> String {
        let sig = self.0.keys.sign(INVITE_LABEL, &signed_parts(inv).each());
        format!("{}.{sig}", inv.id)
    }
}

/// What an invitation's signature covers.
struct SignedParts([String; 5]);

impl SignedParts {
    fn each(&self) -> [&str; 5] {
        let [a, b, c, d, e] = &self.0;
        [a, b, c, d, e]
    }
}

fn signed_parts(inv: &Invitation) -> SignedParts {
    let scope = match inv.scope {
        RoleScope::Channel(id) => format!("channel:{id}"),
        RoleScope::Conference(id) => format!("conference:{id}"),
    };
    SignedParts([
        inv.id.to_string(),
        inv.role.as_str().to_owned(),
        scope,
        inv.expires_ms.to_string(),
        inv.nonce.clone(),
    ])
}

/// The id of an invitation from its id or its whole token.
fn invitation_id(raw: &str) -> Result<i64, ApiError> {
    let id = raw.split('.').next().unwrap_or("");
    id.parse()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::NotFound("no such invitation".to_owned()))
}

#[utoipa::path(put, path = "/api/host/moderation", tag = "qa", request_body = ModerationRequest,
    description = "Switches moderation (new questions wait for a moderator) and anonymous \
        questions for the caller's channel, a room, or one talk. The owner or a moderator.",
    responses((status = 200, description = "Success", body = ModerationResponse),
        (status = 403, description = "Neither owner nor moderator", body = ErrorBody),
        (status = 404, description = "No such room or talk", body = ErrorBody)))]
pub(crate) async fn set_moderation(
    State(s): State<ApiState>,
    JsonBody(req): JsonBody<ModerationRequest>,
) -> Result<Json<ModerationResponse>, ApiError> {
    check_user_id(&req.user_id)?;
    let place = match req.talk_id {
        Some(id) => {
            let talk =
                s.0.db
                    .talk(id)
                    .await?
                    .ok_or_else(|| ApiError::NotFound("no such talk".to_owned()))?;
            let ch = s.0.db.channel_by_id(talk.channel_id).await?;
            let ch = ch.ok_or_else(|| ApiError::NotFound("no such talk".to_owned()))?;
            s.place_of_channel(ch).await?
        }
        None => s.place(&req.user_id, req.room_id.as_deref(), None).await?,
    };
    if !s.moderates(&place, &req.user_id).await? {
        return Err(ApiError::Forbidden(
            "only the host or a moderator may switch moderation".to_owned(),
        ));
    }
    let ch = place
        .channel
        .as_ref()
        .expect("a room's place has its channel");
    let now = now_ms();
    let current = s.0.db.moderation(ch.id, req.talk_id).await?;
    let m = Moderation {
        enabled: req.enabled,
        anonymous: req.anonymous.unwrap_or(current.anonymous),
    };
    match req.talk_id {
        Some(t) => s.0.db.set_talk_moderation(t, m, now).await?,
        None => s.0.db.set_channel_moderation(ch.id, m, now).await?,
    }
    let role = if s.owns(&place, &req.user_id) {
        "owner"
    } else {
        "moderator"
    };
    let action = if m.enabled {
        "moderation_on"
    } else {
        "moderation_off"
    };
    let detail = if m.anonymous {
        "anonymous questions"
    } else {
        ""
    };
    s.0.db
        .log_moderation(
            ch.id,
            &hash_secret(&req.user_id),
            role,
            action,
            None,
            None,
            detail,
            now,
        )
        .await?;
    Ok(Json(ModerationResponse {
        room_id: ch.session_key.clone(),
        talk_id: req.talk_id,
        enabled: m.enabled,
        anonymous: m.anonymous,
    }))
}

#[utoipa::path(post, path = "/api/host/invitations", tag = "qa", request_body = InvitationRequest,
    description = "Makes an invitation link that grants a role (moderator or speaker) in the \
        caller's channel, a room, or a whole conference to whoever opens it. The owner only.",
    responses((status = 201, description = "Made", body = InvitationCreated),
        (status = 400, description = "Bad input", body = ErrorBody),
        (status = 403, description = "Not the owner", body = ErrorBody),
        (status = 404, description = "No such room or conference", body = ErrorBody)))]
pub(crate) async fn create_invitation(
    State(s): State<ApiState>,
    JsonBody(req): JsonBody<InvitationRequest>,
) -> Result<(StatusCode, Json<InvitationCreated>), ApiError> {
    let role = Role::parse(&req.role)
        .ok_or_else(|| ApiError::bad_request("role must be moderator or speaker"))?;
    let hours = req.hours.unwrap_or(DEFAULT_INVITE_HOURS);
    if !(1..=MAX_INVITE_HOURS).contains(&hours) {
        return Err(ApiError::bad_request(format!(
            "hours must be 1 to {MAX_INVITE_HOURS}"
        )));
    }
    let place = s
        .owned_place(
            &req.user_id,
            req.room_id.as_deref(),
            req.conference.as_deref(),
        )
        .await?;
    let now = now_ms();
    let nonce: [u8; 16] = rand::rng().random();
    let inv =
        s.0.db
            .create_invitation(
                place.scope,
                role,
                &hex::encode(nonce),
                &hash_secret(&req.user_id),
                now,
                now + hours * 3_600_000,
            )
            .await?;
    let token = s.invitation_token(&inv);
    let (scope, room_id, conference) = s.scope_names(inv.scope).await?;
    Ok((
        StatusCode::CREATED,
        Json(InvitationCreated {
            invitation_id: inv.id,
            url: format!("/invite#{token}"),
            token,
            role: role.as_str().to_owned(),
            scope: scope.to_owned(),
            room_id,
            conference,
            expires_at: iso(inv.expires_ms),
        }),
    ))
}

/// The stored invitation `raw` names, if the caller owns its place.
async fn owned_invitation(s: &ApiState, raw: &str, user_id: &str) -> Result<Invitation, ApiError> {
    check_user_id(user_id)?;
    let inv =
        s.0.db
            .invitation(invitation_id(raw)?)
            .await?
            .ok_or_else(|| ApiError::NotFound("no such invitation".to_owned()))?;
    check_owner_of(s, inv.scope, user_id).await?;
    Ok(inv)
}

/// 403 unless `user_id` owns the scope.
async fn check_owner_of(s: &ApiState, scope: RoleScope, user_id: &str) -> Result<(), ApiError> {
    let place = match scope {
        RoleScope::Channel(id) => match s.0.db.channel_by_id(id).await? {
            Some(ch) => s.place_of_channel(ch).await?,
            None => return Err(ApiError::NotFound("no such room".to_owned())),
        },
        RoleScope::Conference(id) => Place {
            scope,
            channel: None,
            conference: s.0.db.conference_by_id(id).await?,
        },
    };
    if s.owns(&place, user_id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only the host or the conference's organiser may do this".to_owned(),
        ))
    }
}

#[utoipa::path(delete, path = "/api/host/invitations/{id}", tag = "qa", request_body = OwnerRequest,
    params(("id" = String, Path, description = "The invitation's id, or its whole token")),
    description = "Revokes an invitation: its link grants nothing from now on (roles already \
        granted stay; revoke them with DELETE /api/host/roles/{id}).",
    responses((status = 200, description = "Revoked", body = Revoked),
        (status = 403, description = "Not the owner", body = ErrorBody),
        (status = 404, description = "No such invitation", body = ErrorBody)))]
pub(crate) async fn revoke_invitation(
    State(s): State<ApiState>,
    Path(raw): Path<String>,
    JsonBody(req): JsonBody<OwnerRequest>,
) -> Result<Json<Revoked>, ApiError> {
    let inv = owned_invitation(&s, &raw, &req.user_id).await?;
    s.0.db.revoke_invitation(inv.id, now_ms()).await?;
    Ok(Json(Revoked { revoked: true }))
}

#[utoipa::path(post, path = "/api/roles/accept", tag = "qa", request_body = AcceptRequest,
    description = "Takes the role an invitation link grants, for the caller's userId.",
    responses((status = 200, description = "The role, kept", body = Accepted),
        (status = 403, description = "The token does not verify", body = ErrorBody),
        (status = 409, description = "The owner's own link", body = ErrorBody),
        (status = 410, description = "Expired or revoked", body = ErrorBody)))]
pub(crate) async fn accept(
    State(s): State<ApiState>,
    JsonBody(req): JsonBody<AcceptRequest>,
) -> Result<Json<Accepted>, ApiError> {
    check_user_id(&req.user_id)?;
    let name = req.name.as_deref().unwrap_or("").trim();
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::bad_request(format!(
            "name must be at most {MAX_NAME_CHARS} characters"
        )));
    }
    let invalid = || ApiError::Forbidden("this invitation link is not valid".to_owned());
    let (id, sig) = req.token.trim().split_once('.').ok_or_else(invalid)?;
    let id: i64 = id.parse().map_err(|_| invalid())?;
    let inv = s.0.db.invitation(id).await?.ok_or_else(invalid)?;
    if !s
        .0
        .keys
        .verify(INVITE_LABEL, &signed_parts(&inv).each(), sig)
    {
        return Err(invalid());
    }
    let place = match inv.scope {
        RoleScope::Channel(c) => {
            let ch = s.0.db.channel_by_id(c).await?.ok_or_else(invalid)?;
            s.place_of_channel(ch).await?
        }
        RoleScope::Conference(c) => Place {
            scope: inv.scope,
            channel: None,
            conference: s.0.db.conference_by_id(c).await?,
        },
    };
    if s.owns(&place, &req.user_id) {
        return Err(ApiError::Conflict(
            "this is your own invitation: you own this already; send the link to someone"
                .to_owned(),
        ));
    }
    let grant =
        s.0.db
            .accept_invitation(&inv, &hash_secret(&req.user_id), name, now_ms())
            .await?;
    let grant = match grant {
        Ok(g) => g,
        Err(NotAccepted::Expired) => {
            return Err(ApiError::Gone(
                "this invitation has expired; ask for a new link".to_owned(),
            ));
        }
        Err(NotAccepted::Revoked) => {
            return Err(ApiError::Gone(
                "this invitation was revoked; ask for a new link".to_owned(),
            ));
        }
    };
    if let Some(ch) = &place.channel {
        let _ =
            s.0.db
                .log_moderation(
                    ch.id,
                    &grant.user_hash,
                    grant.role.as_str(),
                    "role_granted",
                    None,
                    None,
                    name,
                    now_ms(),
                )
                .await;
    }
    let (scope, room_id, conference) = s.scope_names(inv.scope).await?;
    Ok(Json(Accepted {
        role: grant.role.as_str().to_owned(),
        scope: scope.to_owned(),
        room_id,
        conference,
        title: place.title(),
    }))
}

async fn role_view(s: &ApiState, g: &RoleGrant) -> Result<RoleView, ApiError> {
    let (scope, room_id, conference) = s.scope_names(g.scope).await?;
    Ok(RoleView {
        role_id: g.id,
        role: g.role.as_str().to_owned(),
        scope: scope.to_owned(),
        room_id,
        conference,
        name: g.name.clone(),
        granted_at: iso(g.granted_ms),
    })
}

#[utoipa::path(post, path = "/api/host/roles", tag = "qa", request_body = PlaceRequest,
    description = "The roles granted and the invitations made for the caller's channel, a \
        room, or a conference (with every room's). The owner only.",
    responses((status = 200, description = "Success", body = RoleList),
        (status = 403, description = "Not the owner", body = ErrorBody),
        (status = 404, description = "No such room or conference", body = ErrorBody)))]
pub(crate) async fn list_roles(
    State(s): State<ApiState>,
    JsonBody(req): JsonBody<PlaceRequest>,
) -> Result<Json<RoleList>, ApiError> {
    let place = s
        .owned_place(
            &req.user_id,
            req.room_id.as_deref(),
            req.conference.as_deref(),
        )
        .await?;
    let mut scopes = vec![place.scope];
    if let (RoleScope::Conference(id), None) = (place.scope, &place.channel) {
        for room in s.0.db.rooms(id).await? {
            scopes.push(RoleScope::Channel(room.id));
        }
    }
    let mut roles = Vec::new();
    let mut invitations = Vec::new();
    for scope in scopes {
        for g in s.0.db.roles(scope).await? {
            roles.push(role_view(&s, &g).await?);
        }
        for inv in s.0.db.invitations(scope).await? {
            let (scope, room_id, conference) = s.scope_names(inv.scope).await?;
            invitations.push(InvitationView {
                invitation_id: inv.id,
                role: inv.role.as_str().to_owned(),
                scope: scope.to_owned(),
                room_id,
                conference,
                created_at: iso(inv.created_ms),
                expires_at: iso(inv.expires_ms),
                revoked: inv.revoked_ms.is_some(),
                accepted: inv.accepted,
            });
        }
    }
    Ok(Json(RoleList { roles, invitations }))
}

#[utoipa::path(delete, path = "/api/host/roles/{id}", tag = "qa", request_body = OwnerRequest,
    params(("id" = i64, Path, description = "The role's id")),
    description = "Takes a role away; its holder loses it at their next chat event.",
    responses((status = 200, description = "Revoked", body = Revoked),
        (status = 403, description = "Not the owner", body = ErrorBody),
        (status = 404, description = "No such role", body = ErrorBody)))]
pub(crate) async fn revoke_role(
    State(s): State<ApiState>,
    Path(id): Path<i64>,
    JsonBody(req): JsonBody<OwnerRequest>,
) -> Result<Json<Revoked>, ApiError> {
    check_user_id(&req.user_id)?;
    let grant =
        s.0.db
            .role(id)
            .await?
            .ok_or_else(|| ApiError::NotFound("no such role".to_owned()))?;
    check_owner_of(&s, grant.scope, &req.user_id).await?;
    s.0.db.revoke_role(id).await?;
    if let RoleScope::Channel(ch) = grant.scope {
        let _ =
            s.0.db
                .log_moderation(
                    ch,
                    &hash_secret(&req.user_id),
                    "owner",
                    "role_revoked",
                    None,
                    None,
                    &grant.name,
                    now_ms(),
                )
                .await;
    }
    Ok(Json(Revoked { revoked: true }))
}

#[utoipa::path(post, path = "/api/host/moderation/log", tag = "qa", request_body = PlaceRequest,
    description = "Every moderation action in the caller's channel, a room, or all of a \
        conference's rooms, newest first. The owner only.",
    responses((status = 200, description = "Success", body = ModerationLog),
        (status = 403, description = "Not the owner", body = ErrorBody)))]
pub(crate) async fn moderation_log(
    State(s): State<ApiState>,
    JsonBody(req): JsonBody<PlaceRequest>,
) -> Result<Json<ModerationLog>, ApiError> {
    let place = s
        .owned_place(
            &req.user_id,
            req.room_id.as_deref(),
            req.conference.as_deref(),
        )
        .await?;
    let entries = s.0.db.moderation_log(place.scope, LOG_LIMIT).await?;
    // Who is who: the names role holders gave, over the place's scopes.
    let mut names = std::collections::HashMap::new();
    let mut rooms = std::collections::HashMap::new();
    let mut scopes = vec![place.scope];
    if let Some(c) = &place.conference {
        scopes.push(RoleScope::Conference(c.id));
        for room in s.0.db.rooms(c.id).await? {
            scopes.push(RoleScope::Channel(room.id));
            rooms.insert(room.id, room.session_key);
        }
    }
    if let Some(ch) = &place.channel {
        rooms.insert(ch.id, ch.session_key.clone());
    }
    for scope in scopes {
        for g in s.0.db.roles(scope).await? {
            if !g.name.is_empty() {
                names.insert(g.user_hash, g.name);
            }
        }
    }
    let entries = entries
        .into_iter()
        .map(|e| LogEntryView {
            at: iso(e.at_ms),
            actor: match (e.actor_role.as_str(), names.get(&e.actor_hash)) {
                ("owner", _) => "owner".to_owned(),
                (_, Some(name)) => name.clone(),
                _ => e.actor_hash.chars().take(8).collect(),
            },
            role: e.actor_role,
            action: e.action,
            room_id: rooms.get(&e.channel_id).cloned().unwrap_or_default(),
            question_id: e.question_id,
            poll_id: e.poll_id,
            detail: e.detail,
        })
        .collect();
    Ok(Json(ModerationLog { entries }))
}

/// A poll as lists and exports show it: times in seconds after `start_ms`.
async fn poll_info(s: &ApiState, p: &Poll, start_ms: i64) -> Result<PollInfo, ApiError> {
    let tally = s.0.db.poll_tally(p).await?;
    let at = |ms: i64| (ms - start_ms).max(0) as f64 / 1000.0;
    Ok(PollInfo {
        poll_id: p.id,
        question: p.question.clone(),
        options: p.options.clone(),
        counts: tally.counts,
        voters: tally.voters,
        multiple: p.multiple,
        state: p.state.as_str().to_owned(),
        opened_at: p.opened_ms.map(at),
        closed_at: p.closed_ms.map(at),
    })
}

/// The opened polls of a scope.
async fn opened_polls(
    s: &ApiState,
    scope: QuestionScope,
    start_ms: i64,
) -> Result<Vec<PollInfo>, ApiError> {
    let mut out = Vec::new();
    for p in s.0.db.polls(scope).await? {
        if p.state != PollState::Draft {
            out.push(poll_info(s, &p, start_ms).await?);
        }
    }
    Ok(out)
}

/// Where a broadcast's questions and polls are, and when its media starts.
fn scope_of_broadcast(b: &Broadcast) -> QuestionScope {
    match b.talk_id {
        Some(t) => QuestionScope::Talk(t),
        None => QuestionScope::Broadcast(b.id),
    }
}

#[utoipa::path(get, path = "/api/replay/polls", tag = "replay", params(VideoIdQuery),
    description = "The polls of a replay that were opened, with their results and the \
        seconds into the replay at which each opened and closed.",
    responses((status = 200, description = "Success", body = PollList), (status = 404, description = "No such id", body = ErrorBody)))]
pub(crate) async fn replay_polls(
    State(s): State<ApiState>,
    QueryParams(q): QueryParams<VideoIdQuery>,
) -> Result<Json<PollList>, ApiError> {
    let replay =
        s.0.db
            .replay(&q.video_id)
            .await?
            .ok_or_else(|| ApiError::NotFound("no such replay".to_owned()))?;
    let polls = opened_polls(&s, scope_of_broadcast(&replay), replay.start_ms).await?;
    Ok(Json(PollList {
        video_id: Some(replay.video_id),
        talk_id: replay.talk_id,
        polls,
    }))
}

/// When a talk's replay starts: its replay broadcast's start, else its actual start,
/// else its slot.
pub(crate) async fn talk_media_start(
    s: &ApiState,
    t: &liboo_db::Talk,
) -> Result<(i64, Option<String>), ApiError> {
    let replay = match t.replay_broadcast_id {
        Some(b) => s.0.db.broadcast_by_id(b).await?,
        None => None,
    };
    let start = replay
        .as_ref()
        .map(|b| b.start_ms)
        .or(t.actual_start_ms)
        .unwrap_or(t.fields.sched_start_ms);
    Ok((start, replay.map(|b| b.video_id)))
}

#[utoipa::path(get, path = "/api/talks/{id}/polls", tag = "talks",
    params(("id" = i64, Path, description = "The talk")),
    description = "The talk's polls that were opened, with their results and the seconds \
        into its replay at which each opened and closed.",
    responses((status = 200, description = "Success", body = PollList), (status = 404, description = "No such talk", body = ErrorBody)))]
pub(crate) async fn talk_polls(
    State(s): State<ApiState>,
    Path(id): Path<i64>,
) -> Result<Json<PollList>, ApiError> {
    let t =
        s.0.db
            .talk(id)
            .await?
            .ok_or_else(|| ApiError::NotFound("no such talk".to_owned()))?;
    let (start, video_id) = talk_media_start(&s, &t).await?;
    let polls = opened_polls(&s, QuestionScope::Talk(t.id), start).await?;
    Ok(Json(PollList {
        video_id,
        talk_id: Some(t.id),
        polls,
    }))
}

fn exported(q: &Question, start_ms: i64) -> ExportedQuestion {
    let media = |ms: i64| (ms - start_ms).max(0) as f64 / 1000.0;
    ExportedQuestion {
        question_id: q.id,
        state: q.state.as_str().to_owned(),
        nickname: if q.anonymous {
            "anonymous".to_owned()
        } else {
            q.nickname.clone()
        },
        msg: q.msg.clone(),
        upvotes: q.upvotes,
        answered: q.done,
        pinned: q.pinned,
        asked_at: iso(q.asked_ms),
        asked_media: media(q.asked_ms),
        approved_at: q.approved_ms.map(iso),
        approved_media: q.approved_ms.map(media),
        answered_at: q.done_ms.map(iso),
        answered_media: q.done_ms.map(media),
        pinned_at: q.pinned_ms.map(iso),
        pinned_media: q.pinned_ms.map(media),
        removed_at: q.removed_ms.map(iso),
    }
}

#[utoipa::path(post, path = "/api/host/qa-export", tag = "qa", request_body = ExportRequest,
    description = "Every question (in every state) and poll of a broadcast or talk, as JSON or \
        as a CSV file, with wall-clock times and media times (seconds into the replay). \
        Without videoId or talkId: the caller's live or latest broadcast. The owner or a moderator.",
    responses((status = 200, description = "The export: JSON, or text/csv with one row per question then one per poll", body = QaExport),
        (status = 400, description = "Bad format", body = ErrorBody),
        (status = 403, description = "Neither owner nor moderator", body = ErrorBody),
        (status = 404, description = "No such broadcast or talk", body = ErrorBody)))]
pub(crate) async fn export(
    State(s): State<ApiState>,
    JsonBody(req): JsonBody<ExportRequest>,
) -> Result<Response, ApiError> {
    check_user_id(&req.user_id)?;
    let csv = match req.format.as_deref().unwrap_or("json") {
        "json" => false,
        "csv" => true,
        _ => return Err(ApiError::bad_request("format must be json or csv")),
    };
    let not_found = || ApiError::NotFound("no such broadcast or talk".to_owned());
    let (channel_id, scope, start, title, video_id, talk_id) = match (&req.video_id, req.talk_id) {
        (_, Some(id)) => {
            let t = s.0.db.talk(id).await?.ok_or_else(not_found)?;
            let (start, video_id) = talk_media_start(&s, &t).await?;
            (
                t.channel_id,
                QuestionScope::Talk(t.id),
                start,
                t.fields.title.clone(),
                video_id,
                Some(t.id),
            )
        }
        (Some(v), None) => {
            let b =
                s.0.db
                    .broadcast_by_video_id(v)
                    .await?
                    .ok_or_else(not_found)?;
            (
                b.channel_id,
                scope_of_broadcast(&b),
                b.start_ms,
                b.settings.title.clone(),
                Some(b.video_id.clone()),
                b.talk_id,
            )
        }
        (None, None) => {
            let place = s.place(&req.user_id, None, None).await?;
            let ch = place.channel.as_ref().expect("a channel's place");
            let b = s.0.db.last_broadcast_of(ch.id).await?.ok_or_else(|| {
                ApiError::NotFound("this channel has not broadcast yet".to_owned())
            })?;
            (
                b.channel_id,
                scope_of_broadcast(&b),
                b.start_ms,
                b.settings.title.clone(),
                Some(b.video_id.clone()),
                b.talk_id,
            )
        }
    };
    let ch =
        s.0.db
            .channel_by_id(channel_id)
            .await?
            .ok_or_else(not_found)?;
    let place = s.place_of_channel(ch).await?;
    if !s.moderates(&place, &req.user_id).await? {
        return Err(ApiError::Forbidden(
            "only the host or a moderator may export questions".to_owned(),
        ));
    }
    let questions: Vec<ExportedQuestion> =
        s.0.db
            .questions(scope)
            .await?
            .iter()
            .map(|q| exported(q, start))
            .collect();
    let mut polls = Vec::new();
    for p in s.0.db.polls(scope).await? {
        polls.push(poll_info(&s, &p, start).await?);
    }
    let export = QaExport {
        video_id,
        talk_id,
        title,
        media_start: iso(start),
        questions,
        polls,
    };
    let name = match (&export.video_id, export.talk_id) {
        (_, Some(t)) => format!("talk-{t}-qa"),
        (Some(v), None) => format!("{v}-qa"),
        (None, None) => "qa".to_owned(),
    };
    if !csv {
        let disposition = format!("attachment; filename=\"{name}.json\"");
        return Ok(([(CONTENT_DISPOSITION, disposition)], Json(export)).into_response());
    }
    let disposition = format!("attachment; filename=\"{name}.csv\"");
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        to_csv(&export),
    )
        .into_response())
}

/// One CSV field, quoted when it holds a comma, a quote or a line break, and with a
/// leading `=`, `+`, `-` or `@` neutralised so a spreadsheet does not run it as a formula.
fn csv_field(raw: &str) -> String {
    let text = if raw.starts_with(['=', '+', '-', '@']) {
        format!("'{raw}")
    } else {
        raw.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The export as CSV: a row per question, then a row per poll option.
fn to_csv(e: &QaExport) -> String {
    let opt = |v: Option<f64>| v.map(|v| format!("{v:.3}")).unwrap_or_default();
    let mut out = String::from(
        "kind,id,state,nickname,text,count,answered,pinned,asked_at,asked_media_s,\
         approved_media_s,answered_media_s,pinned_media_s,opened_media_s,closed_media_s\r\n",
    );
    for q in &e.questions {
        let row = [
            "question".to_owned(),
            q.question_id.to_string(),
            q.state.clone(),
            csv_field(&q.nickname),
            csv_field(&q.msg),
            q.upvotes.to_string(),
            q.answered.to_string(),
            q.pinned.to_string(),
            q.asked_at.clone(),
            format!("{:.3}", q.asked_media),
            opt(q.approved_media),
            opt(q.answered_media),
            opt(q.pinned_media),
            String::new(),
            String::new(),
        ];
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    for p in &e.polls {
        for (i, option) in p.options.iter().enumerate() {
            let text = format!("{} / {option}", p.question);
            let row = [
                "poll_option".to_owned(),
                format!("{}.{i}", p.poll_id),
                p.state.clone(),
                String::new(),
                csv_field(&text),
                p.counts.get(i).copied().unwrap_or(0).to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                opt(p.opened_at),
                opt(p.closed_at),
            ];
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
    }

    #[test]
    fn an_invitation_id_comes_from_the_id_or_the_token() {
        assert_eq!(invitation_id("12").unwrap(), 12);
        assert_eq!(invitation_id("12.abcdef").unwrap(), 12);
        assert!(invitation_id("x.abc").is_err());
        assert!(invitation_id("-3").is_err());
    }
}
