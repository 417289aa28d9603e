//! Numbers in official text.

/// Counts below ten are written with a leading zero: `05 văn bản`.
pub fn count(n: u64) -> String {
    if (1..10).contains(&n) {
        format!("0{n}")
    } else {
        n.to_string()
    }
}

/// Percentage change against an earlier figure, for "tăng 12% so với cùng kỳ".
/// `None` when there is nothing to compare with.
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
