//! The search and watch-rule language, parsed once and used by every
//! engine: `"mua bán người" AND (ma túy OR heroin) NOT "phòng chống"`.
//!
//! - Words match diacritic- and case-insensitively, over syllables split
//!   at anything that is not a letter or digit ([`folded_words`]): `ma tuy`
//!   finds `Ma túy`, `dat` finds `đất`, `hòa` and `hoà` are one word.
//! - `"…"` is a phrase: the syllables in that order, next to each other.
//! - `AND` (or nothing), `OR`, `NOT` / `-`, and parentheses; `AND` binds
//!   tighter than `OR`.
//! - A word written with its diacritics also carries its exact form
//!   ([`exact_token`]), so an engine can rank exact spellings first.
//!
//! The same [`Query`] is evaluated in memory over a text's words
//! ([`Query::matches`], the watch rules), turned into an index query by the
//! search engines, and highlighted in snippets ([`snippet`]).

use std::collections::HashSet;

use rustc_hash::FxHashMap;

use unicode_normalization::UnicodeNormalization;

use crate::text::{folded_words, nfc};

/// Longest query text accepted (characters).
pub const MAX_QUERY_CHARS: usize = 500;
/// Most words (phrase syllables included) in one query.
pub const MAX_QUERY_WORDS: usize = 32;
/// Deepest nesting of parentheses.
pub const MAX_QUERY_DEPTH: usize = 8;

/// One searched word: its folded form and, when it was written with
/// diacritics, its exact form.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Term {
    pub folded: String,
    pub exact: Option<String>,
}

impl Term {
    fn of(word: &str) -> Option<Term> {
        let folded = folded_words(word).trim().to_owned();
        if folded.is_empty() || folded.contains(' ') {
            return None;
        }
        Some(Term {
            exact: exact_token(word),
            folded,
        })
    }
}

/// A parsed query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    Word(Term),
    /// Two or more syllables in order.
    Phrase(Vec<Term>),
    And(Vec<Query>),
    Or(Vec<Query>),
    Not(Box<Query>),
}

/// Why a query was refused (Vietnamese: it reaches the user).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("Hãy nhập từ cần tìm")]
    Empty,
    #[error("Câu tìm kiếm quá dài (tối đa {MAX_QUERY_CHARS} ký tự)")]
    TooLong,
    #[error("Câu tìm kiếm có quá nhiều từ (tối đa {MAX_QUERY_WORDS} từ)")]
    TooManyWords,
    #[error("Câu tìm kiếm lồng ngoặc quá sâu (tối đa {MAX_QUERY_DEPTH} mức)")]
    TooDeep,
    #[error("Thiếu dấu ngoặc kép đóng cụm từ")]
    UnclosedQuote,
    #[error("Dấu ngoặc đơn không khớp")]
    UnbalancedParen,
    #[error("Toán tử «{0}» thiếu vế")]
    DanglingOperator(&'static str),
    #[error("Câu tìm kiếm cần ít nhất một từ không bị loại trừ (NOT)")]
    OnlyNegative,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    Not,
    Quoted(String),
    Word(String),
}

