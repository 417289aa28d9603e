//! PDF through LibreOffice: the DOCX is converted by `soffice --headless`,
//! so the PDF has the DOCX's layout. Needs LibreOffice Writer installed
//! (Debian: `libreoffice-writer-nogui`, and `fonts-liberation` for a
//! metric-compatible Times New Roman); nothing is downloaded.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::ReportError;

/// The LibreOffice program: `CANHGIAC_SOFFICE`, else `soffice` or
/// `libreoffice` on the PATH.
pub fn soffice() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CANHGIAC_SOFFICE") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["soffice", "libreoffice"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Converts DOCX bytes to PDF bytes.
pub fn from_docx(docx: &[u8]) -> Result<Vec<u8>, ReportError> {
    let bin = soffice().ok_or_else(|| {
        ReportError::Render(
            "xuất PDF cần LibreOffice (gói libreoffice-writer-nogui); hãy cài đặt hoặc đặt biến CANHGIAC_SOFFICE"
                .into(),
        )
    })?;
    let dir = tempfile::tempdir().map_err(|e| ReportError::Render(e.to_string()))?;
    let input = dir.path().join("bao-cao.docx");
    std::fs::write(&input, docx).map_err(|e| ReportError::Render(e.to_string()))?;
    let profile = dir.path().join("profile");
    let mut child = Command::new(&bin)
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args([
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(&input)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| ReportError::Render(format!("không chạy được LibreOffice ({}): {e}", bin.display())))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > Duration::from_secs(180) => {
                let _ = child.kill();
                return Err(ReportError::Render(
                    "LibreOffice chuyển đổi quá lâu (quá 180 giây)".into(),
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(ReportError::Render(e.to_string())),
        }
    }
    let out = dir.path().join("bao-cao.pdf");
    std::fs::read(&out).map_err(|_| ReportError::Render("LibreOffice không tạo được tệp PDF".into()))
}
