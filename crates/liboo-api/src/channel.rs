//! Finding the channel a request is about: by the public session key in its query
//! (an extractor, [`ChannelOf`]) or by its host's secret `userId` ([`ApiState::own_channel`]).

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use liboo_db::Channel;
use serde::de::DeserializeOwned;

use crate::model::{LiveIdQuery, SessionKeyQuery};
use crate::{ApiError, ApiState, QueryParams};

/// A query that names a channel by its session key.
pub(crate) trait ChannelQuery: DeserializeOwned + Send {
    /// What the 404 says when no channel has that key.
    const NOT_FOUND: &'static str;
    /// The session key the query names.
    fn session_key(&self) -> &str;
}

impl ChannelQuery for SessionKeyQuery {
    const NOT_FOUND: &'static str = "no such channel";
    fn session_key(&self) -> &str {
        &self.session_key
    }
}

/// `liveId` is LiBoo's name for a session key on the live page.
impl ChannelQuery for LiveIdQuery {
    const NOT_FOUND: &'static str = "no such live";
    fn session_key(&self) -> &str {
        &self.live_id
    }
}

/// The channel the query `Q` names: a 400 without the parameter, a 404 when no
/// channel has it.
pub(crate) struct ChannelOf<Q>(pub Channel, pub PhantomData<Q>);

impl<Q: ChannelQuery> FromRequestParts<ApiState> for ChannelOf<Q> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, s: &ApiState) -> Result<Self, ApiError> {
        let QueryParams(q) = QueryParams::<Q>::from_request_parts(parts, s).await?;
        match s.0.db.channel_by_session_key(q.session_key()).await? {
            Some(channel) => Ok(ChannelOf(channel, PhantomData)),
            None => Err(ApiError::NotFound(Q::NOT_FOUND.to_owned())),
        }
    }
}

impl ApiState {
    /// The channel of the host whose `userId` this is, or 404.
    pub(crate) async fn own_channel(&self, user_id: &str) -> Result<Channel, ApiError> {
        let session_key = self.0.keys.session_key(user_id);
        self.0
            .db
            .channel_by_session_key(&session_key)
            .await?
            .ok_or_else(|| {
                ApiError::NotFound(
                    "this userId has no channel yet; call POST /api/host/key first".to_owned(),
                )
            })
    }
}
