//! Tables derived from records, kept by the store in the same transaction as
//! the record change they follow. Each derivation is written against the
//! typed record, never against its stored JSON.
//!
//! - `media_item_topics`: one row per media item and topic;
//! - `media_item_day_counts`: original items per day, topic, outlet and
//!   owning agency (topic `''` holds the per-item totals; owner `''` the
//!   items made before the store's first agency).

use std::any::Any;
use std::collections::HashSet;

use canhgiac_domain::{MediaItem, Record};

use crate::db::{Cols, Tx, Ty, Value};
use crate::Result;

/// Brings the derived tables in step with a record change: `old` is the
/// record before (none on create), `new` the record after (none on delete).
pub(crate) async fn follow<R: Record>(tx: &mut Tx, id: i64, old: Option<&R>, new: Option<&R>) -> Result<()> {
    if R::KIND != MediaItem::KIND {
        return Ok(());
    }
    let (old, new) = (as_item(old), as_item(new));
    // The row exists here: after its insert or update, before its delete.
    let owner = match tx
        .row(
            "SELECT owner FROM media_items WHERE id = $1",
            &[Value::Int(id)],
            &[Ty::Text],
        )
        .await?
    {
        Some(row) => Cols::new(row, "media_items.owner").opt_text()?.unwrap_or_default(),
        None => String::new(),
    };
    if let Some(n) = new {
        sync_topics(tx, id, n).await?;
    }
    if let Some(o) = old {
        adjust_day_counts(tx, o, &owner, -1).await?;
    }
    if let Some(n) = new {
        adjust_day_counts(tx, n, &owner, 1).await?;
    }
    Ok(())
}

pub(crate) fn as_item<R: Record>(r: Option<&R>) -> Option<&MediaItem> {
    r.and_then(|r| (r as &dyn Any).downcast_ref::<MediaItem>())
}

pub(crate) fn topics(item: &MediaItem) -> Vec<&str> {
    let mut seen = HashSet::new();
    item.topics
        .iter()
        .map(|t| t.as_str())
        .filter(|t| seen.insert(*t))
        .collect()
}

/// Keeps `media_item_topics` equal to the item's topic list.
async fn sync_topics(tx: &mut Tx, id: i64, item: &MediaItem) -> Result<()> {
    tx.exec("DELETE FROM media_item_topics WHERE item_id = $1", &[Value::Int(id)])
        .await?;
    let day = item.published_on.iso();
    let original = item.duplicate_of.is_none();
    for t in topics(item) {
        tx.exec(
            "INSERT INTO media_item_topics (item_id, topic, published_on, outlet, original) VALUES ($1, $2, $3, $4, $5)",
            &[
                Value::Int(id),
                Value::from(t),
                Value::from(day.as_str()),
                Value::from(item.outlet.as_str()),
                Value::Bool(original),
            ],
        )
        .await?;
    }
    Ok(())
}

/// Adds (`sign` = 1) or removes (-1) a media item from the day counts.
/// Copies contribute nothing.
async fn adjust_day_counts(tx: &mut Tx, item: &MediaItem, owner: &str, sign: i64) -> Result<()> {
    if item.duplicate_of.is_some() {
        return Ok(());
    }
    let day = item.published_on.iso();
    let featured = if item.featured { sign } else { 0 };
    for topic in std::iter::once("").chain(topics(item)) {
        tx.exec(
            "INSERT INTO media_item_day_counts (day, topic, outlet, owner, items, featured) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (day, topic, outlet, owner) DO UPDATE SET items = media_item_day_counts.items + excluded.items, \
             featured = media_item_day_counts.featured + excluded.featured",
            &[
                Value::from(day.as_str()),
                Value::from(topic),
                Value::from(item.outlet.as_str()),
                Value::from(owner),
                Value::Int(sign),
                Value::Int(featured),
            ],
        )
        .await?;
    }
    Ok(())
}
