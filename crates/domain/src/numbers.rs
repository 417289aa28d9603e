//! Numbers in official text.

/// Counts below ten are written with a leading zero: `05 văn bản`.
pub fn count(n: u64) -> String {
    if (1..10).contains(&n) {
        format!("0{n}")
    } else {
        // Thousands grouped with dots, as in `450.000 tin nhắn`.
        crate::money::group_thousands(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

/// Percentage change against an earlier figure, for "tăng 12% so với cùng kỳ".
/// `None` when there is nothing to compare with.
/// A score or a ratio as Vietnamese write it: a decimal comma, at most two
/// decimals, none when whole (`9`, `4,5`, `0,25`).
pub fn decimal(x: f64) -> String {
    let text = format!("{:.2}", (x * 100.0).round() / 100.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.replace('.', ",")
}

pub fn change_percent(now: u64, before: u64) -> Option<i64> {
    if before == 0 {
        return None;
    }
    let diff = now as f64 - before as f64;
    Some((diff * 100.0 / before as f64).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_take_a_comma() {
        assert_eq!(decimal(9.0), "9");
        assert_eq!(decimal(4.5), "4,5");
        assert_eq!(decimal(0.25), "0,25");
        assert_eq!(decimal(10.125), "10,13");
    }

    #[test]
    fn leading_zero_below_ten() {
        assert_eq!(count(5), "05");
        assert_eq!(count(9), "09");
        assert_eq!(count(10), "10");
        assert_eq!(count(21), "21");
        assert_eq!(count(0), "0");
    }

    #[test]
    fn change() {
        assert_eq!(change_percent(112, 100), Some(12));
        assert_eq!(change_percent(88, 100), Some(-12));
        assert_eq!(change_percent(5, 0), None);
    }
}

/// Whole numbers as JSON may write them: `12`, or `12.0`, which JSON
/// (and the JSON Schema the API's document is written in) counts as the
/// same integer. A fraction, a negative number or one past the type's range
/// is refused with a Vietnamese reason. For `#[serde(deserialize_with)]`.
pub mod whole {
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Unsigned(u64),
        Signed(i64),
        Float(f64),
    }

    fn convert<T: TryFrom<u64>, E: serde::de::Error>(raw: Raw) -> Result<T, E> {
        let n = match raw {
            Raw::Unsigned(n) => n,
            Raw::Signed(v) => return Err(E::custom(format!("phải là số nguyên không âm (nhận được {v})"))),
            // 2^53: past it a float no longer holds every whole number.
            Raw::Float(f) if f.fract() == 0.0 && (0.0..=9_007_199_254_740_992.0).contains(&f) => f as u64,
            Raw::Float(f) => return Err(E::custom(format!("phải là số nguyên không âm (nhận được {f})"))),
        };
        T::try_from(n).map_err(|_| E::custom(format!("số {n} quá lớn")))
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: TryFrom<u64>>(d: D) -> Result<T, D::Error> {
        convert(Raw::deserialize(d)?)
    }

    /// The same, for an optional field (`null` is none).
    pub fn option<'de, D: Deserializer<'de>, T: TryFrom<u64>>(d: D) -> Result<Option<T>, D::Error> {
        Option::<Raw>::deserialize(d)?.map(convert).transpose()
    }
}

#[cfg(test)]
mod whole_tests {
    #[derive(serde::Deserialize, Debug)]
    struct T {
        #[serde(deserialize_with = "super::whole::deserialize")]
        n: u32,
        #[serde(default, deserialize_with = "super::whole::option")]
        m: Option<u32>,
    }

    #[test]
    fn whole_numbers_in_either_json_spelling() {
        let t: T = serde_json::from_str(r#"{"n": 12, "m": 507.0}"#).unwrap();
        assert_eq!((t.n, t.m), (12, Some(507)));
        let t: T = serde_json::from_str(r#"{"n": 4294967295.0, "m": null}"#).unwrap();
        assert_eq!((t.n, t.m), (u32::MAX, None));
        let t: T = serde_json::from_str(r#"{"n": 0}"#).unwrap();
        assert_eq!(t.m, None);
        for bad in [
            r#"{"n": 1.5}"#,
            r#"{"n": -1}"#,
            r#"{"n": -1.0}"#,
            r#"{"n": 4294967296}"#,
            r#"{"n": 1e300}"#,
            r#"{"n": "12"}"#,
            r#"{"n": 1, "m": 0.25}"#,
        ] {
            let e = serde_json::from_str::<T>(bad).unwrap_err().to_string();
            assert!(!e.is_empty(), "{bad}");
        }
        let e = serde_json::from_str::<T>(r#"{"n": 2.5}"#).unwrap_err().to_string();
        assert!(e.contains("phải là số nguyên không âm"), "{e}");
    }
}
