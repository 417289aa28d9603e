//! Reporting periods and the agency's cut-off rule.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::date::Date;
use crate::error::FieldError;

/// How an agency cuts its periods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodRule {
    /// Calendar months, quarters, halves and years.
    #[default]
    Calendar,
    /// Decree 09/2019/NĐ-CP, Article 12: from the 15th of the month before to
    /// the 14th of the period's last month (half-year 15/12 – 14/6).
    National,
}

/// An inclusive range of days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DateRange {
    pub from: Date,
    pub to: Date,
}

impl PeriodRule {
    /// (code, label) of every rule, for pickers.
    pub fn choices() -> Vec<(&'static str, &'static str)> {
        vec![
            ("calendar", "Theo tháng, quý, năm dương lịch"),
            ("national", "Theo Nghị định 09/2019/NĐ-CP (từ ngày 15 tháng trước)"),
        ]
    }
}

impl DateRange {
    pub fn new(from: Date, to: Date) -> Result<Self, FieldError> {
        if to < from {
            return Err(FieldError::new(format!(
                "Khoảng thời gian không hợp lệ: từ {from} đến {to}"
            )));
        }
        Ok(DateRange { from, to })
    }

    pub fn contains(&self, d: Date) -> bool {
        self.from <= d && d <= self.to
    }

    /// The months a range reports on: those whose last day falls in it.
    /// A calendar half-year has its six; a range of the national rule
    /// (15/12 to 14/6) has December to May, since June's figures are not
    /// complete when the report is written. Monthly records (an operator's
    /// spam report) count in the range when their month is one of these.
    pub fn whole_months(&self) -> (crate::date::Month, crate::date::Month) {
        (
            crate::date::Month::of(self.from),
            crate::date::Month::of(self.to.succ()).prev(),
        )
    }

    /// [`DateRange::whole_months`] one by one (none when the range ends
    /// before its first month does).
    pub fn months(&self) -> Vec<crate::date::Month> {
        let (mut m, last) = self.whole_months();
        let mut out = Vec::new();
        while m <= last && out.len() < 1200 {
            out.push(m);
            m = m.next();
        }
        out
    }

    /// The same range one year earlier (29/02 becomes 28/02).
    pub fn previous_year(&self) -> DateRange {
        DateRange {
            from: shift_year(self.from, -1),
            to: shift_year(self.to, -1),
        }
    }
}

fn shift_year(d: Date, by: i32) -> Date {
    let y = d.year() + by;
    Date::from_ymd(y, d.month(), d.day())
        .or_else(|| Date::from_ymd(y, d.month(), d.day() - 1))
        .unwrap_or(d)
}

fn last_day(y: i32, m: u32) -> Date {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    Date::from_ymd(ny, nm, 1)
        .map(Date::pred)
        .unwrap_or_else(|| ymd(y, m, 28))
}

fn ymd(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd(y, m, d).unwrap_or_else(|| panic!("valid calendar date {y}-{m}-{d}"))
}

/// A named reporting period: `2024-06`, `2024-Q2`, `2024-H1`, `2024-9M`, `2024`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    Month(i32, u32),
    Quarter(i32, u32),
    Half(i32, u32),
    NineMonths(i32),
    Year(i32),
}

impl Period {
    pub fn year(self) -> i32 {
        match self {
            Period::Month(y, _) | Period::Quarter(y, _) | Period::Half(y, _) => y,
            Period::NineMonths(y) | Period::Year(y) => y,
        }
    }

    /// First and last calendar month of the period.
    fn months(self) -> (u32, u32) {
        match self {
            Period::Month(_, m) => (m, m),
            Period::Quarter(_, q) => (3 * q - 2, 3 * q),
            Period::Half(_, h) => (6 * h - 5, 6 * h),
            Period::NineMonths(_) => (1, 9),
            Period::Year(_) => (1, 12),
        }
    }

    pub fn range(self, rule: PeriodRule) -> DateRange {
        let y = self.year();
        let (m1, m2) = self.months();
        match rule {
            PeriodRule::Calendar => DateRange {
                from: ymd(y, m1, 1),
                to: last_day(y, m2),
            },
            PeriodRule::National => {
                let from = if m1 == 1 {
                    ymd(y - 1, 12, 15)
                } else {
                    ymd(y, m1 - 1, 15)
                };
                DateRange {
                    from,
                    to: ymd(y, m2, 14),
                }
            }
        }
    }

    /// The half-year being reported on `today` under `rule`: the one whose
    /// range holds it (under the national rule, 15/12 already belongs to
    /// the next year's first half).
    pub fn current_half(today: Date, rule: PeriodRule) -> Period {
        let y = today.year();
        [Period::Half(y, 1), Period::Half(y, 2), Period::Half(y + 1, 1)]
            .into_iter()
            .find(|p| p.range(rule).contains(today))
            .unwrap_or(Period::Half(y, if today.month() <= 6 { 1 } else { 2 }))
    }

