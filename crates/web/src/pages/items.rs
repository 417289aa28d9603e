//! Tin, bài: the list with filters and search, and one item.

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use canhgiac_domain::{Date, MediaItem, Outlet, Role};
use canhgiac_store::{ListQuery, Store};
use minijinja::context;
use serde::Deserialize;

use super::*;
use crate::auth::CurrentUser;
use crate::extract::{PagePath, PageQuery};
use crate::listing::{self, Paging};
use crate::{AppState, WebError};
use canhgiac_domain::query::Segment;
use canhgiac_interchange::sheet::{Cell, Sheet};

#[derive(Deserialize, Default, serde::Serialize)]
pub struct ItemFilter {
    q: Option<String>,
    outlet: Option<String>,
    topic: Option<String>,
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
    featured: Option<String>,
    #[serde(flatten)]
    paging: Paging,
    /// Exports only: `csv` or `xlsx`.
    #[serde(rename = "dinh-dang")]
    format: Option<String>,
    /// Set by the redirect after deleting: what was deleted.
    #[serde(rename = "da-xoa")]
    deleted: Option<String>,
}

/// The columns the item list may be ordered by: the day (indexed). Titles
/// are searched, not sorted: ordering a million titles is a full sort.
const SORTABLE: &[&str] = &["published_on"];

impl ItemFilter {
    /// The store's query for these filters, or why a filter is refused.
    fn query(&self) -> Result<ListQuery, String> {
        let mut q = ListQuery::default();
        if let Some(s) = self.q.as_deref().filter(|s| !s.trim().is_empty()) {
            if s.chars().count() > 200 {
                return Err("Từ khóa tìm kiếm dài quá 200 ký tự".into());
            }
            q.search = Some(canhgiac_domain::nfc(s));
        }
        if let Some(o) = self.outlet.as_deref().filter(|s| !s.is_empty()) {
            q.filters.push(("outlet".into(), o.chars().take(64).collect()));
        }
        if let Some(t) = self.topic.as_deref().filter(|s| !s.is_empty()) {
            q.topic = Some(t.chars().take(64).collect());
        }
        if let Some(k) = self.kind.as_deref().filter(|s| !s.is_empty()) {
            let kind = canhgiac_domain::ItemKind::parse(k).map_err(|e| e.message)?;
            q.filters.push(("kind".into(), kind.code().into()));
        }
        if self.featured.as_deref() == Some("true") {
            q.filters.push(("featured".into(), "true".into()));
        }
        for (raw, slot, label) in [
            (&self.from, &mut q.date_from, "Từ ngày"),
            (&self.to, &mut q.date_to, "Đến ngày"),
        ] {
            if let Some(s) = raw.as_deref().filter(|s| !s.trim().is_empty()) {
                *slot = Some(Date::parse(s).map_err(|e| format!("{label}: {e}"))?);
            }
        }
        Ok(q)
    }

    /// The words searched, if any: then the list is a full-text search
    /// (relevance first, unless ordered by day), with snippets.
    fn words(&self) -> Option<&str> {
        self.q.as_deref().filter(|s| !s.trim().is_empty())
    }

    /// The full-text search for these filters, or why it is refused.
    fn text_search(&self) -> Result<canhgiac_store::TextSearch, String> {
        let words = self.words().unwrap_or_default();
        if words.chars().count() > 200 {
            return Err("Từ khóa tìm kiếm dài quá 200 ký tự".into());
        }
        let query = canhgiac_domain::query::Query::parse(&canhgiac_domain::nfc(words)).map_err(|e| e.to_string())?;
        let q = self.query()?;
        let filter = |name: &str| q.filters.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        Ok(canhgiac_store::TextSearch {
            outlet: filter("outlet"),
            kind: filter("kind"),
            featured: filter("featured").is_some(),
            topic: q.topic.clone(),
            from: q.date_from,
            to: q.date_to,
            by_date: self.paging.order(SORTABLE).map(|o| o.descending),
            ..canhgiac_store::TextSearch::of(query)
        })
    }

    /// This list's address with `over` in place of its own values.
    fn link(&self, base: &str, over: &[(&str, String)]) -> String {
        let own = |v: &Option<String>| v.clone().unwrap_or_default();
        listing::relink(
            base,
            vec![
                ("q", own(&self.q)),
                ("outlet", own(&self.outlet)),
                ("topic", own(&self.topic)),
                ("kind", own(&self.kind)),
                ("from", own(&self.from)),
                ("to", own(&self.to)),
                ("featured", own(&self.featured)),
                ("sap-xep", own(&self.paging.sort)),
                ("chieu", own(&self.paging.dir)),
            ],
            over,
        )
    }
}

