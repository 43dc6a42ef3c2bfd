//! API errors: a status, a message that says what to do, and per-field messages for
//! validation failures. The body keeps NestJS's shape (`statusCode`, `message`,
//! `error`), which LiBoo's client already reads.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

/// The JSON body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// The HTTP status, repeated.
    pub status_code: u16,
    /// What went wrong and what to do, in English.
    pub message: String,
    /// The status's reason phrase, e.g. `Bad Request`.
    pub error: String,
    /// For validation failures: a message per offending field.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

/// Why a call failed, each with its status; see [`ErrorBody`] for what the client gets.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: bad input.
    #[error("{message}")]
    BadRequest {
        /// The whole story, one line.
        message: String,
        /// A message per offending field (may be empty).
        fields: BTreeMap<String, String>,
    },
    /// 403: the caller may not do this (another organiser's conference).
    #[error("{0}")]
    Forbidden(String),
    /// 404: an unknown id or endpoint.
    #[error("{0}")]
    NotFound(String),
    /// 409: the call conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// 410: it existed and is no longer valid (an expired or revoked invitation).
    #[error("{0}")]
    Gone(String),
    /// 413: the body is over its limit.
    #[error("request body is too large: {0}")]
    TooLarge(String),
    /// 415: the body is not JSON.
    #[error("{0}")]
    Unsupported(String),
    /// 502: a server liboo had to ask (a schedule URL) failed; the message says which.
    #[error("{0}")]
    BadGateway(String),
    /// 500: a fault of ours; the detail goes to the log, not the client.
    #[error("internal error")]
    Internal(String),
    /// 503: a backing service (database, storage, presence) failed; the detail goes to
    /// the log, not the client.
    #[error("{0}")]
    Unavailable(String),
}

impl ApiError {
    /// A 400 with one message and no per-field ones.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            message: message.into(),
            fields: BTreeMap::new(),
        }
    }

    /// A 400 with a message per field, and all of them joined as its message.
    pub fn invalid_fields(fields: BTreeMap<String, String>) -> ApiError {
        let message = fields
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("; ");
        ApiError::BadRequest { message, fields }
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unsupported(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::BadGateway(_) => StatusCode::BAD_GATEWAY,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl From<liboo_db::DbError> for ApiError {
    fn from(e: liboo_db::DbError) -> Self {
        match e {
            liboo_db::DbError::Conflict(m) => ApiError::Conflict(m),
            e => ApiError::Unavailable(format!("database error: {e}")),
        }
    }
}

impl From<liboo_storage::StorageError> for ApiError {
    fn from(e: liboo_storage::StorageError) -> Self {
        ApiError::Unavailable(format!("media storage error: {e}"))
    }
}

impl From<liboo_presence::PresenceError> for ApiError {
    fn from(e: liboo_presence::PresenceError) -> Self {
        ApiError::Unavailable(format!("presence store error: {e}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            ApiError::TooLarge(detail) => {
                tracing::warn!(
                    detail,
                    raise_with = "--http-max-body-bytes",
                    "API request refused: body over the limit"
                );
                self.to_string()
            }
            ApiError::Internal(detail) | ApiError::Unavailable(detail) => {
                tracing::error!(%status, detail, "API request failed");
                if status == StatusCode::SERVICE_UNAVAILABLE {
                    "a backing service is unavailable; try again shortly".to_owned()
                } else {
                    "internal error; the server log has the details".to_owned()
                }
            }
            other => other.to_string(),
        };
        let fields = match self {
            ApiError::BadRequest { fields, .. } => fields,
            _ => BTreeMap::new(),
        };
        let body = ErrorBody {
            status_code: status.as_u16(),
            message,
            error: status.canonical_reason().unwrap_or("Error").to_owned(),
            fields,
        };
        (status, Json(body)).into_response()
    }
}

/// `Json<T>` whose rejections are API errors: 400 for bad JSON or wrong types (axum
/// says 422), 413 for an oversized body, 415 without a JSON content type.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::Unsupported(
                "send the body as JSON with Content-Type: application/json".to_owned(),
            )),
            Err(JsonRejection::BytesRejection(e))
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(ApiError::TooLarge(e.body_text()))
            }
            Err(e) => Err(ApiError::bad_request(format!(
                "invalid JSON body: {}",
                e.body_text()
            ))),
        }
    }
}

/// `Query<T>` whose rejections are 400s naming the parameter.
pub struct QueryParams<T>(pub T);

impl<S, T> FromRequestParts<S> for QueryParams<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(QueryParams(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(ApiError::bad_request(
                format!("invalid query: {}", e.body_text()),
            )),
            Err(e) => Err(ApiError::bad_request(e.body_text())),
        }
    }
}
