//! The JSON format: an envelope with a format name and schema version, and
//! the records by kind. See `docs/import-format.md`.

use canhgiac_domain::{Dataset, Timestamp};
use serde::{Deserialize, Serialize};

use crate::{vietnamese, ImportError};

pub const FORMAT_NAME: &str = "canhgiac";
/// The version of the JSON schema this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    pub format: String,
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exported_at: Option<Timestamp>,
    /// Free notes about the data (provenance, caveats).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub records: Dataset,
}

impl Envelope {
    pub fn new(records: Dataset) -> Self {
        Envelope {
            format: FORMAT_NAME.to_owned(),
            schema_version: SCHEMA_VERSION,
            exported_at: Some(Timestamp::now()),
            notes: Vec::new(),
            records,
        }
    }
}

/// Only the header, read first so a wrong version is reported as such.
#[derive(Deserialize)]
struct Header {
    format: Option<serde_json::Value>,
    schema_version: Option<serde_json::Value>,
}

fn syntax(file: &str, e: &serde_json::Error) -> ImportError {
    ImportError {
        file: file.to_owned(),
        row: Some(e.line()),
        column: None,
        message: format!("JSON sai cú pháp hoặc bị cắt cụt (cột ký tự {})", e.column()),
    }
}

pub fn read_json(file: &str, bytes: &[u8]) -> Result<Envelope, ImportError> {
    let text = crate::decode_text(bytes);
    if !text.trim_start().starts_with('{') {
        return Err(ImportError::file(
            file,
            "tệp JSON phải là một đối tượng có «format» và «schema_version»",
        ));
    }
    let header: Header = serde_json::from_str(&text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => {
            ImportError::file(file, "tệp JSON phải là một đối tượng có «format» và «schema_version»")
        }
        _ => syntax(file, &e),
    })?;
    match header.format.as_ref().and_then(|f| f.as_str()) {
        Some(FORMAT_NAME) => {}
        _ => {
            return Err(ImportError::file(
                file,
                format!("không phải tệp dữ liệu canhgiac (cần \"format\": \"{FORMAT_NAME}\")"),
            ))
        }
    }
    match header.schema_version.as_ref().and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(SCHEMA_VERSION) => {}
        Some(v) => {
            return Err(ImportError::file(
                file,
                format!("phiên bản định dạng {v} không được hỗ trợ (chương trình này đọc phiên bản {SCHEMA_VERSION})"),
            ))
        }
        None => return Err(ImportError::file(file, "thiếu hoặc sai «schema_version»")),
    }
    let mut de = serde_json::Deserializer::from_str(&text);
    let env: Envelope = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.classify() != serde_json::error::Category::Data {
            return syntax(file, &inner);
        }
        let (row, column) = locate(&path);
        ImportError {
            file: file.to_owned(),
            row,
            column: Some(column),
            message: vietnamese(&inner.to_string()),
        }
    })?;
    de.end().map_err(|e| syntax(file, &e))?;
    Ok(env)
}

/// `records.media_items[3].published_on` → record 4, `media_items[3].published_on`.
fn locate(path: &str) -> (Option<usize>, String) {
    let p = path.strip_prefix("records.").unwrap_or(path).to_owned();
    let row = p
        .split_once('[')
        .and_then(|(_, rest)| rest.split_once(']'))
        .and_then(|(n, _)| n.parse::<usize>().ok())
        .map(|n| n + 1);
    (row, p)
}

pub fn write_json<W: std::io::Write>(w: W, env: &Envelope) -> Result<(), serde_json::Error> {
    serde_json::to_writer_pretty(w, env)
}
