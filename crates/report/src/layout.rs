//! The layout of official documents (Decree 30/2020/NĐ-CP, Appendix I):
//! the defaults are the values `FORMAT.md` marks as ours; every value can be
//! set per agency.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Layout {
    pub page_width_mm: f64,
    pub page_height_mm: f64,
    pub margin_top_mm: f64,
    pub margin_bottom_mm: f64,
    pub margin_left_mm: f64,
    pub margin_right_mm: f64,
    pub font: String,
    /// Parent agency and issuing agency lines (12–13).
    pub agency_pt: f64,
    /// `CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM` (12–13).
    pub national_title_pt: f64,
    /// `Độc lập - Tự do - Hạnh phúc` (13–14).
    pub motto_pt: f64,
    /// `Số: …` (13).
    pub number_pt: f64,
    /// Place and date (13–14).
    pub place_date_pt: f64,
    /// `BÁO CÁO` and the trích yếu (13–14).
    pub title_pt: f64,
    /// Body text (13–14).
    pub body_pt: f64,
    pub first_line_indent_cm: f64,
    pub paragraph_after_pt: f64,
    /// Line spacing as a multiple (1 to 1.5).
    pub line_spacing: f64,
    /// Footnote text (10–12).
    pub footnote_pt: f64,
    /// Page numbers (13–14).
    pub page_number_pt: f64,
    /// `Nơi nhận:` (12).
    pub recipients_label_pt: f64,
    /// Recipient lines (11).
    pub recipients_pt: f64,
    /// Authority, position and signer's name (13–14).
    pub signer_pt: f64,
    /// Width of the header's left column, in mm; the right takes the rest.
    pub header_left_mm: f64,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            page_width_mm: 210.0,
            page_height_mm: 297.0,
            margin_top_mm: 20.0,
            margin_bottom_mm: 20.0,
            margin_left_mm: 30.0,
            margin_right_mm: 15.0,
            font: "Times New Roman".into(),
            agency_pt: 13.0,
            national_title_pt: 12.0,
            motto_pt: 14.0,
            number_pt: 13.0,
            place_date_pt: 14.0,
            title_pt: 14.0,
            body_pt: 14.0,
            first_line_indent_cm: 1.27,
            paragraph_after_pt: 6.0,
            line_spacing: 1.15,
            footnote_pt: 12.0,
            page_number_pt: 14.0,
            recipients_label_pt: 12.0,
            recipients_pt: 11.0,
            signer_pt: 14.0,
            header_left_mm: 65.0,
        }
    }
}

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
