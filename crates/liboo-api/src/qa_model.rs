//! The JSON shapes of Q&A's calls: moderation switches, invitations and roles, the
//! moderation log, exports, and a replay's polls.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a call acts: the caller's own channel (neither field), a conference room or
/// a plain channel by its `roomId`, or every room of a conference.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlaceRequest {
    /// The caller's secret identity.
    pub user_id: String,
    /// A room's (a channel's) `sessionKey`.
    #[serde(default)]
    pub room_id: Option<String>,
    /// A conference's slug.
    #[serde(default)]
    pub conference: Option<String>,
}

/// Body of `PUT /api/host/moderation`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModerationRequest {
    /// The owner's or a moderator's secret identity.
    pub user_id: String,
    /// New questions wait for a moderator.
    pub enabled: bool,
    /// Questions show "anonymous"; unchanged when missing.
    #[serde(default)]
    pub anonymous: Option<bool>,
    /// A room's `sessionKey`; without it and `talkId`, the caller's own channel.
    #[serde(default)]
    pub room_id: Option<String>,
    /// One talk, which otherwise follows its room.
    #[serde(default)]
    pub talk_id: Option<i64>,
}

/// Answer of `PUT /api/host/moderation`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModerationResponse {
    /// The room.
    pub room_id: String,
    /// The talk, when the switch was one talk's.
    pub talk_id: Option<i64>,
    /// New questions wait for a moderator.
    pub enabled: bool,
    /// Questions show "anonymous".
    pub anonymous: bool,
}

/// Body of `POST /api/host/invitations`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationRequest {
    /// The owner's secret identity.
    pub user_id: String,
    /// `moderator` or `speaker`.
    pub role: String,
    /// A room's `sessionKey`.
    #[serde(default)]
    pub room_id: Option<String>,
    /// A conference's slug: the role holds in all its rooms.
    #[serde(default)]
    pub conference: Option<String>,
    /// Hours until the link expires, 1 to 720; 72 when missing.
    #[serde(default)]
    pub hours: Option<i64>,
}

/// Answer of `POST /api/host/invitations`: the link to hand to the invitee.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationCreated {
    /// The invitation's id: revoke it with this.
    pub invitation_id: i64,
    /// The secret of the link.
    pub token: String,
    /// `/invite#{token}` on the web app's origin.
    pub url: String,
    /// What it grants.
    pub role: String,
    /// `channel` or `conference`.
    pub scope: String,
    /// The room, for a channel's invitation.
    pub room_id: Option<String>,
    /// The conference's slug, for a conference's or a room's.
    pub conference: Option<String>,
    /// When it stops working.
    pub expires_at: String,
}

/// Body of the `DELETE`s of Q&A: the caller's secret identity.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OwnerRequest {
    /// The owner's secret identity.
    pub user_id: String,
}

/// Answer of a revocation.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Revoked {
    /// Always true: revoking twice is not an error.
    pub revoked: bool,
}

/// Body of `POST /api/roles/accept`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AcceptRequest {
    /// The invitee's secret identity: the role is theirs.
    pub user_id: String,
    /// The token from the link.
    pub token: String,
    /// A name for the owner's list and the log (at most 50 characters).
    #[serde(default)]
    pub name: Option<String>,
}

/// Answer of `POST /api/roles/accept`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Accepted {
    /// The role now held.
    pub role: String,
    /// `channel` or `conference`.
    pub scope: String,
    /// The room, for a channel's role.
    pub room_id: Option<String>,
    /// The conference's slug.
    pub conference: Option<String>,
    /// The channel's title or the conference's.
    pub title: String,
}

/// A role as the owner's list shows it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleView {
    /// Revoke it with this.
    pub role_id: i64,
    /// `moderator` or `speaker`.
    pub role: String,
    /// `channel` or `conference`.
    pub scope: String,
    /// The room, for a channel's role.
    pub room_id: Option<String>,
    /// The conference's slug.
    pub conference: Option<String>,
    /// The name the holder gave.
    pub name: String,
    /// When it was granted.
    pub granted_at: String,
}

