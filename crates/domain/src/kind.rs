//! The one declaration of every record kind.
//!
//! Each record type declares its [`KindMeta`] next to its struct (in
//! `records.rs`): the table, the Vietnamese labels of the kind and of every
//! field, how each field is entered and stored, which fields are searched,
//! listed and dated, and where the kind appears (register page, API, table
//! files). The list of kinds itself is written once, in [`define_kinds!`]
//! below, which generates [`RecordKind`], [`Dataset`] and the
//! [`with_record!`](crate::with_record) dispatch. Storage, the API, the
//! OpenAPI document, the register pages and CSV/XLSX import all read these
//! declarations; none of them keeps a list of its own.

use serde::{Deserialize, Serialize};

/// How a field is entered on a form, written in a table file, and stored.
#[derive(Clone, Copy)]
pub enum FieldTy {
    /// One line of text.
    Text,
    /// Several lines of text.
    LongText,
    /// The record's own identifier (`VV-2024-01`), ASCII.
    Code,
    /// The natural key of one record of another kind.
    Ref(RecordKind),
    /// Natural keys of several records of another kind.
    Refs(RecordKind),
    /// Several lines of free text (`Nơi nhận`).
    Texts,
    /// A calendar day, `dd/mm/yyyy`.
    Date,
    /// An instant, Vietnam time on forms, UTC in storage.
    Instant,
    Bool,
    /// A whole, non-negative number.
    Int,
    /// Whole đồng.
    Money,
    /// One value of a closed vocabulary: (code, label) pairs.
    Choice(fn() -> Vec<(&'static str, &'static str)>),
    /// A reporting period (`2024-H1`).
    Period,
    /// A calendar month, `mm/yyyy` to people, `yyyy-mm` stored.
    Month,
    /// A nested value (struct or list of structs), kept as JSON; not on
    /// generic forms or table files.
    Nested,
}

/// How a field's value is kept in its column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    Text,
    Int,
    Bool,
    /// JSON text.
    Json,
}

impl FieldTy {
    pub fn storage(self) -> Storage {
        match self {
            FieldTy::Text
            | FieldTy::LongText
            | FieldTy::Code
            | FieldTy::Ref(_)
            | FieldTy::Date
            | FieldTy::Instant
            | FieldTy::Choice(_)
            | FieldTy::Period
            | FieldTy::Month => Storage::Text,
            FieldTy::Refs(_) | FieldTy::Texts | FieldTy::Nested => Storage::Json,
            FieldTy::Bool => Storage::Bool,
            FieldTy::Int | FieldTy::Money => Storage::Int,
        }
    }

    /// Whether a generic form or a table cell can carry this field.
    pub fn is_flat(self) -> bool {
        !matches!(self, FieldTy::Nested)
    }

    /// A list of values (`;`-separated on forms and in table cells).
    pub fn is_list(self) -> bool {
        matches!(self, FieldTy::Refs(_) | FieldTy::Texts)
    }
}

/// One field of a record kind.
pub struct FieldDef {
    /// The serde name, which is also the column name.
    pub name: &'static str,
    /// The Vietnamese label: form label, list header, table-file header.
    pub label: &'static str,
    pub ty: FieldTy,
    pub required: bool,
    /// Folded into the kind's search text.
    pub search: bool,
    /// Carried by CSV/XLSX files of the kind (when it has them).
    pub in_table: bool,
}

/// Builds a [`FieldDef`]; chain [`FieldDef::required`], [`FieldDef::searched`]
/// and [`FieldDef::not_in_table`].
pub const fn field(name: &'static str, label: &'static str, ty: FieldTy) -> FieldDef {
    FieldDef {
        name,
        label,
        ty,
        required: false,
        search: false,
        in_table: true,
    }
}

impl FieldDef {
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub const fn searched(mut self) -> Self {
        self.search = true;
        self
    }

    pub const fn not_in_table(mut self) -> Self {
        self.in_table = false;
        self
    }
}

