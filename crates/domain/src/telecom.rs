//! The telecom work of section II.2 and III of the report: the operators
//! active in the province, the awareness messages they send through their
//! services, their monthly spam reports (SIM rác, cuộc gọi rác, giả mạo),
//! and the BTS stations with their frequency licences and kiểm định
//! certificates. Subscriber-registration checks are inspections
//! ([`crate::records::Inspection`] with [`InspectionScope`]).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::date::{Date, Month};
use crate::error::ValidationErrors;
use crate::kind::{field, ApiAccess, FieldTy as F, KindMeta, Ownership, RecordKind, RegisterDef, TableDef};
use crate::records::Record;
use crate::text::{Code, Text};
use crate::vn_enum;

vn_enum!(
    /// What an awareness campaign through telecom services is about.
    TelecomTopic {
        Crime = "toi_pham": "Phòng, chống tội phạm",
        Drugs = "ma_tuy": "Phòng, chống ma túy",
        Trafficking = "mua_ban_nguoi": "Phòng, chống mua bán người",
        OnlineFraud = "lua_dao_qua_mang": "Phòng, chống lừa đảo qua mạng",
    }
);

vn_enum!(
    /// The service a campaign's messages went through.
    TelecomChannel {
        Sms = "sms": "Tin nhắn SMS",
        Ringback = "nhac_cho": "Nhạc chờ",
        App = "thong_bao_ung_dung": "Thông báo trên ứng dụng",
        Call = "cuoc_goi": "Cuộc gọi thoại tự động",
    }
);

vn_enum!(
    /// What a telecom inspection is about (a subscriber-registration check
    /// of points of sale and agents, a BTS station's kiểm định, the use of
    /// frequencies). Other inspections have none.
    InspectionScope {
        SubscriberRegistration = "dang_ky_thue_bao": "Đăng ký, lưu giữ thông tin thuê bao",
        Stations = "tram_bts": "Trạm BTS và kiểm định",
        Frequencies = "tan_so": "Sử dụng tần số vô tuyến điện",
    }
);

// ---------------------------------------------------------------- operator

/// A telecom company active in the province, or one of its branches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TelecomOperator {
    /// `viettel-bacgiang`
    pub code: Code,
    /// `Viettel Bắc Giang`
    pub name: Text,
    /// The company a branch belongs to.
    #[serde(default)]
    pub parent: Option<Code>,
    #[serde(default)]
    pub address: Option<Text>,
    /// Who to write to: a person's office, a mailbox.
    #[serde(default)]
    pub contact: Option<Text>,
}

impl Record for TelecomOperator {
    const KIND: RecordKind = RecordKind::TelecomOperator;

    const META: KindMeta = KindMeta {
        code: "telecom_operator",
        plural: "telecom_operators",
        label: "doanh nghiệp viễn thông",
        fields: &[
            field("code", "Mã doanh nghiệp", F::Code).required().searched(),
            field("name", "Tên doanh nghiệp", F::Text).required().searched(),
            field("parent", "Thuộc doanh nghiệp", F::Ref(RecordKind::TelecomOperator)),
            field("address", "Địa chỉ", F::Text),
            field("contact", "Đầu mối liên hệ", F::Text),
        ],
        date_field: None,
        owner: Ownership::Agency,
        api: ApiAccess::Editor,
        register: Some(RegisterDef {
            slug: "doanh-nghiep-vien-thong",
            title: "Doanh nghiệp viễn thông",
            columns: &["name", "parent", "address"],
        }),
        table: Some(TableDef {
            code: "telecom-operators",
            defaults: &[],
        }),
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
            e.push("parent", "Doanh nghiệp không thể thuộc chính nó");
        }
        e.into_result()
    }

    fn references(&self) -> Vec<(RecordKind, String)> {
        self.parent
            .iter()
            .map(|p| (RecordKind::TelecomOperator, p.to_string()))
            .collect()
    }
}

// ---------------------------------------------------------------- BTS station

/// Where a station stands: latitude and longitude in decimal degrees
/// (WGS 84), written `21.27310, 106.19460`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coordinates {
    pub lat: f64,
    pub lon: f64,
}

