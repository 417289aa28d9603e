//! Every record kind the system keeps, with its natural key and its rules.
//!
//! Records refer to each other by natural key (`outlet: "bao-bac-giang"`),
//! never by storage id, so an export loads into any empty store unchanged.

use std::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::date::{Date, Timestamp};
use crate::error::ValidationErrors;
use crate::kind::{field, ApiAccess, FieldTy as F, InDataset, KindMeta, Ownership, RecordKind, RegisterDef, TableDef};
use crate::money::Dong;
use crate::period::{Period, PeriodRule};
use crate::telecom::InspectionScope;
use crate::text::{fold, Code, Text};
use crate::vn_enum;

/// A kind of record the store keeps.
pub trait Record:
    Serialize + DeserializeOwned + schemars::JsonSchema + InDataset + Clone + Debug + PartialEq + Send + Sync + 'static
{
    const KIND: RecordKind;

    /// The kind's one declaration: table, labels, fields, pages, files.
    const META: KindMeta;

    /// The natural key: what makes two records "the same" across imports.
    fn key(&self) -> String;

    /// Rules across fields. Single values are already checked by their types.
    fn validate(&self) -> Result<(), ValidationErrors> {
        Ok(())
    }

    /// The line people recognise the record by: in pickers, in the lists
    /// behind a report's figures, in messages.
    fn describe(&self) -> String {
        self.key()
    }

    /// The records this one refers to, as (kind, key), for messages that name
    /// a missing reference before the database refuses it.
    fn references(&self) -> Vec<(RecordKind, String)> {
        Vec::new()
    }
}

fn check_order(errs: &mut ValidationErrors, field: &str, from: Date, to: Option<Date>) {
    if let Some(to) = to {
        if to < from {
            errs.push(field, format!("Ngày kết thúc {to} trước ngày bắt đầu {from}"));
        }
    }
}

fn check_url(errs: &mut ValidationErrors, field: &str, u: &Text) {
    if let Err(m) = canonical_url(u.as_str()) {
        errs.push(field, m);
    }
}

/// The links the API's document describes: `http` or `https`, a host name
/// ending in letters, an optional port, then any path and query without
/// spaces, control characters or a fragment. Every string it matches,
/// [`canonical_url`] accepts (a test holds the two together); the parser
/// accepts more (upper case, IP addresses, fragments), which the document
/// does not promise.
pub const URL_PATTERN: &str = "^https?://([A-Za-z0-9]+(-[A-Za-z0-9]+)*\\.)*[A-Za-z]{2,63}(:[1-9][0-9]{0,3})?([/?][^\\s#\\u0000-\\u001F\\u007F-\\u009F]*)?$";

/// A link as stored: what was accepted, which is more than [`URL_PATTERN`]
/// promises. The API's document adds the pattern where a link is sent
/// (`x-link` marks the fields), not where one is read back.
fn url_schema() -> serde_json::Value {
    serde_json::json!({"type": "string", "minLength": 1, "maxLength": 2048, "x-link": true, "description": "Đường dẫn http(s)://…"})
}

/// The API document's schema of a link field.
pub fn url_field_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::Schema::try_from(url_schema()).unwrap_or_default()
}

/// The API document's schema of an optional link field.
pub fn optional_url_field_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let mut s = url_schema();
    s["type"] = serde_json::json!(["string", "null"]);
    s["default"] = serde_json::Value::Null;
    schemars::Schema::try_from(s).unwrap_or_default()
}

/// The API document's schema of a list of links.
pub fn url_list_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::Schema::try_from(serde_json::json!({"type": "array", "items": url_schema(), "default": []}))
        .unwrap_or_default()
}

/// The canonical form of a link, for natural keys and duplicate detection:
/// lower-case scheme and host, no fragment, no tracking parameters, no
/// trailing slash. Only `http` and `https` are links.
pub fn canonical_url(s: &str) -> Result<String, String> {
    if s.len() > 2048 {
        return Err("Đường dẫn quá dài (tối đa 2048 ký tự)".into());
    }
    let mut u = url::Url::parse(s.trim()).map_err(|_| format!("Đường dẫn không hợp lệ: «{}»", s.trim()))?;
    if u.scheme() != "http" && u.scheme() != "https" {
        return Err(format!("Chỉ chấp nhận đường dẫn http hoặc https: «{}»", s.trim()));
    }
    if u.host_str().is_none() {
        return Err(format!("Đường dẫn thiếu tên miền: «{}»", s.trim()));
    }
    u.set_fragment(None);
    let kept: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| !k.starts_with("utm_") && k != "fbclid" && k != "gclid")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        u.set_query(None);
    } else {
        u.query_pairs_mut().clear().extend_pairs(kept);
    }
    let mut out = u.to_string();
    // Without a query, a trailing slash carries no meaning: drop it.
    if u.query().is_none() && out.ends_with('/') {
        out.pop();
    }
    Ok(out)
}

// ---------------------------------------------------------------- vocabularies

vn_enum!(
    /// Who signs for the head of the agency (Decree 30/2020, Appendix I).
    AuthorityPrefix {
        Tm = "tm": "TM.",
        Q = "q": "Q.",
        Kt = "kt": "KT.",
        Tl = "tl": "TL.",
        Tuq = "tuq": "TUQ.",
    }
);

vn_enum!(HeadingCase {
    Sentence = "sentence": "Viết hoa chữ đầu",
    Upper = "upper": "Viết hoa toàn bộ",
});

vn_enum!(OutletKind {
    Print = "print": "Báo in",
    Online = "online": "Báo điện tử",
    Radio = "radio": "Phát thanh",
    Television = "television": "Truyền hình",
    RadioTelevision = "radio_television": "Phát thanh và truyền hình",
    Grassroots = "grassroots": "Đài truyền thanh cơ sở",
    Portal = "portal": "Cổng, trang thông tin điện tử",
});

vn_enum!(Level {
    Province = "province": "Cấp tỉnh",
    District = "district": "Cấp huyện",
    Commune = "commune": "Cấp xã",
});

vn_enum!(ProgrammeKind {
    Page = "page": "Chuyên trang",
    Column = "column": "Chuyên mục",
    Show = "show": "Chương trình",
});

vn_enum!(CadenceUnit {
    Day = "day": "ngày",
    Week = "week": "tuần",
    Month = "month": "tháng",
});

vn_enum!(ItemKind {
    News = "news": "Tin",
    Article = "article": "Bài",
    Report = "report": "Phóng sự",
    Documentary = "documentary": "Phim tài liệu",
    Interview = "interview": "Phỏng vấn",
    Photo = "photo": "Ảnh",
    Broadcast = "broadcast": "Chương trình phát sóng",
});

vn_enum!(ItemSource {
    Manual = "manual": "Nhập tay",
    Import = "import": "Nhập từ tệp",
    Feed = "feed": "Thu thập tự động",
    Api = "api": "Hệ thống khác gửi",
});

vn_enum!(DirectiveKind {
    Plan = "plan": "Kế hoạch",
    Letter = "letter": "Công văn",
    Decision = "decision": "Quyết định",
    Guidance = "guidance": "Hướng dẫn",
    Notice = "notice": "Thông báo",
    Instruction = "instruction": "Chỉ thị",
});

vn_enum!(Platform {
    Facebook = "facebook": "Facebook",
    TikTok = "tiktok": "TikTok",
    YouTube = "youtube": "YouTube",
    X = "x": "X (Twitter)",
    Instagram = "instagram": "Instagram",
    Telegram = "telegram": "Telegram",
    Zalo = "zalo": "Zalo",
    Website = "website": "Trang web",
    Other = "other": "Khác",
});

vn_enum!(CaseCategory {
    False = "false_information": "Thông tin sai sự thật",
    Fabricated = "fabricated": "Thông tin bịa đặt, gây hoang mang",
    Distorted = "distorted": "Xuyên tạc, vu khống",
    Insulting = "insulting": "Xúc phạm uy tín, danh dự",
    Other = "other": "Khác",
});

vn_enum!(CaseStatus {
    New = "new": "Mới phát hiện",
    Verifying = "verifying": "Đang xác minh",
    EvidenceCollected = "evidence_collected": "Đã thu thập chứng cứ",
    Transferred = "transferred": "Đã chuyển, phối hợp xử lý",
    Sanctioned = "sanctioned": "Đã xử phạt",
    Removed = "removed": "Đã gỡ bỏ",
    Closed = "closed": "Đã đóng",
    NoViolation = "no_violation": "Không vi phạm",
    OnHold = "on_hold": "Tạm dừng",
});

vn_enum!(CaseOrigin {
    OwnMonitoring = "own_monitoring": "Tự rà soát",
    WatchHit = "watch_hit": "Quy tắc theo dõi",
    CitizenReport = "citizen_report": "Phản ánh của người dân",
    Referral = "referral": "Cơ quan khác chuyển đến",
});

vn_enum!(EvidenceKind {
    Warc = "warc": "Bản lưu WARC",
    Screenshot = "screenshot": "Ảnh chụp màn hình",
    Html = "html": "Trang HTML",
    Video = "video": "Video",
    Image = "image": "Hình ảnh",
    Document = "document": "Tài liệu",
    Note = "note": "Ghi chép",
});

vn_enum!(InspectionKind {
    Inspection = "inspection": "Thanh tra",
    Check = "check": "Kiểm tra",
});

vn_enum!(SubjectKind {
    Organisation = "organisation": "Tổ chức",
    Individual = "individual": "Cá nhân",
});

