//! Calendar dates and instants. Dates are written `dd/mm/yyyy` to people and
//! `yyyy-mm-dd` to machines (ISO 8601, which also sorts as text in storage).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::FieldError;

/// What [`Date::parse`] accepts, as a regular expression for the API's
/// document: ISO or `dd/mm/yyyy` (or `.`, `-` between), years 1900 to 2200,
/// days that exist: 29/02 in leap years only (1900, 2100 and 2200 are not).
pub const DATE_PATTERN: &str = "^((19[0-9]{2}|2[01][0-9]{2}|2200)-((0?[1-9]|1[0-2])-(0?[1-9]|1[0-9]|2[0-8])|(0?[13-9]|1[0-2])-(29|30)|(0?[13578]|1[02])-31)|(19(0[48]|[2468][048]|[13579][26])|20(0[048]|[2468][048]|[13579][26])|21(0[48]|[2468][048]|[13579][26]))-0?2-29|((0?[1-9]|1[0-9]|2[0-8])[/.-](0?[1-9]|1[0-2])|(29|30)[/.-](0?[13-9]|1[0-2])|31[/.-](0?[13578]|1[02]))[/.-](19[0-9]{2}|2[01][0-9]{2}|2200)|29[/.-]0?2[/.-](19(0[48]|[2468][048]|[13579][26])|20(0[048]|[2468][048]|[13579][26])|21(0[48]|[2468][048]|[13579][26])))$";

/// A calendar date with no time zone (dates of documents, publications…).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(NaiveDate);

impl Date {
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(y, m, d).map(Date)
    }

    /// Accepts `dd/mm/yyyy` (also `d/m/yyyy`, `dd-mm-yyyy`, `dd.mm.yyyy`) and
    /// ISO `yyyy-mm-dd`. Anything else, or a day that does not exist
    /// (`31/02/2024`), is refused with a Vietnamese message.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let t = s.trim();
        let bad = || FieldError::new(format!("Ngày không hợp lệ: «{t}» (cần dạng dd/mm/yyyy)"));
        let parts: Vec<&str> = t.split(['/', '-', '.']).collect();
        if parts.len() != 3
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(bad());
        }
        let num = |p: &str| p.parse::<u32>().map_err(|_| bad());
        let (y, m, d) = if parts[0].len() == 4 {
            (num(parts[0])?, num(parts[1])?, num(parts[2])?)
        } else if parts[2].len() == 4 {
            (num(parts[2])?, num(parts[1])?, num(parts[0])?)
        } else {
            return Err(bad());
        };
        if !(1900..=2200).contains(&y) {
            return Err(FieldError::new(format!("Năm ngoài phạm vi cho phép: «{t}»")));
        }
        NaiveDate::from_ymd_opt(y as i32, m, d)
            .map(Date)
            .ok_or_else(|| FieldError::new(format!("Ngày không tồn tại: «{t}»")))
    }

    pub fn naive(self) -> NaiveDate {
        self.0
    }

    pub fn year(self) -> i32 {
        self.0.year()
    }

    pub fn month(self) -> u32 {
        self.0.month()
    }

    pub fn day(self) -> u32 {
        self.0.day()
    }

    /// `2024-06-05`, the storage and interchange form.
    pub fn iso(self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }

    /// `05/6/2024`: the form used inside running text of official documents
    /// (day with two digits, month without a leading zero), as in the seed.
    pub fn vn_text(self) -> String {
        format!("{:02}/{}/{}", self.day(), self.month(), self.year())
    }

    /// `ngày 05 tháng 02 năm 2024`: the header form, where days below 10 and
    /// months 1 and 2 get a leading zero (Decree 30/2020/NĐ-CP).
    pub fn vn_long(self) -> String {
        let m = self.month();
        let month = if m <= 2 { format!("{m:02}") } else { m.to_string() };
        format!("ngày {:02} tháng {} năm {}", self.day(), month, self.year())
    }

    pub fn succ(self) -> Date {
        Date(self.0.succ_opt().unwrap_or(self.0))
    }

    pub fn pred(self) -> Date {
        Date(self.0.pred_opt().unwrap_or(self.0))
    }

    /// This day moved by `days` (negative to go back); unchanged past the
    /// calendar's ends.
    pub fn plus_days(self, days: i64) -> Date {
        Date(
            self.0
                .checked_add_signed(chrono::Duration::days(days))
                .unwrap_or(self.0),
        )
    }

    pub fn today() -> Date {
        // Vietnam is UTC+7 all year.
        Date((Utc::now() + chrono::Duration::hours(7)).date_naive())
    }
}

