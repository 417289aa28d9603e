//! CSV and XLSX: one record kind per file, one record per row, Vietnamese
//! column headers matched without regard to case or diacritics.

use std::io::Cursor;

use canhgiac_domain::{fold, Dataset, InspectionSubject, MediaItem, SanctionDecision};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::{vietnamese, ImportError, MAX_ROWS};

/// The record kinds a table file can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKind {
    MediaItems,
    Directives,
    InspectionSubjects,
    Sanctions,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cell {
    Text,
    /// `PCTP; PCMT`: split on `;` (or `,` when there is no `;`).
    List,
    /// `có` / `không`, `x`, `1` / `0`, `true` / `false`.
    Bool,
}

struct Col {
    header: &'static str,
    field: &'static str,
    cell: Cell,
    required: bool,
}

const fn col(header: &'static str, field: &'static str, cell: Cell, required: bool) -> Col {
    Col {
        header,
        field,
        cell,
        required,
    }
}

const MEDIA_ITEMS: &[Col] = &[
    col("Cơ quan báo chí", "outlet", Cell::Text, true),
    col("Chuyên mục", "programme", Cell::Text, false),
    col("Loại tin bài", "kind", Cell::Text, true),
    col("Tiêu đề", "title", Cell::Text, true),
    col("Đường dẫn", "url", Cell::Text, false),
    col("Ngày đăng", "published_on", Cell::Text, true),
    col("Chủ đề", "topics", Cell::List, false),
    col("Tiêu biểu", "featured", Cell::Bool, false),
    col("Tóm tắt", "summary", Cell::Text, false),
    col("Nội dung", "body", Cell::Text, false),
];

const DIRECTIVES: &[Col] = &[
    col("Số, ký hiệu", "number", Cell::Text, false),
    col("Loại văn bản", "kind", Cell::Text, true),
    col("Ngày ban hành", "issued_on", Cell::Text, true),
    col("Trích yếu", "title", Cell::Text, true),
    col("Cơ quan ban hành", "issuer", Cell::Text, true),
    col("Chủ đề", "topics", Cell::List, false),
    col("Nơi nhận", "recipients", Cell::List, false),
    col("Ghi chú", "note", Cell::Text, false),
];

const SUBJECTS: &[Col] = &[
    col("Cuộc thanh tra, kiểm tra", "inspection", Cell::Text, true),
    col("Tên đối tượng", "name", Cell::Text, true),
    col("Loại đối tượng", "kind", Cell::Text, true),
    col("Địa chỉ", "address", Cell::Text, false),
    col("Có vi phạm", "violation_found", Cell::Bool, false),
    col("Kết quả", "findings", Cell::Text, false),
];

const SANCTIONS: &[Col] = &[
    col("Số quyết định", "number", Cell::Text, true),
    col("Ngày ban hành", "issued_on", Cell::Text, true),
    col("Loại đối tượng", "subject_kind", Cell::Text, true),
    col("Tên đối tượng", "subject_name", Cell::Text, true),
    col("Tài khoản", "subject_account", Cell::Text, false),
    col("Hành vi vi phạm", "violation", Cell::Text, true),
    col("Căn cứ pháp lý", "legal_basis", Cell::Text, false),
    col("Số tiền phạt", "fine", Cell::Text, true),
    col("Biện pháp khắc phục", "remedies", Cell::List, false),
    col("Người ra quyết định", "issuer", Cell::Text, true),
    col("Do cơ quan ban hành", "issued_by_agency", Cell::Bool, false),
    col("Vụ việc", "case", Cell::Text, false),
    col("Mã cuộc thanh tra, kiểm tra", "inspection", Cell::Text, false),
];

impl TableKind {
    pub const ALL: &'static [TableKind] = &[
        TableKind::MediaItems,
        TableKind::Directives,
        TableKind::InspectionSubjects,
        TableKind::Sanctions,
    ];

    fn columns(self) -> &'static [Col] {
        match self {
            TableKind::MediaItems => MEDIA_ITEMS,
            TableKind::Directives => DIRECTIVES,
            TableKind::InspectionSubjects => SUBJECTS,
            TableKind::Sanctions => SANCTIONS,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            TableKind::MediaItems => "media-items",
            TableKind::Directives => "directives",
            TableKind::InspectionSubjects => "inspection-subjects",
            TableKind::Sanctions => "sanctions",
        }
    }

    pub fn label_vn(self) -> &'static str {
        match self {
            TableKind::MediaItems => "tin, bài",
            TableKind::Directives => "văn bản chỉ đạo",
            TableKind::InspectionSubjects => "đối tượng thanh tra, kiểm tra",
            TableKind::Sanctions => "quyết định xử phạt",
        }
    }

    pub fn parse(s: &str) -> Option<TableKind> {
        TableKind::ALL.iter().copied().find(|k| k.code() == s.trim())
    }

    /// The headers, in order, for a template file.
    pub fn headers(self) -> Vec<&'static str> {
        self.columns().iter().map(|c| c.header).collect()
    }
}

