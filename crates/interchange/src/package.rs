//! Signed submission packages: how a child agency's report travels to a
//! parent that runs another installation.
//!
//! A package is one JSON document: the format name, the manifest (what the
//! submission says, with each file's SHA-256), the files in base64, the
//! sender's Ed25519 public key, and its signature over the manifest's
//! canonical bytes. A package must be in canonical form (the bytes this
//! module writes), so every byte of it is covered: a changed byte either
//! breaks the form, the signature, or a file's hash. Whether the key is the
//! one registered for the sender is the receiver's store's check.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use canhgiac_domain::submission::{FileEntry, Manifest};
use canhgiac_secrets::sha256_hex;
use serde::{Deserialize, Serialize};

/// The format name a package carries.
pub const PACKAGE_FORMAT: &str = "canhgiac.goi-bao-cao/1";

/// The largest package accepted: 64 MiB.
pub const MAX_PACKAGE_BYTES: usize = 64 * 1024 * 1024;

/// Why a package was refused, in Vietnamese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackageError {
    #[error("gói báo cáo quá lớn ({0} byte; tối đa 64 MiB)")]
    TooLarge(usize),
    #[error("tệp không phải gói báo cáo hợp lệ: {0}")]
    Malformed(String),
    #[error("gói báo cáo có định dạng «{0}», hệ thống chỉ nhận «{PACKAGE_FORMAT}»")]
    Format(String),
    #[error("gói báo cáo đã bị thay đổi sau khi ký (nội dung không còn ở dạng gốc)")]
    Altered,
    #[error("gói báo cáo chưa được ký số")]
    Unsigned,
    #[error("chữ ký số của gói báo cáo không hợp lệ: {0}")]
    Signature(String),
    #[error("tệp «{0}» trong gói không khớp với danh mục (đã bị thay đổi, thiếu hoặc thừa)")]
    File(String),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackedFile {
    name: String,
    data: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Package {
    format: String,
    manifest: Manifest,
    files: Vec<PackedFile>,
    public_key: String,
    signature: String,
}

/// An opened package whose signature and files check out.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    pub manifest: Manifest,
    pub public_key: String,
    pub signature: String,
    /// (name, media type, bytes), as the manifest lists them.
    pub files: Vec<(String, String, Vec<u8>)>,
}

/// The manifest entries of files (name, media type, bytes): name, type,
/// SHA-256 and size.
pub fn entries(files: &[(String, String, Vec<u8>)]) -> Vec<FileEntry> {
    files
        .iter()
        .map(|(name, media_type, bytes)| FileEntry {
            name: name.clone(),
            media_type: media_type.clone(),
            sha256: sha256_hex(bytes),
            size: bytes.len() as i64,
        })
        .collect()
}

/// Builds and signs a package. The manifest's file list is set from
/// `files` (name, media type, bytes).
pub fn seal(
    manifest: &Manifest,
    files: &[(String, String, Vec<u8>)],
    public_key: &str,
    secret: &str,
) -> Result<Vec<u8>, PackageError> {
    let mut m = manifest.clone();
    m.files = entries(files);
    let signature = canhgiac_secrets::signing::sign(secret, &m.canonical_bytes())
        .map_err(|e| PackageError::Signature(e.to_string()))?;
    let p = Package {
        format: PACKAGE_FORMAT.into(),
        manifest: m,
        files: files
            .iter()
            .map(|(name, _, bytes)| PackedFile {
                name: name.clone(),
                data: B64.encode(bytes),
            })
            .collect(),
        public_key: public_key.trim().to_owned(),
        signature,
    };
    serde_json::to_vec(&p).map_err(|e| PackageError::Malformed(e.to_string()))
}

