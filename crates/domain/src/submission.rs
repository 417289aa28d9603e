//! Report requests from a parent agency to its children, and the
//! submissions that answer them: the data set asked for, the manifest a
//! submission carries, its status and timeliness, and the validation rules
//! run on its figures before it is sent. Pure: no IO, no crypto (signing
//! lives in `canhgiac-secrets`, packages in `canhgiac-interchange`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{numbers, Date, Dong, Period, ReportKind, Timestamp};

/// The format name a manifest and a package carry.
pub const MANIFEST_FORMAT: &str = "canhgiac.bao-cao-nop/1";

/// One figure of the data set: its code (the report's figure id), its
/// Vietnamese label, and whether it is a sum of money.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataElement {
    pub code: String,
    pub label: String,
    pub money: bool,
}

impl DataElement {
    fn new(code: impl Into<String>, label: impl Into<String>) -> Self {
        DataElement {
            code: code.into(),
            label: label.into(),
            money: false,
        }
    }
}

/// The data set a request asks for: the figures the periodic report
/// computes, one per topic for the items. Codes are the report's figure ids,
/// so a submission computed from records takes them straight from it.
pub fn data_set(topics: &[(String, String)]) -> Vec<DataElement> {
    let mut out = vec![DataElement::new("directives", "Văn bản chỉ đạo đã ban hành")];
    for (code, short) in topics {
        out.push(DataElement::new(
            format!("items-{code}"),
            format!("Tin, bài về {short}"),
        ));
    }
    out.push(DataElement::new("inspections", "Cuộc thanh tra, kiểm tra"));
    out.push(DataElement::new(
        "inspection-subjects",
        "Tổ chức, cá nhân được thanh tra, kiểm tra",
    ));
    out.push(DataElement::new("sanctions", "Tổ chức, cá nhân bị xử phạt"));
    out.push(DataElement {
        money: true,
        ..DataElement::new("fine-total", "Tổng số tiền xử phạt")
    });
    out
}

/// The free-text sections a request may ask for, with their labels.
pub const SECTIONS: &[(&str, &str)] = &[
    ("chi-dao", "Công tác chỉ đạo, điều hành"),
    ("tuyen-truyen", "Kết quả tuyên truyền"),
    ("dau-tranh", "Đấu tranh phản bác thông tin xấu, độc"),
    ("kho-khan", "Khó khăn, vướng mắc và kiến nghị"),
    ("phuong-huong", "Phương hướng nhiệm vụ kỳ tới"),
];

/// The label of a section code, or the code itself.
pub fn section_label(code: &str) -> &str {
    SECTIONS.iter().find(|(c, _)| *c == code).map_or(code, |(_, l)| l)
}

crate::vn_enum!(
    /// Where a submitted figure comes from.
    FigureSource {
        Computed = "computed": "Tính từ hồ sơ",
        Entered = "entered": "Đơn vị nhập trực tiếp",
    }
);

crate::vn_enum!(
    /// Where a submission is in its review.
    SubmissionStatus {
        Submitted = "submitted": "Đã gửi, chờ duyệt",
        Returned = "returned": "Bị trả lại",
        Approved = "approved": "Đã duyệt",
    }
);

crate::vn_enum!(
    /// How a submission came in.
    SubmissionSource {
        Records = "records": "Tính từ hồ sơ trên hệ thống",
        Form = "form": "Biểu nhập số liệu",
        Package = "package": "Gói ký số từ hệ thống khác",
    }
);

crate::vn_enum!(
    /// A child's standing for one request, as DHIS2's reporting rates count it.
    Timeliness {
        OnTime = "on_time": "Đúng hạn",
        Late = "late": "Gửi muộn",
        Missing = "missing": "Quá hạn, chưa gửi",
        Pending = "pending": "Chưa gửi, chưa đến hạn",
    }
);

/// On time when first sent by the deadline (a report sent on time and
/// returned for a correction still counts on time); missing once the
/// deadline has passed with nothing sent.
pub fn timeliness(deadline: Date, first_sent: Option<Date>, today: Date) -> Timeliness {
    match first_sent {
        Some(d) if d <= deadline => Timeliness::OnTime,
        Some(_) => Timeliness::Late,
        None if today > deadline => Timeliness::Missing,
        None => Timeliness::Pending,
    }
}

/// One figure as a submission carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureValue {
    pub code: String,
    pub label: String,
    pub value: i64,
    /// How many records stand behind a computed figure.
    #[serde(default)]
    pub records: Option<i64>,
    pub source: FigureSource,
}