/// An invitation as the owner's list shows it (never its token).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationView {
    /// Revoke it with this.
    pub invitation_id: i64,
    /// What it grants.
    pub role: String,
    /// `channel` or `conference`.
    pub scope: String,
    /// The room, for a channel's invitation.
    pub room_id: Option<String>,
    /// The conference's slug.
    pub conference: Option<String>,
    /// When it was made.
    pub created_at: String,
    /// When it stops working.
    pub expires_at: String,
    /// Revoked by the owner.
    pub revoked: bool,
    /// How many times it was accepted.
    pub accepted: i64,
}

/// Answer of `POST /api/host/roles`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RoleList {
    /// Oldest first.
    pub roles: Vec<RoleView>,
    /// Newest first.
    pub invitations: Vec<InvitationView>,
}

/// One moderation action.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogEntryView {
    /// When.
    pub at: String,
    /// The role's name, `owner`, or a short hash: never a `userId`.
    pub actor: String,
    /// Their role then.
    pub role: String,
    /// What they did.
    pub action: String,
    /// The room's `sessionKey`.
    pub room_id: String,
    /// The question acted on.
    pub question_id: Option<i64>,
    /// The poll acted on.
    pub poll_id: Option<i64>,
    /// An edit's old text, a dismissal's reason.
    pub detail: String,
}

/// Answer of `POST /api/host/moderation/log`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ModerationLog {
    /// Newest first, at most 1,000.
    pub entries: Vec<LogEntryView>,
}

/// Body of `POST /api/host/qa-export`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExportRequest {
    /// The owner's or a moderator's secret identity.
    pub user_id: String,
    /// A replay (or a live broadcast's id).
    #[serde(default)]
    pub video_id: Option<String>,
    /// A talk.
    #[serde(default)]
    pub talk_id: Option<i64>,
    /// `json` (the default) or `csv`.
    #[serde(default)]
    pub format: Option<String>,
}

/// A question in an export, in any state.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExportedQuestion {
    /// The `questionId` of chat events.
    pub question_id: i64,
    /// `pending`, `approved`, `dismissed` or `withdrawn`.
    pub state: String,
    /// The asker's chat name, or `anonymous`.
    pub nickname: String,
    /// Its text.
    pub msg: String,
    /// Distinct users who voted for it.
    pub upvotes: i64,
    /// Marked answered.
    pub answered: bool,
    /// Pinned now.
    pub pinned: bool,
    /// When it was asked (ISO).
    pub asked_at: String,
    /// Seconds into the replay when it was asked.
    pub asked_media: f64,
    /// When it was approved.
    pub approved_at: Option<String>,
    /// Seconds into the replay when it was approved.
    pub approved_media: Option<f64>,
    /// When it was marked answered.
    pub answered_at: Option<String>,
    /// Seconds into the replay when it was marked answered.
    pub answered_media: Option<f64>,
    /// When it was last pinned.
    pub pinned_at: Option<String>,
    /// Seconds into the replay when it was last pinned.
    pub pinned_media: Option<f64>,
    /// When it was dismissed or withdrawn.
    pub removed_at: Option<String>,
}

/// A poll with its results.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PollInfo {
    /// The `pollId` of chat events.
    pub poll_id: i64,
    /// What it asked.
    pub question: String,
    /// Its choices.
    pub options: Vec<String>,
    /// Votes per option.
    pub counts: Vec<i64>,
    /// Users who voted.
    pub voters: i64,
    /// Several choices per vote.
    pub multiple: bool,
    /// `draft`, `open` or `closed`.
    pub state: String,
    /// Seconds into the replay when it opened.
    pub opened_at: Option<f64>,
    /// Seconds into the replay when it closed.
    pub closed_at: Option<f64>,
}

/// Answer of `POST /api/host/qa-export` with `format: json`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QaExport {
    /// The replay's id, when the export is a broadcast's.
    pub video_id: Option<String>,
    /// The talk, when the export is a talk's.
    pub talk_id: Option<i64>,
    /// What it is about.
    pub title: String,
    /// When its media starts (ISO): media times count from here.
    pub media_start: String,
    /// Every question, oldest first.
    pub questions: Vec<ExportedQuestion>,
    /// Every poll, drafts too.
    pub polls: Vec<PollInfo>,
}

/// Answer of `GET /api/replay/polls` and `GET /api/talks/{id}/polls`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PollList {
    /// The replay's id, or the talk's replay's.
    pub video_id: Option<String>,
    /// The talk, for a talk's list.
    pub talk_id: Option<i64>,
    /// The polls that were opened, oldest first.
    pub polls: Vec<PollInfo>,
}