vn_enum!(ReportKind {
    HalfYear = "so_ket": "Sơ kết 6 tháng",
    Year = "tong_ket": "Tổng kết năm",
    Quarter = "quy": "Báo cáo quý",
    Month = "thang": "Báo cáo tháng",
    AdHoc = "dot_xuat": "Báo cáo đột xuất",
});

vn_enum!(Role {
    Admin = "admin": "Quản trị",
    Editor = "editor": "Chuyên viên",
    Viewer = "viewer": "Lãnh đạo",
});

fn yes() -> bool {
    true
}

// ---------------------------------------------------------------- agency

/// The name of an agency as it stood over a span of time. Names change
/// (departments merged in 2025); a report keeps the names of its date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgencyName {
    #[serde(default)]
    pub valid_from: Option<Date>,
    #[serde(default)]
    pub valid_to: Option<Date>,
    /// `Sở Thông tin và Truyền thông`
    pub name: Text,
    /// `Sở TT&TT`
    #[serde(default)]
    pub short_name: Option<Text>,
    /// `UBND tỉnh Bắc Giang`
    pub parent_name: Text,
    /// The symbol in document numbers: `STTTT`.
    pub symbol: Text,
    /// The place in the date line: `Bắc Giang`.
    pub place: Text,
    /// The agency this one reports to over this span (a steering
    /// committee, a ministry); mergers re-parent agencies, so the tree is
    /// kept with the names' validity dates.
    #[serde(default)]
    pub parent: Option<Code>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    /// `KT.` when a deputy signs for the head.
    #[serde(default)]
    pub authority: Option<AuthorityPrefix>,
    /// The head's title, after the prefix: `Giám đốc`.
    pub head_title: Text,
    /// The signer's own position: `Phó Giám đốc`.
    pub position: Text,
    pub full_name: Text,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    pub code: Code,
    #[schemars(length(min = 1))]
    pub names: Vec<AgencyName>,
    pub signer: Signer,
    /// Default `Nơi nhận`, one line each, without the leading `- `.
    #[serde(default)]
    pub recipients: Vec<Text>,
    #[serde(default)]
    pub period_rule: PeriodRule,
    #[serde(default = "default_heading_case")]
    pub heading_case: HeadingCase,
    /// The drafting unit for `Lưu: VT, <unit>`.
    #[serde(default)]
    pub drafting_unit: Option<Text>,
    /// The agency's own document layout, within the decree's ranges;
    /// `None` keeps the defaults.
    #[serde(default)]
    pub layout: Option<crate::layout::Layout>,
}

fn default_heading_case() -> HeadingCase {
    HeadingCase::Sentence
}

impl Agency {
    /// The names in force on `day`: the entry whose validity covers it.
    pub fn name_on(&self, day: Date) -> Option<&AgencyName> {
        self.names
            .iter()
            .find(|n| n.valid_from.is_none_or(|f| f <= day) && n.valid_to.is_none_or(|t| day <= t))
    }

    /// The agency this one reports to on `day`.
    pub fn parent_on(&self, day: Date) -> Option<&Code> {
        self.name_on(day).and_then(|n| n.parent.as_ref())
    }

    /// The agencies that report to `code` on `day`, in the order given.
    pub fn children_on<'a>(agencies: &'a [Agency], code: &str, day: Date) -> Vec<&'a Agency> {
        agencies
            .iter()
            .filter(|a| a.parent_on(day).is_some_and(|p| p.as_str() == code))
            .collect()
    }
}

impl Record for Agency {
    const KIND: RecordKind = RecordKind::Agency;

    const META: KindMeta = KindMeta {
        code: "agency",
        plural: "agencies",
        label: "cơ quan",
        fields: &[
            field("code", "Mã cơ quan", F::Code).required().searched(),
            field("names", "Tên cơ quan theo thời kỳ", F::Nested)
                .required()
                .searched(),
            field("signer", "Người ký", F::Nested).required(),
            field("recipients", "Nơi nhận", F::Texts),
            field("period_rule", "Cách tính kỳ báo cáo", F::Choice(PeriodRule::choices)),
            field("heading_case", "Kiểu chữ đề mục", F::Choice(HeadingCase::choices)),
            field("drafting_unit", "Đơn vị soạn thảo", F::Text),
            field("layout", "Thể thức văn bản", F::Nested),
        ],
        date_field: None,
        owner: Ownership::Itself,
        api: ApiAccess::Admin,
        register: None,
        table: None,
    };

    fn describe(&self) -> String {
        self.names
            .last()
            .map_or_else(|| self.code.to_string(), |n| n.name.to_string())
    }

    fn key(&self) -> String {
        self.code.to_string()
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if self.names.is_empty() {
            e.push("names", "Cần ít nhất một tên cơ quan");
        }
        for (i, n) in self.names.iter().enumerate() {
            if let (Some(f), Some(t)) = (n.valid_from, n.valid_to) {
                check_order(&mut e, &format!("names[{i}].valid_to"), f, Some(t));
            }
        }
        for (i, a) in self.names.iter().enumerate() {
            for b in self.names.iter().skip(i + 1) {
                let a_end = a
                    .valid_to
                    .unwrap_or(Date::from_ymd(2200, 12, 31).unwrap_or(Date::today()));
                let b_end = b
                    .valid_to
                    .unwrap_or(Date::from_ymd(2200, 12, 31).unwrap_or(Date::today()));
                let a_start = a
                    .valid_from
                    .unwrap_or(Date::from_ymd(1900, 1, 1).unwrap_or(Date::today()));
                let b_start = b
                    .valid_from
                    .unwrap_or(Date::from_ymd(1900, 1, 1).unwrap_or(Date::today()));
                if a_start <= b_end && b_start <= a_end {
                    e.push("names", "Các khoảng hiệu lực của tên cơ quan bị chồng lấn");
                }
            }
        }
        for (i, n) in self.names.iter().enumerate() {
            if n.parent.as_ref() == Some(&self.code) {
                e.push(format!("names[{i}].parent"), "Cơ quan không thể trực thuộc chính nó");
            }
        }
        if let Some(l) = &self.layout {
            l.validate(&mut e, "layout");
        }
        e.into_result()
    }

    /// None: the agency it reports to may be run on another installation
    /// (a province reporting to a ministry), so a parent is a code, not a
    /// reference that must exist here. The tree is read with `parent_on`.
    fn references(&self) -> Vec<(RecordKind, String)> {
        Vec::new()
    }
}

// ---------------------------------------------------------------- user

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub username: Code,
    pub full_name: Text,
    pub role: Role,
    /// Argon2id in PHC string form; never a password.
    #[serde(default)]
    pub password_hash: Option<Text>,
    #[serde(default)]
    pub email: Option<Text>,
    #[serde(default = "yes")]
    pub active: bool,
    /// The password was generated (first administrator, new account,
    /// reset): the user must choose their own before anything else.
    #[serde(default)]
    pub must_change_password: bool,
}

impl Record for User {
    const KIND: RecordKind = RecordKind::User;

    const META: KindMeta = KindMeta {
        code: "user",
        plural: "users",
        label: "người dùng",
        fields: &[
            field("username", "Tên đăng nhập", F::Code).required().searched(),
            field("full_name", "Họ và tên", F::Text).required().searched(),
            field("role", "Vai trò", F::Choice(Role::choices)).required(),
            field("password_hash", "Mã băm mật khẩu", F::Text),
            field("email", "Thư điện tử", F::Text).searched(),
            field("active", "Đang hoạt động", F::Bool),
            field("must_change_password", "Phải đổi mật khẩu", F::Bool),
        ],
        date_field: None,
        owner: Ownership::Agency,
        api: ApiAccess::None,
        register: None,
        table: None,
    };

    fn describe(&self) -> String {
        format!("{} ({})", self.full_name, self.username)
    }

    fn key(&self) -> String {
        self.username.as_str().to_ascii_lowercase()
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if let Some(h) = &self.password_hash {
            if !h.as_str().starts_with("$argon2") {
                e.push("password_hash", "Chỉ lưu mã băm Argon2, không lưu mật khẩu");
            }
        }
        e.into_result()
    }
}

// ---------------------------------------------------------------- topic

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// `PCTP`, `PCMT`, `PCMBN`.
    pub code: Code,
    /// `Công tác phòng, chống tội phạm`
    pub name: Text,
    /// `phòng, chống tội phạm`: the form used inside sentences.
    pub short_name: Text,
    /// Position in section II.1 of the report.
    #[serde(deserialize_with = "crate::numbers::whole::deserialize")]
    pub ordinal: u32,
    #[serde(default)]
    pub description: Option<Text>,
}

impl Record for Topic {
    const KIND: RecordKind = RecordKind::Topic;

    const META: KindMeta = KindMeta {
        code: "topic",
        plural: "topics",
        label: "chủ đề",
        fields: &[
            field("code", "Mã chủ đề", F::Code).required().searched(),
            field("name", "Tên", F::Text).required().searched(),
            field("short_name", "Tên dùng trong câu", F::Text).required(),
            field("ordinal", "Thứ tự", F::Int).required(),
            field("description", "Mô tả", F::LongText),
        ],
        date_field: None,
        owner: Ownership::Shared,
        api: ApiAccess::Admin,
        register: None,
        table: None,
    };

    fn describe(&self) -> String {
        self.name.to_string()
    }

    fn key(&self) -> String {
        self.code.to_string()
    }
}

// ---------------------------------------------------------------- legal basis

