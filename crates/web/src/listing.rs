//! What every list page shares: the total, the order chosen by a column
//! heading, page numbers with previous and next, and the filters kept in
//! the address, so a list can be bookmarked, shared, printed and exported
//! as it is seen.

use canhgiac_domain::money::group_thousands;
use canhgiac_store::{ListQuery, Order, MAX_OFFSET};
use minijinja::context;
use serde::Deserialize;

/// Rows on one page of a list.
pub const PER_PAGE: u32 = 50;

/// How far a total is counted; beyond it a list says «hơn 10.000».
pub const COUNT_CAP: u32 = 10_000;

/// How far the total of a search is counted: a search reads each row's
/// text, so its count stops sooner («hơn 1.000»).
pub const SEARCH_COUNT_CAP: u32 = 1_000;

/// The cap for a query's total: lower when it searches text.
pub fn cap_for(q: &ListQuery) -> u32 {
    if q.search.is_some() {
        SEARCH_COUNT_CAP
    } else {
        COUNT_CAP
    }
}

/// The most rows one export holds.
pub const EXPORT_ROWS: u32 = 10_000;

/// The order and page of a list as its address carries them:
/// `?sap-xep=title&chieu=tang&trang=3`.
#[derive(Deserialize, Default, Clone, serde::Serialize)]
pub struct Paging {
    #[serde(rename = "sap-xep")]
    pub sort: Option<String>,
    /// `tang` (ascending) or `giam` (descending).
    #[serde(rename = "chieu")]
    pub dir: Option<String>,
    #[serde(default, deserialize_with = "page_number")]
    pub trang: Option<u32>,
}

/// A page number as the address carries it: text, since a flattened
/// query hands every value over as a string.
fn page_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => t
            .parse::<u32>()
            .map(Some)
            .map_err(|_| serde::de::Error::custom("số trang không hợp lệ")),
    }
}

impl Paging {
    /// The page asked for, from 1, within what an offset may reach.
    pub fn page(&self) -> u32 {
        self.trang.unwrap_or(1).clamp(1, MAX_OFFSET / PER_PAGE + 1)
    }

    /// The order, when the column asked for is one of `sortable`.
    pub fn order(&self, sortable: &[&str]) -> Option<Order> {
        let field = self.sort.as_deref().filter(|s| sortable.contains(s))?;
        Some(Order {
            field: field.to_owned(),
            descending: self.dir.as_deref() == Some("giam"),
        })
    }

    /// Sets the order and this page's rows on `q`.
    pub fn apply(&self, q: &mut ListQuery, sortable: &[&str]) {
        q.order = self.order(sortable);
        q.offset = Some((self.page() - 1) * PER_PAGE);
        q.limit = Some(PER_PAGE);
    }
}

/// One page of a list and the total it is a page of, counted as far as
/// its query allows (`cap`).
pub struct Counted<R> {
    pub rows: Vec<canhgiac_store::Stored<R>>,
    pub total: u64,
    pub cap: u32,
}

impl<R> Counted<R> {
    /// Nothing to show (a refused filter), counted as any list.
    pub fn none() -> Self {
        Counted {
            rows: Vec::new(),
            total: 0,
            cap: COUNT_CAP,
        }
    }

    pub fn total_text(&self) -> String {
        total_text(self.total, self.cap)
    }

    pub fn pager(&self, paging: &Paging, link: &dyn Fn(u32) -> String) -> minijinja::Value {
        pager(self.total, self.cap, paging, link)
    }
}

/// The page `paging` asks for of what `q` matches, in its order among
/// `sortable`, with the total: what every list page reads.
pub async fn page_of<R: canhgiac_domain::Record, S: canhgiac_store::Store>(
    store: &S,
    mut q: ListQuery,
    paging: &Paging,
    sortable: &[&str],
) -> Result<Counted<R>, canhgiac_store::StoreError> {
    let cap = cap_for(&q);
    let total = store.count_matching::<R>(&q, cap).await?;
    paging.apply(&mut q, sortable);
    Ok(Counted {
        rows: store.list::<R>(&q).await?,
        total,
        cap,
    })
}

/// What a list's notice names after a delete (`?da-xoa=…`), bounded.
pub fn deleted_notice(deleted: Option<&str>) -> Option<String> {
    deleted.map(|d| d.chars().take(300).collect())
}

/// Every record a query matches, in its order, a store page at a time, up
/// to [`EXPORT_ROWS`]: what an export writes.
pub async fn all_matching<R: canhgiac_domain::Record, S: canhgiac_store::Store>(
    store: &S,
    mut q: ListQuery,
) -> Result<Vec<canhgiac_store::Stored<R>>, canhgiac_store::StoreError> {
    q.limit = Some(canhgiac_store::MAX_PAGE);
    let mut out = Vec::new();
    while (out.len() as u32) < EXPORT_ROWS {
        q.offset = Some(out.len() as u32);
        let page = store.list::<R>(&q).await?;
        let full = page.len() as u32 == canhgiac_store::MAX_PAGE;
        out.extend(page);
        if !full {
            break;
        }
    }
    Ok(out)
}