impl Coordinates {
    /// Accepts `lat, lon` (comma, semicolon or space between; a decimal
    /// point). Vietnam and its seas lie within 4–24° N, 100–118° E: a pair
    /// outside them is refused, as is a pair written the wrong way round.
    pub fn parse(s: &str) -> Result<Self, crate::FieldError> {
        let t = s.trim();
        let bad = || {
            crate::FieldError::new(format!(
                "Tọa độ không hợp lệ: «{t}» (cần dạng vĩ độ, kinh độ, ví dụ 21.27310, 106.19460)"
            ))
        };
        let parts: Vec<&str> = t
            .split([',', ';', ' '])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let [lat, lon] = parts.as_slice() else {
            return Err(bad());
        };
        let num = |p: &str| -> Result<f64, crate::FieldError> {
            if p.len() > 20 || !p.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-') {
                return Err(bad());
            }
            p.parse::<f64>().ok().filter(|f| f.is_finite()).ok_or_else(bad)
        };
        let (lat, lon) = (num(lat)?, num(lon)?);
        if !(4.0..=24.0).contains(&lat) || !(100.0..=118.0).contains(&lon) {
            return Err(crate::FieldError::new(format!(
                "Tọa độ «{t}» nằm ngoài lãnh thổ Việt Nam (vĩ độ 4–24, kinh độ 100–118)"
            )));
        }
        Ok(Coordinates { lat, lon })
    }
}

impl fmt::Display for Coordinates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.5}, {:.5}", self.lat, self.lon)
    }
}

impl Serialize for Coordinates {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Coordinates {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Coordinates::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Coordinates {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Coordinates".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "Vĩ độ, kinh độ (WGS 84): 21.27310, 106.19460",
            "pattern": "^(4|[5-9]|1[0-9]|2[0-3])(\\.[0-9]{1,8})?, ?(10[0-9]|11[0-7])(\\.[0-9]{1,8})?$"
        })
    }
}

/// An operator's base transceiver station in the province, with its
/// frequency licence and its kiểm định certificate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BtsStation {
    pub operator: Code,
    /// The operator's station code (`BGG0123`): unique in the province.
    pub code: Code,
    pub address: Text,
    /// Xã, phường, thị trấn.
    pub commune: Text,
    #[serde(default)]
    pub coordinates: Option<Coordinates>,
    #[serde(default)]
    pub licence_number: Option<Text>,
    #[serde(default)]
    pub licence_expires: Option<Date>,
    #[serde(default)]
    pub certificate_number: Option<Text>,
    #[serde(default)]
    pub certificate_issued_on: Option<Date>,
    #[serde(default)]
    pub certificate_expires: Option<Date>,
}

impl Record for BtsStation {
    const KIND: RecordKind = RecordKind::BtsStation;

    const META: KindMeta = KindMeta {
        code: "bts_station",
        plural: "bts_stations",
        label: "trạm BTS",
        fields: &[
            field("operator", "Doanh nghiệp", F::Ref(RecordKind::TelecomOperator)).required(),
            field("code", "Mã trạm", F::Code).required().searched(),
            field("address", "Địa chỉ", F::Text).required().searched(),
            field("commune", "Xã, phường", F::Text).required().searched(),
            field("coordinates", "Tọa độ (vĩ độ, kinh độ)", F::Text),
            field("licence_number", "Số giấy phép tần số", F::Text).searched(),
            field("licence_expires", "Giấy phép tần số hết hạn", F::Date),
            field("certificate_number", "Số giấy chứng nhận kiểm định", F::Text).searched(),
            field("certificate_issued_on", "Ngày cấp giấy chứng nhận kiểm định", F::Date),
            field("certificate_expires", "Giấy chứng nhận kiểm định hết hạn", F::Date),
        ],
        date_field: None,
        owner: Ownership::Agency,
        api: ApiAccess::Editor,
        register: Some(RegisterDef {
            slug: "tram-bts",
            title: "Trạm BTS",
            columns: &["code", "operator", "commune", "certificate_expires"],
        }),
        table: Some(TableDef {
            code: "bts-stations",
            defaults: &[],
        }),
    };