/// A provision of law the agency cites (decree, article, clause, point),
/// with the fines it allows and the days it is in force. The catalogue is
/// the agency's data: it adds the provisions it uses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LegalBasis {
    /// `nd15-2020-d101-k1`
    pub code: Code,
    /// `Nghị định số 15/2020/NĐ-CP`
    pub document: Text,
    pub article: Text,
    #[serde(default)]
    pub clause: Option<Text>,
    #[serde(default)]
    pub point: Option<Text>,
    /// The act it sanctions, as the provision words it.
    pub title: Text,
    /// The field: báo chí, mạng xã hội, viễn thông…
    #[serde(default)]
    pub field: Option<Text>,
    #[serde(default)]
    pub fine_individual_min: Option<Dong>,
    #[serde(default)]
    pub fine_individual_max: Option<Dong>,
    #[serde(default)]
    pub fine_organisation_min: Option<Dong>,
    #[serde(default)]
    pub fine_organisation_max: Option<Dong>,
    #[serde(default)]
    pub valid_from: Option<Date>,
    #[serde(default)]
    pub valid_to: Option<Date>,
    /// The provision this one takes over from (Decree 174/2026 Art. 95
    /// after Decree 15/2020 Art. 101): versions of one rule, each for the
    /// violations of its own days.
    #[serde(default)]
    pub replaces: Option<Code>,
    #[serde(default)]
    pub note: Option<Text>,
}

impl LegalBasis {
    /// The fines the provision allows a subject of `kind`.
    pub fn fine_range(&self, kind: SubjectKind) -> (Option<Dong>, Option<Dong>) {
        match kind {
            SubjectKind::Individual => (self.fine_individual_min, self.fine_individual_max),
            SubjectKind::Organisation => (self.fine_organisation_min, self.fine_organisation_max),
        }
    }

    /// The usual fine for a subject of `kind`: the middle of the range
    /// (the fine absent aggravating or mitigating circumstances; the seed's
    /// 7,5 triệu đồng for an individual under Art. 101), rounded down to a
    /// thousand đồng. None without both ends.
    pub fn usual_fine(&self, kind: SubjectKind) -> Option<Dong> {
        let (Some(min), Some(max)) = self.fine_range(kind) else {
            return None;
        };
        let middle = (min.get() + max.get()) / 2;
        Dong::new(middle - middle % 1_000).ok()
    }

    /// Why `fine` does not fit the range for `kind`, in Vietnamese; none
    /// when it does (or the provision sets no range).
    pub fn fine_outside(&self, kind: SubjectKind, fine: Dong) -> Option<String> {
        let (min, max) = self.fine_range(kind);
        let below = min.is_some_and(|m| fine < m);
        let above = max.is_some_and(|m| fine > m);
        if !below && !above {
            return None;
        }
        let range = match (min, max) {
            (Some(a), Some(b)) => format!("từ {} đến {}", a.full(), b.full()),
            (Some(a), None) => format!("từ {} trở lên", a.full()),
            (None, Some(b)) => format!("đến {}", b.full()),
            (None, None) => String::new(),
        };
        Some(format!(
            "Mức phạt {} nằm ngoài khung {range} đối với {} theo {}",
            fine.full(),
            kind.label_vn().to_lowercase(),
            self.citation()
        ))
    }

    /// Of `chosen` and the versions linked to it by `replaces` (before and
    /// after it, in `catalogue`), the one in force on `day`: a violation is
    /// judged under the rule of its day. `chosen` itself when none is.
    pub fn in_force<'a>(catalogue: &'a [LegalBasis], chosen: &'a LegalBasis, day: Date) -> &'a LegalBasis {
        let mut family: Vec<&LegalBasis> = vec![chosen];
        // Walk both ways until nothing new joins (a cycle stops too).
        loop {
            let before = family.len();
            for b in catalogue {
                if family.iter().any(|f| f.code == b.code) {
                    continue;
                }
                let linked = family
                    .iter()
                    .any(|f| f.replaces.as_ref() == Some(&b.code) || b.replaces.as_ref() == Some(&f.code));
                if linked {
                    family.push(b);
                }
            }
            if family.len() == before {
                break;
            }
        }
        family.into_iter().find(|b| b.valid_on(day)).unwrap_or(chosen)
    }
    /// True when the provision is in force on `day`.
    pub fn valid_on(&self, day: Date) -> bool {
        self.valid_from.is_none_or(|f| f <= day) && self.valid_to.is_none_or(|t| day <= t)
    }

    /// `Điểm a Khoản 1 Điều 101 Nghị định số 15/2020/NĐ-CP`
    pub fn citation(&self) -> String {
        let mut s = String::new();
        if let Some(p) = &self.point {
            s.push_str(&format!("Điểm {p} "));
        }
        if let Some(c) = &self.clause {
            s.push_str(&format!("Khoản {c} "));
        }
        s.push_str(&format!("Điều {} {}", self.article, self.document));
        s
    }
}

impl Record for LegalBasis {
    const KIND: RecordKind = RecordKind::LegalBasis;

    const META: KindMeta = KindMeta {
        code: "legal_basis",
        plural: "legal_bases",
        label: "căn cứ pháp lý",
        fields: &[
            field("code", "Mã", F::Code).required().searched(),
            field("document", "Văn bản", F::Text).required().searched(),
            field("article", "Điều", F::Text).required(),
            field("clause", "Khoản", F::Text),
            field("point", "Điểm", F::Text),
            field("title", "Hành vi vi phạm", F::LongText).required().searched(),
            field("field", "Lĩnh vực", F::Text).searched(),
            field("fine_individual_min", "Mức phạt tối thiểu (cá nhân)", F::Money),
            field("fine_individual_max", "Mức phạt tối đa (cá nhân)", F::Money),
            field("fine_organisation_min", "Mức phạt tối thiểu (tổ chức)", F::Money),
            field("fine_organisation_max", "Mức phạt tối đa (tổ chức)", F::Money),
            field("valid_from", "Hiệu lực từ ngày", F::Date),
            field("valid_to", "Hết hiệu lực từ ngày", F::Date),
            field("replaces", "Thay thế điều khoản", F::Ref(RecordKind::LegalBasis)),
            field("note", "Ghi chú", F::LongText),
        ],
        date_field: None,
        owner: Ownership::Shared,
        api: ApiAccess::Editor,
        register: Some(RegisterDef {
            slug: "can-cu-phap-ly",
            title: "Căn cứ pháp lý",
            columns: &["code", "document", "article", "title"],
        }),
        table: Some(TableDef {
            code: "legal-bases",
            defaults: &[],
        }),
    };

    fn describe(&self) -> String {
        self.citation()
    }

    fn key(&self) -> String {
        self.code.to_string()
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        for (who, min, max) in [
            ("individual", self.fine_individual_min, self.fine_individual_max),
            ("organisation", self.fine_organisation_min, self.fine_organisation_max),
        ] {
            if let (Some(a), Some(b)) = (min, max) {
                if a > b {
                    e.push(
                        format!("fine_{who}_max"),
                        format!("Mức tối đa {} thấp hơn mức tối thiểu {}", b.full(), a.full()),
                    );
                }
            }
        }
        if let Some(f) = self.valid_from {
            check_order(&mut e, "valid_to", f, self.valid_to);
        }
        if self.replaces.as_ref() == Some(&self.code) {
            e.push("replaces", "Một điều khoản không thay thế chính nó");
        }
        e.into_result()
    }

    fn references(&self) -> Vec<(RecordKind, String)> {
        self.replaces
            .iter()
            .map(|c| (RecordKind::LegalBasis, c.to_string()))
            .collect()
    }
}

// ---------------------------------------------------------------- outlet

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Outlet {
    pub code: Code,
    pub name: Text,
    pub kind: OutletKind,
    pub level: Level,
    /// The press agency this product belongs to (Báo Bắc Giang Điện tử →
    /// Báo Bắc Giang); reports count under the top of the chain.
    #[serde(default)]
    pub parent: Option<Code>,
    #[serde(default)]
    #[schemars(schema_with = "optional_url_field_schema")]
    pub website: Option<Text>,
    /// RSS/Atom/JSON feeds and listing pages to follow.
    #[serde(default)]
    #[schemars(schema_with = "url_list_schema")]
    pub feeds: Vec<Text>,
    #[serde(default = "yes")]
    pub active: bool,
}

impl Record for Outlet {
    const KIND: RecordKind = RecordKind::Outlet;

    const META: KindMeta = KindMeta {
        code: "outlet",
        plural: "outlets",
        label: "cơ quan báo chí",
        fields: &[
            field("code", "Mã", F::Code).required().searched(),
            field("name", "Tên", F::Text).required().searched(),
            field("kind", "Loại hình", F::Choice(OutletKind::choices)).required(),
            field("level", "Cấp", F::Choice(Level::choices)).required(),
            field("parent", "Cơ quan chủ quản", F::Ref(RecordKind::Outlet)),
            field("website", "Trang web", F::Text),
            field("feeds", "Nguồn tin RSS/Atom", F::Texts),
            field("active", "Đang theo dõi", F::Bool),
        ],
        date_field: None,
        owner: Ownership::Shareable,
        api: ApiAccess::Editor,
        register: Some(RegisterDef {
            slug: "co-quan-bao-chi",
            title: "Cơ quan báo chí, hệ thống thông tin cơ sở",
            columns: &["code", "name", "kind"],
        }),
        table: None,
    };

    fn describe(&self) -> String {
        self.name.to_string()
    }

    fn key(&self) -> String {
        self.code.to_string()
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if self.parent.as_ref() == Some(&self.code) {
            e.push("parent", "Cơ quan không thể trực thuộc chính nó");
        }
        if let Some(w) = &self.website {
            check_url(&mut e, "website", w);
        }
        for (i, f) in self.feeds.iter().enumerate() {
            check_url(&mut e, &format!("feeds[{i}]"), f);
        }
        e.into_result()
    }

