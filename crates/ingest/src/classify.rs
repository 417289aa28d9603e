//! Topics from a Vietnamese lexicon: phrases with weights, matched over the
//! folded words of a title and its text (no diacritics, no case, no
//! punctuation: `ma tuy` in the lexicon matches `Ma túy`, `ma-tuý`), in one
//! pass of an Aho-Corasick automaton whatever the lexicon's size. A phrase
//! scores its weight once, and half again for each further occurrence (at
//! most twice); in the title it counts double. A topic whose score reaches
//! the threshold is chosen. The scores and the phrases that matched are
//! kept as the explanation ([`canhgiac_domain::Classification`]).

use std::collections::BTreeMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use canhgiac_domain::{Classification, Code, Text, TopicScore};

use crate::IngestError;

/// The lexicon shipped with the program (`lexicon/vi.csv`).
pub const DEFAULT_LEXICON: &str = include_str!("../lexicon/vi.csv");

/// The score at which a topic is chosen.
pub const THRESHOLD: f64 = 3.0;

/// One phrase of the lexicon.
#[derive(Clone, Debug, PartialEq)]
pub struct Phrase {
    pub topic: Code,
    /// As written (`ma túy`).
    pub phrase: Text,
    pub weight: f64,
}

/// A lexicon ready to match.
pub struct Lexicon {
    phrases: Vec<Phrase>,
    automaton: AhoCorasick,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon").field("phrases", &self.phrases.len()).finish()
    }
}

pub use canhgiac_domain::text::folded_words;

impl Lexicon {
    /// A lexicon of `phrases`; a phrase written twice for one topic (`ma
    /// túy`, `ma tuý`: the same words folded) counts once, the first.
    pub fn new(mut phrases: Vec<Phrase>) -> Result<Self, IngestError> {
        let mut seen = std::collections::HashSet::new();
        phrases.retain(|p| seen.insert((p.topic.clone(), folded_words(p.phrase.as_str()))));
        let patterns: Vec<String> = phrases.iter().map(|p| folded_words(p.phrase.as_str())).collect();
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .map_err(|e| IngestError::Lexicon(format!("không dựng được bộ từ khóa: {e}")))?;
        Ok(Lexicon { phrases, automaton })
    }

    /// Reads `chu_de,cum_tu,trong_so` lines (a header first; weights with a
    /// decimal point or comma, 0 < w ≤ 10).
    pub fn from_csv(text: &str) -> Result<Self, IngestError> {
        let mut phrases = Vec::new();
        for (n, line) in text.lines().enumerate().skip(1) {
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let bad = |why: &str| IngestError::Lexicon(format!("dòng {}: {why}: «{line}»", n + 1));
            let mut cells = line.rsplitn(2, ',');
            let weight = cells.next().ok_or_else(|| bad("thiếu trọng số"))?;
            let rest = cells.next().ok_or_else(|| bad("thiếu cụm từ"))?;
            let (topic, phrase) = rest.split_once(',').ok_or_else(|| bad("thiếu chủ đề"))?;
            let weight: f64 = weight
                .trim()
                .replace(',', ".")
                .parse()
                .map_err(|_| bad("trọng số không phải số"))?;
            if !(weight > 0.0 && weight <= 10.0) {
                return Err(bad("trọng số phải lớn hơn 0 và không quá 10"));
            }
            let topic = Code::parse(topic.trim()).map_err(|e| bad(&e.to_string()))?;
            let phrase = Text::parse(phrase.trim().trim_matches('"')).map_err(|e| bad(&e.to_string()))?;
            if folded_words(phrase.as_str()).trim().is_empty() {
                return Err(bad("cụm từ không có chữ"));
            }
            phrases.push(Phrase { topic, phrase, weight });
        }
        Lexicon::new(phrases)
    }

    pub fn default_vi() -> Result<Self, IngestError> {
        Lexicon::from_csv(DEFAULT_LEXICON)
    }

    pub fn len(&self) -> usize {
        self.phrases.len()
    }

    pub fn phrases(&self) -> &[Phrase] {
        &self.phrases
    }