/// Whose a record is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ownership {
    /// Belongs to one agency; only that agency's users see and change it.
    Agency,
    /// The agency record itself: it owns itself.
    Itself,
    /// Reference data every agency shares (topics, the legal catalogue).
    Shared,
    /// Belongs to one agency, or — owner `''` — is shared by all (an
    /// outlet several agencies track): an agency reads its own and the
    /// shared ones, and writes only its own.
    Shareable,
}

impl Ownership {
    /// Whether records of the kind belong to an agency (all of them, or
    /// all but the shared ones).
    pub fn per_agency(self) -> bool {
        matches!(self, Ownership::Agency | Ownership::Shareable)
    }
}

/// The owner code of a shared record of a `Shareable` kind.
pub const SHARED_OWNER: &str = "";

/// Who may change a kind through the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiAccess {
    /// Not on the API (accounts: their hashes never leave).
    None,
    /// Editors write; an `ingest` token may also add (collected items).
    Ingest,
    /// Editors write, everyone reads.
    Editor,
    /// Administrators write, everyone reads (settings, shared vocabularies).
    Admin,
}

/// A register page (sổ theo dõi) of a kind.
pub struct RegisterDef {
    /// The URL segment: `/so/van-ban-chi-dao`.
    pub slug: &'static str,
    /// The heading: `Văn bản chỉ đạo`.
    pub title: &'static str,
    /// Fields shown as columns of the list.
    pub columns: &'static [&'static str],
}

/// CSV/XLSX files of a kind: one record per row.
pub struct TableDef {
    /// `--kind` on the command line: `media-items`.
    pub code: &'static str,
    /// Fields set on every row read from a file (`source = import`).
    pub defaults: &'static [(&'static str, &'static str)],
}

/// Everything the system knows about a record kind, declared once.
pub struct KindMeta {
    /// Singular machine name: `media_item`.
    pub code: &'static str,
    /// Plural: the storage table and the section of the import file.
    pub plural: &'static str,
    /// `tin, bài`: used inside sentences.
    pub label: &'static str,
    pub fields: &'static [FieldDef],
    /// The date field lists sort and filter on, if any.
    pub date_field: Option<&'static str>,
    pub owner: Ownership,
    pub api: ApiAccess,
    pub register: Option<RegisterDef>,
    pub table: Option<TableDef>,
}

impl KindMeta {
    /// The API path segment: `media-items`.
    pub fn api_path(&self) -> String {
        self.plural.replace('_', "-")
    }

    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        // The fields are 'static; the lookup borrows only `self`.
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn search_fields(&self) -> impl Iterator<Item = &'static FieldDef> {
        self.fields.iter().filter(|f| f.search)
    }
}

/// The metadata of issued reports: audited like records, kept apart.
pub static ISSUED_REPORT_META: KindMeta = KindMeta {
    code: "issued_report",
    plural: "issued_reports",
    label: "báo cáo đã ban hành",
    fields: &[],
    date_field: None,
    owner: Ownership::Agency,
    api: ApiAccess::None,
    register: None,
    table: None,
};

/// A report request sent to child agencies.
pub static REPORT_CALL_META: KindMeta = KindMeta {
    code: "report_call",
    plural: "report_calls",
    label: "yêu cầu báo cáo gửi đơn vị",
    fields: &[],
    date_field: None,
    owner: Ownership::Agency,
    api: ApiAccess::None,
    register: None,
    table: None,
};

/// A child agency's submission.
pub static SUBMISSION_META: KindMeta = KindMeta {
    code: "submission",
    plural: "submissions",
    label: "báo cáo của đơn vị",
    fields: &[],
    date_field: None,
    owner: Ownership::Agency,
    api: ApiAccess::None,
    register: None,
    table: None,
};