    /// Every period of a year a person may pick, longest first: the year,
    /// 9 months, halves, quarters, months.
    pub fn all_of_year(y: i32) -> Vec<Period> {
        let mut v = vec![
            Period::Year(y),
            Period::NineMonths(y),
            Period::Half(y, 1),
            Period::Half(y, 2),
        ];
        v.extend((1..=4).map(|q| Period::Quarter(y, q)));
        v.extend((1..=12).map(|m| Period::Month(y, m)));
        v
    }

    /// The period that follows, of the same length (the plan of section III).
    pub fn next(self) -> Period {
        match self {
            Period::Month(y, 12) => Period::Month(y + 1, 1),
            Period::Month(y, m) => Period::Month(y, m + 1),
            Period::Quarter(y, 4) => Period::Quarter(y + 1, 1),
            Period::Quarter(y, q) => Period::Quarter(y, q + 1),
            Period::Half(y, 2) => Period::Half(y + 1, 1),
            Period::Half(y, h) => Period::Half(y, h + 1),
            Period::NineMonths(y) => Period::Quarter(y, 4),
            Period::Year(y) => Period::Year(y + 1),
        }
    }

    /// `6 tháng đầu năm 2024`, `quý II năm 2024`, `tháng 6 năm 2024`…
    pub fn label_vn(self) -> String {
        match self {
            Period::Month(y, m) => format!("tháng {m} năm {y}"),
            Period::Quarter(y, q) => format!("quý {} năm {y}", ["I", "II", "III", "IV"][(q - 1) as usize]),
            Period::Half(y, 1) => format!("6 tháng đầu năm {y}"),
            Period::Half(y, _) => format!("6 tháng cuối năm {y}"),
            Period::NineMonths(y) => format!("9 tháng đầu năm {y}"),
            Period::Year(y) => format!("năm {y}"),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Month(y, m) => write!(f, "{y}-{m:02}"),
            Period::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Period::Half(y, h) => write!(f, "{y}-H{h}"),
            Period::NineMonths(y) => write!(f, "{y}-9M"),
            Period::Year(y) => write!(f, "{y}"),
        }
    }
}

impl FromStr for Period {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let bad = || {
            FieldError::new(format!(
                "Kỳ báo cáo không hợp lệ: «{t}» (ví dụ: 2024-06, 2024-Q2, 2024-H1, 2024-9M, 2024)"
            ))
        };
        let (ys, rest) = match t.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (t, None),
        };
        if ys.len() != 4 || !ys.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let y: i32 = ys.parse().map_err(|_| bad())?;
        if !(1900..=2200).contains(&y) {
            return Err(bad());
        }
        let Some(rest) = rest else {
            return Ok(Period::Year(y));
        };
        let upper = rest.to_ascii_uppercase();
        let small = |p: &str, max: u32| -> Result<u32, FieldError> {
            let n: u32 = p.parse().map_err(|_| bad())?;
            if (1..=max).contains(&n) && p.len() <= 2 {
                Ok(n)
            } else {
                Err(bad())
            }
        };
        if upper == "9M" {
            Ok(Period::NineMonths(y))
        } else if let Some(q) = upper.strip_prefix('Q') {
            Ok(Period::Quarter(y, small(q, 4)?))
        } else if let Some(h) = upper.strip_prefix('H') {
            Ok(Period::Half(y, small(h, 2)?))
        } else if upper.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Period::Month(y, small(&upper, 12)?))
        } else {
            Err(bad())
        }
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What [`Period`]'s parser accepts, for the API's document: a year from
/// 1900 to 2200, then a month, a quarter, a half or the nine months.
pub const PERIOD_PATTERN: &str = "^(19[0-9]{2}|2[01][0-9]{2}|2200)(-(0?[1-9]|1[0-2]|[Qq][1-4]|[Hh][12]|9[Mm]))?$";

