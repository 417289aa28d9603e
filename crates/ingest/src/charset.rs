//! Bytes to NFC text. The charset comes from a byte-order mark, else the
//! HTTP header, else the XML prolog or the HTML `<meta>`; Vietnamese sites
//! still serve windows-1258, some NFD. A body that is valid UTF-8 is read
//! as UTF-8 whatever a header claims: a legacy 8-bit Vietnamese text is
//! practically never valid UTF-8, while servers that send UTF-8 under a
//! stale `charset=iso-8859-1` are common. A body that claims UTF-8 (or
//! claims nothing) and is not is refused, never guessed at; a header that
//! claims UTF-8 over bytes that are not gives way to the document's own
//! declaration (a windows-1258 page behind a server that says UTF-8).

use encoding_rs::{Encoding, UTF_8};

use crate::IngestError;

/// The charset a `Content-Type` header names (`text/xml; charset=…`).
pub fn from_header(content_type: &str) -> Option<&'static Encoding> {
    content_type
        .split(';')
        .skip(1)
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
        .and_then(|(_, v)| Encoding::for_label(v.trim().trim_matches(['"', '\'']).as_bytes()))
}

/// The charset the document declares in its first 2 KB: an XML prolog's
/// `encoding="…"`, or an HTML `<meta charset>` / `content="…charset=…"`.
pub fn from_document(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(2048)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    if head.trim_start().starts_with("<?xml") {
        let prolog = &head[..head.find("?>").unwrap_or(head.len())];
        if let Some(e) = attribute(prolog, "encoding") {
            return Encoding::for_label(e.as_bytes());
        }
    }
    let at = head.find("charset=")?;
    let rest = head[at + "charset=".len()..].trim_start_matches(['"', '\'']);
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    Encoding::for_label(&rest.as_bytes()[..end])
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!("{name}="))?;
    let rest = &tag[at + name.len() + 1..];
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    rest.find(quote).map(|end| &rest[..end])
}

/// Decodes a fetched body to NFC text (see the module's rules).
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Result<String, IngestError> {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            return Err(IngestError::Encoding(format!(
                "nội dung không đúng bảng mã {} mà dấu BOM khai báo",
                enc.name()
            )));
        }
        return Ok(canhgiac_domain::nfc(&text));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(canhgiac_domain::nfc(text));
    }
    // Not UTF-8: the header's charset, unless it claims UTF-8 (wrongly, as
    // just seen), then the document's own declaration.
    let declared = content_type
        .and_then(from_header)
        .filter(|e| *e != UTF_8)
        .or_else(|| from_document(bytes));
    match declared {
        Some(enc) if enc != UTF_8 => {
            let (text, _, had_errors) = enc.decode(bytes);
            if had_errors {
                return Err(IngestError::Encoding(format!(
                    "nội dung không đúng bảng mã {} đã khai báo",
                    enc.name()
                )));
            }
            Ok(canhgiac_domain::nfc(&text))
        }
        _ => Err(IngestError::Encoding(
            "nội dung không phải UTF-8 hợp lệ và không khai báo bảng mã khác".into(),
        )),
        // (A UTF-8 declaration over bytes that are not UTF-8 lands here.)
    }
}

/// The XML prolog rewritten to say UTF-8, since the text now is: a parser
/// that honours the prolog would otherwise decode it a second time.
pub fn utf8_prolog(text: &str) -> std::borrow::Cow<'_, str> {
    let t = text.trim_start();
    if !t.starts_with("<?xml") {
        return std::borrow::Cow::Borrowed(text);
    }
    let Some(end) = t.find("?>") else {
        return std::borrow::Cow::Borrowed(text);
    };
    std::borrow::Cow::Owned(format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{}", &t[end + 2..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1258_is_read_from_the_header_the_prolog_or_the_meta() {
        // As windows-1258 writes Vietnamese: ô precomposed, the tone a
        // combining mark after it ("tô" + dot below = "tội").
        let bytes: &[u8] = b"Ma t\xfay v\xe0 t\xf4\xf2i pha\xf2m";
        let body = [
            b"<?xml version=\"1.0\" encoding=\"windows-1258\"?><rss>".as_slice(),
            bytes,
        ]
        .concat();
        let text = decode(&body, None).unwrap();
        assert!(text.contains("Ma túy và tội phạm"), "{text}");
        assert!(decode(bytes, Some("text/html; charset=windows-1258"))
            .unwrap()
            .contains("tội phạm"));
        let html = [b"<html><head><meta charset=\"windows-1258\"></head>".as_slice(), bytes].concat();
        assert!(decode(&html, None).unwrap().contains("tội phạm"));
    }

    #[test]
    fn utf8_under_a_wrong_header_stays_utf8_and_nfd_becomes_nfc() {
        let nfd: String = unicode_nfd("ma túy");
        assert_ne!(nfd, "ma túy");
        let text = decode(nfd.as_bytes(), Some("text/xml; charset=iso-8859-1")).unwrap();
        assert_eq!(text, "ma túy");
    }

    #[test]
    fn invalid_utf8_is_refused() {
        let body = b"<rss>\xff\xfe\xfd tin</rss>".to_vec();
        assert!(matches!(decode(&body[3..], None), Err(IngestError::Encoding(_))));
        assert!(matches!(
            decode(b"<rss>\xc3\x28</rss>", Some("application/rss+xml; charset=utf-8")),
            Err(IngestError::Encoding(_))
        ));
    }

    #[test]
    fn the_prolog_is_rewritten() {
        assert_eq!(
            utf8_prolog("<?xml version='1.0' encoding='windows-1258'?><rss/>"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss/>"
        );
        assert_eq!(utf8_prolog("<rss/>"), "<rss/>");
    }

    fn unicode_nfd(s: &str) -> String {
        // u + combining acute, as some editors save it.
        s.replace('ú', "u\u{301}")
    }
}