/// `dd/mm/yyyy`, the form people read.
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{:02}/{}", self.day(), self.month(), self.year())
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({})", self.iso())
    }
}

impl FromStr for Date {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse(s)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A calendar month: `05/2024` to people, `2024-05` to machines (which
/// sorts as text and is how a month is stored). Monthly figures (an
/// operator's spam report) are kept per month.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((1900..=2200).contains(&year) && (1..=12).contains(&month)).then_some(Month { year, month })
    }

    /// Accepts `05/2024`, `5/2024`, `2024-05`, `tháng 5/2024`, `T5/2024`
    /// and a date within the month (`01/05/2024`, `2024-05-01`: what a
    /// spreadsheet makes of a month cell). Anything else is refused.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let t = s.trim();
        let bad = || FieldError::new(format!("Tháng không hợp lệ: «{t}» (cần dạng mm/yyyy)"));
        if let Ok(d) = Date::parse(t) {
            return Ok(Month::of(d));
        }
        let folded = crate::text::fold(t);
        let core = folded
            .strip_prefix("thang")
            .or_else(|| folded.strip_prefix('t'))
            .unwrap_or(&folded)
            .trim();
        let parts: Vec<&str> = core.split(['/', '-', '.']).map(str::trim).collect();
        if parts.len() != 2
            || parts
                .iter()
                .any(|p| p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(bad());
        }
        let num = |p: &str| p.parse::<u32>().map_err(|_| bad());
        let (y, m) = if parts[0].len() == 4 {
            (num(parts[0])?, num(parts[1])?)
        } else if parts[1].len() == 4 {
            (num(parts[1])?, num(parts[0])?)
        } else {
            return Err(bad());
        };
        if !(1..=12).contains(&m) {
            return Err(FieldError::new(format!("Tháng phải từ 1 đến 12: «{t}»")));
        }
        i32::try_from(y)
            .ok()
            .and_then(|y| Month::new(y, m))
            .ok_or_else(|| FieldError::new(format!("Năm ngoài phạm vi cho phép: «{t}»")))
    }

    /// The month a day falls in.
    pub fn of(d: Date) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    /// The first day of the month.
    pub fn first_day(self) -> Date {
        Date::from_ymd(self.year, self.month, 1).unwrap_or(Date(NaiveDate::MIN))
    }

    /// `2024-05`, the storage and interchange form.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// The month after.
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The month before.
    pub fn prev(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// The same month a year earlier.
    pub fn year_before(self) -> Month {
        Month {
            year: self.year - 1,
            month: self.month,
        }
    }
}

/// `05/2024`, the form people read.
impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{}", self.month, self.year)
    }
}

impl fmt::Debug for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Month({})", self.iso())
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Month::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// What a month's JSON value must look like: `yyyy-mm` (or `mm/yyyy`).
pub const MONTH_PATTERN: &str =
    "^((19[0-9]{2}|2[01][0-9]{2}|2200)-(0?[1-9]|1[0-2])|(0?[1-9]|1[0-2])/(19[0-9]{2}|2[01][0-9]{2}|2200))$";

impl schemars::JsonSchema for Month {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Month".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "Tháng: yyyy-mm (hoặc mm/yyyy khi gửi lên)",
            "pattern": MONTH_PATTERN
        })
    }
}

/// An instant, kept in UTC and written RFC 3339 with a `Z`
/// (`2024-06-11T02:30:00Z`), which sorts as text.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Timestamp(chrono::DateTime<Utc>);

impl Timestamp {
    pub fn now() -> Self {
        // Microsecond precision: what both storage engines keep.
        let now = Utc::now();
        let micros = now.timestamp_micros();
        Timestamp(chrono::DateTime::from_timestamp_micros(micros).unwrap_or(now))
    }