/// A list's address: its own parameters with `over` in their place.
pub fn relink<'a>(base: &str, mut params: Vec<(&'a str, String)>, over: &[(&'a str, String)]) -> String {
    for (k, v) in over {
        params.retain(|(p, _)| p != k);
        params.push((k, v.clone()));
    }
    url(base, &params)
}

/// An address with its query: `base?k=v&…`, empty values left out.
pub fn url(base: &str, params: &[(&str, String)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params.iter().filter(|(_, v)| !v.is_empty()) {
        ser.append_pair(k, v);
    }
    let q = ser.finish();
    if q.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{q}")
    }
}

/// A list's total as people read it: `1.234`, or `hơn 10.000` past the
/// cap it was counted to.
pub fn total_text(total: u64, cap: u32) -> String {
    if total > u64::from(cap) {
        format!("hơn {}", group_thousands(i64::from(cap)))
    } else {
        group_thousands(i64::try_from(total).unwrap_or(i64::MAX))
    }
}

/// A list's address with some of its parameters replaced.
pub type Relink<'a> = dyn Fn(&[(&str, String)]) -> String + 'a;

/// The headings of a list: each sortable one is a link that orders by it
/// (ascending first, then the other way), marked with `aria-sort`.
pub fn headings(columns: &[(&str, &str)], sortable: &[&str], paging: &Paging, link: &Relink) -> Vec<minijinja::Value> {
    let current = paging.order(sortable);
    columns
        .iter()
        .map(|(name, label)| {
            if !sortable.contains(name) {
                return context! { label };
            }
            let here = current.as_ref().filter(|o| o.field == *name);
            let next_dir = match here {
                Some(o) if !o.descending => "giam",
                _ => "tang",
            };
            let sort = match here {
                None => "none",
                Some(o) if o.descending => "descending",
                Some(_) => "ascending",
            };
            let href = link(&[("sap-xep", (*name).to_owned()), ("chieu", next_dir.to_owned())]);
            context! { label, href, sort }
        })
        .collect()
}

/// Page links: previous, the first, a window around this one, the last,
/// next. `link(n)` is page `n`'s address. A total past `cap` is a lower
/// bound: the pages go on past it, and the last is not numbered.
pub fn pager(total: u64, cap: u32, paging: &Paging, link: &dyn Fn(u32) -> String) -> minijinja::Value {
    let open_ended = total > u64::from(cap);
    let max_page = MAX_OFFSET / PER_PAGE + 1;
    let counted = u32::try_from(total.div_ceil(u64::from(PER_PAGE)))
        .unwrap_or(u32::MAX)
        .clamp(1, max_page);
    let last = if open_ended { max_page } else { counted };
    let page = paging.page().min(last);
    let mut numbers: Vec<u32> = [1]
        .into_iter()
        .chain((!open_ended).then_some(last))
        .chain(page.saturating_sub(2).max(1)..=(page + 2).min(last))
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    let mut pages = Vec::new();
    let mut prev_n = 0;
    for n in numbers {
        if n > prev_n + 1 {
            pages.push(context! { gap => true });
        }
        pages.push(context! { n, href => link(n), current => n == page });
        prev_n = n;
    }
    context! {
        pages,
        prev => (page > 1).then(|| link(page - 1)),
        next => (page < last).then(|| link(page + 1)),
        first_row => if total == 0 { 0 } else { u64::from((page - 1) * PER_PAGE) + 1 },
        last_row => if open_ended { u64::from(page * PER_PAGE) } else { total.min(u64::from(page * PER_PAGE)) },
        shown => last > 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(total: u64, page: u32) -> Vec<String> {
        let p = Paging {
            trang: Some(page),
            ..Default::default()
        };
        let v = pager(total, COUNT_CAP, &p, &|n| format!("?trang={n}"));
        let pages = v.get_attr("pages").expect("pages");
        pages
            .try_iter()
            .expect("list")
            .map(|x| {
                if x.get_attr("gap").map(|g| g.is_true()).unwrap_or(false) {
                    "…".to_owned()
                } else {
                    let n = x.get_attr("n").expect("n").to_string();
                    if x.get_attr("current").expect("current").is_true() {
                        format!("[{n}]")
                    } else {
                        n
                    }
                }
            })
            .collect()
    }

    #[test]
    fn page_numbers_show_the_ends_and_a_window() {
        assert_eq!(numbers(0, 1), ["[1]"]);
        assert_eq!(numbers(120, 2), ["1", "[2]", "3"]);
        assert_eq!(numbers(1000, 10), ["1", "…", "8", "9", "[10]", "11", "12", "…", "20"]);
        assert_eq!(numbers(1000, 1), ["[1]", "2", "3", "…", "20"]);
        // A page past the end shows the last.
        assert_eq!(numbers(120, 99), ["1", "2", "[3]"]);
        // Past the cap the total is a lower bound: no last page number.
        let p = Paging {
            trang: Some(30),
            ..Default::default()
        };
        let v = pager(1_001, SEARCH_COUNT_CAP, &p, &|n| format!("?trang={n}"));
        assert!(v.get_attr("next").expect("next").is_true(), "the pages go on");
        assert_eq!(v.get_attr("last_row").expect("last").to_string(), "1500");
    }

    #[test]
    fn only_listed_columns_order_a_list() {
        let p = Paging {
            sort: Some("title".into()),
            dir: Some("giam".into()),
            trang: Some(0),
        };
        assert_eq!(
            p.order(&["title"]),
            Some(Order {
                field: "title".into(),
                descending: true
            })
        );
        assert_eq!(p.order(&["code"]), None);
        assert_eq!(p.page(), 1);
        assert_eq!(total_text(12, COUNT_CAP), "12");
        assert_eq!(total_text(10_001, COUNT_CAP), "hơn 10.000");
        assert_eq!(total_text(1_001, SEARCH_COUNT_CAP), "hơn 1.000");
    }
}
