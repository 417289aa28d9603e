//! HTML pages: a listing page read with the source's CSS selectors into
//! entries, and an article page read for its main text, author and time
//! (readability's idea: the block whose paragraphs hold the most text).

use std::collections::{HashMap, HashSet};

use canhgiac_domain::Timestamp;
use scraper::{ElementRef, Html, Selector};

use crate::text::{one_line, tidy};
use crate::{Entry, IngestError};

fn selector(s: &str, what: &str) -> Result<Selector, IngestError> {
    Selector::parse(s).map_err(|e| IngestError::Selector(format!("bộ chọn {what} «{s}» không hợp lệ: {e}")))
}

/// The selectors of a listing page.
pub struct Listing<'a> {
    pub link: &'a str,
    pub title: Option<&'a str>,
    pub date: Option<&'a str>,
}

/// The entries of a listing page, in page order, each link once.
pub fn parse_listing(html: &str, base: &str, sel: &Listing<'_>) -> Result<Vec<Entry>, IngestError> {
    if html.trim().is_empty() {
        return Err(IngestError::NotAFeed("nội dung trống".into()));
    }
    let link = selector(sel.link, "đường dẫn")?;
    let title = sel.title.map(|t| selector(t, "tiêu đề")).transpose()?;
    let date = sel.date.map(|d| selector(d, "ngày đăng")).transpose()?;
    let base = url::Url::parse(base).map_err(|_| IngestError::NotAFeed(format!("địa chỉ không hợp lệ: {base}")))?;
    let doc = Html::parse_document(html);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for a in doc.select(&link) {
        let Some(href) = a.value().attr("href").or_else(|| {
            a.select(&Selector::parse("a[href]").ok()?)
                .next()
                .and_then(|inner| inner.value().attr("href"))
        }) else {
            continue;
        };
        let Ok(url) = base.join(href.trim()) else { continue };
        if url.scheme() != "http" && url.scheme() != "https" {
            continue;
        }
        let url = url.to_string();
        if !seen.insert(url.clone()) {
            continue;
        }
        // The item's block: the nearest ancestor holding the title or the
        // date the selectors name.
        let find_near = |s: &Selector| -> Option<String> {
            let mut node = Some(a);
            for _ in 0..5 {
                let n = node?;
                if let Some(hit) = n.select(s).next() {
                    return Some(one_line(&hit.text().collect::<String>()))
                        .or_else(|| hit.value().attr("datetime").map(str::to_owned));
                }
                node = n.parent().and_then(ElementRef::wrap);
            }
            None
        };
        let title = title
            .as_ref()
            .and_then(find_near)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| one_line(&a.text().collect::<String>()));
        if title.is_empty() {
            continue;
        }
        let published = date.as_ref().and_then(find_near).and_then(|d| parse_vn_time(&d));
        out.push(Entry {
            title,
            url,
            published,
            summary: None,
            body: None,
            author: None,
        });
    }
    Ok(out)
}

/// A Vietnamese page's time: `30/06/2024 17:45`, `30/6/2024`, `30-06-2024`,
/// `2024-06-30T17:45:00+07:00`; a time without a zone is Vietnam time.
pub fn parse_vn_time(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if let Ok(t) = Timestamp::parse(s) {
        return Some(t);
    }
    // Find d/m/yyyy anywhere in the text, then an optional hh:mm.
    let bytes: Vec<char> = s.chars().collect();
    for start in 0..bytes.len() {
        if !bytes[start].is_ascii_digit() || (start > 0 && bytes[start - 1].is_ascii_digit()) {
            continue;
        }
        let rest: String = bytes[start..].iter().collect();
        let mut parts = rest.splitn(3, ['/', '-', '.']);
        let (Some(d), Some(m), Some(y)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let y: String = y.chars().take_while(char::is_ascii_digit).collect();
        let (Ok(d), Ok(m), Ok(yy)) = (d.parse::<u32>(), m.parse::<u32>(), y.parse::<i32>()) else {
            continue;
        };
        if y.len() != 4 {
            continue;
        }
        let Some(day) = canhgiac_domain::Date::from_ymd(yy, m, d) else {
            continue;
        };
        let time = find_time(&rest).or_else(|| find_time(&bytes[..start].iter().collect::<String>()));
        let text = match time {
            Some((h, mi)) => format!("{} {h:02}:{mi:02}", day.vn_text()),
            None => format!("{} 00:00", day.vn_text()),
        };
        return Timestamp::parse_local(&text).ok();
    }
    None
}

fn find_time(s: &str) -> Option<(u32, u32)> {
    let chars: Vec<char> = s.chars().collect();
    for i in 0..chars.len() {
        if chars[i] != ':' || i == 0 {
            continue;
        }
        let h: String = chars[..i]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let m: String = chars[i + 1..].iter().take_while(|c| c.is_ascii_digit()).collect();
        if let (Ok(h), Ok(m)) = (h.parse::<u32>(), m.parse::<u32>()) {
            if h < 24 && m < 60 && m_len_ok(&m.to_string()) {
                return Some((h, m));
            }
        }
    }
    None
}

fn m_len_ok(m: &str) -> bool {
    m.len() <= 2
}

/// What an article page gives beyond its feed entry.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Article {
    pub text: Option<String>,
    pub author: Option<String>,
    pub published: Option<Timestamp>,
    pub title: Option<String>,
}

