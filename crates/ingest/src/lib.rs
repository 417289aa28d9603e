//! The collector: what outlets publish, read from their feeds and listing
//! pages into media items by itself.
//!
//! A source ([`canhgiac_domain::Source`]) is fetched by [`fetch::Fetcher`]
//! (timeouts, size caps after decompression, no private addresses,
//! conditional GET), decoded to NFC text by [`charset`], read by [`feed`]
//! or [`page`], classified by [`classify::Lexicon`], deduplicated against
//! the store, and written by [`collect::Collector`] in one import; the
//! source's health ([`canhgiac_domain::SourceHealth`]) records each fetch.
//! [`schedule`] turns due sources into jobs of the job layer, so several
//! nodes never fetch one source at once.
//!
//! Invariants:
//! - nothing fetched is trusted: every failure is a [`IngestError`] or a
//!   graded [`fetch::FetchError`] recorded on the source, never a panic,
//!   and a failed fetch writes no item;
//! - a stored item is never overwritten by a later fetch (a specialist's
//!   corrections stay);
//! - all text is NFC before it is matched or stored.

pub mod charset;
pub mod classify;
pub mod collect;
pub mod corpus;
pub mod feed;
pub mod fetch;
pub mod page;
pub mod schedule;
pub mod text;
pub mod watch;

use canhgiac_domain::Timestamp;

pub use classify::Lexicon;
pub use collect::{Collected, Collector};
pub use fetch::{FetchConfig, Fetcher};

/// One item as a source gives it, before it becomes a media item.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub title: String,
    /// Absolute.
    pub url: String,
    pub published: Option<Timestamp>,
    pub summary: Option<String>,
    pub body: Option<String>,
    pub author: Option<String>,
}

/// Why a body could not be read. Messages are Vietnamese: they are shown
/// on the source's page.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("bảng mã: {0}")]
    Encoding(String),
    #[error("{0}")]
    NotAFeed(String),
    #[error("{0}")]
    Hostile(String),
    #[error("{0}")]
    Selector(String),
    #[error("bộ từ khóa phân loại: {0}")]
    Lexicon(String),
    #[error("{0}")]
    Setup(String),
    #[error(transparent)]
    Store(#[from] canhgiac_store::StoreError),
}
