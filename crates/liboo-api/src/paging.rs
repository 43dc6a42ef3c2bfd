//! Paging of list endpoints in LiBoo's shape: a page in `info` and the page after it
//! in `appendInfo`, fetched in one query.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::model::Paging;
use crate::{ApiError, QueryParams};

/// Page size without `limit`: LiBoo's 8.
const DEFAULT_PAGE: u32 = 8;
const MAX_PAGE: u32 = 100;

/// A checked `offset` and `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    offset: i64,
    limit: i64,
}

impl Page {
    /// The page the query asks for, or a 400 for a limit out of 1 to 100.
    pub(crate) fn new(offset: Option<u32>, limit: Option<u32>) -> Result<Page, ApiError> {
        let limit = limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(ApiError::bad_request(format!(
                "limit must be 1 to {MAX_PAGE}"
            )));
        }
        Ok(Page {
            offset: i64::from(offset.unwrap_or(0)),
            limit: i64::from(limit),
        })
    }

    /// Where the query starts.
    pub(crate) fn offset(&self) -> i64 {
        self.offset
    }

    /// How many rows to fetch from [`Page::offset`]: this page and the next.
    pub(crate) fn count(&self) -> i64 {
        self.limit * 2
    }

    /// The key the cached list `list` of this page is kept under.
    pub(crate) fn cache_key(&self, list: &str) -> String {
        format!("{list} {} {}", self.offset, self.limit)
    }

    /// Fetched rows as `info` (this page) and `appendInfo` (the next).
    pub(crate) fn split<T>(&self, mut rows: Vec<T>) -> (Vec<T>, Vec<T>) {
        let next = rows.split_off(rows.len().min(self.limit as usize));
        (rows, next)
    }
}

/// The page of a list endpoint's `offset` and `limit` query: a 400 if either is bad.
impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let QueryParams(p) = QueryParams::<Paging>::from_request_parts(parts, state).await?;
        Page::new(p.offset, p.limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_their_next() {
        let page = Page::new(None, None).unwrap();
        assert_eq!((page.offset(), page.count()), (0, 16));
        let (info, append) = page.split((0..16).collect());
        assert_eq!((info.len(), append.len()), (8, 8));
        let page = Page::new(Some(16), Some(4)).unwrap();
        assert_eq!(page.cache_key("live"), "live 16 4");
        assert_eq!(page.split(vec![1, 2]), (vec![1, 2], vec![]));
        assert_eq!(page.split(vec![1, 2, 3, 4, 5]), (vec![1, 2, 3, 4], vec![5]));
        assert!(Page::new(None, Some(0)).is_err());
        assert!(Page::new(None, Some(101)).is_err());
        assert!(Page::new(None, Some(100)).is_ok());
    }
}