    /// `Trạm BGG0001 — Thôn 1, Phường Trần Phú`; the commune once, when
    /// the address already names it.
    fn describe(&self) -> String {
        if crate::text::fold(self.address.as_str()).contains(&crate::text::fold(self.commune.as_str())) {
            format!("Trạm {} — {}", self.code, self.address)
        } else {
            format!("Trạm {} — {}, {}", self.code, self.address, self.commune)
        }
    }

    fn key(&self) -> String {
        self.code.to_string()
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if let (Some(from), Some(to)) = (self.certificate_issued_on, self.certificate_expires) {
            if to <= from {
                e.push(
                    "certificate_expires",
                    format!("Ngày hết hạn {to} không sau ngày cấp {from} của giấy chứng nhận kiểm định"),
                );
            }
        }
        e.into_result()
    }

    fn references(&self) -> Vec<(RecordKind, String)> {
        vec![(RecordKind::TelecomOperator, self.operator.to_string())]
    }
}

/// Where a licence or certificate stands on a day, for the dashboard's
/// alerts: expired, or expiring within [`EXPIRY_WARNING_DAYS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// Expired this many days ago (1 = yesterday).
    Expired(i64),
    /// Expires in this many days (0 = today, its last valid day).
    Soon(i64),
}

/// How far ahead the dashboard warns of an expiry.
pub const EXPIRY_WARNING_DAYS: i64 = 60;

impl Expiry {
    /// `None` while more than [`EXPIRY_WARNING_DAYS`] remain.
    pub fn of(expires: Date, today: Date) -> Option<Expiry> {
        let days = (expires.naive() - today.naive()).num_days();
        if days < 0 {
            Some(Expiry::Expired(-days))
        } else if days <= EXPIRY_WARNING_DAYS {
            Some(Expiry::Soon(days))
        } else {
            None
        }
    }

    /// `đã hết hạn 03 ngày`, `hết hạn hôm nay`, `còn 59 ngày`.
    pub fn words(self) -> String {
        match self {
            Expiry::Expired(d) => format!("đã hết hạn {} ngày", crate::numbers::count(d.unsigned_abs())),
            Expiry::Soon(0) => "hết hạn hôm nay".to_owned(),
            Expiry::Soon(d) => format!("còn {} ngày", crate::numbers::count(d.unsigned_abs())),
        }
    }
}

// ---------------------------------------------------------------- campaign

/// Awareness messages an operator sent through its services at the
/// department's direction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TelecomCampaign {
    pub operator: Code,
    pub topic: TelecomTopic,
    pub channel: TelecomChannel,
    pub started_on: Date,
    #[serde(default)]
    pub ended_on: Option<Date>,
    /// The message as subscribers received it.
    pub message: Text,
    #[serde(deserialize_with = "crate::numbers::whole::deserialize")]
    pub messages_sent: u32,
    #[serde(default, deserialize_with = "crate::numbers::whole::option")]
    pub subscribers_reached: Option<u32>,
    /// The directive or plan it answers.
    #[serde(default)]
    pub directive: Option<Text>,
}

impl Record for TelecomCampaign {
    const KIND: RecordKind = RecordKind::TelecomCampaign;

    const META: KindMeta = KindMeta {
        code: "telecom_campaign",
        plural: "telecom_campaigns",
        label: "đợt tuyên truyền qua dịch vụ viễn thông",
        fields: &[
            field("operator", "Doanh nghiệp", F::Ref(RecordKind::TelecomOperator)).required(),
            field("topic", "Nội dung tuyên truyền", F::Choice(TelecomTopic::choices)).required(),
            field("channel", "Hình thức", F::Choice(TelecomChannel::choices)).required(),
            field("started_on", "Ngày bắt đầu", F::Date).required(),
            field("ended_on", "Ngày kết thúc", F::Date),
            field("message", "Nội dung tin nhắn", F::LongText).required().searched(),
            field("messages_sent", "Số tin nhắn đã gửi", F::Int).required(),
            field("subscribers_reached", "Số thuê bao nhận được", F::Int),
            field("directive", "Theo văn bản chỉ đạo", F::Ref(RecordKind::Directive)),
        ],
        date_field: Some("started_on"),
        owner: Ownership::Agency,
        api: ApiAccess::Editor,
        register: Some(RegisterDef {
            slug: "tuyen-truyen-vien-thong",
            title: "Tuyên truyền qua dịch vụ viễn thông",
            columns: &["started_on", "operator", "topic", "messages_sent"],
        }),
        table: Some(TableDef {
            code: "telecom-campaigns",
            defaults: &[],
        }),
    };