    fn references(&self) -> Vec<(RecordKind, String)> {
        self.parent
            .iter()
            .map(|p| (RecordKind::Outlet, p.to_string()))
            .collect()
    }
}

// ---------------------------------------------------------------- programme

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cadence {
    /// How many editions per unit: `01 chuyên mục/tuần` is 1 per week.
    #[schemars(range(min = 1, max = 1000))]
    #[serde(deserialize_with = "crate::numbers::whole::deserialize")]
    pub count: u32,
    pub per: CadenceUnit,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Programme {
    pub code: Code,
    pub outlet: Code,
    pub name: Text,
    pub kind: ProgrammeKind,
    #[serde(default)]
    pub cadence: Option<Cadence>,
    #[serde(default)]
    #[schemars(range(min = 1, max = 1440))]
    #[serde(deserialize_with = "crate::numbers::whole::option")]
    pub duration_minutes: Option<u32>,
    /// `Công an tỉnh` for a programme made together with the police.
    #[serde(default)]
    pub co_producer: Option<Text>,
    #[serde(default)]
    pub topics: Vec<Code>,
    #[serde(default)]
    pub started_on: Option<Date>,
    #[serde(default)]
    pub ended_on: Option<Date>,
    #[serde(default)]
    pub note: Option<Text>,
}

impl Record for Programme {
    const KIND: RecordKind = RecordKind::Programme;

    const META: KindMeta = KindMeta {
        code: "programme",
        plural: "programmes",
        label: "chuyên trang, chuyên mục",
        fields: &[
            field("code", "Mã", F::Code).required().searched(),
            field("outlet", "Cơ quan báo chí", F::Ref(RecordKind::Outlet)).required(),
            field("name", "Tên", F::Text).required().searched(),
            field("kind", "Loại", F::Choice(ProgrammeKind::choices)).required(),
            field("cadence", "Tần suất", F::Nested),
            field("duration_minutes", "Thời lượng (phút)", F::Int),
            field("co_producer", "Đơn vị phối hợp", F::Text).searched(),
            field("topics", "Chủ đề", F::Refs(RecordKind::Topic)),
            field("started_on", "Bắt đầu", F::Date),
            field("ended_on", "Kết thúc", F::Date),
            field("note", "Ghi chú", F::LongText),
        ],
        date_field: None,
        owner: Ownership::Agency,
        api: ApiAccess::Editor,
        register: Some(RegisterDef {
            slug: "chuyen-trang-chuyen-muc",
            title: "Chuyên trang, chuyên mục",
            columns: &["code", "name", "outlet"],
        }),
        table: None,
    };

    fn describe(&self) -> String {
        format!("{} ({})", self.name, self.outlet)
    }

    fn key(&self) -> String {
        self.code.to_string()
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if let Some(s) = self.started_on {
            check_order(&mut e, "ended_on", s, self.ended_on);
        }
        if let Some(c) = self.cadence {
            if c.count == 0 || c.count > 1000 {
                e.push("cadence.count", "Số kỳ phát hành phải từ 1 đến 1000");
            }
        }
        if self.duration_minutes.is_some_and(|m| m == 0 || m > 24 * 60) {
            e.push("duration_minutes", "Thời lượng phải từ 1 đến 1440 phút");
        }
        e.into_result()
    }

    fn references(&self) -> Vec<(RecordKind, String)> {
        let mut r = vec![(RecordKind::Outlet, self.outlet.to_string())];
        r.extend(self.topics.iter().map(|t| (RecordKind::Topic, t.to_string())));
        r
    }
}

// ---------------------------------------------------------------- media item

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaItem {
    pub outlet: Code,
    #[serde(default)]
    pub programme: Option<Code>,
    pub kind: ItemKind,
    #[schemars(length(max = 1000))]
    pub title: Text,
    #[serde(default)]
    #[schemars(schema_with = "optional_url_field_schema")]
    pub url: Option<Text>,
    /// The Vietnam-time day it was published: the day every count uses.
    pub published_on: Date,
    /// The instant, when known (feeds, the API); its Vietnam-time day is
    /// `published_on`.
    #[serde(default)]
    pub published_at: Option<Timestamp>,
    #[serde(default)]
    pub topics: Vec<Code>,
    /// Shown in italics among the "tin, bài tiêu biểu" of the report.
    #[serde(default)]
    pub featured: bool,
    #[serde(default)]
    pub summary: Option<Text>,
    #[serde(default)]
    pub body: Option<Text>,
    /// Natural key of the original when this is a syndicated copy.
    #[serde(default)]
    pub duplicate_of: Option<Text>,
    #[serde(default = "default_source")]
    pub source: ItemSource,
    #[serde(default)]
    pub author: Option<Text>,
    /// What went wrong collecting it (the article page could not be read:
    /// the feed's text was kept).
    #[serde(default)]
    pub fetch_note: Option<Text>,
    /// The lexicon's reading of it: each topic's score and the phrases that
    /// matched. Its topics are what the lexicon chose; when a person's
    /// topics differ, a re-run leaves theirs alone.
    #[serde(default)]
    pub classification: Option<Classification>,
}

/// The topics a lexicon found in an item, with why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Classification {
    /// The topics chosen (score at or above the threshold), best first.
    pub topics: Vec<Code>,
    /// Every topic that scored, best first.
    pub scores: Vec<TopicScore>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicScore {
    pub topic: Code,
    pub score: f64,
    /// The phrases that matched, as the lexicon writes them.
    pub phrases: Vec<Text>,
}

fn default_source() -> ItemSource {
    ItemSource::Manual
}

impl Record for MediaItem {
    const KIND: RecordKind = RecordKind::MediaItem;

    const META: KindMeta = KindMeta {
        code: "media_item",
        plural: "media_items",
        label: "tin, bài",
        fields: &[
            field("outlet", "Cơ quan báo chí", F::Ref(RecordKind::Outlet)).required(),
            field("programme", "Chuyên mục", F::Ref(RecordKind::Programme)),
            field("kind", "Loại tin bài", F::Choice(ItemKind::choices)).required(),
            field("title", "Tiêu đề", F::Text).required().searched(),
            field("url", "Đường dẫn", F::Text),
            field("published_on", "Ngày đăng", F::Date).required(),
            field("published_at", "Thời điểm đăng", F::Instant).not_in_table(),
            field("topics", "Chủ đề", F::Refs(RecordKind::Topic)),
            field("featured", "Tiêu biểu", F::Bool),
            field("summary", "Tóm tắt", F::LongText).searched(),
            field("body", "Nội dung", F::LongText).searched(),
            field("duplicate_of", "Bản gốc (khi là bản đăng lại)", F::Text).not_in_table(),
            field("source", "Nguồn nhập", F::Choice(ItemSource::choices)).not_in_table(),
            field("author", "Tác giả", F::Text).not_in_table(),
            field("fetch_note", "Ghi chú thu thập", F::LongText).not_in_table(),
            field("classification", "Phân loại tự động", F::Nested),
        ],
        date_field: Some("published_on"),
        owner: Ownership::Agency,
        api: ApiAccess::Ingest,
        register: None,
        table: Some(TableDef {
            code: "media-items",
            defaults: &[("source", "import")],
        }),
    };

    /// The outlet plus the canonical URL; without a URL, the outlet, the day
    /// and the folded title.
    fn describe(&self) -> String {
        format!("{} — {} ({})", self.published_on, self.title, self.outlet)
    }

    fn key(&self) -> String {
        match self.url.as_ref().and_then(|u| canonical_url(u.as_str()).ok()) {
            Some(u) => format!("{}|{}", self.outlet, u),
            None => format!(
                "{}|{}|{}",
                self.outlet,
                self.published_on.iso(),
                fold(self.title.as_str())
            ),
        }
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if let Some(u) = &self.url {
            check_url(&mut e, "url", u);
        }
        if self.title.as_str().chars().count() > 1000 {
            e.push("title", "Tiêu đề quá dài (tối đa 1000 ký tự)");
        }
        if self.duplicate_of.as_ref().is_some_and(|d| d.as_str() == self.key()) {
            e.push("duplicate_of", "Tin, bài không thể là bản sao của chính nó");
        }
        if let Some(at) = self.published_at {
            if at.vn_date() != self.published_on {
                e.push(
                    "published_on",
                    format!(
                        "Ngày đăng {} khác ngày của thời điểm đăng {} (giờ Việt Nam)",
                        self.published_on,
                        at.vn_text()
                    ),
                );
            }
        }
        e.into_result()
    }

    fn references(&self) -> Vec<(RecordKind, String)> {
        let mut r = vec![(RecordKind::Outlet, self.outlet.to_string())];
        r.extend(self.programme.iter().map(|p| (RecordKind::Programme, p.to_string())));
        r.extend(self.topics.iter().map(|t| (RecordKind::Topic, t.to_string())));
        // The original must exist, in the same agency: a copy of nothing
        // would drop out of every count.
        r.extend(self.duplicate_of.iter().map(|d| (RecordKind::MediaItem, d.to_string())));
        r
    }
}

// ---------------------------------------------------------------- directive

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Directive {
    /// `45/KH-STTTT`; unknown for some documents named only by title.
    #[serde(default)]
    pub number: Option<Text>,
    pub kind: DirectiveKind,
    pub issued_on: Date,
    /// The trích yếu, as the report's footnote lists it.
    pub title: Text,
    /// The issuing agency.
    pub issuer: Code,
    #[serde(default)]
    pub topics: Vec<Code>,
    #[serde(default)]
    pub recipients: Vec<Text>,
    #[serde(default)]
    pub note: Option<Text>,
}

impl Record for Directive {
    const KIND: RecordKind = RecordKind::Directive;

    const META: KindMeta = KindMeta {
        code: "directive",
        plural: "directives",
        label: "văn bản chỉ đạo",
        fields: &[
            field("number", "Số, ký hiệu", F::Text).searched(),
            field("kind", "Loại văn bản", F::Choice(DirectiveKind::choices)).required(),
            field("issued_on", "Ngày ban hành", F::Date).required(),
            field("title", "Trích yếu", F::LongText).required().searched(),
            field("issuer", "Cơ quan ban hành", F::Ref(RecordKind::Agency)).required(),
            field("topics", "Chủ đề", F::Refs(RecordKind::Topic)),
            field("recipients", "Nơi nhận", F::Texts),
            field("note", "Ghi chú", F::LongText),
        ],
        date_field: Some("issued_on"),
        owner: Ownership::Agency,
        api: ApiAccess::Editor,
        register: Some(RegisterDef {
            slug: "van-ban-chi-dao",
            title: "Văn bản chỉ đạo",
            columns: &["issued_on", "number", "title"],
        }),
        table: Some(TableDef {
            code: "directives",
            defaults: &[],
        }),
    };

    /// `year|number` when numbered (numbers restart every year), else the
    /// kind, the date and the folded title.
    fn describe(&self) -> String {
        format!(
            "{} {} — {}",
            self.kind.label_vn(),
            self.number.as_ref().map_or("", |n| n.as_str()),
            self.title
        )
    }

    fn key(&self) -> String {
        match &self.number {
            Some(n) => format!("{}|{}", self.issued_on.year(), n),
            None => format!(
                "{}|{}|{}",
                self.kind.code(),
                self.issued_on.iso(),
                fold(self.title.as_str())
            ),
        }
    }

    fn references(&self) -> Vec<(RecordKind, String)> {
        let mut r = vec![(RecordKind::Agency, self.issuer.to_string())];
        r.extend(self.topics.iter().map(|t| (RecordKind::Topic, t.to_string())));
        r
    }
}

// ---------------------------------------------------------------- report request

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// `2023/BCĐ-CAT`
    pub number: Text,
    pub issued_on: Date,
    /// `Ban chỉ đạo Phòng chống tội phạm, …`
    pub requester: Text,
    /// What is asked for, as the basis line quotes it.
    pub subject: Text,
    /// The agency asked to report.
    pub agency: Code,
    pub report_kind: ReportKind,
    #[serde(default)]
    pub period: Option<Period>,
    #[serde(default)]
    pub deadline: Option<Date>,
}

