//! Plain text out of the HTML fragments feeds carry: tags dropped, block
//! ends kept as line breaks, entities decoded, white space collapsed, NFC.

/// `<p>Bắt giữ &amp; xử lý</p>` → `Bắt giữ & xử lý`.
pub fn plain(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        decode_entities(&rest[..lt], &mut out);
        let after = &rest[lt..];
        // Skip comments, scripts and styles whole.
        let skip_to = |end: &str| after.find(end).map(|i| lt + i + end.len());
        let lower: String = after.chars().take(8).collect::<String>().to_ascii_lowercase();
        let next = if after.starts_with("<!--") {
            skip_to("-->")
        } else if lower.starts_with("<script") {
            find_ci(after, "</script>").map(|i| lt + i + "</script>".len())
        } else if lower.starts_with("<style") {
            find_ci(after, "</style>").map(|i| lt + i + "</style>".len())
        } else {
            let tag_end = after.find('>').map(|i| lt + i + 1);
            if tag_end.is_some() && is_block(&lower) {
                out.push('\n');
            }
            tag_end
        };
        match next {
            Some(n) => rest = &rest[n..],
            None => {
                rest = "";
                break;
            }
        }
    }
    decode_entities(rest, &mut out);
    tidy(&out)
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.to_ascii_lowercase().find(needle)
}

fn is_block(tag_start: &str) -> bool {
    let name: String = tag_start
        .trim_start_matches(['<', '/'])
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    matches!(
        name.as_str(),
        "p" | "br" | "div" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "tr" | "blockquote" | "figure"
    )
}

/// Collapses runs of spaces within lines and drops blank lines, trimmed.
/// The text is NFC already (decoded bodies are); the store's `Text` checks
/// again at the edge.
pub fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending: Option<char> = None;
    for c in s.chars() {
        if c == '\n' || c == '\r' {
            if !out.is_empty() {
                pending = Some('\n');
            }
        } else if c.is_whitespace() {
            if !out.is_empty() && pending.is_none() {
                pending = Some(' ');
            }
        } else {
            if let Some(p) = pending.take() {
                out.push(p);
            }
            out.push(c);
        }
    }
    out
}

/// One line: every run of white space, line breaks included, is one space.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

fn decode_entities(s: &str, out: &mut String) {
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| entity(&after[..e]));
        match (end, decoded) {
            (Some(e), Some(c)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).filter(|c| !c.is_control() || c.is_whitespace());
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "laquo" => '«',
        "raquo" => '»',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_go_blocks_break_entities_decode() {
        assert_eq!(
            plain("<p>Bắt giữ &amp; xử lý</p><p>Vụ &#273;&#x1EA5;t</p>"),
            "Bắt giữ & xử lý\nVụ đất"
        );
        assert_eq!(plain("a<script>alert(1)</script>b<!-- x -->c<style>p{}</style>"), "abc");
        assert_eq!(plain("5 &lt; 6 &unknown; &"), "5 < 6 &unknown; &");
        assert_eq!(plain("<b>unclosed"), "unclosed");
        assert_eq!(plain("a <b"), "a");
        assert_eq!(one_line("  Tin\n  mới  "), "Tin mới");
        assert_eq!(tidy("  a  b \n\n  c \r\n d\n"), "a b\nc\nd");
        assert_eq!(tidy("x \n y"), "x\ny");
    }
}
