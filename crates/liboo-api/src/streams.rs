//! `/api/streams/*`: live broadcasts, listed, searched and looked up, with their
//! viewer counts from presence.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use liboo_db::Broadcast;
use rand::RngExt;

use crate::channel::ChannelOf;
use crate::model::*;
use crate::paging::Page;
use crate::validation::Search;
use crate::{ApiError, ApiState, ErrorBody, QueryParams};

/// How many broadcasts `/streams/random` picks.
const RANDOM_COUNT: usize = 4;

/// Views of live broadcasts, with the viewers of each asked of presence at once.
async fn live_infos(s: &ApiState, broadcasts: &[Broadcast]) -> Result<Vec<LiveInfo>, ApiError> {
    let rooms: Vec<&str> = broadcasts.iter().map(|b| b.session_key.as_str()).collect();
    let counts = s.0.presence.viewers_many(&rooms).await?;
    Ok(broadcasts
        .iter()
        .zip(counts)
        .map(|(b, n)| s.0.views.live(b, n))
        .collect())
}

/// `rows`, fetched for `page`, as a page and the next.
async fn live_list(s: &ApiState, page: Page, rows: Vec<Broadcast>) -> Result<LiveList, ApiError> {
    let (info, append_info) = page.split(live_infos(s, &rows).await?);
    Ok(LiveList { info, append_info })
}

#[utoipa::path(get, path = "/api/streams/random", tag = "streams",
    description = "Up to 4 live broadcasts picked at random.",
    responses((status = 200, description = "Success", body = RandomList)))]
pub(crate) async fn streams_random(
    State(s): State<ApiState>,
) -> Result<Json<RandomList>, ApiError> {
    let mut ids = s.0.db.live_broadcast_ids().await?;
    // A partial Fisher-Yates shuffle: the first RANDOM_COUNT slots end up a uniform pick.
    let picks = ids.len().min(RANDOM_COUNT);
    {
        let mut rng = rand::rng();
        for i in 0..picks {
            let j = rng.random_range(i..ids.len());
            ids.swap(i, j);
        }
    }
    let mut broadcasts = Vec::with_capacity(picks);
    for id in &ids[..picks] {
        if let Some(b) = s.0.db.broadcast_by_id(*id).await?.filter(|b| b.is_live) {
            broadcasts.push(b);
        }
    }
    Ok(Json(RandomList {
        info: live_infos(&s, &broadcasts).await?,
    }))
}

#[utoipa::path(get, path = "/api/streams/latest", tag = "streams", params(Paging),
    description = "Live broadcasts, newest start first: a page in `info`, the next page in \
        `appendInfo` (8 and 8 by default, as LiBoo).",
    responses((status = 200, description = "Success", body = LiveList), (status = 400, description = "Bad input: a message, and one per field", body = ErrorBody)))]
pub(crate) async fn streams_latest(
    State(s): State<ApiState>,
    page: Page,
) -> Result<Response, ApiError> {
    s.0.lists
        .json(page.cache_key("live"), || async {
            let rows = s.0.db.live_broadcasts(page.offset(), page.count()).await?;
            live_list(&s, page, rows).await
        })
        .await
}

#[utoipa::path(get, path = "/api/streams/live", tag = "streams", params(LiveIdQuery),
    description = "The channel's current broadcast, or its last one (with `endDate`) when \
        it is not live.",
    responses((status = 200, description = "Success", body = LiveResponse), (status = 404, description = "No such id", body = ErrorBody)))]
pub(crate) async fn streams_live(
    State(s): State<ApiState>,
    ChannelOf(channel, ..): ChannelOf<LiveIdQuery>,
) -> Result<Json<LiveResponse>, ApiError> {
    let info = match s.0.db.last_broadcast_of(channel.id).await? {
        Some(b) if b.is_live => {
            let viewers = s.0.presence.viewers(&b.session_key).await?;
            s.0.views.live(&b, viewers)
        }
        Some(mut b) => {
            // Not live: the channel's current settings, with the last broadcast's times.
            b.settings = channel.settings;
            s.0.views.live(&b, 0)
        }
        None => {
            s.0.views
                .idle_channel(&channel.session_key, &channel.settings)
        }
    };
    Ok(Json(LiveResponse { info }))
}

#[utoipa::path(get, path = "/api/streams/notice", tag = "streams", params(SessionKeyQuery),
    responses((status = 200, description = "Success", body = NoticeResponse), (status = 404, description = "No such id", body = ErrorBody)))]
pub(crate) async fn streams_notice(
    ChannelOf(channel, ..): ChannelOf<SessionKeyQuery>,
) -> Json<NoticeResponse> {
    Json(NoticeResponse {
        notice: channel.settings.notice,
        channel_name: channel.settings.host_name,
    })
}

#[utoipa::path(get, path = "/api/streams/existence", tag = "streams", params(SessionKeyQuery),
    description = "Whether the channel is live now.",
    responses((status = 200, description = "Success", body = ExistenceResponse)))]
pub(crate) async fn streams_existence(
    State(s): State<ApiState>,
    QueryParams(q): QueryParams<SessionKeyQuery>,
) -> Result<Json<ExistenceResponse>, ApiError> {
    // An unknown channel is not live: 200, as LiBoo answered.
    let channel = s.0.db.channel_by_session_key(&q.session_key).await?;
    let existed = channel.is_some_and(|c| c.live_broadcast_id.is_some());
    Ok(Json(ExistenceResponse { existed }))
}

#[utoipa::path(get, path = "/api/streams/search", tag = "streams", params(SearchQuery),
    description = "Live broadcasts whose title, host name, category or tags contain `q` \
        (case-insensitive), newest first; paged like `/streams/latest`.",
    responses((status = 200, description = "Success", body = LiveList), (status = 400, description = "Bad input: a message, and one per field", body = ErrorBody)))]
pub(crate) async fn streams_search(
    State(s): State<ApiState>,
    Search { text, page }: Search,
) -> Result<Json<LiveList>, ApiError> {
    let rows = s.0.db.search(&text, true, page.offset(), page.count());
    Ok(Json(live_list(&s, page, rows.await?).await?))
}