/// Turns what a person typed for one field (a form field, a CSV or XLSX
/// cell) into the JSON value the record type parses; `None` when empty.
/// Forms and table files go through here, so both accept the same text.
pub fn flat_value(f: &FieldDef, raw: &str) -> Result<Option<serde_json::Value>, String> {
    use serde_json::Value;
    let t = crate::text::nfc(raw);
    let t = t.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let split = |seps: &[char]| -> Value {
        Value::Array(
            t.split(seps)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        )
    };
    Ok(Some(match f.ty {
        FieldTy::Bool => match crate::text::fold(t).as_str() {
            "co" | "x" | "1" | "true" | "dung" | "yes" | "on" => Value::Bool(true),
            "khong" | "0" | "false" | "sai" | "no" | "off" => Value::Bool(false),
            _ => return Err(format!("«{t}» không phải có/không")),
        },
        // Codes never hold a comma: a list of them may use either separator.
        FieldTy::Refs(_) => split(&[';', ',']),
        FieldTy::Texts => split(&[';']),
        FieldTy::Int => Value::Number(
            whole_number(t)
                .ok_or_else(|| format!("«{t}»: cần một số nguyên không âm"))?
                .into(),
        ),
        FieldTy::Money => Value::Number(crate::money::Dong::parse(t).map_err(|e| e.message)?.get().into()),
        FieldTy::Instant => Value::String(crate::date::Timestamp::parse_local(t).map_err(|e| e.message)?.rfc3339()),
        FieldTy::Month => Value::String(crate::date::Month::parse(t).map_err(|e| e.message)?.iso()),
        FieldTy::Nested => serde_json::from_str(t).map_err(|_| format!("«{t}» không phải JSON hợp lệ"))?,
        _ => Value::String(t.to_owned()),
    }))
}

/// A whole number as people write it: `1200`, or with its thousands
/// grouped by dots or spaces (`1.200`, `1 200`, as spreadsheets print
/// them). A decimal comma, a sign or a misplaced dot is not a whole number.
fn whole_number(t: &str) -> Option<u32> {
    let groups: Vec<&str> = t.split(['.', ' ', '\u{a0}']).collect();
    let grouped = groups.len() > 1 && (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3);
    if groups.len() > 1 && !grouped {
        return None;
    }
    let digits: String = groups.concat();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The text a person sees and edits for one stored field: dates as
/// `dd/mm/yyyy`, instants in Vietnam time, lists joined by `; `.
pub fn flat_text(f: &FieldDef, v: &serde_json::Value) -> String {
    use serde_json::Value;
    match (f.ty, v) {
        (_, Value::Null) => String::new(),
        (FieldTy::Date, Value::String(s)) => crate::date::Date::parse(s).map_or_else(|_| s.clone(), |d| d.to_string()),
        (FieldTy::Instant, Value::String(s)) => {
            crate::date::Timestamp::parse(s).map_or_else(|_| s.clone(), |t| t.vn_text())
        }
        (FieldTy::Month, Value::String(s)) => {
            crate::date::Month::parse(s).map_or_else(|_| s.clone(), |m| m.to_string())
        }
        (FieldTy::Bool, Value::Bool(b)) => if *b { "có" } else { "không" }.to_owned(),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Array(a)) if f.ty.is_list() => a
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join("; "),
        (_, other) => other.to_string(),
    }
}

/// The declared fields that differ between two stored forms of a record
/// (an audit entry's `before` and `after`), each with its text before and
/// after as [`flat_text`] writes it; nested fields are compared whole and
/// shown as changed without their text.
pub fn changed_fields<'m>(
    meta: &'m KindMeta,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Vec<(&'m FieldDef, String, String)> {
    fn get(v: Option<&serde_json::Value>, name: &str) -> serde_json::Value {
        v.and_then(|v| v.get(name)).cloned().unwrap_or(serde_json::Value::Null)
    }
    meta.fields
        .iter()
        .filter_map(|f| {
            let (b, a) = (get(before, f.name), get(after, f.name));
            if b == a {
                return None;
            }
            if f.ty.is_flat() {
                let (bt, at) = (flat_text(f, &b), flat_text(f, &a));
                (bt != at).then_some((f, bt, at))
            } else {
                Some((f, String::new(), String::new()))
            }
        })
        .collect()
}