fn lex(s: &str) -> Result<Vec<Token>, QueryError> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        match c {
            '(' => {
                chars.next();
                out.push(Token::Open);
            }
            ')' => {
                chars.next();
                out.push(Token::Close);
            }
            '"' | '“' | '”' => {
                chars.next();
                let mut phrase = String::new();
                let mut closed = false;
                for c in chars.by_ref() {
                    if matches!(c, '"' | '“' | '”') {
                        closed = true;
                        break;
                    }
                    phrase.push(c);
                }
                if !closed {
                    return Err(QueryError::UnclosedQuote);
                }
                out.push(Token::Quoted(phrase));
            }
            // At the start of a word (`-tuy`), a dash excludes; alone, it is
            // punctuation.
            '-' => {
                chars.next();
                if chars
                    .peek()
                    .is_some_and(|c| c.is_alphanumeric() || matches!(c, '"' | '“' | '('))
                {
                    out.push(Token::Not);
                }
            }
            _ => {
                let mut w = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | '"' | '“' | '”') {
                        break;
                    }
                    w.push(c);
                    chars.next();
                }
                out.push(match w.as_str() {
                    "AND" | "&&" => Token::And,
                    "OR" | "||" | "|" => Token::Or,
                    "NOT" => Token::Not,
                    _ => Token::Word(w),
                });
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    words: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn or(&mut self, depth: usize) -> Result<Option<Query>, QueryError> {
        if depth > MAX_QUERY_DEPTH {
            return Err(QueryError::TooDeep);
        }
        let mut parts = Vec::new();
        loop {
            match self.and(depth)? {
                Some(q) => parts.push(q),
                None if parts.is_empty() && self.peek() != Some(&Token::Or) => return Ok(None),
                None => return Err(QueryError::DanglingOperator("OR")),
            }
            if self.peek() == Some(&Token::Or) {
                self.at += 1;
            } else {
                break;
            }
        }
        Ok(Some(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::Or(parts)
        }))
    }

    fn and(&mut self, depth: usize) -> Result<Option<Query>, QueryError> {
        let mut parts = Vec::new();
        loop {
            let explicit = self.peek() == Some(&Token::And);
            if explicit {
                if parts.is_empty() {
                    return Err(QueryError::DanglingOperator("AND"));
                }
                self.at += 1;
            }
            match self.unary(depth)? {
                Some(Some(q)) => parts.push(q),
                Some(None) => {} // a word of punctuation only
                None if explicit => return Err(QueryError::DanglingOperator("AND")),
                None => break,
            }
        }
        Ok(match parts.len() {
            0 => None,
            1 => Some(parts.remove(0)),
            _ => Some(Query::And(parts)),
        })
    }

    /// `None` when no operand starts here; `Some(None)` for an operand that
    /// holds no word (`—`).
    fn unary(&mut self, depth: usize) -> Result<Option<Option<Query>>, QueryError> {
        match self.peek().cloned() {
            Some(Token::Not) => {
                self.at += 1;
                match self.unary(depth)? {
                    Some(Some(q)) => Ok(Some(Some(Query::Not(Box::new(q))))),
                    Some(None) => Ok(Some(None)),
                    None => Err(QueryError::DanglingOperator("NOT")),
                }
            }
            Some(Token::Open) => {
                self.at += 1;
                let inner = self.or(depth + 1)?;
                if self.peek() != Some(&Token::Close) {
                    return Err(QueryError::UnbalancedParen);
                }
                self.at += 1;
                Ok(Some(inner))
            }
            Some(Token::Quoted(p)) => {
                self.at += 1;
                Ok(Some(self.words_of(&p)?))
            }
            Some(Token::Word(w)) => {
                self.at += 1;
                Ok(Some(self.words_of(&w)?))
            }
            Some(Token::Close | Token::And | Token::Or) | None => Ok(None),
        }
    }

    /// A word or a quoted phrase: its syllables (`covid-19` is two).
    fn words_of(&mut self, s: &str) -> Result<Option<Query>, QueryError> {
        let s = nfc(s);
        let mut terms = Vec::new();
        for w in s.split(|c: char| !in_word(c)) {
            if let Some(t) = Term::of(w) {
                terms.push(t);
            }
        }
        self.words += terms.len();
        if self.words > MAX_QUERY_WORDS {
            return Err(QueryError::TooManyWords);
        }
        Ok(match terms.len() {
            0 => None,
            1 => Some(Query::Word(terms.remove(0))),
            _ => Some(Query::Phrase(terms)),
        })
    }
}

