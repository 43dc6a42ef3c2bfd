//! A member's role in their room and the socket.io rooms that follow from it: the
//! owner (the host, or a conference's organiser), a moderator or speaker by invitation,
//! or a viewer. Moderators are also in the question room's moderators' room, where
//! pending questions and draft polls go; every member is in a room of their own user,
//! so what is meant for an asker reaches all their sockets on every node.

use liboo_db::{Db, DbError, Role};

use crate::talks::question_room;
use crate::viewers::Member;

/// What a member may do, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum MemberRole {
    /// Chat, ask, upvote, vote; withdraw or edit their own pending questions.
    Viewer,
    /// Also marks questions answered.
    Speaker,
    /// Also screens and pins questions, runs polls, sends notices and bans.
    Moderator,
    /// The host or organiser: everything.
    Owner,
}

impl MemberRole {
    /// The wire name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            MemberRole::Viewer => "viewer",
            MemberRole::Speaker => "speaker",
            MemberRole::Moderator => "moderator",
            MemberRole::Owner => "owner",
        }
    }

    fn from_grant(role: Option<Role>) -> MemberRole {
        match role {
            None => MemberRole::Viewer,
            Some(Role::Speaker) => MemberRole::Speaker,
            Some(Role::Moderator) => MemberRole::Moderator,
        }
    }
}

/// The role stored for `user_hash` in a channel (its own grants and its conference's);
/// the owner is known from the keys and never stored.
pub(crate) async fn granted_role(
    db: &Db,
    channel_id: i64,
    conference_id: Option<i64>,
    user_hash: &str,
) -> Result<MemberRole, DbError> {
    let grant = db.role_in(channel_id, conference_id, user_hash).await?;
    Ok(MemberRole::from_grant(grant.map(|g| g.role)))
}

/// The moderators' room of a member's questions.
pub(crate) fn moderators_room(member: &Member) -> String {
    format!("{}#mod", question_room(member))
}

/// The room of one user's sockets in a chat room.
pub(crate) fn user_room(room: &str, user_hash: &str) -> String {
    format!("{room}#user-{user_hash}")
}
