//! Feeds into entries: RSS 2.0 and 0.9x, RSS 1.0 (RDF), Atom (a YouTube
//! channel's feed is Atom) and JSON Feed, through `feed-rs`. The text is
//! already decoded to NFC (see [`crate::charset`]); what is not a feed — an
//! HTML page, an empty body, a document that declares XML entities (the
//! "billion laughs") — is refused with its reason.

use canhgiac_domain::Timestamp;

use crate::text::{one_line, plain};
use crate::{Entry, IngestError};

/// What a feed holds, with its TTL (minutes) if it gives one.
#[derive(Debug)]
pub struct Parsed {
    pub entries: Vec<Entry>,
    pub ttl_minutes: Option<u32>,
}

/// Refuses what is plainly not a feed before any parser sees it.
pub fn check_shape(text: &str) -> Result<(), IngestError> {
    let head = text.trim_start_matches('\u{feff}').trim_start();
    if head.is_empty() {
        return Err(IngestError::NotAFeed("nội dung trống".into()));
    }
    let lower: String = head.chars().take(512).collect::<String>().to_lowercase();
    let feed_root = ["<rss", "<feed", "<rdf:rdf"].iter().any(|r| lower.contains(r));
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") || (lower.contains("<html") && !feed_root) {
        return Err(IngestError::NotAFeed(
            "đây là một trang HTML, không phải nguồn tin RSS/Atom".into(),
        ));
    }
    // A DTD that declares entities is the entity-expansion attack: no real
    // feed needs one.
    // A prologue is short: look in the first 64 KB only.
    let mut cut = head.len().min(64 * 1024);
    while !head.is_char_boundary(cut) {
        cut -= 1;
    }
    let start = &head[..cut];
    let prologue_end = ["<rss", "<feed", "<rdf"]
        .iter()
        .filter_map(|r| start.find(r))
        .min()
        .unwrap_or(start.len());
    if start[..prologue_end].contains("<!ENTITY") {
        return Err(IngestError::Hostile(
            "nguồn tin khai báo thực thể XML (DTD), không được phép".into(),
        ));
    }
    Ok(())
}

/// Parses a feed; `base` resolves relative links.
pub fn parse(text: &str, base: &str) -> Result<Parsed, IngestError> {
    check_shape(text)?;
    let text = crate::charset::utf8_prolog(text);
    let feed = feed_rs::parser::Builder::new()
        .base_uri(Some(base))
        .sanitize_content(false)
        // Entries without an id get none: the link is what identifies them.
        .id_generator(|_, _, _| String::new())
        .build()
        .parse(text.as_bytes())
        .map_err(|e| IngestError::NotAFeed(format!("không đọc được nguồn tin: {e}")))?;
    let base_url = url::Url::parse(base).ok();
    let entries = feed
        .entries
        .into_iter()
        .filter_map(|e| entry(e, base_url.as_ref()))
        .collect();
    Ok(Parsed {
        entries,
        ttl_minutes: feed.ttl,
    })
}

/// A feed's text field: HTML made plain, plain text as it is.
fn text_of(t: &feed_rs::model::Text) -> String {
    if t.content_type.to_string().contains("html") {
        plain(&t.content)
    } else {
        crate::text::tidy(&t.content)
    }
}

fn entry(e: feed_rs::model::Entry, base: Option<&url::Url>) -> Option<Entry> {
    let link = e
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| e.links.first())
        .map(|l| l.href.trim().to_owned())
        .or_else(|| e.id.starts_with("http").then(|| e.id.clone()))?;
    let absolute = link.starts_with("https://") || link.starts_with("http://");
    let link = match base {
        Some(b) if !absolute => b.join(&link).map(|u| u.to_string()).unwrap_or(link),
        _ => link,
    };
    let title = one_line(&e.title.map(|t| text_of(&t)).unwrap_or_default());
    let summary = e.summary.map(|s| text_of(&s)).filter(|s| !s.is_empty());
    let body = e
        .content
        .and_then(|c| c.body)
        .map(|b| plain(&b))
        .filter(|s| !s.is_empty())
        .or_else(|| {
            // YouTube: the video's description.
            e.media
                .iter()
                .find_map(|m| m.description.as_ref().map(|d| plain(&d.content)))
        });
    let title = if title.is_empty() {
        // Some feeds (and JSON Feed microposts) have no title: the first
        // words of the text stand in.
        let from = summary.as_deref().or(body.as_deref())?;
        one_line(&from.chars().take(120).collect::<String>())
    } else {
        title
    };
    let published = e
        .published
        .or(e.updated)
        .and_then(|d| Timestamp::parse(&d.to_rfc3339()).ok());
    let author = e.authors.first().map(|a| one_line(&a.name)).filter(|a| !a.is_empty());
    Some(Entry {
        title,
        url: link,
        published,
        summary,
        body,
        author,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_empty_bodies_and_entity_declarations_are_refused() {
        assert!(matches!(check_shape("  "), Err(IngestError::NotAFeed(_))));
        assert!(matches!(
            check_shape("<!DOCTYPE html><html><body>Lỗi 404</body></html>"),
            Err(IngestError::NotAFeed(_))
        ));
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><rss><channel><title>&lol2;</title></channel></rss>"#;
        assert!(matches!(check_shape(bomb), Err(IngestError::Hostile(_))));
        assert!(check_shape("<?xml version=\"1.0\"?><rss version=\"2.0\"></rss>").is_ok());
    }

    #[test]
    fn an_rss_item_becomes_an_entry() {
        let rss = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Pháp luật</title><ttl>30</ttl>
<item><title>Bắt giữ đối tượng &lt;mua bán&gt; ma túy</title><link>/tin/1.html?utm_source=rss</link>
<description><![CDATA[<p>Công an huyện Lục Nam bắt giữ…</p>]]></description>
<pubDate>Sun, 30 Jun 2024 17:30:00 GMT</pubDate><author>Nguyễn Văn A</author></item>
</channel></rss>"#;
        let p = parse(rss, "https://baobacgiang.vn/rss/phap-luat.rss").unwrap();
        assert_eq!(p.ttl_minutes, Some(30));
        let e = &p.entries[0];
        assert_eq!(e.title, "Bắt giữ đối tượng <mua bán> ma túy");
        assert_eq!(e.url, "https://baobacgiang.vn/tin/1.html?utm_source=rss");
        assert_eq!(e.summary.as_deref(), Some("Công an huyện Lục Nam bắt giữ…"));
        let at = e.published.unwrap();
        assert_eq!(
            at.vn_text(),
            "01/07/2024 00:30",
            "17:30 UTC is 00:30 the next day in Vietnam"
        );
    }
}