impl Record for ReportRequest {
    const KIND: RecordKind = RecordKind::ReportRequest;

    const META: KindMeta = KindMeta {
        code: "report_request",
        plural: "report_requests",
        label: "văn bản yêu cầu báo cáo",
        fields: &[
            field("number", "Số, ký hiệu", F::Text).required().searched(),
            field("issued_on", "Ngày", F::Date).required(),
            field("requester", "Cơ quan yêu cầu", F::Text).required().searched(),
            field("subject", "Nội dung yêu cầu", F::LongText).required().searched(),
            field("agency", "Cơ quan báo cáo", F::Ref(RecordKind::Agency)).required(),
            field("report_kind", "Loại báo cáo", F::Choice(ReportKind::choices)).required(),
            field("period", "Kỳ báo cáo", F::Period),
            field("deadline", "Hạn gửi", F::Date),
        ],
        date_field: Some("issued_on"),
        owner: Ownership::Agency,
        api: ApiAccess::Editor,
        register: Some(RegisterDef {
            slug: "yeu-cau-bao-cao",
            title: "Văn bản yêu cầu báo cáo",
            columns: &["issued_on", "number", "requester"],
        }),
        table: None,
    };

    fn describe(&self) -> String {
        format!("{} ngày {} — {}", self.number, self.issued_on, self.subject)
    }

    fn key(&self) -> String {
        format!("{}|{}", self.issued_on.year(), self.number)
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        check_order(&mut e, "deadline", self.issued_on, self.deadline);
        e.into_result()
    }

    fn references(&self) -> Vec<(RecordKind, String)> {
        vec![(RecordKind::Agency, self.agency.to_string())]
    }
}

// ---------------------------------------------------------------- plan item

/// One task of section III (phương hướng nhiệm vụ) for a coming period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanItem {
    pub agency: Code,
    /// The period the task is for (`2024-H2`).
    pub period: Period,
    #[schemars(range(min = 1, max = 999))]
    #[serde(deserialize_with = "crate::numbers::whole::deserialize")]
    pub ordinal: u32,
    pub text: Text,
    #[serde(default)]
    pub topics: Vec<Code>,
}

impl Record for PlanItem {
    const KIND: RecordKind = RecordKind::PlanItem;

    const META: KindMeta = KindMeta {
        code: "plan_item",
        plural: "plan_items",
        label: "nhiệm vụ kỳ tới",
        fields: &[
            field("agency", "Cơ quan", F::Ref(RecordKind::Agency)).required(),
            field("period", "Kỳ", F::Period).required(),
            field("ordinal", "Thứ tự", F::Int).required(),
            field("text", "Nội dung", F::LongText).required().searched(),
            field("topics", "Chủ đề", F::Refs(RecordKind::Topic)),
        ],
        date_field: None,
        owner: Ownership::Agency,
        api: ApiAccess::Editor,
        register: Some(RegisterDef {
            slug: "nhiem-vu",
            title: "Phương hướng nhiệm vụ",
            columns: &["period", "ordinal", "text"],
        }),
        table: None,
    };

    fn describe(&self) -> String {
        format!("{} ({}) — {}", self.ordinal, self.period, self.text)
    }

    fn key(&self) -> String {
        format!("{}|{}|{:03}", self.agency, self.period, self.ordinal)
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if self.ordinal == 0 || self.ordinal > 999 {
            e.push("ordinal", "Số thứ tự phải từ 1 đến 999");
        }
        e.into_result()
    }

    fn references(&self) -> Vec<(RecordKind, String)> {
        let mut r = vec![(RecordKind::Agency, self.agency.to_string())];
        r.extend(self.topics.iter().map(|t| (RecordKind::Topic, t.to_string())));
        r
    }
}

// ---------------------------------------------------------------- case

/// A case of false or toxic information online (vụ việc thông tin xấu, độc).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// `VV-2024-01`
    pub code: Code,
    pub title: Text,
    pub platform: Platform,
    /// The account as shown on the platform: `@taikhoan_a`.
    pub account: Text,
    #[serde(default)]
    #[schemars(schema_with = "optional_url_field_schema")]
    pub account_url: Option<Text>,
    /// Links to the offending posts.
    #[serde(default)]
    #[schemars(schema_with = "url_list_schema")]
    pub urls: Vec<Text>,
    pub summary: Text,
    pub category: CaseCategory,
    /// How it came to the agency.
    #[serde(default)]
    pub origin: Option<CaseOrigin>,
    /// Where from, in words (the rule, the citizen's letter, the referring
    /// agency's document).
    #[serde(default)]
    pub source: Option<Text>,
    /// The provision the conduct falls under, from the legal catalogue.
    #[serde(default)]
    pub legal_basis: Option<Code>,
    /// Agencies worked with.
    #[serde(default)]
    pub coordinating: Vec<Text>,
    /// The user in charge (their sign-in name).
    #[serde(default)]
    pub assignee: Option<Code>,
    /// Moved only as [`crate::workflow`] allows.
    pub status: CaseStatus,
    /// Why the last move was made, where the workflow asks for a reason.
    #[serde(default)]
    pub status_reason: Option<Text>,
    pub opened_on: Date,
    #[serde(default)]
    pub closed_on: Option<Date>,
    /// Listed among the notable cases of the report's footnote.
    #[serde(default)]
    pub notable: bool,
    /// What came of it, in a sentence for the report.
    #[serde(default)]
    pub outcome: Option<Text>,
}

impl Record for Case {
    const KIND: RecordKind = RecordKind::Case;

    const META: KindMeta = KindMeta {
        code: "case",
        plural: "cases",
        label: "vụ việc",
        fields: &[
            field("code", "Mã vụ việc", F::Code).required().searched(),
            field("title", "Tiêu đề", F::Text).required().searched(),
            field("platform", "Nền tảng", F::Choice(Platform::choices)).required(),
            field("account", "Tài khoản", F::Text).required().searched(),
            field("account_url", "Đường dẫn tài khoản", F::Text),
            field("urls", "Đường dẫn nội dung", F::Texts),
            field("summary", "Tóm tắt", F::LongText).required().searched(),
            field("category", "Loại vi phạm", F::Choice(CaseCategory::choices)).required(),
            field("origin", "Nguồn phát hiện", F::Choice(CaseOrigin::choices)),
            field("source", "Chi tiết nguồn", F::Text),
            field("legal_basis", "Căn cứ pháp lý", F::Ref(RecordKind::LegalBasis)),
            field("coordinating", "Cơ quan phối hợp", F::Texts),
            field("assignee", "Người phụ trách", F::Ref(RecordKind::User)),
            field("status", "Trạng thái", F::Choice(CaseStatus::choices)).required(),
            field("status_reason", "Lý do chuyển trạng thái", F::LongText),
            field("opened_on", "Ngày phát hiện", F::Date).required(),
            field("closed_on", "Ngày kết thúc", F::Date),
            field("notable", "Vụ việc tiêu biểu", F::Bool),
            field("outcome", "Kết quả xử lý", F::LongText),
        ],
        date_field: Some("opened_on"),
        owner: Ownership::Agency,
        api: ApiAccess::Editor,
        register: None,
        table: None,
    };