pub async fn items<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageQuery(f): PageQuery<ItemFilter>,
) -> Result<Response, WebError> {
    let store = app.store_for(&user);
    let mut marks: std::collections::HashMap<i64, (Vec<Segment>, Vec<Segment>)> = std::collections::HashMap::new();
    let (page, error) = if f.words().is_some() {
        match f.text_search() {
            Ok(mut ts) => {
                ts.offset = (f.paging.page() - 1) * listing::PER_PAGE;
                ts.limit = listing::PER_PAGE;
                let found = app.search.found(&store, &ts).await?;
                let mut rows = Vec::with_capacity(found.hits.len());
                for h in found.hits {
                    marks.insert(h.item.id, (h.title, h.snippet));
                    rows.push(h.item);
                }
                let page = listing::Counted {
                    rows,
                    total: found.total,
                    cap: canhgiac_store::fulltext::COUNT_CAP,
                };
                (page, String::new())
            }
            Err(e) => (listing::Counted::none(), e),
        }
    } else {
        match f.query() {
            Ok(q) => (
                listing::page_of::<MediaItem, S>(&store, q, &f.paging, SORTABLE).await?,
                String::new(),
            ),
            Err(e) => (listing::Counted::none(), e),
        }
    };
    let topic_names = topic_names(&store).await?;
    let rows: Vec<minijinja::Value> = page
        .rows
        .iter()
        .map(|i| {
            let topics: Vec<&str> = i
                .record
                .topics
                .iter()
                .map(|t| topic_names.get(t.as_str()).map_or(t.as_str(), String::as_str))
                .collect();
            let (title_marked, snippet) = marks.remove(&i.id).unwrap_or_default();
            let snippet = snippet.iter().any(|s| s.hit).then_some(snippet);
            context! {
                id => i.id, record => minijinja::Value::from_serialize(&i.record), topics => topics.join("; "),
                title_marked, snippet,
            }
        })
        .collect();
    let outlets: Vec<_> = store
        .list::<Outlet>(&ListQuery {
            limit: Some(1000),
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|o| context! { code => o.record.code.as_str(), name => o.record.name.as_str() })
        .collect();
    let columns = [
        ("published_on", "Ngày đăng"),
        ("title", "Tiêu đề"),
        ("outlet", "Cơ quan"),
        ("topics", "Chủ đề"),
    ];
    let headers = listing::headings(&columns, SORTABLE, &f.paging, &|over| f.link("/tin-bai", over));
    let pager = page.pager(&f.paging, &|n| f.link("/tin-bai", &[("trang", n.to_string())]));
    let html = app.views.render(
        "items.html",
        context! {
            user => user_ctx(&user),
            items => rows,
            headers,
            total => page.total_text(),
            pager,
            export_csv => f.link("/tin-bai/xuat", &[("dinh-dang", "csv".into())]),
            export_xlsx => f.link("/tin-bai/xuat", &[("dinh-dang", "xlsx".into())]),
            outlets,
            topics => topic_options(&store).await?,
            kinds => options(canhgiac_domain::ItemKind::ALL, canhgiac_domain::ItemKind::code, canhgiac_domain::ItemKind::label_vn),
            outlet_names => outlet_names(&store).await?,
            f => minijinja::Value::from_serialize(&f),
            error,
            can_edit => user.require(Role::Editor).is_ok(),
            deleted => listing::deleted_notice(f.deleted.as_deref()),
        },
    );
    Ok(Html(html).into_response())
}

/// The filtered list as a file (up to [`listing::EXPORT_ROWS`] items), in
/// its order, with names and labels as the page shows them.
pub async fn items_export<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PageQuery(f): PageQuery<ItemFilter>,
) -> Result<Response, WebError> {
    let store = app.store_for(&user);
    let mut q = f.query().map_err(WebError::BadRequest)?;
    q.order = f.paging.order(SORTABLE);
    let matching = if f.words().is_some() {
        let mut ts = f.text_search().map_err(WebError::BadRequest)?;
        ts.limit = canhgiac_store::MAX_PAGE;
        let mut all = Vec::new();
        while (all.len() as u32) < listing::EXPORT_ROWS {
            let found = app.search.found(&store, &ts).await?;
            let n = found.hits.len();
            all.extend(found.hits.into_iter().map(|h| h.item));
            if n < ts.limit as usize {
                break;
            }
            ts.offset += ts.limit;
        }
        all
    } else {
        listing::all_matching::<MediaItem, S>(&store, q).await?
    };
    let (topics, outlets) = (topic_names(&store).await?, outlet_names(&store).await?);
    let name = |names: &std::collections::HashMap<String, String>, k: &str| {
        names.get(k).cloned().unwrap_or_else(|| k.to_owned())
    };
    let mut rows = Vec::new();
    for i in matching {
        let r = i.record;
        rows.push(
            [
                r.published_on.to_string(),
                r.title.to_string(),
                name(&outlets, r.outlet.as_str()),
                r.kind.label_vn().to_owned(),
                r.topics
                    .iter()
                    .map(|t| name(&topics, t.as_str()))
                    .collect::<Vec<_>>()
                    .join("; "),
                r.url.map(|u| u.to_string()).unwrap_or_default(),
                if r.featured { "Có".into() } else { String::new() },
                if r.duplicate_of.is_some() {
                    "Có".into()
                } else {
                    String::new()
                },
            ]
            .into_iter()
            .map(Cell::Text)
            .collect(),
        );
    }
    let sheet = Sheet {
        title: "Tin, bài".into(),
        headers: [
            "Ngày đăng",
            "Tiêu đề",
            "Cơ quan báo chí",
            "Loại",
            "Chủ đề",
            "Đường dẫn",
            "Tiêu biểu",
            "Đăng lại",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows,
    };
    download_sheet(&sheet, "tin-bai", f.format.as_deref())
}

#[derive(Deserialize, Default)]
pub struct ItemParams {
    /// Set by the redirect after saving.
    #[serde(rename = "da-luu")]
    saved: Option<String>,
}

pub async fn item<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    PagePath(id): PagePath<i64>,
    PageQuery(p): PageQuery<ItemParams>,
) -> Result<Response, WebError> {
    let it = app
        .store_for(&user)
        .get::<MediaItem>(id)
        .await?
        .ok_or(WebError::NotFound)?;
    let names = outlet_names(&app.store_for(&user)).await?;
    let topic_names = topic_names(&app.store_for(&user)).await?;
    let chosen: Vec<&str> = it.record.topics.iter().map(|t| t.as_str()).collect();
    let topic_boxes: Vec<minijinja::Value> = topic_options(&app.store_for(&user))
        .await?
        .into_iter()
        .map(|t| {
            let code = t.get_attr("code").map(|c| c.to_string()).unwrap_or_default();
            let checked = chosen.contains(&code.as_str());
            context! { code, name => t.get_attr("name").ok(), checked }
        })
        .collect();
    let topics_text: Vec<String> = it
        .record
        .topics
        .iter()
        .map(|t| topic_names.get(t.as_str()).cloned().unwrap_or_else(|| t.to_string()))
        .collect();
    // The lexicon's reading, topic by topic, in words.
    let classification = it.record.classification.as_ref();
    let explanation: Vec<minijinja::Value> = classification
        .map(|c| {
            c.scores
                .iter()
                .map(|s| {
                    context! {
                        name => topic_names.get(s.topic.as_str()).cloned().unwrap_or_else(|| s.topic.to_string()),
                        score => canhgiac_domain::numbers::decimal(s.score),
                        chosen => c.topics.contains(&s.topic),
                        phrases => s.phrases.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", "),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let person_changed = classification.is_some_and(|c| c.topics != it.record.topics);
    let html = app.views.render(
        "item.html",
        context! {
            user => user_ctx(&user),
            outlet_name => names.get(it.record.outlet.as_str()).cloned().unwrap_or_else(|| it.record.outlet.to_string()),
            kind_label => it.record.kind.label_vn(),
            item => minijinja::Value::from_serialize(&it),
            kinds => options(canhgiac_domain::ItemKind::ALL, canhgiac_domain::ItemKind::code, canhgiac_domain::ItemKind::label_vn),
            can_edit => user.require(Role::Editor).is_ok(),
            saved => p.saved.is_some(),
            topic_boxes, topics_text => topics_text.join("; "),
            published_text => it.record.published_at.map_or_else(|| it.record.published_on.to_string(), |t| t.vn_text()),
            source_label => it.record.source.label_vn(),
            explanation, person_changed, threshold => "3",
            body_paragraphs => it.record.body.as_ref().map(|b| b.as_str().lines().take(200).map(str::to_owned).collect::<Vec<_>>()),
        },
    );
    Ok(Html(html).into_response())
}

fn items_target() -> super::upload::Target {
    super::upload::Target {
        kind: canhgiac_domain::RecordKind::MediaItem,
        title: "Tin, bài".into(),
        action: "/tin-bai/nhap".into(),
        list: "/tin-bai".into(),
    }
}

/// Nhập tin, bài từ tệp: the upload form and the columns it reads.
pub async fn items_import_form<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    user.require(Role::Editor)?;
    Ok(Html(super::upload::page(&app, &user, &items_target(), None, "")).into_response())
}

/// The header row of an items file, as XLSX, for people to fill in.
pub async fn items_template(user: CurrentUser) -> Result<Response, WebError> {
    user.require(Role::Viewer)?;
    super::upload::template(&items_target())
}

/// Reads an uploaded CSV or XLSX file of items and writes it whole, or
/// nothing: the first bad row is named (row, column, why) and nothing is
/// stored.
pub async fn items_import<S: Store>(
    State(app): State<AppState<S>>,
    user: CurrentUser,
    form: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    super::upload::import(&app, &user, &items_target(), form).await
}
