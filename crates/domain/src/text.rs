//! Vietnamese text at the edges: NFC normalisation, diacritic folding, and the
//! `Text` / `Code` newtypes that make "normalised" a property of the type.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::error::FieldError;

/// Longest single text value accepted anywhere (characters). Bodies of media
/// items are the longest legitimate values (a long article is some 15 000);
/// anything above is hostile input. The API's document states it, and API
/// fuzzers can still build a value this long that also matches
/// [`TEXT_PATTERN`] (at 200 000 they gave up, and with it every valid body).
pub const MAX_TEXT_CHARS: usize = 50_000;

/// Normalise to Unicode NFC and trim surrounding white space.
///
/// Also maps the old and new tone placements (`hoà` / `hòa`) to one NFC form:
/// both are already distinct *precomposed* sequences, so NFC alone keeps them
/// apart; this is intended, as the author's spelling is preserved and matching
/// goes through [`fold`].
pub fn nfc(s: &str) -> String {
    let trimmed = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if unicode_normalization::is_nfc_quick(trimmed.chars()) == unicode_normalization::IsNormalized::Yes {
        trimmed.to_owned()
    } else {
        trimmed.nfc().collect()
    }
}

/// Normalise a whole document to NFC, leaving white space as it is.
pub fn nfc_keep_space(s: &str) -> String {
    if unicode_normalization::is_nfc_quick(s.chars()) == unicode_normalization::IsNormalized::Yes {
        s.to_owned()
    } else {
        s.nfc().collect()
    }
}

/// Fold a string for matching: lower case, diacritics removed, `đ` → `d`,
/// runs of white space collapsed. `Ma Túy` and `ma tuy` fold to the same
/// string, and so do `hòa` and `hoà`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            _ => c,
        };
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = false;
        out.extend(c.to_lowercase());
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Folded words with a space on each side: `" ma tuy da "` — what
/// [`canhgiac_domain::fold`] gives, punctuation made a space, in one pass
/// that decomposes each letter alone (the matching's hot loop).
pub fn folded_words(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(' ');
    let mut space = true;
    for c in s.chars() {
        let Some(b) = base_letter(c) else { continue };
        if b.is_alphanumeric() {
            out.push(b);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if !space {
        out.push(' ');
    }
    out
}

/// A character's lower-case letter without its marks (`Ộ` → `o`, `Đ` →
/// `d`); `None` for a combining mark (text in NFD).
fn base_letter(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c.to_ascii_lowercase());
    }
    if matches!(c, 'đ' | 'Đ') {
        return Some('d');
    }
    if is_combining_mark(c) {
        return None;
    }
    let mut first = None;
    unicode_normalization::char::decompose_canonical(c, |d| {
        first.get_or_insert(d);
    });
    let b = first.unwrap_or(c);
    Some(b.to_lowercase().next().unwrap_or(b))
}

/// What [`Text::parse`] accepts, for the API's document: a visible
/// character first (the parser trims white space and byte-order marks
/// around a value, so one
/// sent with spaces before it is taken too, trimmed), then no control
/// character (Unicode Cc) other than tab, line feed and carriage return.
/// Written as two classes rather than "anything, one visible, anything":
/// API fuzzers build values from the pattern, and the three-part form made
/// them some ten times slower.
pub const TEXT_PATTERN: &str = "^[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";

/// A piece of user text: NFC, trimmed, non-empty, no control characters
/// other than line breaks and tabs, at most [`MAX_TEXT_CHARS`] characters.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Text(String);

