//! Money in Vietnamese đồng, written the Vietnamese way.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::FieldError;

/// An amount of đồng: whole, never negative, at most 10^15 (a thousand
/// trillion; any larger figure in this domain is a typing error).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct Dong(i64);

pub const MAX_DONG: i64 = 1_000_000_000_000_000;

impl Dong {
    pub const ZERO: Dong = Dong(0);

    pub fn new(v: i64) -> Result<Self, FieldError> {
        if v < 0 {
            return Err(FieldError::new("Số tiền không được âm"));
        }
        if v > MAX_DONG {
            return Err(FieldError::new("Số tiền vượt quá giới hạn cho phép"));
        }
        Ok(Dong(v))
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// Reads `7500000`, `7.500.000`, `7.500.000 đồng`, `7,5 triệu đồng`,
    /// `1,2 tỷ`. Refuses negatives and anything else.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let t = crate::text::nfc(s);
        let bad = || FieldError::new(format!("Số tiền không hợp lệ: «{t}»"));
        let lower = t.to_lowercase();
        let lower = lower.trim_end_matches("đồng").trim_end_matches('đ').trim();
        if lower.starts_with('-') {
            return Err(FieldError::new("Số tiền không được âm"));
        }
        let (num, unit) = if let Some(n) = lower.strip_suffix("triệu") {
            (n.trim(), 1_000_000i64)
        } else if let Some(n) = lower.strip_suffix("tỷ") {
            (n.trim(), 1_000_000_000i64)
        } else {
            (lower, 1)
        };
        if num.is_empty() {
            return Err(bad());
        }
        if unit == 1 {
            // Dots group thousands; no decimals allowed for whole đồng.
            let digits: String = num.chars().filter(|c| *c != '.' && *c != ' ').collect();
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 16 {
                return Err(bad());
            }
            let v: i64 = digits.parse().map_err(|_| bad())?;
            return Dong::new(v);
        }
        // "7,5 triệu": comma is the decimal separator.
        let (int, frac) = match num.split_once(',') {
            Some((i, f)) => (i, f),
            None => (num, ""),
        };
        let int = int.replace('.', "");
        if int.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || int.len() > 9
            || frac.len() > 6
        {
            return Err(bad());
        }
        let mut v: i64 = int.parse::<i64>().map_err(|_| bad())? * unit;
        let mut scale = unit / 10;
        for b in frac.bytes() {
            if scale == 0 {
                return Err(bad());
            }
            v += i64::from(b - b'0') * scale;
            scale /= 10;
        }
        Dong::new(v)
    }

    /// `7.500.000 đồng`.
    pub fn full(self) -> String {
        format!("{} đồng", group_thousands(self.0))
    }

    /// The short form of official text when exact: `19,5 triệu đồng`,
    /// `1,2 tỷ đồng`; otherwise the full form. Below one million, always full.
    pub fn short(self) -> String {
        let v = self.0;
        for (unit, word) in [(1_000_000_000i64, "tỷ"), (1_000_000, "triệu")] {
            if v >= unit {
                let int = v / unit;
                let rem = v % unit;
                if rem == 0 {
                    return format!("{} {word} đồng", group_thousands(int));
                }
                // Exact with at most three decimals?
                let step = unit / 1000;
                if rem % step == 0 {
                    let mut frac = format!("{:03}", rem / step);
                    while frac.ends_with('0') {
                        frac.pop();
                    }
                    return format!("{},{frac} {word} đồng", group_thousands(int));
                }
                return self.full();
            }
        }
        self.full()
    }
}

/// `19500000` → `19.500.000`.
pub fn group_thousands(v: i64) -> String {
    let s = v.unsigned_abs().to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    if v < 0 {
        out.push('-');
    }
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Dong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full())
    }
}

impl fmt::Debug for Dong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Dong({})", self.0)
    }
}

impl std::iter::Sum for Dong {
    fn sum<I: Iterator<Item = Dong>>(iter: I) -> Dong {
        Dong(iter.map(|d| d.0).fold(0i64, i64::saturating_add))
    }
}

impl<'de> Deserialize<'de> for Dong {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            // `7500000.0`: JSON's same integer, as some clients write it.
            Float(f64),
            Str(String),
        }
        match Raw::deserialize(d)? {
            Raw::Int(v) => Dong::new(v),
            Raw::Float(f) if f.fract() == 0.0 && f.abs() <= MAX_DONG as f64 => Dong::new(f as i64),
            Raw::Float(f) => Err(FieldError::new(format!(
                "Số tiền phải là số nguyên đồng (nhận được {f})"
            ))),
            Raw::Str(s) => Dong::parse(&s),
        }
        .map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Dong {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Dong".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "integer", "minimum": 0, "maximum": MAX_DONG, "description": "Số tiền, đồng"})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_forms() {
        assert_eq!(Dong::new(0).unwrap().full(), "0 đồng");
        assert_eq!(Dong::new(0).unwrap().short(), "0 đồng");
        assert_eq!(Dong::new(500_000).unwrap().short(), "500.000 đồng");
        assert_eq!(Dong::new(7_500_000).unwrap().short(), "7,5 triệu đồng");
        assert_eq!(Dong::new(7_500_000).unwrap().full(), "7.500.000 đồng");
        assert_eq!(Dong::new(19_500_000).unwrap().short(), "19,5 triệu đồng");
        assert_eq!(Dong::new(15_000_000).unwrap().short(), "15 triệu đồng");
        assert_eq!(Dong::new(1_200_000_000).unwrap().short(), "1,2 tỷ đồng");
        assert_eq!(Dong::new(7_123_456).unwrap().short(), "7.123.456 đồng");
        assert_eq!(Dong::new(7_250_000).unwrap().short(), "7,25 triệu đồng");
    }

    #[test]
    fn parses_what_people_type() {
        for (s, v) in [
            ("7500000", 7_500_000),
            ("7.500.000", 7_500_000),
            ("7.500.000 đồng", 7_500_000),
            ("7,5 triệu đồng", 7_500_000),
            ("19,5 triệu", 19_500_000),
            ("1,2 tỷ đồng", 1_200_000_000),
            ("0", 0),
        ] {
            assert_eq!(Dong::parse(s).unwrap().get(), v, "{s}");
        }
    }

    #[test]
    fn refuses_negative_and_garbage() {
        assert!(Dong::new(-1).is_err());
        assert!(Dong::parse("-7.500.000").is_err());
        assert!(Dong::parse("abc").is_err());
        assert!(Dong::parse("7,5").is_err());
        assert!(Dong::parse("99999999999999999999").is_err());
        assert!(serde_json::from_str::<Dong>("-500").is_err());
        assert!(serde_json::from_str::<Dong>("1.5").is_err());
        assert_eq!(serde_json::from_str::<Dong>("7500000.0").unwrap().get(), 7_500_000);
        assert!(serde_json::from_str::<Dong>("-7500000.0").is_err());
        assert!(serde_json::from_str::<Dong>("1e300").is_err());
    }
}