    fn describe(&self) -> String {
        format!(
            "{} ({}) từ ngày {} — {} tin nhắn",
            self.topic.label_vn(),
            self.channel.label_vn(),
            self.started_on,
            crate::numbers::count(u64::from(self.messages_sent))
        )
    }

    fn key(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.operator,
            self.started_on.iso(),
            self.channel.code(),
            self.topic.code()
        )
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if let Some(to) = self.ended_on {
            if to < self.started_on {
                e.push(
                    "ended_on",
                    format!("Ngày kết thúc {to} trước ngày bắt đầu {}", self.started_on),
                );
            }
        }
        e.into_result()
    }

    fn references(&self) -> Vec<(RecordKind, String)> {
        let mut r = vec![(RecordKind::TelecomOperator, self.operator.to_string())];
        r.extend(self.directive.iter().map(|d| (RecordKind::Directive, d.to_string())));
        r
    }
}

// ---------------------------------------------------------------- spam report

/// One operator's spam figures for one month, as it and the national 5656
/// system report them. A corrected month replaces the earlier report
/// (the natural key is operator and month).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpamReport {
    pub operator: Code,
    pub month: Month,
    /// Reports of spam messages received (5656 and the operator's own).
    #[serde(deserialize_with = "crate::numbers::whole::deserialize")]
    pub sms_reports: u32,
    /// Reports of spam calls received.
    #[serde(deserialize_with = "crate::numbers::whole::deserialize")]
    pub call_reports: u32,
    /// Numbers blocked for sending spam.
    #[serde(deserialize_with = "crate::numbers::whole::deserialize")]
    pub numbers_blocked: u32,
    /// SIMs revoked or locked for wrong subscriber data (SIM rác).
    #[serde(deserialize_with = "crate::numbers::whole::deserialize")]
    pub sims_revoked: u32,
    /// Fraud or impersonation calls handled.
    #[serde(deserialize_with = "crate::numbers::whole::deserialize")]
    pub fraud_calls_handled: u32,
    #[serde(default)]
    pub note: Option<Text>,
}

impl Record for SpamReport {
    const KIND: RecordKind = RecordKind::SpamReport;

    const META: KindMeta = KindMeta {
        code: "spam_report",
        plural: "spam_reports",
        label: "báo cáo rác viễn thông",
        fields: &[
            field("operator", "Doanh nghiệp", F::Ref(RecordKind::TelecomOperator)).required(),
            field("month", "Tháng", F::Month).required(),
            field("sms_reports", "Phản ánh tin nhắn rác", F::Int).required(),
            field("call_reports", "Phản ánh cuộc gọi rác", F::Int).required(),
            field("numbers_blocked", "Số thuê bao bị chặn", F::Int).required(),
            field("sims_revoked", "SIM bị thu hồi, khóa do sai thông tin", F::Int).required(),
            field("fraud_calls_handled", "Cuộc gọi lừa đảo, giả mạo đã xử lý", F::Int).required(),
            field("note", "Ghi chú", F::LongText),
        ],
        date_field: Some("month"),
        owner: Ownership::Agency,
        api: ApiAccess::Editor,
        register: Some(RegisterDef {
            slug: "rac-vien-thong",
            title: "Báo cáo rác viễn thông",
            columns: &["month", "operator", "sms_reports", "call_reports", "sims_revoked"],
        }),
        table: Some(TableDef {
            code: "spam-reports",
            defaults: &[],
        }),
    };

    fn describe(&self) -> String {
        format!("Tháng {} — {}", self.month, self.operator)
    }

