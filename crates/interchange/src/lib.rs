//! The formats records travel in.
//!
//! - JSON: the whole dataset, versioned (`docs/import-format.md`);
//! - CSV and XLSX: one record kind per file, Vietnamese column headers;
//! - signed submission packages between installations (`package`);
//! - figures of a data-entry form as CSV or XLSX (`figures`);
//! - exported lists, as people see them, to CSV or XLSX (`sheet`: the one
//!   writer here).
//!
//! Every reader is all-or-nothing: it returns a complete [`Dataset`] or the
//! first error, naming the file, the row and the column, in Vietnamese.
//! Readers never touch storage; the store writes the dataset in one
//! transaction.
//!
//! Invariants: input larger than [`MAX_FILE_BYTES`] is refused before it is
//! read; text is decoded (UTF-8, or Windows-1258 for legacy files) and
//! normalised to NFC before parsing; a cell is always data, never a formula.

pub mod figures;
mod json;
pub mod package;
pub mod sheet;
mod table;

use std::fmt;
use std::path::Path;

pub use canhgiac_domain::Dataset;
pub use json::{read_json, write_json, Envelope, FORMAT_NAME, SCHEMA_VERSION};
pub use table::{columns, headers, read_csv, read_xlsx};

/// The largest file an import accepts: 64 MiB.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The most data rows a CSV or XLSX file may hold.
pub const MAX_ROWS: usize = 500_000;

/// The most an XLSX workbook may inflate to, all its parts together: 512 MiB.
/// A workbook of [`MAX_ROWS`] ordinary rows stays well under it.
pub const MAX_INFLATED_BYTES: u64 = 512 * 1024 * 1024;

/// The most parts an XLSX workbook may hold.
pub const MAX_ZIP_ENTRIES: usize = 10_000;

/// Refuses a zip archive (an XLSX workbook) that inflates past `limit`
/// bytes or holds too many parts, before any XML parser sees it. The parts
/// are inflated into nothing, counting as they stream: the sizes the archive
/// declares are not trusted, so a bomb stops at `limit` + 1 bytes.
pub fn check_zip(file: &str, bytes: &[u8], limit: u64) -> Result<(), ImportError> {
    use std::io::Read;
    let unreadable = |e: &dyn fmt::Display| ImportError::file(file, format!("không đọc được tệp Excel (.xlsx): {e}"));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(ImportError::file(
            file,
            format!("tệp Excel có quá nhiều phần ({}; tối đa {MAX_ZIP_ENTRIES})", zip.len()),
        ));
    }
    let mut left = limit;
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(|e| unreadable(&e))?;
        let n = std::io::copy(&mut part.take(left + 1), &mut std::io::sink()).map_err(|e| unreadable(&e))?;
        if n > left {
            return Err(ImportError::file(
                file,
                format!(
                    "tệp Excel giải nén ra quá {} MB (tệp nén bất thường, có thể là «bom nén»); không nhập",
                    limit / (1024 * 1024)
                ),
            ));
        }
        left -= n;
    }
    Ok(())
}

/// Why a file was refused: where, and what is wrong, in Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ImportError {
    pub file: String,
    /// 1-based: the line of a CSV or XLSX (header is row 1), the record
    /// number within its section for JSON.
    pub row: Option<usize>,
    /// The column header (CSV, XLSX) or field path (JSON).
    pub column: Option<String>,
    pub message: String,
}

impl ImportError {
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        ImportError {
            file: file.to_owned(),
            row: None,
            column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tệp «{}»", self.file)?;
        if let Some(r) = self.row {
            write!(f, ", dòng {r}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", cột «{c}»")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The formats a file can be in, from its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Json,
    Csv,
    Xlsx,
}

impl FileFormat {
    pub fn from_path(path: &Path) -> Option<FileFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(FileFormat::Json),
            "csv" | "txt" => Some(FileFormat::Csv),
            "xlsx" => Some(FileFormat::Xlsx),
            _ => None,
        }
    }
}

/// A CSV reader over decoded text, its delimiter guessed from the first
/// line (`;` where it outnumbers `,`, as Excel writes in some locales);
/// rows may differ in length, headers are read as a row.
pub(crate) fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    let first = text.lines().next().unwrap_or("");
    let delim = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// Reads a file whole, refusing it first if it is too large.
pub fn read_limited(path: &Path) -> Result<Vec<u8>, ImportError> {
    let name = display_name(path);
    let meta = std::fs::metadata(path).map_err(|e| ImportError::file(&name, format!("không đọc được tệp ({e})")))?;
    if !meta.is_file() {
        return Err(ImportError::file(&name, "không phải là tệp"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ImportError::file(
            &name,
            format!(
                "tệp quá lớn ({} MB; tối đa {} MB). Hãy chia thành nhiều tệp nhỏ hơn",
                meta.len() / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    std::fs::read(path).map_err(|e| ImportError::file(&name, format!("không đọc được tệp ({e})")))
}

/// Reads any supported file into a dataset.
pub fn read_file(path: &Path, kind: Option<canhgiac_domain::RecordKind>) -> Result<Dataset, ImportError> {
    let name = display_name(path);
    let format = FileFormat::from_path(path)
        .ok_or_else(|| ImportError::file(&name, "không nhận ra định dạng tệp (chỉ nhận .json, .csv, .xlsx)"))?;
    let bytes = read_limited(path)?;
    match format {
        FileFormat::Json => read_json(&name, &bytes).map(|e| e.records),
        FileFormat::Csv => read_csv(&name, &bytes, kind),
        FileFormat::Xlsx => read_xlsx(&name, &bytes, kind),
    }
}

pub fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Decodes text bytes: UTF-8 (with or without BOM), UTF-16 with BOM, or
/// else Windows-1258, the legacy Vietnamese code page. Returns NFC text.
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (s, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        return canhgiac_domain::text::nfc_keep_space(&s);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => canhgiac_domain::text::nfc_keep_space(s),
        Err(_) => {
            let (s, _) = encoding_rs::WINDOWS_1258.decode_without_bom_handling(bytes);
            canhgiac_domain::text::nfc_keep_space(&s)
        }
    }
}

/// Serde's English messages, in Vietnamese.
pub fn vietnamese(msg: &str) -> String {
    let msg = match msg.rsplit_once(" at line ") {
        Some((m, pos)) if pos.contains(" column ") => m,
        _ => msg,
    };
    let between = |s: &str| -> String { s.split('`').nth(1).unwrap_or(s).to_owned() };
    if msg.starts_with("missing field") {
        format!("thiếu trường bắt buộc «{}»", between(msg))
    } else if msg.starts_with("unknown field") {
        format!("trường «{}» không có trong định dạng", between(msg))
    } else if msg.starts_with("duplicate field") {
        format!("trường «{}» xuất hiện hai lần", between(msg))
    } else if let Some(rest) = msg.strip_prefix("invalid type: ") {
        let got = rest.split(", expected").next().unwrap_or(rest);
        let got = got
            .replace("string", "chuỗi")
            .replace("integer", "số nguyên")
            .replace("floating point", "số thập phân")
            .replace("boolean", "đúng/sai")
            .replace("sequence", "danh sách")
            .replace("map", "đối tượng")
            .replace("null", "rỗng");
        format!("sai kiểu dữ liệu (nhận được {got})")
    } else if msg.starts_with("invalid value") {
        format!("giá trị không hợp lệ ({msg})")
    } else if msg.starts_with("invalid length") {
        "số phần tử không đúng".to_owned()
    } else {
        msg.to_owned()
    }
}