impl Query {
    /// Parses what a user typed.
    pub fn parse(s: &str) -> Result<Query, QueryError> {
        if s.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        let mut p = Parser {
            tokens: lex(s)?,
            at: 0,
            words: 0,
        };
        let q = p.or(0)?;
        if p.at < p.tokens.len() {
            return Err(match p.tokens[p.at] {
                Token::Close => QueryError::UnbalancedParen,
                Token::And => QueryError::DanglingOperator("AND"),
                Token::Or => QueryError::DanglingOperator("OR"),
                _ => QueryError::DanglingOperator("NOT"),
            });
        }
        let q = q.ok_or(QueryError::Empty)?;
        if q.triggers().is_none() {
            return Err(QueryError::OnlyNegative);
        }
        Ok(q)
    }

    /// Words (folded) of which a matching text holds at least one: what
    /// indexes a watch rule, and what tells a query with something to look
    /// up from a pure exclusion (`None`). For `AND`, the smallest of its
    /// parts' sets (of equal ones, that of the longest words); for `OR`,
    /// the union; a phrase is found by its longest syllable.
    pub fn triggers(&self) -> Option<Vec<&str>> {
        match self {
            Query::Word(t) => Some(vec![t.folded.as_str()]),
            Query::Phrase(ts) => ts
                .iter()
                .max_by_key(|t| t.folded.len())
                .map(|t| vec![t.folded.as_str()]),
            // The fewest words, then the longest (a longer syllable is
            // rarer: fewer texts wake the rule up).
            Query::And(qs) => qs.iter().filter_map(Query::triggers).min_by_key(|ws| {
                let shortest = ws.iter().map(|w| w.len()).min().unwrap_or(0);
                (ws.len(), std::cmp::Reverse(shortest))
            }),
            Query::Or(qs) => {
                let mut all = Vec::new();
                for q in qs {
                    all.extend(q.triggers()?);
                }
                all.sort_unstable();
                all.dedup();
                Some(all)
            }
            Query::Not(_) => None,
        }
    }

    /// The words and phrases that count for the query (not under a `NOT`),
    /// each as its terms: what a snippet highlights and what ranks exact
    /// spellings first.
    pub fn positive(&self) -> Vec<&[Term]> {
        fn walk<'a>(q: &'a Query, out: &mut Vec<&'a [Term]>) {
            match q {
                Query::Word(t) => out.push(std::slice::from_ref(t)),
                Query::Phrase(ts) => out.push(ts),
                Query::And(qs) | Query::Or(qs) => qs.iter().for_each(|q| walk(q, out)),
                Query::Not(_) => {}
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }

    /// Whether a text's words (see [`Words`]) match.
    pub fn matches(&self, w: &Words) -> bool {
        match self {
            Query::Word(t) => w.positions.contains_key(t.folded.as_str()),
            Query::Phrase(ts) => w.has_phrase(ts),
            Query::And(qs) => qs.iter().all(|q| q.matches(w)),
            Query::Or(qs) => qs.iter().any(|q| q.matches(w)),
            Query::Not(q) => !q.matches(w),
        }
    }
}

impl std::fmt::Display for Query {
    /// The query written back in the language, folded: what a watch rule
    /// shows and what tests compare.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let join = |f: &mut std::fmt::Formatter<'_>, qs: &[Query], op: &str| -> std::fmt::Result {
            write!(f, "(")?;
            for (i, q) in qs.iter().enumerate() {
                if i > 0 {
                    write!(f, " {op} ")?;
                }
                write!(f, "{q}")?;
            }
            write!(f, ")")
        };
        match self {
            Query::Word(t) => write!(f, "{}", t.folded),
            Query::Phrase(ts) => {
                let words: Vec<&str> = ts.iter().map(|t| t.folded.as_str()).collect();
                write!(f, "\"{}\"", words.join(" "))
            }
            Query::And(qs) => join(f, qs, "AND"),
            Query::Or(qs) => join(f, qs, "OR"),
            Query::Not(q) => write!(f, "NOT {q}"),
        }
    }
}