/// Reads an article page: its main text, author, publish time and title.
pub fn extract_article(html: &str) -> Article {
    let doc = Html::parse_document(html);
    let meta = |sel: &str, attr: &str| -> Option<String> {
        let s = Selector::parse(sel).ok()?;
        doc.select(&s)
            .find_map(|e| e.value().attr(attr).map(one_line))
            .filter(|v| !v.is_empty())
    };
    let published = [
        ("meta[property='article:published_time']", "content"),
        ("meta[itemprop='datePublished']", "content"),
        ("meta[name='pubdate']", "content"),
        ("time[datetime]", "datetime"),
    ]
    .iter()
    .find_map(|(s, a)| meta(s, a).and_then(|v| parse_vn_time(&v)))
    .or_else(|| json_ld_date(&doc));
    let author = meta("meta[name='author']", "content")
        .or_else(|| meta("meta[property='article:author']", "content"))
        .or_else(|| {
            let s = Selector::parse("[rel='author'], .author, .article-author, [itemprop='author']").ok()?;
            doc.select(&s)
                .map(|e| one_line(&e.text().collect::<String>()))
                .find(|t| !t.is_empty() && t.chars().count() < 100)
        });
    let title = meta("meta[property='og:title']", "content");
    Article {
        text: main_text(&doc),
        author,
        published,
        title,
    }
}

fn json_ld_date(doc: &Html) -> Option<Timestamp> {
    let s = Selector::parse("script[type='application/ld+json']").ok()?;
    doc.select(&s).find_map(|e| {
        let text: String = e.text().collect();
        let at = text.find("\"datePublished\"")?;
        let rest = &text[at + "\"datePublished\"".len()..];
        let start = rest.find('"')? + 1;
        let end = rest[start..].find('"')? + start;
        parse_vn_time(&rest[start..end])
    })
}

/// The paragraphs of the block whose `<p>` hold the most text.
fn main_text(doc: &Html) -> Option<String> {
    let p = Selector::parse("p").ok()?;
    let mut score: HashMap<ego_tree::NodeId, usize> = HashMap::new();
    for para in doc.select(&p) {
        let len = para.text().map(str::len).sum::<usize>();
        if len < 25 {
            continue;
        }
        if let Some(parent) = para.parent() {
            *score.entry(parent.id()).or_default() += len;
        }
    }
    let (best, _) = score.into_iter().max_by_key(|(id, n)| (*n, std::cmp::Reverse(*id)))?;
    let node = doc.tree.get(best).and_then(ElementRef::wrap)?;
    let paras: Vec<String> = node
        .select(&p)
        .map(|e| one_line(&e.text().collect::<String>()))
        .filter(|t| !t.is_empty())
        .collect();
    let text = tidy(&paras.join("\n"));
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_times_are_read_as_vietnam_time() {
        assert_eq!(
            parse_vn_time("Thứ hai, 01/07/2024 00:30").unwrap().rfc3339(),
            "2024-06-30T17:30:00.000000Z"
        );
        assert_eq!(parse_vn_time("1-7-2024").unwrap().vn_text(), "01/07/2024 00:00");
        assert_eq!(
            parse_vn_time("08:15 | 02/07/2024").unwrap().vn_text(),
            "02/07/2024 08:15"
        );
        assert_eq!(
            parse_vn_time("2024-07-01T00:30:00+07:00").unwrap().vn_text(),
            "01/07/2024 00:30"
        );
        assert!(parse_vn_time("31/02/2024").is_none());
        assert!(parse_vn_time("không có ngày").is_none());
    }

    #[test]
    fn a_listing_page_gives_its_links_titles_and_dates() {
        let html = r#"<html><body>
          <div class="item"><h3><a href="/tin/1.html">Bắt giữ đối tượng ma túy</a></h3><span class="d">30/06/2024 08:00</span></div>
          <div class="item"><h3><a href="https://bacgiang.gov.vn/tin/2.html">Tuyên truyền phòng chống mua bán người</a></h3><span class="d">29/06/2024</span></div>
          <div class="item"><h3><a href="/tin/1.html">Bắt giữ đối tượng ma túy</a></h3></div>
          <div class="item"><h3><a href="javascript:void(0)">x</a></h3></div>
        </body></html>"#;
        let sel = Listing {
            link: ".item h3 a",
            title: None,
            date: Some(".d"),
        };
        let e = parse_listing(html, "https://bacgiang.gov.vn/tin-tuc", &sel).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].url, "https://bacgiang.gov.vn/tin/1.html");
        assert_eq!(e[0].published.unwrap().vn_text(), "30/06/2024 08:00");
        assert_eq!(e[1].title, "Tuyên truyền phòng chống mua bán người");
        assert!(matches!(
            parse_listing(
                html,
                "https://x.vn",
                &Listing {
                    link: "h3 >>> a",
                    title: None,
                    date: None
                }
            ),
            Err(IngestError::Selector(_))
        ));
    }

    #[test]
    fn an_article_gives_its_main_text_author_and_time() {
        let html = r#"<html><head><meta property="article:published_time" content="2024-06-30T17:30:00Z">
          <meta name="author" content="Nguyễn Văn A"></head><body>
          <nav><p>Trang chủ | Thời sự | Pháp luật và đời sống hằng ngày</p></nav>
          <div class="content"><p>Ngày 30/6, Công an huyện Lục Nam bắt giữ 02 đối tượng mua bán trái phép chất ma túy.</p>
          <p>Tang vật thu giữ gồm 05 gói heroin và nhiều tang vật liên quan khác.</p></div>
          <footer><p>Bản quyền thuộc về Báo Bắc Giang điện tử.</p></footer></body></html>"#;
        let a = extract_article(html);
        assert_eq!(a.author.as_deref(), Some("Nguyễn Văn A"));
        assert_eq!(a.published.unwrap().vn_text(), "01/07/2024 00:30");
        let text = a.text.unwrap();
        assert!(text.starts_with("Ngày 30/6, Công an huyện Lục Nam"), "{text}");
        assert!(!text.contains("Bản quyền"));
    }
}