    /// RFC 3339, kept to the microsecond (what both storage engines keep
    /// and [`Timestamp::rfc3339`] writes): finer digits are dropped, so an
    /// instant reads back as it was written.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        chrono::DateTime::parse_from_rfc3339(s.trim())
            .map(|d| {
                let utc = d.with_timezone(&Utc);
                Timestamp(chrono::DateTime::from_timestamp_micros(utc.timestamp_micros()).unwrap_or(utc))
            })
            .map_err(|_| FieldError::new(format!("Thời điểm không hợp lệ: «{}» (cần RFC 3339)", s.trim())))
    }

    /// What a person types: RFC 3339, or a Vietnam-time `dd/mm/yyyy hh:mm`
    /// (seconds optional), or the `yyyy-mm-ddThh:mm` of a browser's
    /// date-time picker, also Vietnam time.
    pub fn parse_local(s: &str) -> Result<Self, FieldError> {
        let t = s.trim();
        if let Ok(ts) = Timestamp::parse(t) {
            return Ok(ts);
        }
        let bad = || {
            FieldError::new(format!(
                "Thời điểm không hợp lệ: «{t}» (cần dạng dd/mm/yyyy hh:mm, giờ Việt Nam)"
            ))
        };
        let (day, time) = t.split_once(['T', ' ']).ok_or_else(bad)?;
        let date = Date::parse(day).map_err(|_| bad())?;
        let time = time.trim();
        let hms = chrono::NaiveTime::parse_from_str(time, "%H:%M:%S")
            .or_else(|_| chrono::NaiveTime::parse_from_str(time, "%H:%M"))
            .map_err(|_| bad())?;
        let local = date.naive().and_time(hms);
        Ok(Timestamp(local.and_utc() - chrono::Duration::hours(7)))
    }

    /// `yyyy-mm-ddThh:mm`, Vietnam time: the value of a browser's
    /// date-time picker (`<input type="datetime-local">`).
    pub fn vn_input(self) -> String {
        (self.0 + chrono::Duration::hours(7))
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    }

    /// `dd/mm/yyyy hh:mm`, Vietnam time: what people see.
    pub fn vn_text(self) -> String {
        (self.0 + chrono::Duration::hours(7))
            .format("%d/%m/%Y %H:%M")
            .to_string()
    }

    /// This instant moved by `ms` milliseconds (negative to go back).
    pub fn plus_millis(self, ms: i64) -> Self {
        Timestamp(self.0 + chrono::Duration::milliseconds(ms))
    }

    /// Milliseconds from `earlier` to this instant (negative if earlier is later).
    pub fn millis_since(self, earlier: Timestamp) -> i64 {
        (self.0 - earlier.0).num_milliseconds()
    }

    /// This instant moved by `hours` (negative to go back).
    pub fn plus_hours(self, hours: i64) -> Self {
        Timestamp(self.0 + chrono::Duration::hours(hours))
    }

    pub fn rfc3339(self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Micros, true)
    }

    /// The calendar date in Vietnam (UTC+7).
    pub fn vn_date(self) -> Date {
        Date((self.0 + chrono::Duration::hours(7)).date_naive())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Date {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "Ngày: yyyy-mm-dd (hoặc dd/mm/yyyy khi gửi lên)",
            "pattern": DATE_PATTERN
        })
    }
}