/// A rule the figures broke, and the agency's explanation if it gave one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleNote {
    pub rule: String,
    pub message: String,
    #[serde(default)]
    pub explanation: Option<String>,
}

/// A file a submission carries, by hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub name: String,
    pub media_type: String,
    pub sha256: String,
    pub size: i64,
}

/// The request a submission answers, as the parent issued it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallRef {
    /// The parent agency's code.
    pub requester: String,
    pub number: String,
    pub issued_on: Date,
    pub report_kind: ReportKind,
    pub period: Period,
}

/// The issued report a submission attaches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuedRef {
    pub number: String,
    pub version: i64,
    pub sha256: String,
}

/// What a submission says: the signed part of a package. Fields are in a
/// fixed order and maps are sorted, so its JSON is one byte string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub call: CallRef,
    /// The reporting agency's code and its name on the day it reports.
    pub agency: String,
    pub agency_name: String,
    pub submitted_at: Timestamp,
    pub submitted_by: String,
    pub figures: Vec<FigureValue>,
    /// Free text per section code.
    #[serde(default)]
    pub sections: BTreeMap<String, String>,
    /// The directives listed (titles), which the count must equal.
    #[serde(default)]
    pub directives: Vec<String>,
    #[serde(default)]
    pub notes: Vec<RuleNote>,
    #[serde(default)]
    pub files: Vec<FileEntry>,
    #[serde(default)]
    pub issued_report: Option<IssuedRef>,
}

impl Manifest {
    /// The bytes that are hashed and signed.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        // Serialising plain structs, strings and integers cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub fn value(&self, code: &str) -> Option<i64> {
        self.figures.iter().find(|f| f.code == code).map(|f| f.value)
    }

    /// Figures by code.
    pub fn values(&self) -> BTreeMap<String, i64> {
        self.figures.iter().map(|f| (f.code.clone(), f.value)).collect()
    }
}

/// A fine to check against its legal range.
#[derive(Clone, Debug)]
pub struct FineCheck {
    /// How people know the decision: `12/QĐ-XPHC`.
    pub decision: String,
    pub fine: Dong,
    /// The provision's citation and the range for the subject's kind.
    pub basis: Option<(String, Option<Dong>, Option<Dong>)>,
}

/// What the rules look at.
#[derive(Clone, Debug, Default)]
pub struct RuleInput {
    pub figures: BTreeMap<String, i64>,
    /// The same figures one year earlier, when known.
    pub previous: Option<BTreeMap<String, i64>>,
    /// How many directives the text lists.
    pub directives_listed: Option<usize>,
    pub fines: Vec<FineCheck>,
    pub labels: BTreeMap<String, String>,
}

/// A broken rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub rule: &'static str,
    pub message: String,
}

/// How far from last year a figure may move before it is flagged: more
/// than double or less than half, once there is enough to compare.
fn far_from(now: i64, before: i64) -> bool {
    if before >= 5 {
        now > before * 2 || now * 2 < before
    } else {
        before == 0 && now >= 20
    }
}

