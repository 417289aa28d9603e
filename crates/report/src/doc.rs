//! The document model every renderer reads: blocks of styled runs with
//! footnotes, parsed from the template's Markdown.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Span {
    pub text: String,
    pub italic: bool,
    pub bold: bool,
    /// A figure's drill-down target (`fig-directives`), without `#`.
    pub figure: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    Span(Span),
    /// A footnote reference, numbered from 1 in order of first use.
    Note(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// Level 1: part (`I.`), 2: item (`1.`), 3: sub-item (`1.1`).
    Heading {
        level: u8,
        inlines: Vec<Inline>,
    },
    Para(Vec<Inline>),
    /// A `- ` paragraph, as in section III of the seed.
    Bullet(Vec<Inline>),
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Doc {
    pub blocks: Vec<Block>,
    /// Footnote texts, index 0 is footnote 1.
    pub footnotes: Vec<Vec<Inline>>,
}

pub fn plain(inlines: &[Inline]) -> String {
    inlines
        .iter()
        .map(|i| match i {
            Inline::Span(s) => s.text.clone(),
            Inline::Note(n) => format!("({n})"),
        })
        .collect()
}

#[derive(Default)]
struct Style {
    italic: u32,
    bold: u32,
    figure: Option<String>,
}

/// Parses the narrative's Markdown. Raw HTML is kept as text.
pub fn parse(markdown: &str) -> Doc {
    let parser = Parser::new_ext(markdown, Options::ENABLE_FOOTNOTES);
    let mut blocks: Vec<Block> = Vec::new();
    let mut defs: Vec<(String, Vec<Inline>)> = Vec::new();
    let mut order: Vec<String> = Vec::new();
    let mut style = Style::default();
    let mut cur: Vec<Inline> = Vec::new();
    let mut heading: Option<u8> = None;
    let mut in_item = 0u32;
    let mut in_def: Option<String> = None;
    let mut def_buf: Vec<Inline> = Vec::new();

    let push_text = |cur: &mut Vec<Inline>, style: &Style, text: &str| {
        if text.is_empty() {
            return;
        }
        let span = Span {
            text: text.to_owned(),
            italic: style.italic > 0,
            bold: style.bold > 0,
            figure: style.figure.clone(),
        };
        if let Some(Inline::Span(last)) = cur.last_mut() {
            if last.italic == span.italic && last.bold == span.bold && last.figure == span.figure {
                last.text.push_str(&span.text);
                return;
            }
        }
        cur.push(Inline::Span(span));
    };

    for ev in parser {
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some(level as u8);
                cur.clear();
            }
            Event::End(TagEnd::Heading(_)) => {
                blocks.push(Block::Heading {
                    level: heading.take().unwrap_or(1),
                    inlines: std::mem::take(&mut cur),
                });
            }
            Event::Start(Tag::Paragraph) => {
                if in_def.is_none() {
                    cur.clear();
                } else if !def_buf.is_empty() {
                    push_text(&mut def_buf, &style, " ");
                }
            }
            Event::End(TagEnd::Paragraph) if in_def.is_none() => {
                let inl = std::mem::take(&mut cur);
                if in_item > 0 {
                    blocks.push(Block::Bullet(inl));
                } else if !inl.is_empty() {
                    blocks.push(Block::Para(inl));
                }
            }
            Event::Start(Tag::Item) => {
                in_item += 1;
                cur.clear();
            }
            Event::End(TagEnd::Item) => {
                in_item = in_item.saturating_sub(1);
                // A tight list item has no paragraph events.
                if !cur.is_empty() {
                    blocks.push(Block::Bullet(std::mem::take(&mut cur)));
                }
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                in_def = Some(label.to_string());
                def_buf.clear();
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                if let Some(l) = in_def.take() {
                    defs.push((l, std::mem::take(&mut def_buf)));
                }
            }
            Event::Start(Tag::Emphasis) => style.italic += 1,
            Event::End(TagEnd::Emphasis) => style.italic = style.italic.saturating_sub(1),
            Event::Start(Tag::Strong) => style.bold += 1,
            Event::End(TagEnd::Strong) => style.bold = style.bold.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) => {
                style.figure = dest_url.strip_prefix('#').map(str::to_owned);
            }
            Event::End(TagEnd::Link) => style.figure = None,
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                let target = if in_def.is_some() { &mut def_buf } else { &mut cur };
                push_text(target, &style, &t);
            }
            Event::SoftBreak | Event::HardBreak => {
                let target = if in_def.is_some() { &mut def_buf } else { &mut cur };
                push_text(target, &style, " ");
            }
            Event::FootnoteReference(label) => {
                let label = label.to_string();
                let n = match order.iter().position(|l| *l == label) {
                    Some(i) => i + 1,
                    None => {
                        order.push(label);
                        order.len()
                    }
                };
                let target = if in_def.is_some() { &mut def_buf } else { &mut cur };
                target.push(Inline::Note(n));
            }
            _ => {}
        }
    }
    let footnotes = order
        .iter()
        .map(|l| {
            defs.iter()
                .find(|(d, _)| d == l)
                .map(|(_, inl)| inl.clone())
                .unwrap_or_default()
        })
        .collect();
    Doc { blocks, footnotes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_paragraphs_bullets_footnotes() {
        let d = parse("# I. Một\n\nBan hành [06](#fig-directives) văn bản.[^a]\n\n[^a]: *Kế hoạch A*; Kế hoạch B.\n\n- Việc một\n- Việc hai/.\n");
        assert_eq!(d.blocks.len(), 4);
        assert!(matches!(&d.blocks[0], Block::Heading { level: 1, .. }));
        let Block::Para(p) = &d.blocks[1] else { panic!("para") };
        assert!(p
            .iter()
            .any(|i| matches!(i, Inline::Span(s) if s.text == "06" && s.figure.as_deref() == Some("fig-directives"))));
        assert!(p.contains(&Inline::Note(1)));
        assert_eq!(plain(&d.footnotes[0]), "Kế hoạch A; Kế hoạch B.");
        assert!(matches!(&d.footnotes[0][0], Inline::Span(s) if s.italic));
        assert!(matches!(&d.blocks[3], Block::Bullet(b) if plain(b) == "Việc hai/."));
    }

    #[test]
    fn html_stays_text() {
        let d = parse("Tiêu đề <script>alert(1)</script> hết.");
        assert_eq!(
            plain(match &d.blocks[0] {
                Block::Para(p) => p,
                _ => panic!("para"),
            }),
            "Tiêu đề <script>alert(1)</script> hết."
        );
    }
}
