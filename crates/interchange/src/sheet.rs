//! A list as people export it: a title, Vietnamese column headers and the
//! cells as the page shows them, written as CSV (UTF-8 with a byte-order
//! mark, so spreadsheet programs read the diacritics) or as an XLSX
//! workbook with real numeric cells.
//!
//! A text cell is always text: in CSV one that a spreadsheet would read as
//! a formula (`=`, `+`, `-`, `@`, a tab or a carriage return first) is
//! prefixed with `'`; in XLSX it is a string cell, which is never evaluated.

use rust_xlsxwriter::{Format, Workbook};

/// One cell of an exported list.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

/// An exported list.
#[derive(Clone, Debug, Default)]
pub struct Sheet {
    /// The list's name; the worksheet's name, shortened to what XLSX allows.
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, thiserror::Error)]
#[error("Không tạo được tệp Excel: {0}")]
pub struct SheetError(String);

fn guarded(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// A number as a Vietnamese reader writes it in a CSV cell: `12,5`.
fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string().replace('.', ",")
    }
}

impl Sheet {
    pub fn to_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        // Writing into memory fails only on a row of the wrong width,
        // which `cells` rules out by padding.
        let width = self.headers.len();
        let _ = w.write_record(&self.headers);
        for row in &self.rows {
            let cells = (0..width).map(|i| match row.get(i) {
                Some(Cell::Text(s)) => guarded(s),
                Some(Cell::Number(n)) => number_text(*n),
                None => String::new(),
            });
            let _ = w.write_record(cells);
        }
        w.into_inner().unwrap_or_default()
    }

    pub fn to_xlsx(&self) -> Result<Vec<u8>, SheetError> {
        let e = |err: rust_xlsxwriter::XlsxError| SheetError(err.to_string());
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&self.title)).map_err(e)?;
        for (c, h) in self.headers.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| SheetError("quá nhiều cột".into()))?;
            ws.write_string_with_format(0, c, h, &bold).map_err(e)?;
            ws.set_column_width(c, 24).map_err(e)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| SheetError("quá nhiều dòng".into()))?;
            for (c, cell) in row.iter().enumerate().take(self.headers.len()) {
                let c = c as u16;
                match cell {
                    Cell::Text(s) => ws.write_string(r, c, s).map_err(e)?,
                    Cell::Number(n) => ws.write_number(r, c, *n).map_err(e)?,
                };
            }
        }
        ws.set_freeze_panes(1, 0).map_err(e)?;
        wb.save_to_buffer().map_err(e)
    }
}

/// A worksheet name XLSX accepts: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(title: &str) -> String {
    let name: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .take(31)
        .collect();
    let name = name.trim().trim_matches('\'').to_owned();
    if name.is_empty() {
        "Danh sach".into()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Sheet {
        Sheet {
            title: "Cơ quan báo chí: [danh sách]/2024 và còn dài hơn nữa".into(),
            headers: vec!["Tên".into(), "Số tin".into()],
            rows: vec![
                vec![Cell::Text("Báo Bắc Giang".into()), Cell::Number(12.0)],
                vec![Cell::Text("=HYPERLINK(\"http://x\")".into()), Cell::Number(2.5)],
                vec![Cell::Text("ngắn".into())],
            ],
        }
    }

    #[test]
    fn csv_has_a_bom_vietnamese_headers_and_no_formulas() {
        let bytes = sample().to_csv();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes[3..].to_vec()).expect("utf-8");
        let mut r = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(r.headers().expect("headers"), vec!["Tên", "Số tin"]);
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("row")).collect();
        assert_eq!(&rows[0][0], "Báo Bắc Giang");
        assert_eq!(&rows[0][1], "12");
        assert_eq!(&rows[1][0], "'=HYPERLINK(\"http://x\")");
        assert_eq!(&rows[1][1], "2,5");
        assert_eq!(rows[2].len(), 2, "short rows are padded");
    }

    #[test]
    fn xlsx_is_a_workbook_that_reads_back() {
        let bytes = sample().to_xlsx().expect("xlsx");
        assert!(bytes.starts_with(b"PK"));
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("open");
        let names = wb.sheet_names();
        assert_eq!(names.len(), 1);
        assert!(names[0].chars().count() <= 31 && !names[0].contains(['[', ']', ':', '/']));
        let range = wb.worksheet_range(&names[0]).expect("sheet");
        assert_eq!(range.get((0, 0)).map(|c| c.to_string()), Some("Tên".into()));
        assert_eq!(range.get((1, 1)), Some(&calamine::Data::Float(12.0)));
        assert_eq!(
            range.get((2, 0)),
            Some(&calamine::Data::String("=HYPERLINK(\"http://x\")".into())),
            "a text cell stays text"
        );
    }
}
