//! Where media items come from by themselves: an outlet's feeds (RSS 2.0,
//! RSS 1.0/RDF, Atom, JSON Feed, a YouTube channel's feed) and listing
//! pages read with CSS selectors — and the rules by which each is polled:
//! an interval of its own that grows while fetches bring nothing new and
//! shrinks when they do, graded failures with a linear back-off, and a
//! source put aside only after many failures (it is still tried once a
//! week, since dead feeds come back). Pure: the fetcher applies them.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::date::Timestamp;
use crate::error::ValidationErrors;
use crate::kind::{field, ApiAccess, FieldTy as F, KindMeta, Ownership, RecordKind, RegisterDef, TableDef};
use crate::records::{canonical_url, ItemKind, Record};
use crate::text::{Code, Text};
use crate::vn_enum;

vn_enum!(
    /// How a source is read.
    SourceKind {
        Feed = "feed": "Nguồn tin RSS, Atom, JSON Feed",
        YouTube = "youtube": "Kênh YouTube",
        Page = "page": "Trang danh sách (HTML)",
    }
);

/// One place an outlet publishes, followed on a schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The outlet whose items it brings.
    pub outlet: Code,
    pub kind: SourceKind,
    /// The feed, the channel (`https://www.youtube.com/channel/UC…`, or
    /// its feed) or the listing page.
    #[schemars(schema_with = "crate::records::url_field_schema")]
    pub url: Text,
    /// What the source's items are (news unless said).
    #[serde(default = "news")]
    pub item_kind: ItemKind,
    /// A listing page: the CSS selector of each item's link (`h3 a`).
    #[serde(default)]
    pub link_selector: Option<Text>,
    /// A listing page: the selector of the title within an item's block,
    /// when the link's own text is not the title.
    #[serde(default)]
    pub title_selector: Option<Text>,
    /// A listing page: the selector of the date within an item's block.
    #[serde(default)]
    pub date_selector: Option<Text>,
    /// Fetch each new item's article page for its text, author and time.
    #[serde(default = "yes")]
    pub fetch_articles: bool,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub note: Option<Text>,
}

fn news() -> ItemKind {
    ItemKind::News
}

fn yes() -> bool {
    true
}

impl Source {
    /// The address fetched: a YouTube channel's page becomes its feed.
    pub fn fetch_url(&self) -> String {
        let url = self.url.as_str().trim();
        if self.kind == SourceKind::YouTube {
            if let Some(id) = youtube_channel_id(url) {
                return format!("https://www.youtube.com/feeds/videos.xml?channel_id={id}");
            }
        }
        url.to_owned()
    }
}