/// The codes of every closed vocabulary a declared field takes, of the
/// record kinds and of audit actions: what a page must never show a person
/// (`still_online`, `radio_television`, `sanction_decision`). The one list
/// the page checks use. Left out, since text cannot tell them apart: codes
/// of one or two letters, and codes that are words of the vocabularies'
/// own labels (`quy` of «Báo cáo quý», `facebook` of «Facebook»).
pub fn vocabulary_codes() -> std::collections::BTreeSet<&'static str> {
    let mut pairs: Vec<(&'static str, &'static str)> = Vec::new();
    for k in RecordKind::ALL.iter().chain(RecordKind::AUDITED_APART.iter()) {
        pairs.push((k.code(), k.label_vn()));
        for f in k.meta().fields {
            if let FieldTy::Choice(opts) = f.ty {
                pairs.extend(opts());
            }
        }
    }
    pairs.extend(
        crate::records::AuditAction::ALL
            .iter()
            .map(|a| (a.code(), a.label_vn())),
    );
    let words: std::collections::BTreeSet<String> = pairs
        .iter()
        .flat_map(|(_, label)| {
            crate::text::fold(label)
                .split(|c: char| !c.is_alphanumeric())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    pairs
        .into_iter()
        .map(|(code, _)| code)
        .filter(|c| c.chars().count() > 2 && !words.contains(*c))
        .collect()
}

/// Fills in a record kind's place in [`Dataset`]; implemented by
/// [`define_kinds!`] for every kind.
pub trait InDataset: Sized {
    fn section(ds: &Dataset) -> &Vec<Self>;
    fn section_mut(ds: &mut Dataset) -> &mut Vec<Self>;
}

use crate::records::*;
use crate::sources::*;
use crate::telecom::*;
use crate::watch::WatchRule;

/// The list of record kinds, in dependency order: a kind only refers to
/// kinds before it. Imports write in this order. Generates the enum, the
/// dataset and the dispatch macro; this is the only list of kinds.
macro_rules! define_kinds {
    ($d:tt $($T:ident => $plural:ident),+ $(,)?) => {
        /// The record kinds, in dependency order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum RecordKind {
            $($T,)+
            /// An issued report snapshot: audited, but kept apart from the
            /// records (not imported or exported; immutable once written).
            IssuedReport,
            /// A report request a parent sent to its children (audited;
            /// kept apart from the records, like issued reports).
            ReportCall,
            /// A child's answer to a report request.
            Submission,
        }

        impl RecordKind {
            /// Every record kind (issued reports aside), in dependency order.
            pub const ALL: &'static [RecordKind] = &[$(RecordKind::$T),+];

            pub fn meta(self) -> &'static KindMeta {
                match self {
                    $(RecordKind::$T => &<$T as Record>::META,)+
                    RecordKind::IssuedReport => &ISSUED_REPORT_META,
                    RecordKind::ReportCall => &REPORT_CALL_META,
                    RecordKind::Submission => &SUBMISSION_META,
                }
            }
        }

        /// Everything the import format can carry, in dependency order.
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct Dataset {
            $(
                #[serde(default, skip_serializing_if = "Vec::is_empty")]
                pub $plural: Vec<$T>,
            )+
        }

        impl Dataset {
            pub fn len(&self) -> usize {
                0 $(+ self.$plural.len())+
            }

            /// How many records of each kind, in order, omitting none.
            pub fn counts(&self) -> Vec<(RecordKind, usize)> {
                vec![$((RecordKind::$T, self.$plural.len())),+]
            }
        }

        $(
            impl InDataset for $T {
                fn section(ds: &Dataset) -> &Vec<Self> {
                    &ds.$plural
                }
                fn section_mut(ds: &mut Dataset) -> &mut Vec<Self> {
                    &mut ds.$plural
                }
            }
        )+

        /// Runs `body` with `R` naming the record type of `kind`; `other`
        /// when the kind is not a record (issued reports).
        ///
        /// ```text
        /// with_record!(kind, R => store.count_of::<R>().await, Err(NotFound))
        /// ```
        #[macro_export]
        macro_rules! with_record {
            ($d kind:expr, $d R:ident => $d body:expr, $d other:expr) => {
                match $d kind {
                    $(
                        $crate::RecordKind::$T => {
                            #[allow(dead_code)]
                            type $d R = $crate::$T;
                            $d body
                        }
                    )+
                    $crate::RecordKind::IssuedReport
                    | $crate::RecordKind::ReportCall
                    | $crate::RecordKind::Submission => $d other,
                }
            };
        }
    };
}

