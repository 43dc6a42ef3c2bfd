//! liboo's durable state: channels (a host's keys and settings), broadcasts (live and
//! ended, each with its own media prefix), questions, bans and per-broadcast counters.
//!
//! One code path serves SQLite (the embedded default) and MySQL/MariaDB (scale-out)
//! through sqlx's `Any` driver. Queries stay in the SQL both engines share; the few
//! statements that differ (insert-or-ignore) branch on [`Backend`]. Times are Unix
//! epoch milliseconds in `BIGINT` columns; user identities are stored only as SHA-256
//! hashes, because a `userId` is a host's bearer secret.
//!
//! Live state is here, not in process memory: `broadcasts.is_live` says what is live,
//! and `channels.live_broadcast_id` makes "one live broadcast per channel" hold across
//! any number of ingest nodes, because claiming it is a conditional `UPDATE`.

#![warn(missing_docs)]

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, AssertSqlSafe, Row};

mod bans;
mod broadcasts;
mod channels;
mod conferences;
mod counters;
mod listings;
mod polls;
mod questions;
mod roles;
mod rows;
mod talks;

pub use broadcasts::{Broadcast, Heartbeat, StreamHealth};
pub use channels::{Channel, ChannelSettings, RoomInfo};
pub use conferences::{Conference, ConferenceFields, RoomSpec, ScheduleSource};
pub use polls::{Poll, PollState, Tally};
pub use questions::{Asker, Change, NewQuestion, Question, QuestionScope, QuestionState};
pub use roles::{Invitation, LogEntry, Moderation, NotAccepted, Role, RoleGrant, RoleScope};
pub use talks::{ImportWrite, Talk, TalkFields, TalkMarks, TalkReplay, TalkState, TalkUpsert};

use rows::AnyQuery;

/// What can go wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "unsupported database URL scheme in {0:?}: use sqlite://PATH or mysql://USER[:PASSWORD]@HOST:PORT/DATABASE"
    )]
    /// The URL names no engine liboo speaks.
    UnsupportedUrl(String),
    /// The engine or the connection to it failed.
    #[error("{0}")]
    Sqlx(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The channel has a live broadcast already (one per channel).
    #[error("the channel is already live")]
    AlreadyLive,
    /// A unique name is taken (a conference's slug); the message says what to do.
    #[error("{0}")]
    Conflict(String),
    /// A stored row breaks an invariant the code relies on.
    #[error("stored row is not valid: {0}")]
    Corrupt(String),
}

/// The engine behind a [`Db`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite: the embedded default, one node.
    Sqlite,
    /// MySQL or MariaDB: shared by any number of nodes.
    MySql,
}

/// A pool on SQLite or MySQL/MariaDB with liboo's schema.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

impl Db {
    /// Connects and brings the schema up to date.
    ///
    /// `sqlite://PATH` (created if missing) or `mysql://…` (`mariadb://` is accepted as a
    /// synonym).
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if url.starts_with("sqlite:") {
            (Backend::Sqlite, url.to_owned())
        } else if url.starts_with("mysql:") {
            (Backend::MySql, url.to_owned())
        } else if let Some(rest) = url.strip_prefix("mariadb:") {
            (Backend::MySql, format!("mysql:{rest}"))
        } else {
            return Err(DbError::UnsupportedUrl(redact(url)));
        };
        let mut options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(5));
        if backend == Backend::Sqlite {
            // SQLite allows one writer at a time; WAL lets readers go on while it writes
            // and busy_timeout makes a second writer wait instead of failing at once.
            options = options.max_connections(8).after_connect(|conn, _meta| {
                Box::pin(async move {
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA busy_timeout = 5000",
                        "PRAGMA synchronous = NORMAL",
                        "PRAGMA foreign_keys = ON",
                    ] {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            });
        } else {
            options = options.max_connections(16);
        }
        let pool = options.connect(&url).await?;
        let db = Db { pool, backend };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<(), DbError> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("./migrations/sqlite")
                    .run(&self.pool)
                    .await?
            }
            Backend::MySql => sqlx::migrate!("./migrations/mysql").run(&self.pool).await?,
        }
        Ok(())
    }

    /// The engine this database runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The raw pool, for readiness probes and tests.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A cheap round trip, for `/readyz`.
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes the pool, waiting for connections in use to come back.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// An `INSERT` that skips a row whose key is stored already, in this engine's words;
    /// `into` is the rest of the statement (`table (columns) VALUES (...)`).
    pub(crate) fn insert_ignore<'q>(&self, into: &str) -> AnyQuery<'q> {
        let verb = match self.backend {
            Backend::Sqlite => "INSERT OR IGNORE",
            Backend::MySql => "INSERT IGNORE",
        };
        sqlx::query(AssertSqlSafe(format!("{verb} INTO {into}")))
    }

    /// Returns the stored value of `name`, storing `value` first if there is none.
    /// Racing nodes all end up with the first value stored.
    pub async fn setting_get_or_init(&self, name: &str, value: &str) -> Result<String, DbError> {
        self.insert_ignore("settings (name, value) VALUES (?, ?)")
            .bind(name)
            .bind(value)
            .execute(&self.pool)
            .await?;
        let row = sqlx::query("SELECT value FROM settings WHERE name = ?")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("value")?)
    }
}

/// Whether the engine gave up a statement to break a deadlock (InnoDB's 1213, SQLSTATE
/// 40001), which is worth trying again.
pub(crate) fn is_deadlock(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => db.code().is_some_and(|c| c == "40001" || c == "1213"),
        _ => false,
    }
}

/// SHA-256 in hex: how stream keys and user ids are stored and looked up (never in
/// the clear). Ingest hashes the stream key it receives and asks
/// [`Db::channel_by_stream_key_hash`].
pub fn hash_secret(value: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(value.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hides a password in a database URL for error messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_passwords_only() {
        assert_eq!(
            redact("mysql://root:hunter2@db:3306/x"),
            "mysql://root:***@db:3306/x"
        );
        assert_eq!(redact("mysql://root@db:3306/x"), "mysql://root@db:3306/x");
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }
}