/// `UC…` from `https://www.youtube.com/channel/UC…[/…]`.
fn youtube_channel_id(url: &str) -> Option<&str> {
    let rest = url.split_once("youtube.com/channel/")?.1;
    let id = rest.split(['/', '?', '#']).next()?;
    (id.len() == 24 && id.starts_with("UC") && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .then_some(id)
}

impl Record for Source {
    const KIND: RecordKind = RecordKind::Source;

    const META: KindMeta = KindMeta {
        code: "source",
        plural: "sources",
        label: "nguồn tin tự động",
        fields: &[
            field("outlet", "Cơ quan báo chí", F::Ref(RecordKind::Outlet)).required(),
            field("kind", "Loại nguồn", F::Choice(SourceKind::choices)).required(),
            field("url", "Địa chỉ", F::Text).required().searched(),
            field("item_kind", "Loại tin bài", F::Choice(ItemKind::choices)),
            field("link_selector", "Bộ chọn đường dẫn (trang HTML)", F::Text).not_in_table(),
            field("title_selector", "Bộ chọn tiêu đề (trang HTML)", F::Text).not_in_table(),
            field("date_selector", "Bộ chọn ngày đăng (trang HTML)", F::Text).not_in_table(),
            field("fetch_articles", "Lấy nội dung bài", F::Bool),
            field("active", "Đang theo dõi", F::Bool),
            field("note", "Ghi chú", F::LongText),
        ],
        date_field: None,
        owner: Ownership::Agency,
        api: ApiAccess::Editor,
        register: Some(RegisterDef {
            slug: "nguon-tin",
            title: "Nguồn tin tự động",
            columns: &["outlet", "kind", "url", "active"],
        }),
        table: Some(TableDef {
            code: "sources",
            defaults: &[],
        }),
    };

    fn describe(&self) -> String {
        format!("{} ({})", self.url, self.kind.label_vn())
    }

    /// The canonical address: one source per place per agency.
    fn key(&self) -> String {
        canonical_url(self.url.as_str()).unwrap_or_else(|_| self.url.to_string())
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if let Err(m) = canonical_url(self.url.as_str()) {
            e.push("url", m);
        }
        if self.kind == SourceKind::Page && self.link_selector.is_none() {
            e.push(
                "link_selector",
                "Trang danh sách cần bộ chọn đường dẫn của mỗi tin, bài (ví dụ: h3 a)",
            );
        }
        for (name, s) in [
            ("link_selector", &self.link_selector),
            ("title_selector", &self.title_selector),
            ("date_selector", &self.date_selector),
        ] {
            if s.as_ref().is_some_and(|s| s.as_str().chars().count() > 300) {
                e.push(name, "Bộ chọn quá dài (tối đa 300 ký tự)");
            }
        }
        e.into_result()
    }

    fn references(&self) -> Vec<(RecordKind, String)> {
        vec![(RecordKind::Outlet, self.outlet.to_string())]
    }
}

// ---------------------------------------------------------------- polling

/// The shortest and the longest wait between two fetches of a source.
pub const MIN_INTERVAL: Duration = Duration::from_secs(10 * 60);
pub const MAX_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);
/// A new source's first interval.
pub const START_INTERVAL: Duration = Duration::from_secs(60 * 60);
/// The failure weight at which a source is put aside.
pub const PUT_ASIDE_AT: f64 = 30.0;
/// How often a source put aside is still tried.
pub const PUT_ASIDE_RETRY: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// How bad a failed fetch was: a hard error (the address is gone, the body
/// is not a feed) weighs 1, a soft one (a server error) 0.5, a temporary
/// one (a timeout, a refused connection, 429) 0.25.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    Hard,
    Soft,
    Temporary,
}

impl Failure {
    pub fn weight(self) -> f64 {
        match self {
            Failure::Hard => 1.0,
            Failure::Soft => 0.5,
            Failure::Temporary => 0.25,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Failure::Hard => "lỗi nặng",
            Failure::Soft => "lỗi máy chủ",
            Failure::Temporary => "lỗi tạm thời",
        }
    }
}

/// A source's polling state and health, kept beside it (not a record:
/// it changes on every fetch and is not audited).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceHealth {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// SHA-256 of the last body: a body that did not change is "not
    /// modified" even when the server's validators say otherwise.
    pub body_hash: Option<String>,
    pub interval_secs: u64,
    /// The sum of the failures' weights since the last success.
    pub failure_weight: f64,
    pub failures_in_row: u32,
    pub next_due: Timestamp,
    pub last_attempt: Option<Timestamp>,
    pub last_success: Option<Timestamp>,
    pub last_error: Option<String>,
    pub last_error_at: Option<Timestamp>,
    /// New items the last successful fetch brought, and how many it read.
    pub last_new: u32,
    pub last_read: u32,
    pub total_new: u64,
    /// Put aside after many failures; still tried weekly.
    pub put_aside: bool,
}

impl SourceHealth {
    /// A source never fetched: due now.
    pub fn new(now: Timestamp) -> Self {
        SourceHealth {
            etag: None,
            last_modified: None,
            body_hash: None,
            interval_secs: START_INTERVAL.as_secs(),
            failure_weight: 0.0,
            failures_in_row: 0,
            next_due: now,
            last_attempt: None,
            last_success: None,
            last_error: None,
            last_error_at: None,
            last_new: 0,
            last_read: 0,
            total_new: 0,
            put_aside: false,
        }
    }