impl Text {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let n = nfc(s);
        if n.is_empty() {
            return Err(FieldError::new("Giá trị không được để trống"));
        }
        if n.chars().count() > MAX_TEXT_CHARS {
            return Err(FieldError::new(format!(
                "Văn bản quá dài (tối đa {} ký tự)",
                crate::money::group_thousands(MAX_TEXT_CHARS as i64)
            )));
        }
        if n.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
            return Err(FieldError::new("Văn bản chứa ký tự điều khiển không hợp lệ"));
        }
        Ok(Text(n))
    }

    /// For literals in code and tests; panics on an invalid literal.
    pub fn lit(s: &str) -> Self {
        match Self::parse(s) {
            Ok(t) => t,
            Err(e) => panic!("invalid Text literal {s:?}: {e}"),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn folded(&self) -> String {
        fold(&self.0)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Text::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A short identifier chosen by people: `PCTP`, `bao-bac-giang`, `VV-2024-01`.
/// ASCII letters, digits, `-`, `_`, `.`; 1 to 64 characters.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Code(String);

impl Code {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(FieldError::new("Mã không được để trống"));
        }
        if s.len() > 64 {
            return Err(FieldError::new("Mã quá dài (tối đa 64 ký tự)"));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(FieldError::new(format!(
                "Mã «{s}» chỉ được gồm chữ cái không dấu, chữ số và các dấu - _ ."
            )));
        }
        Ok(Code(s.to_owned()))
    }

    pub fn lit(s: &str) -> Self {
        match Self::parse(s) {
            Ok(c) => c,
            Err(e) => panic!("invalid Code literal {s:?}: {e}"),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Code::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Text {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Text".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "minLength": 1, "maxLength": MAX_TEXT_CHARS, "pattern": TEXT_PATTERN})
    }
}

impl schemars::JsonSchema for Code {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Code".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"})
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn folded_words_agree_with_the_domain_fold() {
        for s in [
            "Ma Túy đá, HÒA hoà!",
            "mua bán người",
            "Đắk Lắk – Ộ",
            "ma tu\u{301}y",
            "Số 05/2024",
        ] {
            let ours = folded_words(s);
            let theirs = folded_words_slow(s);
            assert_eq!(ours, theirs, "{s}");
        }
        assert_eq!(folded_words("Ma-Túy: ĐÁ"), " ma tuy da ");
    }

    fn folded_words_slow(s: &str) -> String {
        let f = fold(s);
        let words: Vec<String> = f
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        format!(" {} ", words.join(" "))
    }

    use super::*;

    /// The pattern's first class is exactly what `trim` leaves in front (no
    /// white space, no control character), its second what the parser lets
    /// through; checked over every code point in the Basic Multilingual
    /// Plane and a sample beyond.
    #[test]
    fn the_text_pattern_is_the_parser() {
        let re = regex::Regex::new(TEXT_PATTERN).unwrap();
        for c in (0u32..0x1_0000)
            .chain([0x1_F600, 0x1_0FFFF, 0xE_0001])
            .filter_map(char::from_u32)
        {
            let alone = c.to_string();
            let visible_first = !c.is_whitespace() && !c.is_control() && c != '\u{feff}';
            assert_eq!(re.is_match(&alone), visible_first, "U+{:04X} alone", c as u32);
            assert_eq!(Text::parse(&alone).is_ok(), visible_first, "U+{:04X}", c as u32);
            let after = format!("a{c}b");
            let allowed = !c.is_control() || matches!(c, '\t' | '\n' | '\r');
            assert_eq!(re.is_match(&after), allowed, "U+{:04X} inside", c as u32);
            assert_eq!(Text::parse(&after).is_ok(), allowed, "U+{:04X} inside", c as u32);
        }
    }

    #[test]
    fn fold_ignores_diacritics_case_and_d_stroke() {
        assert_eq!(fold("Ma Túy"), fold("ma tuy"));
        assert_eq!(fold("đất"), "dat");
        assert_eq!(fold("ĐẤT"), "dat");
        assert_eq!(fold("  phòng,   chống  "), "phong, chong");
    }

    #[test]
    fn old_and_new_tone_placement_fold_alike() {
        // "hòa" (new placement, tone on o) and "hoà" (old placement, tone on a)
        let new_style = "h\u{00f2}a";
        let old_style = "ho\u{00e0}";
        assert_ne!(new_style, old_style);
        assert_eq!(fold(new_style), fold(old_style));
        assert_eq!(fold("Thanh Hoá"), fold("Thanh Hóa"));
    }

    #[test]
    fn text_is_nfc() {
        let nfd: String = "Phòng, chống ma túy".nfd().collect();
        assert_ne!(nfd, "Phòng, chống ma túy");
        let t = Text::parse(&nfd).unwrap();
        assert_eq!(t.as_str(), "Phòng, chống ma túy");
    }

    #[test]
    fn text_rejects_empty_control_and_huge() {
        assert!(Text::parse("   ").is_err());
        assert!(Text::parse("a\u{0007}b").is_err());
        let long = Text::parse(&"x".repeat(MAX_TEXT_CHARS + 1)).unwrap_err();
        assert!(long.to_string().contains("tối đa 50.000 ký tự"), "{long}");
        assert!(Text::parse(&"ữ".repeat(MAX_TEXT_CHARS)).is_ok());
        assert!(Text::parse("dòng 1\ndòng 2").is_ok());
    }

    #[test]
    fn code_rules() {
        assert!(Code::parse("VV-2024-01").is_ok());
        assert!(Code::parse("bao bac giang").is_err());
        assert!(Code::parse("báo").is_err());
        assert!(Code::parse("'; DROP TABLE x; --").is_err());
    }
}