    fn describe(&self) -> String {
        format!("{} — {}", self.code, self.title)
    }

    fn key(&self) -> String {
        self.code.to_string()
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        check_order(&mut e, "closed_on", self.opened_on, self.closed_on);
        if let Some(u) = &self.account_url {
            check_url(&mut e, "account_url", u);
        }
        for (i, u) in self.urls.iter().enumerate() {
            check_url(&mut e, &format!("urls[{i}]"), u);
        }
        e.into_result()
    }

    fn references(&self) -> Vec<(RecordKind, String)> {
        let mut r: Vec<(RecordKind, String)> = self
            .legal_basis
            .iter()
            .map(|c| (RecordKind::LegalBasis, c.to_string()))
            .collect();
        r.extend(self.assignee.iter().map(|u| (RecordKind::User, u.to_string())));
        r
    }
}

// ---------------------------------------------------------------- case comment

/// What one of the people working on a case says about it, kept with the
/// case (ý kiến trao đổi). Never edited: a correction is another comment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseComment {
    pub case: Code,
    /// The user who wrote it (their sign-in name).
    pub author: Code,
    pub posted_at: Timestamp,
    pub body: Text,
}

impl Record for CaseComment {
    const KIND: RecordKind = RecordKind::CaseComment;

    const META: KindMeta = KindMeta {
        code: "case_comment",
        plural: "case_comments",
        label: "ý kiến trao đổi",
        fields: &[
            field("case", "Vụ việc", F::Ref(RecordKind::Case)).required(),
            field("author", "Người viết", F::Ref(RecordKind::User)).required(),
            field("posted_at", "Thời điểm", F::Instant).required(),
            field("body", "Nội dung", F::LongText).required().searched(),
        ],
        date_field: Some("posted_at"),
        owner: Ownership::Agency,
        api: ApiAccess::Editor,
        register: None,
        table: None,
    };

    fn describe(&self) -> String {
        format!("{} — {}: {}", self.posted_at.vn_text(), self.author, self.body)
    }

    fn key(&self) -> String {
        format!("{}|{}|{}", self.case, self.posted_at.rfc3339(), self.author)
    }

    fn references(&self) -> Vec<(RecordKind, String)> {
        vec![
            (RecordKind::Case, self.case.to_string()),
            (RecordKind::User, self.author.to_string()),
        ]
    }
}

// ---------------------------------------------------------------- evidence

/// Metadata of one piece of evidence in a case. The captured bytes live in
/// blob storage; `sha256` ties the record to them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub code: Code,
    pub case: Code,
    pub kind: EvidenceKind,
    pub description: Text,
    #[serde(default)]
    #[schemars(schema_with = "optional_url_field_schema")]
    pub url: Option<Text>,
    pub captured_at: Timestamp,
    pub captured_by: Text,
    #[serde(default)]
    #[schemars(extend("pattern" = "^[0-9a-f]{64}$"))]
    pub sha256: Option<Text>,
    #[serde(default)]
    pub stored_uri: Option<Text>,
    /// How many items one capture holds (`09 video`).
    #[serde(default)]
    #[serde(deserialize_with = "crate::numbers::whole::option")]
    pub item_count: Option<u32>,
}

impl Record for Evidence {
    const KIND: RecordKind = RecordKind::Evidence;

    const META: KindMeta = KindMeta {
        code: "evidence",
        plural: "evidence",
        label: "chứng cứ",
        fields: &[
            field("code", "Mã chứng cứ", F::Code).required().searched(),
            field("case", "Vụ việc", F::Ref(RecordKind::Case)).required(),
            field("kind", "Loại", F::Choice(EvidenceKind::choices)).required(),
            field("description", "Mô tả", F::LongText).required().searched(),
            field("url", "Đường dẫn", F::Text),
            field("captured_at", "Thời điểm thu thập", F::Instant).required(),
            field("captured_by", "Người thu thập", F::Text).required(),
            field("sha256", "Mã SHA-256", F::Text),
            field("stored_uri", "Nơi lưu", F::Text),
            field("item_count", "Số lượng", F::Int),
        ],
        date_field: Some("captured_at"),
        owner: Ownership::Agency,
        api: ApiAccess::Editor,
        register: None,
        table: None,
    };

    fn describe(&self) -> String {
        format!("{} — {}", self.code, self.description)
    }

    fn key(&self) -> String {
        self.code.to_string()
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if let Some(h) = &self.sha256 {
            let s = h.as_str();
            if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
                e.push("sha256", "Mã SHA-256 phải gồm 64 ký tự hệ 16 viết thường");
            }
        }
        if let Some(u) = &self.url {
            check_url(&mut e, "url", u);
        }
        e.into_result()
    }

    fn references(&self) -> Vec<(RecordKind, String)> {
        vec![(RecordKind::Case, self.case.to_string())]
    }
}

// ---------------------------------------------------------------- takedown check

vn_enum!(TakedownResult {
    StillOnline = "still_online": "Vẫn còn trên mạng",
    Removed = "removed": "Đã gỡ bỏ",
    Unreachable = "unreachable": "Không truy cập được",
});

/// One check whether offending content is still online. Each check is a
/// record of its own (never overwritten); the capture that proves it, when
/// there is one, is an [`Evidence`] record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TakedownCheck {
    pub case: Code,
    #[schemars(schema_with = "url_field_schema")]
    pub url: Text,
    pub checked_at: Timestamp,
    pub result: TakedownResult,
    pub checked_by: Text,
    /// When to look again; none once removal is confirmed.
    #[serde(default)]
    pub next_check_on: Option<Date>,
    /// The evidence record of the capture behind this check.
    #[serde(default)]
    pub evidence: Option<Code>,
    #[serde(default)]
    pub note: Option<Text>,
}

impl Record for TakedownCheck {
    const KIND: RecordKind = RecordKind::TakedownCheck;

    const META: KindMeta = KindMeta {
        code: "takedown_check",
        plural: "takedown_checks",
        label: "lần kiểm tra gỡ bỏ",
        fields: &[
            field("case", "Vụ việc", F::Ref(RecordKind::Case)).required(),
            field("url", "Đường dẫn kiểm tra", F::Text).required().searched(),
            field("checked_at", "Thời điểm kiểm tra", F::Instant).required(),
            field("result", "Kết quả", F::Choice(TakedownResult::choices)).required(),
            field("checked_by", "Người kiểm tra", F::Text).required(),
            field("next_check_on", "Kiểm tra lại vào ngày", F::Date),
            field("evidence", "Chứng cứ", F::Ref(RecordKind::Evidence)),
            field("note", "Ghi chú", F::LongText).searched(),
        ],
        date_field: Some("checked_at"),
        owner: Ownership::Agency,
        api: ApiAccess::Editor,
        register: Some(RegisterDef {
            slug: "kiem-tra-go-bo",
            title: "Kiểm tra gỡ bỏ",
            columns: &["checked_at", "case", "result"],
        }),
        table: None,
    };

    /// The case, the link and the instant of the check.
    fn describe(&self) -> String {
        format!(
            "{} — {} ({})",
            self.checked_at.vn_text(),
            self.url,
            self.result.label_vn()
        )
    }

    fn key(&self) -> String {
        let url = canonical_url(self.url.as_str()).unwrap_or_else(|_| self.url.to_string());
        format!("{}|{}|{}", self.case, url, self.checked_at.rfc3339())
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        check_url(&mut e, "url", &self.url);
        e.into_result()
    }

    fn references(&self) -> Vec<(RecordKind, String)> {
        let mut r = vec![(RecordKind::Case, self.case.to_string())];
        r.extend(self.evidence.iter().map(|c| (RecordKind::Evidence, c.to_string())));
        r
    }
}

// ---------------------------------------------------------------- inspection

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inspection {
    pub code: Code,
    pub kind: InspectionKind,
    /// The field inspected: báo chí, xuất bản, viễn thông…
    pub field: Text,
    pub title: Text,
    #[serde(default)]
    pub decision_number: Option<Text>,
    /// The team or unit leading it.
    pub lead: Text,
    pub started_on: Date,
    #[serde(default)]
    pub ended_on: Option<Date>,
    #[serde(default)]
    pub findings: Option<Text>,
    /// What a telecom inspection is about; none for others.
    #[serde(default)]
    pub scope: Option<InspectionScope>,
}

impl Record for Inspection {
    const KIND: RecordKind = RecordKind::Inspection;

    const META: KindMeta = KindMeta {
        code: "inspection",
        plural: "inspections",
        label: "cuộc thanh tra, kiểm tra",
        fields: &[
            field("code", "Mã cuộc", F::Code).required().searched(),
            field("kind", "Hình thức", F::Choice(InspectionKind::choices)).required(),
            field("field", "Lĩnh vực", F::Text).required().searched(),
            field("title", "Nội dung", F::LongText).required().searched(),
            field("decision_number", "Số quyết định", F::Text),
            field("lead", "Đơn vị chủ trì", F::Text).required(),
            field("started_on", "Ngày bắt đầu", F::Date).required(),
            field("ended_on", "Ngày kết thúc", F::Date),
            field("findings", "Kết luận", F::LongText),
            field("scope", "Chuyên đề viễn thông", F::Choice(InspectionScope::choices)),
        ],
        date_field: Some("started_on"),
        owner: Ownership::Agency,
        api: ApiAccess::Editor,
        register: Some(RegisterDef {
            slug: "thanh-tra-kiem-tra",
            title: "Thanh tra, kiểm tra",
            columns: &["started_on", "code", "title"],
        }),
        table: None,
    };