define_kinds!($
    Agency => agencies,
    User => users,
    Topic => topics,
    LegalBasis => legal_bases,
    Outlet => outlets,
    Programme => programmes,
    Source => sources,
    LexiconPhrase => lexicon_phrases,
    WatchRule => watch_rules,
    MediaItem => media_items,
    Directive => directives,
    ReportRequest => report_requests,
    PlanItem => plan_items,
    Case => cases,
    CaseComment => case_comments,
    Evidence => evidence,
    TakedownCheck => takedown_checks,
    TelecomOperator => telecom_operators,
    BtsStation => bts_stations,
    TelecomCampaign => telecom_campaigns,
    SpamReport => spam_reports,
    Inspection => inspections,
    InspectionSubject => inspection_subjects,
    SanctionDecision => sanction_decisions,
);

impl Dataset {
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn section<R: Record>(&self) -> &Vec<R> {
        R::section(self)
    }

    pub fn section_mut<R: Record>(&mut self) -> &mut Vec<R> {
        R::section_mut(self)
    }
}

impl RecordKind {
    /// The audited kinds that are not records: issued reports, report
    /// requests to children, submissions.
    pub const AUDITED_APART: &'static [RecordKind] =
        &[RecordKind::IssuedReport, RecordKind::ReportCall, RecordKind::Submission];