impl schemars::JsonSchema for Period {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Period".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "pattern": PERIOD_PATTERN})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn national_half_year_runs_15_12_to_14_06() {
        let r = Period::Half(2024, 1).range(PeriodRule::National);
        assert_eq!((r.from, r.to), (d("15/12/2023"), d("14/06/2024")));
        let r = Period::Year(2024).range(PeriodRule::National);
        assert_eq!((r.from, r.to), (d("15/12/2023"), d("14/12/2024")));
        let r = Period::Quarter(2024, 2).range(PeriodRule::National);
        assert_eq!((r.from, r.to), (d("15/03/2024"), d("14/06/2024")));
        let r = Period::Month(2024, 3).range(PeriodRule::National);
        assert_eq!((r.from, r.to), (d("15/02/2024"), d("14/03/2024")));
        let r = Period::NineMonths(2024).range(PeriodRule::National);
        assert_eq!((r.from, r.to), (d("15/12/2023"), d("14/09/2024")));
    }

    #[test]
    fn calendar_periods() {
        let r = Period::Month(2024, 2).range(PeriodRule::Calendar);
        assert_eq!((r.from, r.to), (d("01/02/2024"), d("29/02/2024")));
        let r = Period::Month(2023, 2).range(PeriodRule::Calendar);
        assert_eq!(r.to, d("28/02/2023"));
        let r = Period::Half(2024, 2).range(PeriodRule::Calendar);
        assert_eq!((r.from, r.to), (d("01/07/2024"), d("31/12/2024")));
        let r = Period::Quarter(2024, 4).range(PeriodRule::Calendar);
        assert_eq!(r.to, d("31/12/2024"));
    }

    #[test]
    fn cut_off_days_are_inclusive() {
        let r = Period::Half(2024, 1).range(PeriodRule::National);
        assert!(r.contains(d("15/12/2023")));
        assert!(r.contains(d("14/06/2024")));
        assert!(!r.contains(d("14/12/2023")));
        assert!(!r.contains(d("15/06/2024")));
    }

    #[test]
    fn previous_year_handles_29_february() {
        let r = DateRange::new(d("29/02/2024"), d("29/02/2024")).unwrap();
        assert_eq!(r.previous_year().from, d("28/02/2023"));
    }

    /// The document's pattern promises no more than the parser takes, and
    /// covers every period the parser writes.
    #[test]
    fn what_the_period_pattern_matches_is_accepted() {
        let re = regex::Regex::new(PERIOD_PATTERN).unwrap();
        let mut matched = 0;
        for y in 1890..=2210 {
            let mut tails: Vec<String> = vec![
                String::new(),
                "-9M".into(),
                "-9m".into(),
                "-9".into(),
                "-00".into(),
                "-13".into(),
            ];
            for m in 0..=13 {
                tails.push(format!("-{m}"));
                tails.push(format!("-{m:02}"));
            }
            for q in 0..=5 {
                tails.push(format!("-Q{q}"));
                tails.push(format!("-q{q}"));
                tails.push(format!("-H{q}"));
                tails.push(format!("-h{q}"));
            }
            tails.sort();
            tails.dedup();
            for t in tails {
                let s = format!("{y}{t}");
                let parsed = s.parse::<Period>();
                if re.is_match(&s) {
                    matched += 1;
                    let p = parsed.unwrap_or_else(|e| panic!("{s}: {e:?}"));
                    assert!(re.is_match(&p.to_string()), "{p}");
                }
            }
        }
        // Each year of 1900..=2200: alone, 9M and 9m, months 1..9 and
        // 01..12, Q1..Q4 and H1, H2 in both cases.
        assert_eq!(matched, 301 * (1 + 2 + 9 + 12 + 8 + 4));
        for bad in ["0000", "1899", "2201", "2024-", "2024-Q01", "24-H1", "2024-06-01"] {
            assert!(!re.is_match(bad), "{bad}");
        }
    }

    #[test]
    fn parse_and_print() {
        for s in ["2024-06", "2024-Q2", "2024-H1", "2024-9M", "2024"] {
            assert_eq!(s.parse::<Period>().unwrap().to_string(), s);
        }
        for bad in [
            "2024-13",
            "2024-Q5",
            "2024-H3",
            "24-H1",
            "2024-",
            "H1",
            "2024-06-01",
            "2024-Q0",
        ] {
            assert!(bad.parse::<Period>().is_err(), "{bad}");
        }
        assert_eq!(Period::Half(2024, 1).next(), Period::Half(2024, 2));
        let d = |y, m, dd| Date::from_ymd(y, m, dd).unwrap();
        assert_eq!(
            Period::current_half(d(2026, 11, 29), PeriodRule::Calendar),
            Period::Half(2026, 2)
        );
        assert_eq!(
            Period::current_half(d(2026, 12, 20), PeriodRule::National),
            Period::Half(2027, 1)
        );
        assert_eq!(
            Period::current_half(d(2026, 6, 14), PeriodRule::National),
            Period::Half(2026, 1)
        );
        assert_eq!(
            Period::current_half(d(2026, 6, 15), PeriodRule::National),
            Period::Half(2026, 2)
        );
        assert_eq!(Period::all_of_year(2024).len(), 20);
        assert_eq!(Period::Half(2024, 1).label_vn(), "6 tháng đầu năm 2024");
        assert_eq!(Period::Quarter(2024, 2).label_vn(), "quý II năm 2024");
    }
}