    fn describe(&self) -> String {
        format!("{} — {} ({})", self.code, self.title, self.started_on)
    }

    fn key(&self) -> String {
        self.code.to_string()
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        check_order(&mut e, "ended_on", self.started_on, self.ended_on);
        e.into_result()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionSubject {
    pub inspection: Code,
    pub name: Text,
    pub kind: SubjectKind,
    #[serde(default)]
    pub address: Option<Text>,
    #[serde(default)]
    pub violation_found: bool,
    #[serde(default)]
    pub findings: Option<Text>,
    /// SIMs found registered with wrong subscriber data (a
    /// subscriber-registration check).
    #[serde(default, deserialize_with = "crate::numbers::whole::option")]
    pub wrong_sims: Option<u32>,
    /// The station inspected (a BTS inspection).
    #[serde(default)]
    pub station: Option<Code>,
}

impl Record for InspectionSubject {
    const KIND: RecordKind = RecordKind::InspectionSubject;

    const META: KindMeta = KindMeta {
        code: "inspection_subject",
        plural: "inspection_subjects",
        label: "đối tượng thanh tra, kiểm tra",
        fields: &[
            field("inspection", "Cuộc thanh tra, kiểm tra", F::Ref(RecordKind::Inspection)).required(),
            field("name", "Tên đối tượng", F::Text).required().searched(),
            field("kind", "Loại đối tượng", F::Choice(SubjectKind::choices)).required(),
            field("address", "Địa chỉ", F::Text).searched(),
            field("violation_found", "Có vi phạm", F::Bool),
            field("findings", "Kết quả", F::LongText),
            field("wrong_sims", "Số SIM sai thông tin thuê bao", F::Int),
            field("station", "Trạm BTS", F::Ref(RecordKind::BtsStation)),
        ],
        date_field: None,
        owner: Ownership::Agency,
        api: ApiAccess::Editor,
        register: Some(RegisterDef {
            slug: "doi-tuong-thanh-tra",
            title: "Đối tượng thanh tra, kiểm tra",
            columns: &["inspection", "name", "kind"],
        }),
        table: Some(TableDef {
            code: "inspection-subjects",
            defaults: &[],
        }),
    };

    fn describe(&self) -> String {
        format!("{} — {} ({})", self.inspection, self.name, self.kind.label_vn())
    }

    fn key(&self) -> String {
        format!("{}|{}", self.inspection, fold(self.name.as_str()))
    }

    fn references(&self) -> Vec<(RecordKind, String)> {
        let mut r = vec![(RecordKind::Inspection, self.inspection.to_string())];
        r.extend(self.station.iter().map(|s| (RecordKind::BtsStation, s.to_string())));
        r
    }
}

// ---------------------------------------------------------------- sanction

/// A decision imposing an administrative sanction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SanctionDecision {
    /// `12/QĐ-XPHC`; unique within a year.
    pub number: Text,
    pub issued_on: Date,
    pub subject_kind: SubjectKind,
    pub subject_name: Text,
    #[serde(default)]
    pub subject_account: Option<Text>,
    /// The act sanctioned.
    pub violation: Text,
    /// Decree, article, clause, as the decision cites them.
    #[serde(default)]
    pub legal_basis: Option<Text>,
    /// The provision of the legal catalogue it applies.
    #[serde(default)]
    pub provision: Option<Code>,
    /// The day the violation ended: the provision in force that day
    /// applies.
    #[serde(default)]
    pub violation_on: Option<Date>,
    #[schemars(extend("maximum" = MAX_FINE))]
    pub fine: Dong,
    /// Remedial measures: `Buộc gỡ bỏ thông tin sai sự thật`.
    #[serde(default)]
    pub remedies: Vec<Text>,
    /// Who signed the decision.
    pub issuer: Text,
    /// True when the reporting agency itself issued it (and so it counts in
    /// its report); false for another authority's decision in a shared case.
    #[serde(default = "yes")]
    pub issued_by_agency: bool,
    #[serde(default)]
    pub case: Option<Code>,
    #[serde(default)]
    pub inspection: Option<Code>,
}

impl Record for SanctionDecision {
    const KIND: RecordKind = RecordKind::SanctionDecision;

    const META: KindMeta = KindMeta {
        code: "sanction_decision",
        plural: "sanction_decisions",
        label: "quyết định xử phạt",
        fields: &[
            field("number", "Số quyết định", F::Text).required().searched(),
            field("issued_on", "Ngày ban hành", F::Date).required(),
            field("subject_kind", "Loại đối tượng", F::Choice(SubjectKind::choices)).required(),
            field("subject_name", "Tên đối tượng", F::Text).required().searched(),
            field("subject_account", "Tài khoản", F::Text),
            field("violation", "Hành vi vi phạm", F::LongText).required().searched(),
            field("legal_basis", "Căn cứ pháp lý", F::Text),
            field("provision", "Điều khoản áp dụng", F::Ref(RecordKind::LegalBasis)),
            field("violation_on", "Ngày vi phạm", F::Date),
            field("fine", "Số tiền phạt", F::Money).required(),
            field("remedies", "Biện pháp khắc phục", F::Texts),
            field("issuer", "Người ra quyết định", F::Text).required(),
            field("issued_by_agency", "Do cơ quan ban hành", F::Bool),
            field("case", "Vụ việc", F::Ref(RecordKind::Case)),
            field("inspection", "Cuộc thanh tra, kiểm tra", F::Ref(RecordKind::Inspection)),
        ],
        date_field: Some("issued_on"),
        owner: Ownership::Agency,
        api: ApiAccess::Editor,
        register: Some(RegisterDef {
            slug: "xu-phat",
            title: "Quyết định xử phạt",
            columns: &["issued_on", "number", "subject_name"],
        }),
        table: Some(TableDef {
            code: "sanctions",
            defaults: &[],
        }),
    };

    fn describe(&self) -> String {
        format!(
            "Quyết định {} ngày {} — {} ({}), {}",
            self.number,
            self.issued_on,
            self.subject_name,
            self.subject_kind.label_vn(),
            self.fine.full()
        )
    }

    fn key(&self) -> String {
        format!("{}|{}", self.issued_on.year(), self.number)
    }

    /// No administrative fine comes near ten billion đồng; a larger one is a
    /// typing error, and thousands of them would overflow the sums.
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if let Some(v) = self.violation_on {
            if v > self.issued_on {
                e.push(
                    "violation_on",
                    format!("Ngày vi phạm {v} sau ngày ban hành quyết định {}", self.issued_on),
                );
            }
        }
        if self.fine.get() > MAX_FINE {
            e.push(
                "fine",
                "Số tiền phạt vượt quá 10 tỷ đồng cho một quyết định; hãy kiểm tra lại",
            );
        }
        e.into_result()
    }

    fn references(&self) -> Vec<(RecordKind, String)> {
        let mut r = Vec::new();
        r.extend(self.provision.iter().map(|c| (RecordKind::LegalBasis, c.to_string())));
        r.extend(self.case.iter().map(|c| (RecordKind::Case, c.to_string())));
        r.extend(self.inspection.iter().map(|c| (RecordKind::Inspection, c.to_string())));
        r
    }
}

/// The largest fine one decision may record: 10 tỷ đồng.
pub const MAX_FINE: i64 = 10_000_000_000;

// ---------------------------------------------------------------- audit

vn_enum!(AuditAction {
    Create = "create": "Tạo mới",
    Update = "update": "Sửa",
    Delete = "delete": "Xóa",
    Send = "send": "Gửi yêu cầu báo cáo",
    Submit = "submit": "Gửi báo cáo",
    Approve = "approve": "Duyệt báo cáo",
    Return = "return": "Trả lại báo cáo",
});