    /// After a fetch that worked: `read` items seen, `new` of them new;
    /// `hint` is the feed's TTL or the response's max-age, if any.
    /// Mostly known items stretch the interval by half; mostly new ones
    /// halve it; it stays within [`MIN_INTERVAL`, `MAX_INTERVAL`] and
    /// never below the hint.
    pub fn succeeded(&mut self, now: Timestamp, read: u32, new: u32, hint: Option<Duration>) {
        let current = self.interval_secs.max(MIN_INTERVAL.as_secs());
        let next = if read > 0 && new * 2 >= read {
            current / 2
        } else if new == 0 {
            current + current / 2
        } else {
            current
        };
        let floor = hint.map_or(MIN_INTERVAL, |h| h.clamp(MIN_INTERVAL, MAX_INTERVAL));
        self.interval_secs = next.clamp(floor.as_secs(), MAX_INTERVAL.as_secs());
        self.failure_weight = 0.0;
        self.failures_in_row = 0;
        self.put_aside = false;
        self.last_attempt = Some(now);
        self.last_success = Some(now);
        self.last_new = new;
        self.last_read = read;
        self.total_new += u64::from(new);
        self.next_due = now.plus_millis(secs_ms(self.interval_secs));
    }

    /// After a failed fetch: the weight adds up, the wait grows linearly
    /// (one interval per unit of weight, at most a day), `retry_after`
    /// (a server's Retry-After) is honoured, and past [`PUT_ASIDE_AT`] the
    /// source is put aside and tried weekly.
    pub fn failed(&mut self, now: Timestamp, how: Failure, message: &str, retry_after: Option<Duration>) {
        self.failure_weight += how.weight();
        self.failures_in_row += 1;
        self.last_attempt = Some(now);
        self.last_error = Some(message.chars().take(500).collect());
        self.last_error_at = Some(now);
        let base = self.interval_secs.max(MIN_INTERVAL.as_secs()) as f64;
        let mut wait = Duration::from_secs_f64((base * self.failure_weight).min(MAX_INTERVAL.as_secs_f64()));
        if let Some(r) = retry_after {
            wait = wait.max(r.min(MAX_INTERVAL));
        }
        if self.failure_weight >= PUT_ASIDE_AT {
            self.put_aside = true;
            wait = PUT_ASIDE_RETRY;
        }
        self.next_due = now.plus_millis(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 2));
    }

    /// After a fetch the server or the body hash says changed nothing.
    pub fn unchanged(&mut self, now: Timestamp, hint: Option<Duration>) {
        self.succeeded(now, 0, 0, hint);
    }

    /// What people read of it: `Bình thường`, `Lỗi 3 lần liên tiếp`, …
    pub fn status(&self) -> String {
        if self.put_aside {
            "Tạm gác do lỗi liên tiếp (thử lại hằng tuần)".to_owned()
        } else if self.failures_in_row > 0 {
            format!(
                "Lỗi {} lần liên tiếp",
                crate::numbers::count(u64::from(self.failures_in_row))
            )
        } else if self.last_success.is_some() {
            "Bình thường".to_owned()
        } else {
            "Chưa thu thập".to_owned()
        }
    }
}

fn secs_ms(s: u64) -> i64 {
    i64::try_from(s.saturating_mul(1000)).unwrap_or(i64::MAX / 2)
}