/// A text's folded words with their positions, built once and matched
/// against any number of queries.
#[derive(Debug, Default)]
pub struct Words {
    /// Fx hashing: short keys, no adversary choosing them against a
    /// long-lived table (the map lives for one text).
    positions: FxHashMap<String, Vec<u32>>,
}

impl Words {
    /// The words of several fields; a phrase never spans two of them.
    pub fn of(fields: &[&str]) -> Words {
        let mut positions: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        let mut at = 0u32;
        for f in fields {
            for w in folded_words(f).split_whitespace() {
                positions.entry(w.to_owned()).or_default().push(at);
                at += 1;
            }
            at += 1;
        }
        Words { positions }
    }

    /// The distinct words.
    pub fn distinct(&self) -> impl Iterator<Item = &str> {
        self.positions.keys().map(String::as_str)
    }

    /// Whether the text holds the word (one term) or the phrase.
    pub fn has(&self, ts: &[Term]) -> bool {
        match ts {
            [one] => self.positions.contains_key(&one.folded),
            _ => self.has_phrase(ts),
        }
    }

    fn has_phrase(&self, ts: &[Term]) -> bool {
        let Some((first, rest)) = ts.split_first() else {
            return false;
        };
        let Some(starts) = self.positions.get(&first.folded) else {
            return false;
        };
        let mut next: Vec<&Vec<u32>> = Vec::with_capacity(rest.len());
        for t in rest {
            match self.positions.get(&t.folded) {
                Some(p) => next.push(p),
                None => return false,
            }
        }
        starts.iter().any(|&s| {
            next.iter()
                .enumerate()
                .all(|(i, p)| p.binary_search(&(s + 1 + u32::try_from(i).unwrap_or(u32::MAX))).is_ok())
        })
    }
}

/// The exact form of a written word, for ranking exact spellings first:
/// lower case, NFC, the tone written as a digit after the letters (1 sắc,
/// 2 huyền, 3 hỏi, 4 ngã, 5 nặng; 0 none), so that the old and new tone
/// placements (`hòa`, `hoà`) give one token (`hoa2`) while `hóa` gives
/// `hoa1`. `None` for a word without diacritics (its exact form is its
/// folded form).
pub fn exact_token(word: &str) -> Option<String> {
    let lower = word.to_lowercase();
    let mut tone = '0';
    let mut marked = false;
    let mut base = String::with_capacity(lower.len());
    for c in lower.nfd() {
        let t = match c {
            '\u{301}' => Some('1'),
            '\u{300}' => Some('2'),
            '\u{309}' => Some('3'),
            '\u{303}' => Some('4'),
            '\u{323}' => Some('5'),
            _ => None,
        };
        match t {
            Some(t) => {
                tone = t;
                marked = true;
            }
            None => {
                if unicode_normalization::char::is_combining_mark(c) || c == 'đ' {
                    marked = true;
                }
                base.push(c);
            }
        }
    }
    if !marked {
        return None;
    }
    let mut out: String = base.nfc().collect();
    out.push(tone);
    Some(out)
}

/// The exact tokens of a text, space-separated: what an index keeps beside
/// the folded words.
pub fn exact_tokens(s: &str) -> String {
    let mut out = String::new();
    for w in s.split(|c: char| !in_word(c)) {
        if let Some(t) = exact_token(w) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&t);
        }
    }
    out
}

/// Whether `c` belongs to a word: a letter, a digit, or a combining mark
/// (a tone written apart, in NFD text). Queries, exact tokens and snippets
/// split text alike.
fn in_word(c: char) -> bool {
    c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
}

/// A part of a snippet: text, highlighted or not.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Segment {
    pub text: String,
    pub hit: bool,
}

