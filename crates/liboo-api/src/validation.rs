//! What clients send, checked field by field so that every bad field gets its own
//! message; the bounds are the contract's (`docs/CONTRACT.md`).

use std::collections::BTreeMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use liboo_db::ChannelSettings;
use serde_json::{Map, Value};

use crate::model::SearchQuery;
use crate::paging::Page;
use crate::{ApiError, QueryParams};

const MAX_USER_ID: usize = 128;
const MAX_TITLE: usize = 100;
const MAX_NOTICE: usize = 500;
const MAX_CATEGORY: usize = 50;
const MAX_TAGS: usize = 10;
const MAX_TAG: usize = 15;

/// A message per offending field, keyed by the field's JSON name.
pub(crate) type FieldErrors = BTreeMap<String, String>;

pub(crate) fn check_user_id(user_id: &str) -> Result<(), ApiError> {
    if user_id.trim().is_empty() || user_id.chars().count() > MAX_USER_ID {
        let mut fields = BTreeMap::new();
        fields.insert(
            "userId".to_owned(),
            format!("must be 1 to {MAX_USER_ID} characters"),
        );
        return Err(ApiError::invalid_fields(fields));
    }
    Ok(())
}

/// A checked search query: its text and page.
pub(crate) struct Search {
    /// 1 to 100 characters, trimmed.
    pub text: String,
    pub page: Page,
}

/// A 400 for a bad `q`, `offset` or `limit`.
impl<S: Send + Sync> FromRequestParts<S> for Search {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let QueryParams(q) = QueryParams::<SearchQuery>::from_request_parts(parts, state).await?;
        let text = q.q.trim();
        if text.is_empty() || text.chars().count() > MAX_TITLE {
            return Err(ApiError::bad_request(format!(
                "q must be 1 to {MAX_TITLE} characters"
            )));
        }
        Ok(Search {
            text: text.to_owned(),
            page: Page::new(q.offset, q.limit)?,
        })
    }
}

/// The fields of a `/host/update` body, each trimmed and within its bounds once
/// [`update_fields`] found no error.
pub(crate) struct UpdateFields {
    pub user_id: String,
    /// The new settings but the picture: `thumbnail_key` is left for the caller to
    /// set from `image`, which only it can judge against the channel's current one.
    pub settings: ChannelSettings,
    /// The new picture as a data URL, the current picture's URL, or none.
    pub image: Option<String>,
}

/// Reads a `/host/update` body. A body that is no object or has a bad `userId` is an
/// error at once (nothing else can be judged without knowing whose channel it is);
/// every other bad field is noted in the returned errors, so that the caller can
/// still tell an unknown host (404) first and add its own checks.
pub(crate) fn update_fields(body: Value) -> Result<(UpdateFields, FieldErrors), ApiError> {
    let Value::Object(body) = body else {
        return Err(ApiError::bad_request("the body must be a JSON object"));
    };
    let mut errors = BTreeMap::new();
    let user_id = match body.get("userId") {
        Some(Value::String(u)) => u.clone(),
        _ => {
            errors.insert("userId".to_owned(), "is required, a string".to_owned());
            String::new()
        }
    };
    if errors.is_empty() {
        check_user_id(&user_id)?;
    }
    let title = text_field(&body, "liveTitle", &mut errors);
    let title = bounded(title, "liveTitle", 1, MAX_TITLE, &mut errors);
    let host_name = text_field(&body, "hostName", &mut errors);
    let host_name = bounded(host_name, "hostName", 1, MAX_TITLE, &mut errors);
    let notice = text_field(&body, "notice", &mut errors);
    let notice = bounded(notice, "notice", 0, MAX_NOTICE, &mut errors);
    let category = text_field(&body, "category", &mut errors);
    let category = bounded(category, "category", 0, MAX_CATEGORY, &mut errors);
    let tags = tags_field(&body, &mut errors);
    let image = text_field(&body, "defaultThumbnailImageUrl", &mut errors);
    if errors.contains_key("userId") {
        return Err(ApiError::invalid_fields(errors));
    }
    let settings = ChannelSettings {
        title,
        host_name,
        notice,
        category,
        tags,
        thumbnail_key: None,
    };
    let fields = UpdateFields {
        user_id,
        settings,
        image,
    };
    Ok((fields, errors))
}

/// Reads one optional string field, noting a wrong type.
fn text_field(body: &Map<String, Value>, name: &str, errors: &mut FieldErrors) -> Option<String> {
    match body.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(_) => {
            errors.insert(name.to_owned(), "must be a string".to_owned());
            None
        }
    }
}

/// `value` (empty if absent), noting it unless it has `min` to `max` characters; a
/// field's first error is the one kept.
fn bounded(
    value: Option<String>,
    name: &str,
    min: usize,
    max: usize,
    errors: &mut FieldErrors,
) -> String {
    let value = value.unwrap_or_default();
    let n = value.chars().count();
    if n < min || n > max {
        let rule = if min == 0 {
            format!("must be at most {max} characters")
        } else {
            format!("is required, {min} to {max} characters")
        };
        errors.entry(name.to_owned()).or_insert(rule);
    }
    value
}

fn valid_tag(tag: &str) -> bool {
    let n = tag.chars().count();
    (1..=MAX_TAG).contains(&n)
        && tag
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '+' | '#' | '.' | '-' | '_'))
}

/// The tags, trimmed, each once, in the order given.
fn tags_field(body: &Map<String, Value>, errors: &mut FieldErrors) -> Vec<String> {
    let rule = format!(
        "must be at most {MAX_TAGS} tags of 1 to {MAX_TAG} letters, digits or + # . - _ (no spaces)"
    );
    match body.get("tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let tags: Option<Vec<String>> = items
                .iter()
                .map(|v| v.as_str().map(|s| s.trim().to_owned()))
                .collect();
            match tags {
                Some(tags) if tags.len() <= MAX_TAGS && tags.iter().all(|t| valid_tag(t)) => {
                    let mut unique = Vec::with_capacity(tags.len());
                    for t in tags {
                        if !unique.contains(&t) {
                            unique.push(t);
                        }
                    }
                    unique
                }
                _ => {
                    errors.insert("tags".to_owned(), rule);
                    Vec::new()
                }
            }
        }
        Some(_) => {
            errors.insert("tags".to_owned(), rule);
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_the_contract() {
        for good in [
            "C++",
            "node.js",
            "C#",
            "rust",
            "한국어",
            "web-rtc",
            "a_b",
            "123456789012345",
        ] {
            assert!(valid_tag(good), "{good}");
        }
        for bad in [
            "",
            "two words",
            "emoji🎉",
            "semi;colon",
            "1234567890123456",
            "<b>",
        ] {
            assert!(!valid_tag(bad), "{bad}");
        }
    }
}