/// Reads a package and checks its form, files and signature against the
/// key it names. The caller checks that key is registered for the sender.
pub fn open(bytes: &[u8]) -> Result<Opened, PackageError> {
    if bytes.len() > MAX_PACKAGE_BYTES {
        return Err(PackageError::TooLarge(bytes.len()));
    }
    let p: Package = serde_json::from_slice(bytes).map_err(|e| PackageError::Malformed(e.to_string()))?;
    if p.format != PACKAGE_FORMAT {
        return Err(PackageError::Format(p.format));
    }
    if p.signature.is_empty() || p.public_key.is_empty() {
        return Err(PackageError::Unsigned);
    }
    let canonical = serde_json::to_vec(&p).map_err(|e| PackageError::Malformed(e.to_string()))?;
    if canonical != bytes {
        return Err(PackageError::Altered);
    }
    canhgiac_secrets::signing::verify(&p.public_key, &p.manifest.canonical_bytes(), &p.signature)
        .map_err(|e| PackageError::Signature(e.to_string()))?;
    let mut names: Vec<&str> = p.manifest.files.iter().map(|f| f.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    if p.files.len() != p.manifest.files.len() || names.len() != p.manifest.files.len() {
        return Err(PackageError::File("(số tệp)".into()));
    }
    let mut files = Vec::new();
    for entry in &p.manifest.files {
        let Some(f) = p.files.iter().find(|f| f.name == entry.name) else {
            return Err(PackageError::File(entry.name.clone()));
        };
        let data = B64
            .decode(&f.data)
            .map_err(|_| PackageError::File(entry.name.clone()))?;
        if sha256_hex(&data) != entry.sha256 || data.len() as i64 != entry.size {
            return Err(PackageError::File(entry.name.clone()));
        }
        files.push((entry.name.clone(), entry.media_type.clone(), data));
    }
    Ok(Opened {
        manifest: p.manifest,
        public_key: p.public_key,
        signature: p.signature,
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use canhgiac_domain::submission::{CallRef, FigureSource, FigureValue, MANIFEST_FORMAT};

    fn manifest() -> Manifest {
        Manifest {
            format: MANIFEST_FORMAT.into(),
            call: CallRef {
                requester: "bcd".into(),
                number: "2023/BCĐ-CAT".into(),
                issued_on: canhgiac_domain::Date::parse("2024-05-20").unwrap(),
                report_kind: canhgiac_domain::ReportKind::HalfYear,
                period: "2024-H1".parse().unwrap(),
            },
            agency: "stttt".into(),
            agency_name: "Sở Thông tin và Truyền thông".into(),
            submitted_at: canhgiac_domain::Timestamp::parse("2024-06-10T02:00:00Z").unwrap(),
            submitted_by: "a".into(),
            figures: vec![FigureValue {
                code: "items-PCTP".into(),
                label: "Tin, bài về PCTP".into(),
                value: 25,
                records: Some(25),
                source: FigureSource::Computed,
            }],
            sections: [("chi-dao".to_owned(), "Ban hành 05 văn bản".to_owned())]
                .into_iter()
                .collect(),
            directives: vec![],
            notes: vec![],
            files: vec![],
            issued_report: None,
        }
    }

    #[test]
    fn every_changed_byte_is_refused() {
        let (secret, public) = canhgiac_secrets::signing::generate_keypair();
        let files = vec![(
            "bao-cao.md".to_owned(),
            "text/markdown".to_owned(),
            "# Báo cáo".as_bytes().to_vec(),
        )];
        let bytes = seal(&manifest(), &files, &public, &secret).unwrap();
        let opened = open(&bytes).unwrap();
        assert_eq!(opened.files, files);
        assert_eq!(opened.public_key, public);
        assert_eq!(opened.manifest.files.len(), 1);
        for i in 0..bytes.len() {
            let mut changed = bytes.clone();
            changed[i] ^= 0x01;
            assert!(
                open(&changed).is_err(),
                "byte {i} ({:?}) changed and accepted",
                bytes[i] as char
            );
        }
    }

    #[test]
    fn unsigned_foreign_and_huge_packages_are_refused() {
        let (secret, public) = canhgiac_secrets::signing::generate_keypair();
        let (_, other) = canhgiac_secrets::signing::generate_keypair();
        let bytes = seal(&manifest(), &[], &other, &secret).unwrap();
        assert!(matches!(open(&bytes), Err(PackageError::Signature(_))));
        let good = String::from_utf8(seal(&manifest(), &[], &public, &secret).unwrap()).unwrap();
        let sig_start = good.find("\"signature\":\"").unwrap() + 13;
        let sig_end = good[sig_start..].find('"').unwrap() + sig_start;
        let unsigned = format!("{}{}", &good[..sig_start], &good[sig_end..]);
        assert_eq!(open(unsigned.as_bytes()), Err(PackageError::Unsigned));
        assert!(matches!(open(b"{\"format\":1}"), Err(PackageError::Malformed(_))));
        assert!(matches!(open(b"\xff\xfe"), Err(PackageError::Malformed(_))));
        let huge = vec![b' '; MAX_PACKAGE_BYTES + 1];
        assert!(matches!(open(&huge), Err(PackageError::TooLarge(_))));
        let pretty = good.replace(",\"", ", \"");
        assert_eq!(open(pretty.as_bytes()), Err(PackageError::Altered));
    }
}