/// How an outlet's weekly volume compares with its recent weeks: `None`
/// when it is ordinary, else the alert's words. `recent` are the previous
/// weeks' counts (at least three are needed); a week below a third of
/// their mean, or above three times it, is unusual.
pub fn volume_alert(this_week: u64, recent: &[u64]) -> Option<String> {
    if recent.len() < 3 {
        return None;
    }
    let mean = recent.iter().sum::<u64>() as f64 / recent.len() as f64;
    if mean < 3.0 {
        return None;
    }
    let now = this_week as f64;
    if now < mean / 3.0 {
        Some(format!(
            "giảm mạnh: {} tin, bài trong tuần, so với trung bình {} các tuần trước",
            crate::numbers::count(this_week),
            crate::numbers::count(mean.round() as u64)
        ))
    } else if now > mean * 3.0 {
        Some(format!(
            "tăng đột biến: {} tin, bài trong tuần, so với trung bình {} các tuần trước",
            crate::numbers::count(this_week),
            crate::numbers::count(mean.round() as u64)
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(kind: SourceKind, url: &str) -> Source {
        Source {
            outlet: Code::parse("bao-bac-giang").unwrap(),
            kind,
            url: Text::lit(url),
            item_kind: ItemKind::News,
            link_selector: None,
            title_selector: None,
            date_selector: None,
            fetch_articles: true,
            active: true,
            note: None,
        }
    }

    #[test]
    fn a_youtube_channel_page_is_read_through_its_feed() {
        let s = source(
            SourceKind::YouTube,
            "https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv/videos",
        );
        assert_eq!(
            s.fetch_url(),
            "https://www.youtube.com/feeds/videos.xml?channel_id=UCabcdefghijklmnopqrstuv"
        );
        let feed = source(SourceKind::Feed, "https://baobacgiang.vn/rss/phap-luat.rss");
        assert_eq!(feed.fetch_url(), "https://baobacgiang.vn/rss/phap-luat.rss");
        assert_eq!(feed.key(), "https://baobacgiang.vn/rss/phap-luat.rss");
    }

    #[test]
    fn a_listing_page_needs_its_link_selector() {
        let page = source(SourceKind::Page, "https://bacgiang.gov.vn/tin-tuc");
        assert!(page.validate().is_err());
        let mut ok = page.clone();
        ok.link_selector = Some(Text::lit("h3 a"));
        assert!(ok.validate().is_ok());
        assert!(source(SourceKind::Feed, "javascript:alert(1)").validate().is_err());
    }

    #[test]
    fn the_interval_follows_what_fetches_bring() {
        let t0 = Timestamp::now();
        let mut h = SourceHealth::new(t0);
        h.succeeded(t0, 20, 0, None);
        assert_eq!(h.interval_secs, 90 * 60, "nothing new: half as long again");
        h.succeeded(t0, 20, 15, None);
        assert_eq!(h.interval_secs, 45 * 60, "mostly new: half");
        for _ in 0..10 {
            h.succeeded(t0, 20, 20, None);
        }
        assert_eq!(h.interval_secs, MIN_INTERVAL.as_secs());
        h.succeeded(t0, 20, 20, Some(Duration::from_secs(3 * 3600)));
        assert_eq!(h.interval_secs, 3 * 3600, "never below the feed's TTL");
        assert_eq!(h.next_due.millis_since(t0), 3 * 3600 * 1000);
        for _ in 0..20 {
            h.succeeded(t0, 20, 0, None);
        }
        assert_eq!(h.interval_secs, MAX_INTERVAL.as_secs());
    }

    #[test]
    fn failures_are_graded_and_a_source_is_put_aside_late() {
        let t0 = Timestamp::now();
        let mut h = SourceHealth::new(t0);
        h.failed(t0, Failure::Temporary, "hết thời gian chờ", None);
        assert_eq!(h.failure_weight, 0.25);
        assert_eq!(h.next_due.millis_since(t0), 15 * 60 * 1000, "a quarter of the hour");
        h.failed(t0, Failure::Temporary, "429", Some(Duration::from_secs(7200)));
        assert_eq!(h.next_due.millis_since(t0), 7200 * 1000, "Retry-After honoured");
        assert_eq!(h.status(), "Lỗi 02 lần liên tiếp");
        for _ in 0..28 {
            h.failed(t0, Failure::Hard, "404", None);
            assert!(!h.put_aside || h.failure_weight >= PUT_ASIDE_AT);
        }
        assert!(h.failure_weight < PUT_ASIDE_AT && !h.put_aside, "28.5 is not yet many");
        assert_eq!(
            h.next_due.millis_since(t0),
            MAX_INTERVAL.as_millis() as i64,
            "at most a day"
        );
        h.failed(t0, Failure::Hard, "404", None);
        h.failed(t0, Failure::Hard, "404", None);
        assert!(h.put_aside);
        assert_eq!(h.next_due.millis_since(t0), PUT_ASIDE_RETRY.as_millis() as i64);
        h.succeeded(t0, 3, 3, None);
        assert!(!h.put_aside && h.failure_weight == 0.0 && h.status() == "Bình thường");
    }

    #[test]
    fn volume_alerts_need_a_history_and_a_real_change() {
        assert_eq!(volume_alert(0, &[20, 22]), None, "too few weeks");
        assert_eq!(volume_alert(0, &[1, 2, 1]), None, "too small to tell");
        assert_eq!(volume_alert(18, &[20, 22, 19]), None);
        assert!(volume_alert(2, &[20, 22, 19])
            .unwrap()
            .starts_with("giảm mạnh: 02 tin, bài"));
        assert!(volume_alert(90, &[20, 22, 19]).unwrap().starts_with("tăng đột biến"));
    }
}

// ---------------------------------------------------------------- the lexicon

vn_enum!(
    /// How much a lexicon phrase weighs towards its topic (a topic is chosen
    /// at 3 points; in a title a phrase counts double).
    LexiconWeight {
        W05 = "0.5": "0,5",
        W1 = "1": "1",
        W15 = "1.5": "1,5",
        W2 = "2": "2",
        W25 = "2.5": "2,5",
        W3 = "3": "3",
        W35 = "3.5": "3,5",
        W4 = "4": "4",
        W45 = "4.5": "4,5",
        W5 = "5": "5",
        W6 = "6": "6",
        W7 = "7": "7",
        W8 = "8": "8",
        W9 = "9": "9",
        W10 = "10": "10",
    }
);

impl LexiconWeight {
    pub fn value(self) -> f64 {
        self.code().parse().unwrap_or(1.0)
    }

    /// The weight nearest to `w` (the shipped lexicon's weights are all
    /// on the list).
    pub fn nearest(w: f64) -> LexiconWeight {
        let mut best = LexiconWeight::W1;
        for v in LexiconWeight::ALL {
            if (v.value() - w).abs() < (best.value() - w).abs() {
                best = *v;
            }
        }
        best
    }
}

/// A phrase of an agency's topic lexicon: where it occurs in a collected
/// item, it counts towards its topic by its weight. An agency without
/// phrases of its own classifies with the lexicon shipped with the program
/// (or the data folder's `lexicon.csv`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LexiconPhrase {
    pub topic: Code,
    /// As written, with diacritics or without: `ma túy`, `lua dao qua mang`.
    pub phrase: Text,
    pub weight: LexiconWeight,
    #[serde(default = "yes")]
    pub active: bool,
}

impl Record for LexiconPhrase {
    const KIND: RecordKind = RecordKind::LexiconPhrase;

    const META: KindMeta = KindMeta {
        code: "lexicon_phrase",
        plural: "lexicon_phrases",
        label: "từ khóa phân loại",
        fields: &[
            field("topic", "Chủ đề", F::Ref(RecordKind::Topic)).required(),
            field("phrase", "Cụm từ", F::Text).required().searched(),
            field("weight", "Trọng số", F::Choice(LexiconWeight::choices)).required(),
            field("active", "Đang dùng", F::Bool),
        ],
        date_field: None,
        owner: Ownership::Agency,
        api: ApiAccess::Editor,
        register: Some(RegisterDef {
            slug: "tu-khoa-phan-loai",
            title: "Từ khóa phân loại chủ đề",
            columns: &["topic", "phrase", "weight", "active"],
        }),
        table: Some(TableDef {
            code: "lexicon",
            defaults: &[],
        }),
    };

    fn describe(&self) -> String {
        format!("{} ({})", self.phrase, self.weight.label_vn())
    }

    /// A phrase once per topic, however it is written.
    fn key(&self) -> String {
        format!(
            "{}|{}",
            self.topic,
            crate::text::folded_words(self.phrase.as_str()).trim()
        )
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        let words = crate::text::folded_words(self.phrase.as_str());
        if words.trim().is_empty() {
            e.push("phrase", "Cụm từ cần có chữ");
        } else if words.split_whitespace().count() > 8 {
            e.push("phrase", "Cụm từ dài quá 8 từ");
        }
        e.into_result()
    }

    fn references(&self) -> Vec<(RecordKind, String)> {
        vec![(RecordKind::Topic, self.topic.to_string())]
    }
}
