//! The one escaper of every markup the system writes: HTML pages and the
//! report's HTML, DOCX (WordprocessingML) and any XML.

/// Escapes text for HTML and XML alike; drops the control characters XML
/// 1.0 cannot carry (tab, line feed and carriage return stay).
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => {}
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(
            super::escape("<b a=\"1\">Tôm & 'cá'</b>\u{1}\n"),
            "&lt;b a=&quot;1&quot;&gt;Tôm &amp; &#39;cá&#39;&lt;/b&gt;\n"
        );
    }
}