    /// Singular machine name: `media_item`.
    pub fn code(self) -> &'static str {
        self.meta().code
    }

    /// Plural name: the section of the import file and the storage table.
    pub fn plural(self) -> &'static str {
        self.meta().plural
    }

    pub fn label_vn(self) -> &'static str {
        self.meta().label
    }

    pub fn from_code(s: &str) -> Option<RecordKind> {
        RecordKind::ALL
            .iter()
            .copied()
            .chain(RecordKind::AUDITED_APART.iter().copied())
            .find(|k| k.code() == s || k.plural() == s)
    }

    /// The kind whose table file has this code (`media-items`).
    pub fn from_table_code(s: &str) -> Option<RecordKind> {
        RecordKind::ALL
            .iter()
            .copied()
            .find(|k| k.meta().table.as_ref().is_some_and(|t| t.code == s.trim()))
    }

    /// The kinds that CSV/XLSX files can carry.
    pub fn with_tables() -> impl Iterator<Item = RecordKind> {
        RecordKind::ALL.iter().copied().filter(|k| k.meta().table.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_values_round_trip() {
        let m = RecordKind::SanctionDecision.meta();
        let fine = m.field("fine").unwrap();
        assert_eq!(
            flat_value(fine, "7.500.000").unwrap(),
            Some(serde_json::json!(7_500_000))
        );
        assert!(flat_value(fine, "-5").is_err());
        let remedies = m.field("remedies").unwrap();
        assert_eq!(
            flat_value(remedies, "Gỡ bỏ; Cải chính, xin lỗi").unwrap(),
            Some(serde_json::json!(["Gỡ bỏ", "Cải chính, xin lỗi"]))
        );
        let flag = m.field("issued_by_agency").unwrap();
        assert_eq!(flat_value(flag, "Có").unwrap(), Some(serde_json::json!(true)));
        assert!(flat_value(flag, "có lẽ").is_err());
        assert_eq!(flat_value(flag, "  ").unwrap(), None);
        let at = RecordKind::TakedownCheck.meta().field("checked_at").unwrap();
        let v = flat_value(at, "10/06/2024 09:00").unwrap().unwrap();
        assert_eq!(v, serde_json::json!("2024-06-10T02:00:00.000000Z"));
        assert_eq!(flat_text(at, &v), "10/06/2024 09:00");
        let day = m.field("issued_on").unwrap();
        assert_eq!(flat_text(day, &serde_json::json!("2024-06-11")), "11/06/2024");
        assert_eq!(flat_text(remedies, &serde_json::json!(["a", "b"])), "a; b");
    }

    #[test]
    fn whole_numbers_with_their_thousands_grouped() {
        for (t, n) in [
            ("1200", 1200),
            ("1.200", 1200),
            ("1 200", 1200),
            ("12.345.678", 12_345_678),
            ("0", 0),
        ] {
            assert_eq!(whole_number(t), Some(n), "{t}");
        }
        for t in [
            "1,5",
            "-3",
            "1.20",
            "12.3456",
            ".200",
            "1..200",
            "",
            "1e3",
            "+5",
            "4294967296",
        ] {
            assert_eq!(whole_number(t), None, "{t}");
        }
    }

    #[test]
    fn declarations_are_consistent() {
        let mut seen = std::collections::HashSet::new();
        for k in RecordKind::ALL {
            let m = k.meta();
            assert!(seen.insert(m.code), "{} declared twice", m.code);
            assert_eq!(RecordKind::from_code(m.code), Some(*k));
            assert_eq!(RecordKind::from_code(m.plural), Some(*k));
            assert!(!m.fields.is_empty(), "{} has no fields", m.code);
            if let Some(d) = m.date_field {
                assert!(m.field(d).is_some(), "{}: date field {d}", m.code);
            }
            if let Some(r) = &m.register {
                for c in r.columns {
                    assert!(m.field(c).is_some(), "{}: list column {c}", m.code);
                }
            }
            if let Some(t) = &m.table {
                for (f, _) in t.defaults {
                    assert!(m.field(f).is_some(), "{}: table default {f}", m.code);
                }
            }
            for f in m.fields {
                if let FieldTy::Ref(t) | FieldTy::Refs(t) = f.ty {
                    // A reference points at a kind declared before (or the kind itself).
                    assert!(t <= *k, "{}.{} refers forward", m.code, f.name);
                }
            }
        }
    }
}

#[cfg(test)]
mod change_tests {
    use super::*;
    use crate::Record;

    #[test]
    fn only_changed_fields_are_listed_in_words() {
        let meta = &crate::records::TakedownCheck::META;
        let before = serde_json::json!({"case": "VV-1", "url": "https://x.vn/a", "checked_at": "2024-06-10T02:00:00Z", "result": "still_online"});
        let after = serde_json::json!({"case": "VV-1", "url": "https://x.vn/a", "checked_at": "2024-06-11T02:00:00Z", "result": "removed"});
        let changes = changed_fields(meta, Some(&before), Some(&after));
        let names: Vec<&str> = changes.iter().map(|(f, _, _)| f.name).collect();
        assert_eq!(names, ["checked_at", "result"]);
        assert_eq!(changes[0].1, "10/06/2024 09:00", "Vietnam time, never UTC");
        assert_eq!(changes[0].2, "11/06/2024 09:00");
        assert!(changed_fields(meta, Some(&before), Some(&before)).is_empty());
        // A creation lists what was set.
        let created = changed_fields(meta, None, Some(&after));
        assert!(created
            .iter()
            .any(|(f, b, a)| f.name == "url" && b.is_empty() && a == "https://x.vn/a"));
    }
}

#[cfg(test)]
mod vocabulary_tests {
    #[test]
    fn the_forbidden_codes_are_the_english_ones() {
        let codes = super::vocabulary_codes();
        for c in [
            "still_online",
            "removed",
            "individual",
            "organisation",
            "grassroots",
            "radio_television",
            "sanction_decision",
            "media_item",
        ] {
            assert!(codes.contains(c), "{c}");
        }
        for c in ["quy", "thang", "facebook", "x", "tm"] {
            assert!(!codes.contains(c), "{c} is also text");
        }
    }
}
