//! The layout of official documents (Decree 30/2020/NĐ-CP, Appendix I).
//! The defaults are the values `FORMAT.md` marks as ours; an agency may set
//! any value within the decree's range.

use serde::{Deserialize, Serialize};

use crate::error::ValidationErrors;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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

impl Layout {
    /// Checks every value against the decree's range.
    pub fn validate(&self, errs: &mut ValidationErrors, field: &str) {
        let mut check = |name: &str, v: f64, lo: f64, hi: f64| {
            if !(lo..=hi).contains(&v) {
                errs.push(
                    format!("{field}.{name}"),
                    format!("{v} nằm ngoài khoảng {lo}–{hi} theo Nghị định 30/2020/NĐ-CP"),
                );
            }
        };
        check("page_width_mm", self.page_width_mm, 210.0, 210.0);
        check("page_height_mm", self.page_height_mm, 297.0, 297.0);
        check("margin_top_mm", self.margin_top_mm, 20.0, 25.0);
        check("margin_bottom_mm", self.margin_bottom_mm, 20.0, 25.0);
        check("margin_left_mm", self.margin_left_mm, 30.0, 35.0);
        check("margin_right_mm", self.margin_right_mm, 15.0, 20.0);
        check("agency_pt", self.agency_pt, 12.0, 13.0);
        check("national_title_pt", self.national_title_pt, 12.0, 13.0);
        check("motto_pt", self.motto_pt, 13.0, 14.0);
        check("number_pt", self.number_pt, 13.0, 13.0);
        check("place_date_pt", self.place_date_pt, 13.0, 14.0);
        check("title_pt", self.title_pt, 13.0, 14.0);
        check("body_pt", self.body_pt, 13.0, 14.0);
        check("first_line_indent_cm", self.first_line_indent_cm, 1.0, 1.27);
        check("paragraph_after_pt", self.paragraph_after_pt, 6.0, 24.0);
        check("line_spacing", self.line_spacing, 1.0, 1.5);
        check("footnote_pt", self.footnote_pt, 10.0, 12.0);
        check("page_number_pt", self.page_number_pt, 13.0, 14.0);
        check("recipients_label_pt", self.recipients_label_pt, 12.0, 12.0);
        check("recipients_pt", self.recipients_pt, 11.0, 11.0);
        check("signer_pt", self.signer_pt, 13.0, 14.0);
        check("header_left_mm", self.header_left_mm, 50.0, 90.0);
        if self.font.trim().is_empty() || self.font.len() > 64 {
            errs.push(format!("{field}.font"), "Tên phông chữ không hợp lệ");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_within_the_decree_and_bad_values_are_named() {
        let mut e = ValidationErrors::default();
        Layout::default().validate(&mut e, "layout");
        assert!(e.0.is_empty(), "{e}");
        let bad = Layout {
            margin_left_mm: 25.0,
            body_pt: 16.0,
            ..Layout::default()
        };
        bad.validate(&mut e, "layout");
        assert_eq!(e.0.len(), 2);
        assert_eq!(e.0[0].field, "layout.margin_left_mm");
    }
}