    /// The phrases as an agency's lexicon records (weights to the nearest
    /// on the list): what «Chép bộ từ khóa mặc định» stores.
    pub fn to_records(&self) -> Vec<canhgiac_domain::LexiconPhrase> {
        self.phrases
            .iter()
            .map(|p| canhgiac_domain::LexiconPhrase {
                topic: p.topic.clone(),
                phrase: p.phrase.clone(),
                weight: canhgiac_domain::LexiconWeight::nearest(p.weight),
                active: true,
            })
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// The topics of an item, with why; `known` limits them to the topics
    /// the store has (others in the lexicon are ignored).
    pub fn classify(&self, title: &str, text: &str, known: &dyn Fn(&Code) -> bool) -> Classification {
        // phrase index → occurrences (title counted double)
        let mut hits: BTreeMap<usize, f64> = BTreeMap::new();
        for (haystack, each) in [(folded_words(title), 2.0), (folded_words(text), 1.0)] {
            for m in self.automaton.find_overlapping_iter(&haystack) {
                *hits.entry(m.pattern().as_usize()).or_default() += each;
            }
        }
        let mut topics: BTreeMap<&str, (f64, Vec<Text>)> = BTreeMap::new();
        for (i, occurrences) in hits {
            let Some(p) = self.phrases.get(i) else { continue };
            if !known(&p.topic) {
                continue;
            }
            let extra = (occurrences - 1.0).clamp(0.0, 2.0);
            let t = topics.entry(p.topic.as_str()).or_default();
            t.0 += p.weight * (1.0 + 0.5 * extra);
            if !t.1.contains(&p.phrase) {
                t.1.push(p.phrase.clone());
            }
        }
        let mut scores: Vec<TopicScore> = topics
            .into_iter()
            .filter_map(|(topic, (score, phrases))| {
                Some(TopicScore {
                    topic: Code::parse(topic).ok()?,
                    score: (score * 100.0).round() / 100.0,
                    phrases,
                })
            })
            .collect();
        scores.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.topic.cmp(&b.topic)));
        Classification {
            topics: scores
                .iter()
                .filter(|s| s.score >= THRESHOLD)
                .map(|s| s.topic.clone())
                .collect(),
            scores,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(_: &Code) -> bool {
        true
    }

    #[test]
    fn the_shipped_lexicon_reads_and_classifies_without_diacritics() {
        let lx = Lexicon::default_vi().unwrap();
        assert!(lx.len() > 50);
        let c = lx.classify("Bắt giữ 02 đối tượng mua bán trái phép chất ma túy", "", &all);
        assert_eq!(c.topics.first().map(Code::as_str), Some("PCMT"));
        let why = &c.scores[0];
        assert!(
            why.phrases
                .iter()
                .any(|p| p.as_str() == "mua bán trái phép chất ma túy"),
            "{why:?}"
        );
        // Without diacritics, old tone placement, punctuation between.
        let c2 = lx.classify("Bat giu doi tuong mua ban trai phep chat ma tuy", "", &all);
        assert_eq!(c2.topics, c.topics);
        let c3 = lx.classify("Ma-tuý: cảnh báo", "ma tuý đá", &all);
        assert_eq!(c3.topics.first().map(Code::as_str), Some("PCMT"));
    }

    #[test]
    fn words_match_whole_and_weak_words_alone_do_not_decide() {
        let lx = Lexicon::default_vi().unwrap();
        // "buôn người" must not match inside "buôn người ta" only by luck of
        // prefixes: "matuy" is no phrase; "điều tra" alone scores 0.5.
        let c = lx.classify("Điều tra dân số năm 2024", "", &all);
        assert!(c.topics.is_empty(), "{c:?}");
        let c = lx.classify("Hội nghị", "matuy", &all);
        assert!(c.scores.is_empty());
        let only_pcmt = |t: &Code| t.as_str() == "PCMT";
        let c = lx.classify("Phòng chống mua bán người và ma túy", "", &only_pcmt);
        assert_eq!(c.topics.len(), 1);
    }

    #[test]
    fn a_bad_lexicon_line_is_named() {
        let err = Lexicon::from_csv("chu_de,cum_tu,trong_so\nPCMT,ma túy,nhiều\n").unwrap_err();
        assert!(err.to_string().contains("dòng 2"), "{err}");
        assert!(Lexicon::from_csv("h\nPCMT,ma túy,11\n").is_err());
        assert!(Lexicon::from_csv("h\nPCMT,!!!,1\n").is_err());
    }
}
