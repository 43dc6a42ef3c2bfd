//! Who may moderate: roles granted by invitation for one channel or a whole conference,
//! the invitations themselves, the moderation switches of channels and talks, and the
//! log of every moderation action.

use sqlx::{AssertSqlSafe, Row};

use crate::{Db, DbError};

/// A role granted by invitation. The owner (host or organiser) is not stored: it
/// follows from the keys and the conference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// May mark questions answered.
    Speaker,
    /// May screen questions, pin, run polls, send notices and ban.
    Moderator,
}

impl Role {
    /// The stored (and wire) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Speaker => "speaker",
            Role::Moderator => "moderator",
        }
    }

    /// The role a name names.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "speaker" => Some(Role::Speaker),
            "moderator" => Some(Role::Moderator),
            _ => None,
        }
    }
}

/// Where a role or an invitation holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RoleScope {
    /// One channel: a plain channel or one conference room.
    Channel(i64),
    /// Every room of a conference.
    Conference(i64),
}

impl RoleScope {
    fn ids(self) -> (Option<i64>, Option<i64>) {
        match self {
            RoleScope::Channel(c) => (Some(c), None),
            RoleScope::Conference(c) => (None, Some(c)),
        }
    }

    fn condition(self) -> (&'static str, i64) {
        match self {
            RoleScope::Channel(c) => ("channel_id = ?", c),
            RoleScope::Conference(c) => ("conference_id = ?", c),
        }
    }

    fn from_ids(channel: Option<i64>, conference: Option<i64>) -> Result<RoleScope, DbError> {
        match (channel, conference) {
            (Some(c), None) => Ok(RoleScope::Channel(c)),
            (None, Some(c)) => Ok(RoleScope::Conference(c)),
            _ => Err(DbError::Corrupt(
                "a role needs exactly one of channel_id and conference_id".into(),
            )),
        }
    }
}

/// A stored role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleGrant {
    /// Row id, the `roleId` of the API.
    pub id: i64,
    /// Where it holds.
    pub scope: RoleScope,
    /// SHA-256 of the holder's `userId`.
    pub user_hash: String,
    /// What it allows.
    pub role: Role,
    /// The name the holder gave when accepting (may be empty).
    pub name: String,
    /// The invitation it came from.
    pub invitation_id: Option<i64>,
    /// Unix ms it was granted.
    pub granted_ms: i64,
}

/// A stored invitation. Its token is never stored: the nonce and the server secret
/// make it again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    /// Row id, the token's first part.
    pub id: i64,
    /// Where the role it grants holds.
    pub scope: RoleScope,
    /// The role it grants.
    pub role: Role,
    /// Random, signed into the token.
    pub nonce: String,
    /// SHA-256 of the inviting owner's `userId`.
    pub created_by_hash: String,
    /// Unix ms.
    pub created_ms: i64,
    /// Unix ms after which it grants nothing.
    pub expires_ms: i64,
    /// Unix ms it was revoked.
    pub revoked_ms: Option<i64>,
    /// How many times it was accepted.
    pub accepted: i64,
}

/// Why an invitation could not be accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotAccepted {
    /// Past its expiry.
    Expired,
    /// Revoked by its owner.
    Revoked,
}

/// Moderation switches as they apply to a channel or talk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Moderation {
    /// New questions wait for a moderator.
    pub enabled: bool,
    /// Questions show "anonymous" instead of the asker's nickname.
    pub anonymous: bool,
}

/// One moderation action, as logged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    /// Row id.
    pub id: i64,
    /// The room it happened in.
    pub channel_id: i64,
    /// SHA-256 of whoever did it.
    pub actor_hash: String,
    /// Their role then: `owner`, `moderator` or `speaker`.
    pub actor_role: String,
    /// What they did, e.g. `approve`, `ban`, `poll_open`.
    pub action: String,
    /// The question acted on.
    pub question_id: Option<i64>,
    /// The poll acted on.
    pub poll_id: Option<i64>,
    /// Anything else worth keeping (an edit's old text, a dismissal's reason).
    pub detail: String,
    /// Unix ms.
    pub at_ms: i64,
}