/// Up to about `width` characters of `text` around the query's first
/// match, with the matching words (and phrases) marked; the start of the
/// text when nothing matches. `…` marks a cut.
pub fn snippet(text: &str, q: &Query, width: usize) -> Vec<Segment> {
    // Word spans (byte ranges) of the text, with their folded forms.
    let text: String = text.chars().take(20_000).collect();
    let spans: Vec<(usize, usize)> = word_spans(&text);
    let folded: Vec<String> = spans
        .iter()
        .map(|&(a, b)| folded_words(&text[a..b]).trim().to_owned())
        .collect();
    let mut hit = vec![false; spans.len()];
    for p in q.positive() {
        for i in 0..folded.len() {
            if i + p.len() <= folded.len() && p.iter().enumerate().all(|(k, t)| folded[i + k] == t.folded) {
                hit[i..i + p.len()].iter_mut().for_each(|h| *h = true);
            }
        }
    }
    let first = hit.iter().position(|h| *h);
    let start_word = match first {
        Some(f) if text.chars().count() > width => f.saturating_sub(8),
        _ => 0,
    };
    let start = if start_word == 0 { 0 } else { spans[start_word].0 };
    let mut out: Vec<Segment> = Vec::new();
    let mut push = |s: &str, h: bool| {
        if s.is_empty() {
            return;
        }
        match out.last_mut() {
            Some(last) if last.hit == h => last.text.push_str(s),
            _ => out.push(Segment {
                text: s.to_owned(),
                hit: h,
            }),
        }
    };
    if start > 0 {
        push("…", false);
    }
    let mut at = start;
    let mut used = 0usize;
    let mut cut = false;
    for (i, &(a, b)) in spans.iter().enumerate().skip(start_word) {
        let gap = &text[at..a];
        let word = &text[a..b];
        used += gap.chars().count() + word.chars().count();
        if used > width && i > start_word {
            cut = true;
            break;
        }
        // the space inside a marked phrase is marked with it
        let joined = i > start_word && hit[i - 1] && hit[i];
        push(&collapse(gap), joined);
        push(word, hit[i]);
        at = b;
    }
    if !cut {
        push(&collapse(&text[at..]), false);
    } else {
        push(" …", false);
    }
    out
}

fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        let inside = in_word(c);
        match (inside, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, text.len()));
    }
    spans
}

