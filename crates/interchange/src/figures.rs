//! The data-entry sheet: a unit that keeps no records here sends its
//! figures as a CSV or XLSX of two columns, «Chỉ tiêu» (the figure's label
//! or code) and «Số liệu» (a whole number, dots allowed as thousands
//! separators: `19.500.000`). [`template_csv`] writes the sheet to fill in.

use std::collections::BTreeMap;
use std::io::Cursor;

use canhgiac_domain::submission::DataElement;
use canhgiac_domain::{fold, nfc};

use crate::ImportError;

const LABEL: &str = "Chỉ tiêu";
const VALUE: &str = "Số liệu";

/// The empty sheet for a data set, as CSV (UTF-8 with BOM, for Excel).
pub fn template_csv(elements: &[DataElement]) -> String {
    let mut out = String::from("\u{feff}Mã chỉ tiêu,Chỉ tiêu,Số liệu\r\n");
    for e in elements {
        out.push_str(&format!("{},\"{}\",\r\n", e.code, e.label.replace('"', "\"\"")));
    }
    out
}

/// A whole, non-negative number as people write it: `25`, `1.250`,
/// `19.500.000`, `19 500 000`.
pub fn parse_count(s: &str) -> Result<i64, String> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | '\u{a0}'))
        .collect();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) || t.len() > 15 {
        return Err(format!("«{}» không phải số nguyên không âm", s.trim()));
    }
    t.parse::<i64>().map_err(|_| format!("«{}» quá lớn", s.trim()))
}

fn grid_csv(file: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, ImportError> {
    let text = crate::decode_text(bytes);
    let mut rdr = crate::csv_reader(&text);
    let mut out = Vec::new();
    for (i, r) in rdr.records().enumerate() {
        let r = r.map_err(|_| ImportError {
            file: file.to_owned(),
            row: Some(i + 1),
            column: None,
            message: "CSV sai cấu trúc (kiểm tra dấu ngoặc kép và dấu phân cách)".into(),
        })?;
        out.push(r.iter().map(nfc).collect());
        if out.len() > 1000 {
            return Err(ImportError::file(file, "biểu số liệu có quá nhiều dòng (tối đa 1000)"));
        }
    }
    Ok(out)
}

fn grid_xlsx(file: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, ImportError> {
    use calamine::{Data, Reader, Xlsx};
    crate::check_zip(file, bytes, crate::MAX_INFLATED_BYTES)?;
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| ImportError::file(file, format!("không đọc được tệp Excel (.xlsx): {e}")))?;
    let sheet = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| ImportError::file(file, "tệp Excel không có trang tính nào"))?;
    let range = wb
        .worksheet_range(&sheet)
        .map_err(|e| ImportError::file(file, format!("không đọc được trang tính «{sheet}»: {e}")))?;
    if range.height() > 1000 {
        return Err(ImportError::file(file, "biểu số liệu có quá nhiều dòng (tối đa 1000)"));
    }
    Ok(range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::String(s) => nfc(s),
                    Data::Int(i) => i.to_string(),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                    Data::Float(f) => f.to_string(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect())
}

/// A label as compared: folded, punctuation and spacing ignored.
fn loose(s: &str) -> String {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads a filled sheet: figures by code. Every row must name a figure of
/// the data set; a figure left empty is absent (not zero).
pub fn read_figures(file: &str, bytes: &[u8], elements: &[DataElement]) -> Result<BTreeMap<String, i64>, ImportError> {
    if bytes.len() as u64 > crate::MAX_FILE_BYTES {
        return Err(ImportError::file(file, "tệp quá lớn"));
    }
    let grid = if bytes.starts_with(b"PK") {
        grid_xlsx(file, bytes)?
    } else {
        grid_csv(file, bytes)?
    };
    let mut rows = grid.into_iter().enumerate();
    let Some((_, header)) = rows.next() else {
        return Err(ImportError::file(file, "tệp rỗng"));
    };
    let find = |name: &str| {
        header
            .iter()
            .position(|h| fold(h.trim_start_matches('\u{feff}')) == fold(name))
    };
    let (Some(label_col), Some(value_col)) = (find(LABEL), find(VALUE)) else {
        return Err(ImportError::file(
            file,
            format!("cần hai cột «{LABEL}» và «{VALUE}» ở dòng đầu"),
        ));
    };
    let code_col = find("Mã chỉ tiêu");
    let mut out = BTreeMap::new();
    for (i, row) in rows {
        let cell = |c: usize| row.get(c).map(|s| s.trim().to_owned()).unwrap_or_default();
        let (label, value) = (cell(label_col), cell(value_col));
        let code = code_col.map(cell).unwrap_or_default();
        if label.is_empty() && code.is_empty() && value.is_empty() {
            continue;
        }
        let err = |column: &str, message: String| ImportError {
            file: file.to_owned(),
            row: Some(i + 1),
            column: Some(column.to_owned()),
            message,
        };
        let element = elements
            .iter()
            .find(|e| (!code.is_empty() && e.code == code) || loose(&e.label) == loose(&label) || e.code == label)
            .ok_or_else(|| err(LABEL, format!("«{label}» không phải chỉ tiêu của biểu báo cáo")))?;
        if value.is_empty() {
            continue;
        }
        let n = parse_count(&value).map_err(|m| err(VALUE, m))?;
        if out.insert(element.code.clone(), n).is_some() {
            return Err(err(LABEL, format!("chỉ tiêu «{}» xuất hiện hai lần", element.label)));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elements() -> Vec<DataElement> {
        canhgiac_domain::submission::data_set(&[("PCTP".into(), "PCTP".into())])
    }

    #[test]
    fn a_filled_template_reads_back() {
        let t = template_csv(&elements()).replace("\"Tin, bài về PCTP\",", "\"Tin, bài về PCTP\",25");
        let t = t.replace("\"Tổng số tiền xử phạt\",", "\"Tổng số tiền xử phạt\",19.500.000");
        let got = read_figures("bieu.csv", t.as_bytes(), &elements()).unwrap();
        assert_eq!(got.get("items-PCTP"), Some(&25));
        assert_eq!(got.get("fine-total"), Some(&19_500_000));
        assert_eq!(got.get("inspections"), None);
    }

    #[test]
    fn hostile_sheets_are_refused_with_the_row() {
        let e = read_figures(
            "b.csv",
            "Chỉ tiêu,Số liệu\nTin bai ve PCTP,-3\n".as_bytes(),
            &elements(),
        )
        .unwrap_err();
        assert_eq!(e.row, Some(2));
        assert!(e.message.contains("-3"), "{e}");
        let e = read_figures("b.csv", "Chỉ tiêu,Số liệu\n=HYPERLINK(1),3\n".as_bytes(), &elements()).unwrap_err();
        assert!(e.message.contains("không phải chỉ tiêu"), "{e}");
        let e = read_figures("b.csv", b"a,b\n1,2\n", &elements()).unwrap_err();
        assert!(e.message.contains("Chỉ tiêu"), "{e}");
        let e = read_figures("b.xlsx", b"PK\x03\x04garbage", &elements()).unwrap_err();
        assert!(e.message.contains("Excel"), "{e}");
        let dup = "Chỉ tiêu,Số liệu\ntin, bài về pctp,1\nTin, bài về PCTP,2\n";
        assert!(read_figures("b.csv", dup.as_bytes(), &elements()).is_err());
    }
}