const ROLE_COLS: &str =
    "id, channel_id, conference_id, user_hash, role, name, invitation_id, granted_ms";
const INVITATION_COLS: &str = "id, channel_id, conference_id, role, nonce, created_by_hash, \
     created_ms, expires_ms, revoked_ms, accepted";
const LOG_COLS: &str =
    "id, channel_id, actor_hash, actor_role, action, question_id, poll_id, detail, at_ms";

fn role_from_row(row: &sqlx::any::AnyRow) -> Result<RoleGrant, DbError> {
    let raw: String = row.try_get("role")?;
    Ok(RoleGrant {
        id: row.try_get("id")?,
        scope: RoleScope::from_ids(row.try_get("channel_id")?, row.try_get("conference_id")?)?,
        user_hash: row.try_get("user_hash")?,
        role: Role::parse(&raw).ok_or_else(|| DbError::Corrupt(format!("role {raw:?}")))?,
        name: row.try_get("name")?,
        invitation_id: row.try_get("invitation_id")?,
        granted_ms: row.try_get("granted_ms")?,
    })
}

fn invitation_from_row(row: &sqlx::any::AnyRow) -> Result<Invitation, DbError> {
    let raw: String = row.try_get("role")?;
    Ok(Invitation {
        id: row.try_get("id")?,
        scope: RoleScope::from_ids(row.try_get("channel_id")?, row.try_get("conference_id")?)?,
        role: Role::parse(&raw).ok_or_else(|| DbError::Corrupt(format!("role {raw:?}")))?,
        nonce: row.try_get("nonce")?,
        created_by_hash: row.try_get("created_by_hash")?,
        created_ms: row.try_get("created_ms")?,
        expires_ms: row.try_get("expires_ms")?,
        revoked_ms: row.try_get("revoked_ms")?,
        accepted: row.try_get("accepted")?,
    })
}

fn log_from_row(row: &sqlx::any::AnyRow) -> Result<LogEntry, DbError> {
    Ok(LogEntry {
        id: row.try_get("id")?,
        channel_id: row.try_get("channel_id")?,
        actor_hash: row.try_get("actor_hash")?,
        actor_role: row.try_get("actor_role")?,
        action: row.try_get("action")?,
        question_id: row.try_get("question_id")?,
        poll_id: row.try_get("poll_id")?,
        detail: row.try_get("detail")?,
        at_ms: row.try_get("at_ms")?,
    })
}