    fn key(&self) -> String {
        format!("{}|{}", self.operator, self.month.iso())
    }

    fn references(&self) -> Vec<(RecordKind, String)> {
        vec![(RecordKind::TelecomOperator, self.operator.to_string())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn expiry_alerts_on_their_edges() {
        let today = d("29/11/2026");
        assert_eq!(Expiry::of(d("29/01/2027"), today), None, "61 days ahead");
        assert_eq!(Expiry::of(d("28/01/2027"), today), Some(Expiry::Soon(60)));
        assert_eq!(Expiry::of(d("27/01/2027"), today), Some(Expiry::Soon(59)));
        assert_eq!(Expiry::of(today, today), Some(Expiry::Soon(0)));
        assert_eq!(Expiry::of(d("28/11/2026"), today), Some(Expiry::Expired(1)));
        assert_eq!(Expiry::Expired(1).words(), "đã hết hạn 01 ngày");
        assert_eq!(Expiry::Soon(59).words(), "còn 59 ngày");
        assert_eq!(Expiry::Soon(0).words(), "hết hạn hôm nay");
    }

    /// The document's coordinates pattern promises no more than the parser takes.
    #[test]
    fn what_the_coordinates_pattern_matches_is_accepted() {
        let pattern =
            match <Coordinates as schemars::JsonSchema>::json_schema(&mut schemars::SchemaGenerator::default())
                .get("pattern")
            {
                Some(serde_json::Value::String(p)) => p.clone(),
                other => panic!("no pattern: {other:?}"),
            };
        let re = regex::Regex::new(&pattern).unwrap();
        let mut matched = 0;
        for lat in ["3", "4", "4.5", "21.27310", "23.99999999", "24", "24.1", "-5"] {
            for lon in ["99", "100", "106.1946", "117.9", "118", "118.5"] {
                for sep in [", ", ",", " ,"] {
                    let s = format!("{lat}{sep}{lon}");
                    if re.is_match(&s) {
                        matched += 1;
                        assert!(Coordinates::parse(&s).is_ok(), "{s} matches but is refused");
                    }
                }
            }
        }
        assert!(matched > 20);
    }

    #[test]
    fn a_station_names_its_commune_once() {
        let mut st: BtsStation = serde_json::from_value(serde_json::json!({"operator": "vnpt", "code": "BGI0121",
            "address": "Thôn 4, Phường Trần Phú, Thành phố Bắc Giang", "commune": "Phường Trần Phú"}))
        .unwrap();
        assert_eq!(
            st.describe(),
            "Trạm BGI0121 — Thôn 4, Phường Trần Phú, Thành phố Bắc Giang"
        );
        st.address = Text::parse("Thôn 4").unwrap();
        assert_eq!(st.describe(), "Trạm BGI0121 — Thôn 4, Phường Trần Phú");
    }

    #[test]
    fn coordinates_in_vietnam_only() {
        let c = Coordinates::parse("21.2731, 106.1946").unwrap();
        assert_eq!(c.to_string(), "21.27310, 106.19460");
        assert_eq!(Coordinates::parse("21.2731;106.1946").unwrap(), c);
        for bad in [
            "106.1946, 21.2731",
            "21.2731",
            "abc, def",
            "NaN, 106",
            "1e400, 106",
            "21,106,1",
            "",
        ] {
            assert!(Coordinates::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_spam_report_refuses_negative_counts_and_a_wrong_month() {
        let ok = serde_json::json!({"operator": "viettel", "month": "05/2024", "sms_reports": 10, "call_reports": 2,
            "numbers_blocked": 3, "sims_revoked": 4, "fraud_calls_handled": 0});
        let r: SpamReport = serde_json::from_value(ok.clone()).unwrap();
        assert_eq!(r.key(), "viettel|2024-05");
        let mut neg = ok.clone();
        neg["sims_revoked"] = serde_json::json!(-4);
        assert!(serde_json::from_value::<SpamReport>(neg).is_err());
        let mut month = ok;
        month["month"] = serde_json::json!("13/2024");
        assert!(serde_json::from_value::<SpamReport>(month).is_err());
    }
}