fn norm_header(h: &str) -> String {
    fold(h).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Matches headers to columns: which kind (if not given), and for each
/// position its column.
fn map_headers(
    file: &str,
    headers: &[String],
    kind: Option<TableKind>,
) -> Result<(TableKind, Vec<&'static Col>), ImportError> {
    let normed: Vec<String> = headers.iter().map(|h| norm_header(h)).collect();
    let fits = |k: TableKind| {
        k.columns()
            .iter()
            .filter(|c| c.required)
            .all(|c| normed.contains(&norm_header(c.header)))
    };
    let kind = match kind {
        Some(k) => k,
        None => {
            let found: Vec<TableKind> = TableKind::ALL.iter().copied().filter(|k| fits(*k)).collect();
            match found.as_slice() {
                [k] => *k,
                [] => {
                    return Err(ImportError {
                        file: file.to_owned(),
                        row: Some(1),
                        column: None,
                        message: "dòng tiêu đề không khớp mẫu nào (tin, bài; văn bản chỉ đạo; đối tượng thanh tra, kiểm tra; quyết định xử phạt). Xem docs/import-format.md".into(),
                    })
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
    let mut cols = Vec::with_capacity(headers.len());
    for (h, n) in headers.iter().zip(&normed) {
        let Some(c) = kind.columns().iter().find(|c| &norm_header(c.header) == n) else {
            return Err(ImportError {
                file: file.to_owned(),
                row: Some(1),
                column: Some(h.clone()),
                message: format!("cột không thuộc mẫu {}", kind.label_vn()),
            });
        };
        if cols.iter().any(|x: &&Col| std::ptr::eq(*x, c)) {
            return Err(ImportError {
                file: file.to_owned(),
                row: Some(1),
                column: Some(h.clone()),
                message: "cột bị lặp".into(),
            });
        }
        cols.push(c);
    }
    if let Some(missing) = kind
        .columns()
        .iter()
        .find(|c| c.required && !cols.iter().any(|x| std::ptr::eq(*x, *c)))
    {
        return Err(ImportError {
            file: file.to_owned(),
            row: Some(1),
            column: Some(missing.header.to_owned()),
            message: "thiếu cột bắt buộc".into(),
        });
    }
    Ok((kind, cols))
}

fn cell_value(c: &Col, raw: &str) -> Result<Option<Value>, String> {
    let t = canhgiac_domain::nfc(raw);
    if t.is_empty() {
        return Ok(None);
    }
    Ok(Some(match c.cell {
        Cell::Text => Value::String(t),
        Cell::List => {
            let sep = if t.contains(';') { ';' } else { ',' };
            let sep = if c.field == "topics" { sep } else { ';' };
            Value::Array(
                t.split(sep)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_owned()))
                    .collect(),
            )
        }
        Cell::Bool => match fold(&t).as_str() {
            "co" | "x" | "1" | "true" | "dung" | "yes" => Value::Bool(true),
            "khong" | "0" | "false" | "sai" | "no" => Value::Bool(false),
            _ => return Err(format!("«{t}» không phải có/không")),
        },
    }))
}

fn build<R: DeserializeOwned>(
    file: &str,
    row_no: usize,
    cols: &[&'static Col],
    cells: &[String],
    extra: &[(&str, Value)],
) -> Result<R, ImportError> {
    let mut obj = Map::new();
    for (c, raw) in cols.iter().zip(cells) {
        let v = cell_value(c, raw).map_err(|m| ImportError {
            file: file.to_owned(),
            row: Some(row_no),
            column: Some(c.header.to_owned()),
            message: m,
        })?;
        if let Some(v) = v {
            obj.insert(c.field.to_owned(), v);
        }
    }
    for (k, v) in extra {
        obj.entry((*k).to_owned()).or_insert_with(|| v.clone());
    }
    serde_path_to_error::deserialize(Value::Object(obj)).map_err(|e| {
        let field = e.path().to_string();
        let field = field.split(['.', '[']).next().unwrap_or("").to_owned();
        let msg = e.into_inner().to_string();
        let column = cols
            .iter()
            .find(|c| c.field == field)
            .map(|c| c.header.to_owned())
            .or_else(|| {
                // A missing field names no path: find the header by the message.
                cols.first().and_then(|_| {
                    [MEDIA_ITEMS, DIRECTIVES, SUBJECTS, SANCTIONS]
                        .iter()
                        .flat_map(|cs| cs.iter())
                        .find(|c| msg.contains(&format!("`{}`", c.field)))
                        .map(|c| c.header.to_owned())
                })
            });
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
    kind: Option<TableKind>,
) -> Result<Dataset, ImportError> {
    let (kind, cols) = map_headers(file, &headers, kind)?;
    let mut ds = Dataset::default();
    let import_source = [("source", Value::String("import".into()))];
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
        match kind {
            TableKind::MediaItems => {
                ds.media_items
                    .push(build::<MediaItem>(file, row_no, &cols, &cells, &import_source)?)
            }
            TableKind::Directives => ds.directives.push(build(file, row_no, &cols, &cells, &[])?),
            TableKind::InspectionSubjects => {
                ds.inspection_subjects
                    .push(build::<InspectionSubject>(file, row_no, &cols, &cells, &[])?)
            }
            TableKind::Sanctions => {
                ds.sanction_decisions
                    .push(build::<SanctionDecision>(file, row_no, &cols, &cells, &[])?)
            }
        }
    }
    Ok(ds)
}

/// Reads a CSV file (comma or semicolon separated; UTF-8 or Windows-1258).
pub fn read_csv(file: &str, bytes: &[u8], kind: Option<TableKind>) -> Result<Dataset, ImportError> {
    let text = crate::decode_text(bytes);
    let first_line = text.lines().next().unwrap_or("");
    let delim = if first_line.matches(';').count() > first_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
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
pub fn read_xlsx(file: &str, bytes: &[u8], kind: Option<TableKind>) -> Result<Dataset, ImportError> {
    use calamine::{Data, Reader, Xlsx};
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