impl Db {
    /// Stores an invitation; its id and nonce go into the token.
    pub async fn create_invitation(
        &self,
        scope: RoleScope,
        role: Role,
        nonce: &str,
        created_by_hash: &str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<Invitation, DbError> {
        let (channel, conference) = scope.ids();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO invitations (channel_id, conference_id, role, nonce, created_by_hash, \
             created_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(channel)
        .bind(conference)
        .bind(role.as_str())
        .bind(nonce)
        .bind(created_by_hash)
        .bind(now_ms)
        .bind(expires_ms)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {INVITATION_COLS} FROM invitations WHERE nonce = ?"
        )))
        .bind(nonce)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        invitation_from_row(&row)
    }

    /// An invitation by its id.
    pub async fn invitation(&self, id: i64) -> Result<Option<Invitation>, DbError> {
        let query = sqlx::query(AssertSqlSafe(format!(
            "SELECT {INVITATION_COLS} FROM invitations WHERE id = ?"
        )))
        .bind(id);
        self.fetch_optional(query, invitation_from_row).await
    }

    /// The invitations of a scope, newest first.
    pub async fn invitations(&self, scope: RoleScope) -> Result<Vec<Invitation>, DbError> {
        let (cond, id) = scope.condition();
        let query = sqlx::query(AssertSqlSafe(format!(
            "SELECT {INVITATION_COLS} FROM invitations WHERE {cond} ORDER BY id DESC"
        )))
        .bind(id);
        self.fetch_all(query, invitation_from_row).await
    }

    /// Revokes an invitation; false if it was revoked already.
    pub async fn revoke_invitation(&self, id: i64, now_ms: i64) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE invitations SET revoked_ms = ? WHERE id = ? AND revoked_ms IS NULL",
        )
        .bind(now_ms)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Grants the invitation's role to `user_hash`, replacing any role they held in the
    /// same scope, if the invitation is neither revoked nor expired at `now_ms` (checked
    /// in the same statement that counts the acceptance, so a revocation racing it wins
    /// or loses as a whole).
    pub async fn accept_invitation(
        &self,
        invitation: &Invitation,
        user_hash: &str,
        name: &str,
        now_ms: i64,
    ) -> Result<Result<RoleGrant, NotAccepted>, DbError> {
        let mut tx = self.pool.begin().await?;
        let counted = sqlx::query(
            "UPDATE invitations SET accepted = accepted + 1 \
             WHERE id = ? AND revoked_ms IS NULL AND expires_ms > ?",
        )
        .bind(invitation.id)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        if counted.rows_affected() != 1 {
            tx.rollback().await?;
            let why = match self.invitation(invitation.id).await? {
                Some(i) if i.revoked_ms.is_some() => NotAccepted::Revoked,
                None => NotAccepted::Revoked,
                Some(_) => NotAccepted::Expired,
            };
            return Ok(Err(why));
        }
        let (cond, scope_id) = invitation.scope.condition();
        sqlx::query(AssertSqlSafe(format!(
            "DELETE FROM roles WHERE {cond} AND user_hash = ?"
        )))
        .bind(scope_id)
        .bind(user_hash)
        .execute(&mut *tx)
        .await?;
        let (channel, conference) = invitation.scope.ids();
        sqlx::query(
            "INSERT INTO roles (channel_id, conference_id, user_hash, role, name, invitation_id, \
             granted_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(channel)
        .bind(conference)
        .bind(user_hash)
        .bind(invitation.role.as_str())
        .bind(name)
        .bind(invitation.id)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ROLE_COLS} FROM roles WHERE {cond} AND user_hash = ?"
        )))
        .bind(scope_id)
        .bind(user_hash)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(role_from_row(&row)?))
    }

    /// The roles granted in a scope, oldest first.
    pub async fn roles(&self, scope: RoleScope) -> Result<Vec<RoleGrant>, DbError> {
        let (cond, id) = scope.condition();
        let query = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ROLE_COLS} FROM roles WHERE {cond} ORDER BY id"
        )))
        .bind(id);
        self.fetch_all(query, role_from_row).await
    }

    /// A role by its id.
    pub async fn role(&self, id: i64) -> Result<Option<RoleGrant>, DbError> {
        let query = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ROLE_COLS} FROM roles WHERE id = ?"
        )))
        .bind(id);
        self.fetch_optional(query, role_from_row).await
    }

    /// Takes a role away; false if there was none.
    pub async fn revoke_role(&self, id: i64) -> Result<bool, DbError> {
        let done = sqlx::query("DELETE FROM roles WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The highest role `user_hash` holds in a channel: its own, or its conference's.
    pub async fn role_in(
        &self,
        channel_id: i64,
        conference_id: Option<i64>,
        user_hash: &str,
    ) -> Result<Option<RoleGrant>, DbError> {
        let query = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ROLE_COLS} FROM roles WHERE user_hash = ? \
             AND (channel_id = ? OR conference_id = ?)"
        )))
        .bind(user_hash)
        .bind(channel_id)
        .bind(conference_id.unwrap_or(-1));
        let grants = self.fetch_all(query, role_from_row).await?;
        Ok(grants.into_iter().max_by_key(|g| g.role))
    }

    /// The moderation switches of a channel, or of one of its talks (a talk without its
    /// own follows its room).
    pub async fn moderation(
        &self,
        channel_id: i64,
        talk_id: Option<i64>,
    ) -> Result<Moderation, DbError> {
        let row = sqlx::query("SELECT moderated, anonymous_questions FROM channels WHERE id = ?")
            .bind(channel_id)
            .fetch_optional(&self.pool)
            .await?;
        let mut m = match row {
            Some(r) => Moderation {
                enabled: r.try_get::<i64, _>("moderated")? != 0,
                anonymous: r.try_get::<i64, _>("anonymous_questions")? != 0,
            },
            None => Moderation::default(),
        };
        if let Some(talk) = talk_id {
            let row = sqlx::query("SELECT moderated, anonymous_questions FROM talks WHERE id = ?")
                .bind(talk)
                .fetch_optional(&self.pool)
                .await?;
            if let Some(r) = row {
                if let Some(v) = r.try_get::<Option<i64>, _>("moderated")? {
                    m.enabled = v != 0;
                }
                if let Some(v) = r.try_get::<Option<i64>, _>("anonymous_questions")? {
                    m.anonymous = v != 0;
                }
            }
        }
        Ok(m)
    }

    /// Sets a channel's moderation switches (they apply to its broadcasts, and to its
    /// talks that have none of their own).
    pub async fn set_channel_moderation(
        &self,
        channel_id: i64,
        m: Moderation,
        now_ms: i64,
    ) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE channels SET moderated = ?, anonymous_questions = ?, qa_changed_ms = ? \
             WHERE id = ?",
        )
        .bind(i64::from(m.enabled))
        .bind(i64::from(m.anonymous))
        .bind(now_ms)
        .bind(channel_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Sets one talk's moderation switches.
    pub async fn set_talk_moderation(
        &self,
        talk_id: i64,
        m: Moderation,
        now_ms: i64,
    ) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE talks SET moderated = ?, anonymous_questions = ? WHERE id = ?")
            .bind(i64::from(m.enabled))
            .bind(i64::from(m.anonymous))
            .bind(talk_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE channels SET qa_changed_ms = ? WHERE id = (SELECT channel_id FROM talks WHERE id = ?)",
        )
        .bind(now_ms)
        .bind(talk_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session keys of channels whose moderation switches (or their talks') changed
    /// after `since_ms`, with when.
    pub async fn moderation_changed_since(
        &self,
        since_ms: i64,
    ) -> Result<Vec<(String, i64)>, DbError> {
        let rows = sqlx::query(
            "SELECT session_key, qa_changed_ms FROM channels WHERE qa_changed_ms > ? LIMIT 1000",
        )
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("session_key")?, r.try_get("qa_changed_ms")?)))
            .collect()
    }

    /// Logs a moderation action.
    #[allow(clippy::too_many_arguments)]
    pub async fn log_moderation(
        &self,
        channel_id: i64,
        actor_hash: &str,
        actor_role: &str,
        action: &str,
        question_id: Option<i64>,
        poll_id: Option<i64>,
        detail: &str,
        at_ms: i64,
    ) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO moderation_log (channel_id, actor_hash, actor_role, action, question_id, \
             poll_id, detail, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(channel_id)
        .bind(actor_hash)
        .bind(actor_role)
        .bind(action)
        .bind(question_id)
        .bind(poll_id)
        .bind(detail)
        .bind(at_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest `limit` log entries of a channel, or of every room of a conference.
    pub async fn moderation_log(
        &self,
        scope: RoleScope,
        limit: i64,
    ) -> Result<Vec<LogEntry>, DbError> {
        let query = match scope {
            RoleScope::Channel(c) => sqlx::query(AssertSqlSafe(format!(
                "SELECT {LOG_COLS} FROM moderation_log WHERE channel_id = ? ORDER BY id DESC LIMIT ?"
            )))
            .bind(c),
            RoleScope::Conference(c) => sqlx::query(AssertSqlSafe(format!(
                "SELECT {LOG_COLS} FROM moderation_log WHERE channel_id IN \
                 (SELECT id FROM channels WHERE conference_id = ?) ORDER BY id DESC LIMIT ?"
            )))
            .bind(c),
        };
        self.fetch_all(query.bind(limit), log_from_row).await
    }
}