/// The distinct folded words of a query's triggers, as a set (for tests
/// and rule indexes).
pub fn trigger_set(q: &Query) -> HashSet<String> {
    q.triggers()
        .unwrap_or_default()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        Query::parse(s).unwrap().to_string()
    }

    #[test]
    fn the_language() {
        assert_eq!(p("ma túy"), "(ma AND tuy)");
        assert_eq!(p("\"mua bán người\""), "\"mua ban nguoi\"");
        assert_eq!(p("a OR b c"), "(a OR (b AND c))");
        assert_eq!(
            p("\"ma túy\" AND (bán OR mua) NOT \"phòng chống\""),
            "(\"ma tuy\" AND (ban OR mua) AND NOT \"phong chong\")"
        );
        assert_eq!(p("ma -túy"), "(ma AND NOT tuy)");
        assert_eq!(p("covid-19"), "\"covid 19\"");
        assert_eq!(p("“lừa đảo”"), "\"lua dao\"");
        assert_eq!(p("Đất — đai"), "(dat AND dai)");
        assert_eq!(p("ma tu\u{301}y"), "(ma AND tuy)");
    }

    #[test]
    fn hostile_queries_are_refused_in_vietnamese() {
        for (q, e) in [
            ("", QueryError::Empty),
            ("  — ", QueryError::Empty),
            ("NOT ma", QueryError::OnlyNegative),
            ("-ma -tuy", QueryError::OnlyNegative),
            ("(ma", QueryError::UnbalancedParen),
            ("ma)", QueryError::UnbalancedParen),
            ("\"ma", QueryError::UnclosedQuote),
            ("ma AND", QueryError::DanglingOperator("AND")),
            ("OR ma", QueryError::DanglingOperator("OR")),
            ("ma NOT", QueryError::DanglingOperator("NOT")),
        ] {
            assert_eq!(Query::parse(q), Err(e), "{q}");
        }
        assert_eq!(Query::parse(&"a ".repeat(33)), Err(QueryError::TooManyWords));
        assert_eq!(Query::parse(&"(".repeat(20)), Err(QueryError::TooDeep));
        assert_eq!(Query::parse(&"x".repeat(501)), Err(QueryError::TooLong));
        assert_eq!(
            Query::parse("'; DROP TABLE media_items; --").unwrap().to_string(),
            "(drop AND table AND \"media items\")"
        );
        assert!(QueryError::OnlyNegative.to_string().contains("loại trừ"));
    }

    #[test]
    fn matching_ignores_diacritics_and_case_and_keeps_phrases_whole() {
        let w = Words::of(&["Bắt giữ đối tượng mua bán MA TÚY", "Hòa Bình: phòng chống"]);
        assert!(Query::parse("ma tuy").unwrap().matches(&w));
        assert!(Query::parse("\"mua ban ma tuy\"").unwrap().matches(&w));
        assert!(!Query::parse("\"ban mua\"").unwrap().matches(&w));
        assert!(Query::parse("hoà").unwrap().matches(&w));
        assert!(Query::parse("dat OR doi").unwrap().matches(&w));
        assert!(!Query::parse("ma NOT \"phòng chống\"").unwrap().matches(&w));
        // a phrase never spans two fields
        assert!(!Query::parse("\"ma tuy hoa binh\"").unwrap().matches(&w));
    }

    #[test]
    fn exact_tokens_ignore_tone_placement_only() {
        assert_eq!(exact_token("hòa"), Some("hoa2".into()));
        assert_eq!(exact_token("hoà"), Some("hoa2".into()));
        assert_eq!(exact_token("HÓA"), Some("hoa1".into()));
        assert_eq!(exact_token("đất"), Some("đât1".into()));
        assert_eq!(exact_token("ma"), None);
        assert_eq!(exact_token("mâ"), Some("mâ0".into()));
        assert_eq!(exact_token("tu\u{301}y"), Some("tuy1".into()));
        assert_eq!(exact_tokens("ma túy, đất"), "tuy1 đât1");
    }

    #[test]
    fn triggers_index_rules() {
        let q = Query::parse("\"ma túy\" AND (bán OR mua) NOT \"phòng chống\"").unwrap();
        assert_eq!(trigger_set(&q), ["tuy".to_owned()].into_iter().collect());
        let q = Query::parse("heroin OR \"ma túy\"").unwrap();
        assert_eq!(trigger_set(&q).len(), 2);
    }

    #[test]
    fn snippets_mark_the_words_found() {
        let q = Query::parse("ma tuy").unwrap();
        let s = snippet(
            "Tin trong ngày.  Công an bắt giữ đối tượng buôn bán Ma Túy tại xã.",
            &q,
            200,
        );
        let marked: Vec<&str> = s.iter().filter(|x| x.hit).map(|x| x.text.as_str()).collect();
        assert_eq!(marked, ["Ma Túy"]);
        let whole: String = s.iter().map(|x| x.text.as_str()).collect();
        assert_eq!(
            whole,
            "Tin trong ngày. Công an bắt giữ đối tượng buôn bán Ma Túy tại xã."
        );
        let long = format!("{} ma túy {}", "chữ ".repeat(100), "đuôi ".repeat(100));
        let s = snippet(&long, &q, 80);
        let whole: String = s.iter().map(|x| x.text.as_str()).collect();
        assert!(whole.starts_with('…') && whole.ends_with('…'), "{whole}");
        assert!(whole.chars().count() < 100, "{whole}");
        assert!(s.iter().any(|x| x.hit));
    }
}
