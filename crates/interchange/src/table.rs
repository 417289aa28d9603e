//! CSV and XLSX: one record kind per file, one record per row, Vietnamese
//! column headers matched without regard to case or diacritics.
//!
//! Which kinds have table files, their columns and headers all come from the
//! kinds' declarations (`KindMeta::table`, `FieldDef::label`,
//! `FieldDef::in_table`); a cell becomes a field value through
//! `canhgiac_domain::kind::flat_value`, exactly as a form field does.

use std::io::Cursor;

use canhgiac_domain::kind::flat_value;
use canhgiac_domain::{fold, with_record, Dataset, FieldDef, Record, RecordKind};
use serde_json::{Map, Value};

use crate::{vietnamese, ImportError, MAX_ROWS};

/// The columns of a kind's table file, in order.
pub fn columns(kind: RecordKind) -> Vec<&'static FieldDef> {
    kind.meta()
        .fields
        .iter()
        .filter(|f| f.in_table && f.ty.is_flat())
        .collect()
}

/// The headers, in order, for a template file of `kind`.
pub fn headers(kind: RecordKind) -> Vec<&'static str> {
    columns(kind).iter().map(|c| c.label).collect()
}

fn norm_header(h: &str) -> String {
    fold(h).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Matches headers to columns: which kind (if not given), and for each
/// position its column.
fn map_headers(
    file: &str,
    headers: &[String],
    kind: Option<RecordKind>,
) -> Result<(RecordKind, Vec<&'static FieldDef>), ImportError> {
    let normed: Vec<String> = headers.iter().map(|h| norm_header(h)).collect();
    let fits = |k: RecordKind| {
        columns(k)
            .iter()
            .filter(|c| c.required)
            .all(|c| normed.contains(&norm_header(c.label)))
    };
    let kind = match kind {
        Some(k) if k.meta().table.is_some() => k,
        Some(k) => {
            return Err(ImportError::file(
                file,
                format!("không nhập {} từ tệp bảng tính", k.label_vn()),
            ))
        }
        None => {
            let found: Vec<RecordKind> = RecordKind::with_tables().filter(|k| fits(*k)).collect();
            match found.as_slice() {
                [k] => *k,
                [] => {
                    let names: Vec<&str> = RecordKind::with_tables().map(|k| k.label_vn()).collect();
                    return Err(ImportError {
                        file: file.to_owned(),
                        row: Some(1),
                        column: None,
                        message: format!(
                            "dòng tiêu đề không khớp mẫu nào ({}). Xem docs/import-format.md",
                            names.join("; ")
                        ),
                    });
                }
                _ => {
                    return Err(ImportError {
                        file: file.to_owned(),
                        row: Some(1),
                        column: None,
                        message: "dòng tiêu đề khớp nhiều mẫu; hãy chỉ rõ loại bằng --kind".into(),
                    })
                }
            }
        }
    };
    let all = columns(kind);
    let mut cols: Vec<&'static FieldDef> = Vec::with_capacity(headers.len());
    for (h, n) in headers.iter().zip(&normed) {
        let Some(c) = all.iter().copied().find(|c| &norm_header(c.label) == n) else {
            return Err(ImportError {
                file: file.to_owned(),
                row: Some(1),
                column: Some(h.clone()),
                message: format!("cột không thuộc mẫu {}", kind.label_vn()),
            });
        };
        if cols.iter().any(|x| std::ptr::eq(*x, c)) {
            return Err(ImportError {
                file: file.to_owned(),
                row: Some(1),
                column: Some(h.clone()),
                message: "cột bị lặp".into(),
            });
        }
        cols.push(c);
    }
    if let Some(missing) = all
        .iter()
        .find(|c| c.required && !cols.iter().any(|x| std::ptr::eq(*x, **c)))
    {
        return Err(ImportError {
            file: file.to_owned(),
            row: Some(1),
            column: Some(missing.label.to_owned()),
            message: "thiếu cột bắt buộc".into(),
        });
    }
    Ok((kind, cols))
}

fn build<R: Record>(file: &str, row_no: usize, cols: &[&'static FieldDef], cells: &[String]) -> Result<R, ImportError> {
    let mut obj = Map::new();
    for (c, raw) in cols.iter().zip(cells) {
        let v = flat_value(c, raw).map_err(|m| ImportError {
            file: file.to_owned(),
            row: Some(row_no),
            column: Some(c.label.to_owned()),
            message: m,
        })?;
        if let Some(v) = v {
            obj.insert(c.name.to_owned(), v);
        }
    }
    if let Some(t) = &R::META.table {
        for (k, v) in t.defaults {
            obj.entry((*k).to_owned())
                .or_insert_with(|| Value::String((*v).to_owned()));
        }
    }
    serde_path_to_error::deserialize(Value::Object(obj)).map_err(|e| {
        let field = e.path().to_string();
        let field = field.split(['.', '[']).next().unwrap_or("").to_owned();
        let msg = e.into_inner().to_string();
        // A missing field names no path: find it by the message.
        let column = R::META
            .fields
            .iter()
            .find(|c| c.name == field || (field.is_empty() && msg.contains(&format!("`{}`", c.name))))
            .map(|c| c.label.to_owned());
        ImportError {
            file: file.to_owned(),
            row: Some(row_no),
            column,
            message: vietnamese(&msg),
        }
    })
}

/// Turns header + rows of strings into a dataset of one kind.
fn rows_to_dataset(
    file: &str,
    headers: Vec<String>,
    rows: impl Iterator<Item = Result<(usize, Vec<String>), ImportError>>,
    kind: Option<RecordKind>,
) -> Result<Dataset, ImportError> {
    let (kind, cols) = map_headers(file, &headers, kind)?;
    let mut ds = Dataset::default();
    for r in rows {
        let (row_no, cells) = r?;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if row_no > MAX_ROWS + 1 {
            return Err(ImportError {
                file: file.to_owned(),
                row: Some(row_no),
                column: None,
                message: format!("tệp có quá nhiều dòng (tối đa {MAX_ROWS}); hãy chia nhỏ"),
            });
        }
        if cells.len() > cols.len() && cells[cols.len()..].iter().any(|c| !c.trim().is_empty()) {
            return Err(ImportError {
                file: file.to_owned(),
                row: Some(row_no),
                column: None,
                message: format!("dòng có {} ô, nhiều hơn số cột tiêu đề ({})", cells.len(), cols.len()),
            });
        }
        with_record!(
            kind,
            R => ds.section_mut::<R>().push(build::<R>(file, row_no, &cols, &cells)?),
            ()
        );
    }
    Ok(ds)
}

/// Reads a CSV file (comma or semicolon separated; UTF-8 or Windows-1258).
pub fn read_csv(file: &str, bytes: &[u8], kind: Option<RecordKind>) -> Result<Dataset, ImportError> {
    let text = crate::decode_text(bytes);
    let mut rdr = crate::csv_reader(&text);
    let mut records = rdr.records();
    let headers: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(canhgiac_domain::nfc).collect(),
        Some(Err(e)) => return Err(csv_error(file, e)),
        None => return Err(ImportError::file(file, "tệp rỗng")),
    };
    let rows = records.enumerate().map(|(i, r)| {
        r.map(|rec| (i + 2, rec.iter().map(str::to_owned).collect()))
            .map_err(|e| csv_error(file, e))
    });
    rows_to_dataset(file, headers, rows, kind)
}

fn csv_error(file: &str, e: csv::Error) -> ImportError {
    ImportError {
        file: file.to_owned(),
        row: e.position().map(|p| p.line() as usize),
        column: None,
        message: "CSV sai cấu trúc (kiểm tra dấu ngoặc kép và dấu phân cách)".into(),
    }
}

/// Reads the first worksheet of an XLSX workbook. A formula cell is read as
/// its formula text (`=HYPERLINK(…)`), never evaluated or trusted.
pub fn read_xlsx(file: &str, bytes: &[u8], kind: Option<RecordKind>) -> Result<Dataset, ImportError> {
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
    let formulas = wb.worksheet_formula(&sheet).ok();
    let (h, w) = range.get_size();
    if h > MAX_ROWS + 1 {
        return Err(ImportError::file(
            file,
            format!("tệp có quá nhiều dòng (tối đa {MAX_ROWS}); hãy chia nhỏ"),
        ));
    }
    let start = range.start().unwrap_or((0, 0));
    let text_of = |r: usize, c: usize| -> Result<String, ImportError> {
        let abs = (start.0 + r as u32, start.1 + c as u32);
        if let Some(f) = formulas.as_ref().and_then(|f| f.get_value(abs)) {
            if !f.is_empty() {
                return Ok(format!("={f}"));
            }
        }
        Ok(match range.get((r, c)) {
            None | Some(Data::Empty) => String::new(),
            Some(Data::String(s)) => s.clone(),
            Some(Data::Int(i)) => i.to_string(),
            Some(Data::Float(f)) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Some(Data::Float(f)) => f.to_string().replace('.', ","),
            Some(Data::Bool(b)) => if *b { "có" } else { "không" }.to_owned(),
            Some(Data::DateTime(d)) => match d.as_datetime() {
                Some(dt) => dt.format("%d/%m/%Y").to_string(),
                None => d.to_string(),
            },
            Some(Data::DateTimeIso(s)) | Some(Data::DurationIso(s)) => s.clone(),
            Some(Data::Error(e)) => {
                return Err(ImportError {
                    file: file.to_owned(),
                    row: Some(r + 1),
                    column: None,
                    message: format!("ô bị lỗi ({e:?})"),
                })
            }
        })
    };
    if h == 0 {
        return Err(ImportError::file(file, "trang tính rỗng"));
    }
    let headers: Vec<String> = (0..w)
        .map(|c| text_of(0, c).map(|s| canhgiac_domain::nfc(&s)))
        .collect::<Result<_, _>>()?;
    // Trailing empty header cells are not columns.
    let width = headers.iter().rposition(|s| !s.is_empty()).map_or(0, |p| p + 1);
    let headers = headers[..width].to_vec();
    let rows = (1..h).map(|r| {
        let cells = (0..w).map(|c| text_of(r, c)).collect::<Result<Vec<_>, _>>()?;
        Ok((start.0 as usize + r + 1, cells))
    });
    rows_to_dataset(file, headers, rows, kind)
}
