//! Units and text measures for laying out official documents; the layout
//! values themselves ([`Layout`]) belong to the agency record.

pub use canhgiac_domain::layout::Layout;

pub fn mm_to_twips(mm: f64) -> i64 {
    (mm * 1440.0 / 25.4).round() as i64
}

pub fn pt_to_half_points(pt: f64) -> i64 {
    (pt * 2.0).round() as i64
}

/// An estimate of the printed width of `s` in Times New Roman, in points;
/// used to size the rule lines under the agency name, motto and summary.
pub fn text_width_pt(s: &str, size_pt: f64, bold: bool) -> f64 {
    let em: f64 = s
        .chars()
        .map(|c| {
            if c == ' ' {
                0.25
            } else if c.is_uppercase() {
                if bold {
                    0.72
                } else {
                    0.68
                }
            } else if c.is_alphabetic() {
                if bold {
                    0.5
                } else {
                    0.46
                }
            } else if c.is_ascii_digit() {
                0.5
            } else {
                0.33
            }
        })
        .sum();
    em * size_pt
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(mm_to_twips(210.0), 11906);
        assert_eq!(mm_to_twips(297.0), 16838);
        assert_eq!(mm_to_twips(20.0), 1134);
        assert_eq!(mm_to_twips(30.0), 1701);
        assert_eq!(mm_to_twips(15.0), 850);
        assert_eq!(pt_to_half_points(13.0), 26);
    }
}