impl schemars::JsonSchema for Timestamp {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "date-time"})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The document's month pattern promises no more than the parser takes.
    #[test]
    fn what_the_month_pattern_matches_is_accepted() {
        let re = regex::Regex::new(MONTH_PATTERN).unwrap();
        let mut matched = 0;
        for y in [1899, 1900, 2024, 2199, 2200, 2201, 24] {
            for m in 0..=13 {
                for s in [
                    format!("{y}-{m}"),
                    format!("{y}-{m:02}"),
                    format!("{m}/{y}"),
                    format!("{m:02}/{y}"),
                ] {
                    if re.is_match(&s) {
                        matched += 1;
                        assert!(Month::parse(&s).is_ok(), "{s} matches but is refused");
                    }
                }
            }
        }
        assert!(matched > 100);
    }

    #[test]
    fn months_in_every_spelling_and_the_wrong_ones_refused() {
        let may = Month::new(2024, 5).unwrap();
        for s in [
            "05/2024",
            "5/2024",
            "2024-05",
            "tháng 5/2024",
            "Tháng 05/2024",
            "T5/2024",
            "01/05/2024",
            "2024-05-31",
        ] {
            assert_eq!(Month::parse(s).unwrap(), may, "{s}");
        }
        assert_eq!(may.to_string(), "05/2024");
        assert_eq!(may.iso(), "2024-05");
        assert_eq!(serde_json::to_string(&may).unwrap(), "\"2024-05\"");
        for s in [
            "13/2024",
            "0/2024",
            "2024-13",
            "05/24",
            "2024",
            "",
            "05/2024/1",
            "mười/2024",
            "05/1800",
            "-5/2024",
        ] {
            assert!(Month::parse(s).is_err(), "{s}");
        }
        assert!(Month::parse("13/2024").unwrap_err().message.contains("từ 1 đến 12"));
        assert_eq!(may.first_day(), Date::from_ymd(2024, 5, 1).unwrap());
        assert_eq!(may.year_before().iso(), "2023-05");
        assert_eq!(Month::new(2024, 12).unwrap().next().iso(), "2025-01");
        assert_eq!(Month::new(2024, 1).unwrap().prev().iso(), "2023-12");
        let national =
            crate::DateRange::new(Date::parse("15/12/2023").unwrap(), Date::parse("14/06/2024").unwrap()).unwrap();
        let months: Vec<String> = national.months().iter().map(|m| m.iso()).collect();
        assert_eq!(
            months,
            ["2023-12", "2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
        );
        let calendar =
            crate::DateRange::new(Date::parse("01/01/2024").unwrap(), Date::parse("30/06/2024").unwrap()).unwrap();
        assert_eq!(calendar.months().len(), 6);
        assert_eq!(calendar.months()[5].iso(), "2024-06");
        let short =
            crate::DateRange::new(Date::parse("02/05/2024").unwrap(), Date::parse("20/05/2024").unwrap()).unwrap();
        assert!(short.months().is_empty(), "no month ends within it");
    }

    /// Every day from 1900 to 2200, in the spellings the parser reads,
    /// matches the pattern; and whatever day-month-year the pattern matches,
    /// the parser accepts (so no day that does not exist).
    #[test]
    fn the_date_pattern_is_the_calendar() {
        let re = regex::Regex::new(DATE_PATTERN).unwrap();
        let mut d = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(2200, 12, 31).unwrap();
        while d <= last {
            let (y, m, day) = (d.year(), d.month(), d.day());
            for s in [
                format!("{y}-{m:02}-{day:02}"),
                format!("{day:02}/{m:02}/{y}"),
                format!("{day}.{m}.{y}"),
                format!("{y}-{m}-{day}"),
            ] {
                assert!(re.is_match(&s), "{s}");
            }
            d = d.succ_opt().unwrap();
        }
        for y in [1900, 1904, 1999, 2000, 2023, 2024, 2100, 2104, 2200] {
            for m in 1..=12 {
                for day in 1..=31 {
                    for s in [format!("{day:02}/{m:02}/{y}"), format!("{y}-{m:02}-{day:02}")] {
                        if re.is_match(&s) {
                            assert!(Date::parse(&s).is_ok(), "{s}");
                        } else {
                            assert!(Date::parse(&s).is_err(), "{s}");
                        }
                    }
                }
            }
        }
        for bad in [
            "31-09-1958",
            "31/11.2025",
            "29/02/1900",
            "29/02/2100",
            "2201-01-01",
            "00/01/2000",
        ] {
            assert!(!re.is_match(bad), "{bad}");
        }
    }

    #[test]
    fn instants_keep_microseconds_and_read_back_as_written() {
        // Found by the `parsers` fuzz target: seven fractional digits were
        // kept in memory but written as six, so the stored instant differed.
        let t = Timestamp::parse("2024-05-16T01:00:00.0080531z").expect("instant");
        assert_eq!(t.rfc3339(), "2024-05-16T01:00:00.008053Z");
        assert_eq!(Timestamp::parse(&t.rfc3339()).ok(), Some(t));
    }

    #[test]
    fn parses_vietnamese_and_iso() {
        assert_eq!(Date::parse("05/6/2024").unwrap(), Date::from_ymd(2024, 6, 5).unwrap());
        assert_eq!(Date::parse("2024-06-05").unwrap(), Date::from_ymd(2024, 6, 5).unwrap());
        assert_eq!(Date::parse("29/02/2024").unwrap().iso(), "2024-02-29");
    }

    #[test]
    fn refuses_impossible_and_malformed_dates() {
        for bad in [
            "31/02/2024",
            "29/02/2023",
            "00/01/2024",
            "2024/13/01",
            "5 tháng 6",
            "",
            "1/1/24",
            "12/12/99999",
        ] {
            let e = Date::parse(bad).unwrap_err();
            assert!(e.message.contains("Ngày") || e.message.contains("Năm"), "{bad}: {e}");
        }
    }

    #[test]
    fn vietnamese_forms() {
        let d = Date::from_ymd(2024, 2, 5).unwrap();
        assert_eq!(d.to_string(), "05/02/2024");
        assert_eq!(d.vn_long(), "ngày 05 tháng 02 năm 2024");
        let d = Date::from_ymd(2024, 6, 11).unwrap();
        assert_eq!(d.vn_long(), "ngày 11 tháng 6 năm 2024");
        assert_eq!(Date::from_ymd(2024, 6, 5).unwrap().vn_text(), "05/6/2024");
    }

    #[test]
    fn timestamp_round_trips() {
        let t = Timestamp::now();
        assert_eq!(Timestamp::parse(&t.rfc3339()).unwrap(), t);
    }
}