/// Runs the validation rules on a submission's figures (DHIS2's
/// validation rules are the model). Each violation is shown before sending,
/// and the agency may explain it in a note that travels with the submission.
pub fn check_rules(input: &RuleInput) -> Vec<Violation> {
    let mut out = Vec::new();
    let get = |c: &str| input.figures.get(c).copied();
    let label = |c: &str| input.labels.get(c).cloned().unwrap_or_else(|| c.to_owned());
    if let (Some(s), Some(i)) = (get("sanctions"), get("inspection-subjects")) {
        if get("inspections").unwrap_or(0) > 0 && s > i {
            out.push(Violation {
                rule: "xu-phat-vuot-kiem-tra",
                message: format!(
                    "Số tổ chức, cá nhân bị xử phạt ({}) lớn hơn số được thanh tra, kiểm tra ({})",
                    numbers::count(s.max(0) as u64),
                    numbers::count(i.max(0) as u64)
                ),
            });
        }
    }
    if let (Some(listed), Some(counted)) = (input.directives_listed, get("directives")) {
        if listed as i64 != counted {
            out.push(Violation {
                rule: "van-ban-liet-ke",
                message: format!(
                    "Liệt kê {} văn bản chỉ đạo nhưng số liệu ghi {}",
                    numbers::count(listed as u64),
                    numbers::count(counted.max(0) as u64)
                ),
            });
        }
    }
    for f in &input.fines {
        let Some((citation, min, max)) = &f.basis else { continue };
        let below = min.is_some_and(|m| f.fine < m);
        let above = max.is_some_and(|m| f.fine > m);
        if below || above {
            let range = match (min, max) {
                (Some(a), Some(b)) => format!("từ {} đến {}", a.full(), b.full()),
                (Some(a), None) => format!("từ {} trở lên", a.full()),
                (None, Some(b)) => format!("đến {}", b.full()),
                (None, None) => String::new(),
            };
            out.push(Violation {
                rule: "muc-phat",
                message: format!(
                    "Quyết định {}: mức phạt {} nằm ngoài khung {range} của {citation}",
                    f.decision,
                    f.fine.full()
                ),
            });
        }
    }
    if let Some(prev) = &input.previous {
        for (code, &now) in &input.figures {
            let Some(&before) = prev.get(code) else { continue };
            if far_from(now, before) {
                out.push(Violation {
                    rule: "chenh-lech-cung-ky",
                    message: format!(
                        "{}: {} so với {} cùng kỳ năm trước; đề nghị kiểm tra lại hoặc giải trình",
                        label(code),
                        numbers::count(now.max(0) as u64),
                        numbers::count(before.max(0) as u64)
                    ),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn timeliness_follows_the_first_sending() {
        let deadline = d("2024-06-10");
        assert_eq!(
            timeliness(deadline, Some(d("2024-06-10")), d("2024-07-01")),
            Timeliness::OnTime
        );
        assert_eq!(
            timeliness(deadline, Some(d("2024-06-11")), d("2024-07-01")),
            Timeliness::Late
        );
        assert_eq!(timeliness(deadline, None, d("2024-06-10")), Timeliness::Pending);
        assert_eq!(timeliness(deadline, None, d("2024-06-11")), Timeliness::Missing);
    }

    #[test]
    fn rules_flag_what_cannot_be_and_what_looks_wrong() {
        let mut input = RuleInput {
            figures: [
                ("inspections", 1),
                ("inspection-subjects", 2),
                ("sanctions", 3),
                ("directives", 2),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
            directives_listed: Some(1),
            ..Default::default()
        };
        let rules: Vec<&str> = check_rules(&input).iter().map(|v| v.rule).collect();
        assert_eq!(rules, ["xu-phat-vuot-kiem-tra", "van-ban-liet-ke"]);

        input.figures.insert("sanctions".into(), 2);
        input.directives_listed = Some(2);
        assert!(check_rules(&input).is_empty());

        input.fines.push(FineCheck {
            decision: "12/QĐ-XPHC".into(),
            fine: Dong::new(3_000_000).unwrap(),
            basis: Some((
                "Điều 101 khoản 1".into(),
                Some(Dong::new(5_000_000).unwrap()),
                Some(Dong::new(10_000_000).unwrap()),
            )),
        });
        let v = check_rules(&input);
        assert_eq!(v.len(), 1);
        assert!(v[0].message.contains("3.000.000 đồng"), "{}", v[0].message);
        assert!(
            v[0].message.contains("từ 5.000.000 đồng đến 10.000.000 đồng"),
            "{}",
            v[0].message
        );

        input.fines.clear();
        input.previous = Some([("directives".to_owned(), 10)].into_iter().collect());
        let v = check_rules(&input);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].rule, "chenh-lech-cung-ky");
        assert!(v[0].message.contains("02 so với 10"), "{}", v[0].message);
    }

    #[test]
    fn the_manifest_has_one_byte_form() {
        let m = Manifest {
            format: MANIFEST_FORMAT.into(),
            call: CallRef {
                requester: "bcd-pctp".into(),
                number: "2023/BCĐ-CAT".into(),
                issued_on: d("2024-05-20"),
                report_kind: ReportKind::HalfYear,
                period: "2024-H1".parse().unwrap(),
            },
            agency: "stttt".into(),
            agency_name: "Sở Thông tin và Truyền thông".into(),
            submitted_at: Timestamp::parse("2024-06-10T02:00:00Z").unwrap(),
            submitted_by: "a".into(),
            figures: vec![FigureValue {
                code: "items-PCTP".into(),
                label: "Tin, bài về PCTP".into(),
                value: 25,
                records: None,
                source: FigureSource::Entered,
            }],
            sections: BTreeMap::new(),
            directives: vec![],
            notes: vec![],
            files: vec![],
            issued_report: None,
        };
        let bytes = m.canonical_bytes();
        let back: Manifest = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.canonical_bytes(), bytes);
        assert_eq!(m.value("items-PCTP"), Some(25));
        let codes: Vec<String> = data_set(&[("PCTP".into(), "PCTP".into())])
            .into_iter()
            .map(|e| e.code)
            .collect();
        assert!(codes.contains(&"items-PCTP".to_owned()) && codes.contains(&"fine-total".to_owned()));
    }
}