/// One change to one record, chained to the previous entry by hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: String,
    pub action: AuditAction,
    pub kind: RecordKind,
    pub record_key: String,
    pub record_id: i64,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    /// Where the change came from: `cli:import seed.json`, `web`, `api`…
    pub origin: String,
    pub prev_hash: String,
    pub hash: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The API document promises that links of [`URL_PATTERN`] are taken:
    /// every combination of hosts, ports, paths and queries it matches
    /// passes [`canonical_url`], and what it does not promise (other
    /// schemes, fragments, spaces, numeric hosts) it does not match.
    #[test]
    fn what_the_url_pattern_matches_is_accepted() {
        let re = regex::Regex::new(URL_PATTERN).unwrap();
        let hosts = [
            "baobacgiang.vn",
            "a-b.c-d.ef",
            "x.y.z.museum",
            "XN.com",
            "localhost",
            "1a.b2.co",
        ];
        let ports = ["", ":8", ":8080", ":9999"];
        let tails = [
            "",
            "/",
            "?",
            "/tin-tuc/an-ninh-trat-tu?id=12&utm_source=fb",
            "/phòng-chống/ma túy".split(' ').next().unwrap_or_default(),
            "/%zz/%/..\\..//",
            "?q=ma+t%C3%BAy&fbclid=1",
            "/a{b}|c^d`e[f]",
            "/😀/\u{10FFFF}",
        ];
        let mut n = 0;
        for scheme in ["http://", "https://"] {
            for h in hosts {
                for p in ports {
                    for t in tails {
                        let u = format!("{scheme}{h}{p}{t}");
                        assert!(re.is_match(&u), "{u}");
                        assert!(canonical_url(&u).is_ok(), "{u}: {:?}", canonical_url(&u));
                        n += 1;
                    }
                }
            }
        }
        assert_eq!(n, 2 * 6 * 4 * 9);
        for bad in [
            "ftp://a.vn",
            "https://a.vn/#x",
            "https://a.vn/a b",
            "https://1.2.3.4",
            "https://a.0x1",
            "https://a--b.vn",
            "https://a.vn:0",
            "https://a.vn:65536",
            "https:///a.vn",
            "https://a.vn/\u{7}",
            " https://a.vn",
        ] {
            assert!(!re.is_match(bad), "{bad}");
        }
    }

    #[test]
    fn a_fine_above_ten_billion_is_refused() {
        let mut d: SanctionDecision = serde_json::from_value(serde_json::json!({
            "number": "01/QĐ-XPHC", "issued_on": "2024-03-08", "subject_kind": "individual",
            "subject_name": "Nguyễn Văn A", "violation": "Vi phạm", "fine": 10_000_000_000i64,
            "issuer": "Chánh Thanh tra"
        }))
        .unwrap();
        assert!(d.validate().is_ok());
        d.fine = Dong::new(10_000_000_001).unwrap();
        let err = d.validate().unwrap_err().to_string();
        assert!(err.contains("10 tỷ đồng"), "{err}");
    }

    fn provision(code: &str, from: &str, to: Option<&str>, replaces: Option<&str>, ind: (i64, i64)) -> LegalBasis {
        LegalBasis {
            code: Code::lit(code),
            document: Text::lit("Nghị định"),
            article: Text::lit("1"),
            clause: None,
            point: None,
            title: Text::lit("Chia sẻ thông tin sai sự thật"),
            field: None,
            fine_individual_min: Some(Dong::new(ind.0).unwrap()),
            fine_individual_max: Some(Dong::new(ind.1).unwrap()),
            fine_organisation_min: Some(Dong::new(ind.0 * 2).unwrap()),
            fine_organisation_max: Some(Dong::new(ind.1 * 2).unwrap()),
            valid_from: Date::parse(from).ok(),
            valid_to: to.and_then(|t| Date::parse(t).ok()),
            replaces: replaces.map(Code::lit),
            note: None,
        }
    }

    #[test]
    fn the_usual_fine_the_range_and_the_version_in_force() {
        let old = provision(
            "nd15-d101",
            "15/04/2020",
            Some("30/06/2026"),
            None,
            (5_000_000, 10_000_000),
        );
        let new = provision(
            "nd174-d95",
            "01/07/2026",
            None,
            Some("nd15-d101"),
            (10_000_000, 15_000_000),
        );
        // The seed's 7,5 triệu đồng for an individual is the middle of Art. 101's range.
        assert_eq!(
            old.usual_fine(SubjectKind::Individual),
            Some(Dong::new(7_500_000).unwrap())
        );
        assert_eq!(
            old.usual_fine(SubjectKind::Organisation),
            Some(Dong::new(15_000_000).unwrap())
        );
        assert_eq!(
            new.usual_fine(SubjectKind::Individual),
            Some(Dong::new(12_500_000).unwrap())
        );
        assert!(old
            .fine_outside(SubjectKind::Individual, Dong::new(7_500_000).unwrap())
            .is_none());
        let msg = old
            .fine_outside(SubjectKind::Individual, Dong::new(3_000_000).unwrap())
            .expect("below");
        assert!(
            msg.contains("3.000.000 đồng") && msg.contains("từ 5.000.000 đồng đến 10.000.000 đồng"),
            "{msg}"
        );
        assert!(msg.contains("cá nhân"), "{msg}");
        assert!(old
            .fine_outside(SubjectKind::Organisation, Dong::new(25_000_000).unwrap())
            .is_some());
        // Whichever version is picked, the one of the violation's day applies.
        let all = vec![old.clone(), new.clone()];
        let day = |d: &str| Date::parse(d).unwrap();
        assert_eq!(LegalBasis::in_force(&all, &all[0], day("02/07/2026")).code, new.code);
        assert_eq!(LegalBasis::in_force(&all, &all[1], day("30/06/2026")).code, old.code);
        assert_eq!(LegalBasis::in_force(&all, &all[1], day("01/07/2026")).code, new.code);
        // Before either: the one picked.
        assert_eq!(LegalBasis::in_force(&all, &all[1], day("01/01/2019")).code, new.code);
        // A provision cannot replace itself.
        let mut selfish = old.clone();
        selfish.replaces = Some(selfish.code.clone());
        assert!(selfish.validate().is_err());
    }

    #[test]
    fn canonical_urls() {
        assert_eq!(
            canonical_url("HTTPS://BaoBacGiang.vn/tin/abc/?utm_source=x#top").unwrap(),
            "https://baobacgiang.vn/tin/abc"
        );
        assert_eq!(canonical_url("https://example.vn/").unwrap(), "https://example.vn");
        assert_eq!(
            canonical_url("https://example.vn/a?id=5&fbclid=z").unwrap(),
            "https://example.vn/a?id=5"
        );
        assert!(canonical_url("javascript:alert(1)").is_err());
        assert!(canonical_url("file:///etc/passwd").is_err());
        assert!(canonical_url("not a url").is_err());
    }

    #[test]
    fn vocabularies_accept_labels_without_diacritics() {
        assert_eq!(SubjectKind::parse("Cá nhân").unwrap(), SubjectKind::Individual);
        assert_eq!(SubjectKind::parse("ca nhan").unwrap(), SubjectKind::Individual);
        assert_eq!(SubjectKind::parse("organisation").unwrap(), SubjectKind::Organisation);
        assert_eq!(ReportKind::parse("so-ket").unwrap(), ReportKind::HalfYear);
        assert_eq!(AuthorityPrefix::parse("KT.").unwrap(), AuthorityPrefix::Kt);
        let e = SubjectKind::parse("doanh nghiệp").unwrap_err();
        assert!(e.message.contains("Tổ chức"));
    }

    #[test]
    fn media_item_keys() {
        let mut m = MediaItem {
            outlet: Code::lit("bao-bac-giang"),
            programme: None,
            kind: ItemKind::Article,
            title: Text::lit("Phòng, chống ma túy"),
            url: None,
            published_on: Date::parse("05/06/2024").unwrap(),
            published_at: None,
            topics: vec![],
            featured: false,
            summary: None,
            body: None,
            duplicate_of: None,
            source: ItemSource::Manual,
            author: None,
            fetch_note: None,
            classification: None,
        };
        assert_eq!(m.key(), "bao-bac-giang|2024-06-05|phong, chong ma tuy");
        m.url = Some(Text::lit("https://baobacgiang.vn/a/?utm_medium=fb"));
        assert_eq!(m.key(), "bao-bac-giang|https://baobacgiang.vn/a");
    }

    #[test]
    fn agency_name_in_force() {
        let name = |from: Option<&str>, to: Option<&str>, n: &str| AgencyName {
            valid_from: from.map(|s| Date::parse(s).unwrap()),
            valid_to: to.map(|s| Date::parse(s).unwrap()),
            name: Text::lit(n),
            short_name: None,
            parent_name: Text::lit("UBND tỉnh"),
            symbol: Text::lit("S"),
            place: Text::lit("Bắc Giang"),
            parent: None,
        };
        let mut a = Agency {
            code: Code::lit("stttt"),
            names: vec![
                name(None, Some("28/02/2025"), "Sở Thông tin và Truyền thông"),
                name(Some("01/03/2025"), None, "Sở Khoa học và Công nghệ"),
            ],
            signer: Signer {
                authority: Some(AuthorityPrefix::Kt),
                head_title: Text::lit("Giám đốc"),
                position: Text::lit("Phó Giám đốc"),
                full_name: Text::lit("Nguyễn Văn A"),
            },
            recipients: vec![],
            period_rule: PeriodRule::Calendar,
            heading_case: HeadingCase::Sentence,
            drafting_unit: None,
            layout: None,
        };
        assert!(a.validate().is_ok());
        assert_eq!(
            a.name_on(Date::parse("11/06/2024").unwrap()).unwrap().name.as_str(),
            "Sở Thông tin và Truyền thông"
        );
        assert_eq!(
            a.name_on(Date::parse("01/07/2025").unwrap()).unwrap().name.as_str(),
            "Sở Khoa học và Công nghệ"
        );
        // Re-parented by the 2025 merger: the tree follows the dates.
        a.names[0].parent = Some(Code::lit("bcd-tinh"));
        a.names[1].parent = Some(Code::lit("bcd-tinh-moi"));
        let on = |d: &str| Date::parse(d).unwrap();
        assert_eq!(a.parent_on(on("11/06/2024")).map(Code::as_str), Some("bcd-tinh"));
        assert_eq!(a.parent_on(on("01/07/2025")).map(Code::as_str), Some("bcd-tinh-moi"));
        let list = [a.clone()];
        assert_eq!(Agency::children_on(&list, "bcd-tinh", on("11/06/2024")).len(), 1);
        assert!(Agency::children_on(&list, "bcd-tinh", on("01/07/2025")).is_empty());
        // A parent may run on another installation: a code, not a reference.
        assert!(a.references().is_empty());
        a.names[0].parent = Some(Code::lit("stttt"));
        assert!(a.validate().is_err(), "an agency under itself");
        a.names[0].parent = None;
        a.names[1].valid_from = Some(Date::parse("01/01/2025").unwrap());
        assert!(a.validate().is_err());
    }
}
