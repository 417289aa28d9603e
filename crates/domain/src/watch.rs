//! Watch rules run against every incoming item: boolean keyword queries
//! (the search language, [`crate::query`]) indexed by the words that must
//! occur for them to match, so that a text is checked only against the
//! rules one of its words can trigger, never against all of them. Ten
//! thousand rules cost a hash lookup per distinct word of the text, plus
//! the rules those words name; and the words and phrases the rules share
//! (many rules say "ma túy") are looked up once per text, not once per
//! rule: rules are compiled to trees over interned leaves, and a text's
//! answer for each leaf is kept while its rules are evaluated.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::ValidationErrors;
use crate::kind::{field, ApiAccess, FieldTy as F, KindMeta, Ownership, RecordKind, RegisterDef, TableDef};
use crate::query::{Query, Term, Words};
use crate::records::canonical_url;
use crate::text::Text;
use crate::vn_enum;

// ---------------------------------------------------------------- the record

/// A keyword rule an agency watches incoming items with: every item
/// collected, imported or typed in is checked against it, and each match
/// goes to the review queue (and to the webhook, when one is set).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchRule {
    /// What people call it: «Mua bán ma túy trên mạng».
    pub name: Text,
    /// In the search language: `"ma túy" AND (bán OR mua) NOT "phòng chống"`.
    pub query: Text,
    #[serde(default = "yes")]
    pub active: bool,
    /// An address that receives each match as JSON (`POST`).
    #[serde(default)]
    #[schemars(schema_with = "crate::records::optional_url_field_schema")]
    pub webhook: Option<Text>,
    #[serde(default)]
    pub note: Option<Text>,
}

fn yes() -> bool {
    true
}

impl WatchRule {
    /// The rule's query, parsed (a stored rule always parses: it was
    /// validated on the way in).
    pub fn parsed(&self) -> Result<Query, crate::query::QueryError> {
        Query::parse(self.query.as_str())
    }
}

impl crate::records::Record for WatchRule {
    const KIND: RecordKind = RecordKind::WatchRule;

    const META: KindMeta = KindMeta {
        code: "watch_rule",
        plural: "watch_rules",
        label: "quy tắc theo dõi",
        fields: &[
            field("name", "Tên quy tắc", F::Text).required().searched(),
            field("query", "Từ khóa", F::Text).required().searched(),
            field("active", "Đang áp dụng", F::Bool),
            field("webhook", "Gửi kết quả tới địa chỉ (webhook)", F::Text).not_in_table(),
            field("note", "Ghi chú", F::LongText),
        ],
        date_field: None,
        owner: Ownership::Agency,
        api: ApiAccess::Editor,
        register: Some(RegisterDef {
            slug: "quy-tac-theo-doi",
            title: "Quy tắc theo dõi từ khóa",
            columns: &["name", "query", "active"],
        }),
        table: Some(TableDef {
            code: "watch_rules",
            defaults: &[],
        }),
    };

    fn describe(&self) -> String {
        self.name.to_string()
    }

    /// One rule of a name per agency.
    fn key(&self) -> String {
        self.name.to_string()
    }

    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if let Err(q) = self.parsed() {
            e.push("query", q.to_string());
        }
        if let Some(u) = &self.webhook {
            if let Err(m) = canonical_url(u.as_str()) {
                e.push("webhook", m);
            }
        }
        e.into_result()
    }
}

vn_enum!(
    /// Where a match stands in the review queue.
    HitStatus {
        New = "new": "Chưa xem xét",
        Case = "case": "Đã tạo vụ việc",
        Dismissed = "dismissed": "Đã bỏ qua",
    }
);

// ---------------------------------------------------------------- the matcher

/// A rule compiled over interned leaves (a word, or a phrase).
#[derive(Clone, Debug)]
enum Node {
    Leaf(u32),
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
}

/// A rule as the matcher keeps it: its id, its agency, its query.
#[derive(Clone, Debug)]
pub struct Rule {
    pub id: i64,
    pub owner: Option<String>,
    pub query: Query,
}

/// Rules indexed by their trigger words ([`Query::triggers`]).
#[derive(Debug, Default)]
pub struct RuleSet {
    /// Each rule with its compiled tree and its owner's number.
    rules: Vec<(Rule, Node, u32)>,
    owners: FxHashMap<Option<String>, u32>,
    leaves: Vec<Vec<Term>>,
    by_word: FxHashMap<String, Vec<u32>>,
}

fn compile(q: &Query, leaves: &mut Vec<Vec<Term>>, ids: &mut FxHashMap<String, u32>) -> Node {
    let mut leaf = |terms: &[Term]| {
        let key: Vec<&str> = terms.iter().map(|t| t.folded.as_str()).collect();
        let key = key.join(" ");
        let next = u32::try_from(leaves.len()).unwrap_or(u32::MAX);
        let id = *ids.entry(key).or_insert(next);
        if id == next {
            leaves.push(terms.to_vec());
        }
        Node::Leaf(id)
    };
    match q {
        Query::Word(t) => leaf(std::slice::from_ref(t)),
        Query::Phrase(ts) => leaf(ts),
        Query::And(qs) => Node::And(qs.iter().map(|q| compile(q, leaves, ids)).collect()),
        Query::Or(qs) => Node::Or(qs.iter().map(|q| compile(q, leaves, ids)).collect()),
        Query::Not(q) => Node::Not(Box::new(compile(q, leaves, ids))),
    }
}

/// A text's answers for the leaves asked so far: 0 not yet, 1 no, 2 yes.
struct Answers<'a> {
    known: Vec<u8>,
    leaves: &'a [Vec<Term>],
    words: &'a Words,
}

impl Answers<'_> {
    fn eval(&mut self, n: &Node) -> bool {
        match n {
            Node::Leaf(id) => {
                let i = *id as usize;
                match self.known.get(i).copied() {
                    Some(1) => false,
                    Some(2) => true,
                    _ => {
                        let yes = self.leaves.get(i).is_some_and(|ts| self.words.has(ts));
                        if let Some(k) = self.known.get_mut(i) {
                            *k = if yes { 2 } else { 1 };
                        }
                        yes
                    }
                }
            }
            Node::And(ns) => ns.iter().all(|n| self.eval(n)),
            Node::Or(ns) => ns.iter().any(|n| self.eval(n)),
            Node::Not(n) => !self.eval(n),
        }
    }
}

impl RuleSet {
    /// Indexes `rules`. Every parsed query has triggers (a query of
    /// exclusions only is refused by the parser); one without would never
    /// match, and is left out.
    pub fn new(rules: Vec<Rule>) -> RuleSet {
        let mut by_word: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        let mut kept = Vec::with_capacity(rules.len());
        let mut leaves = Vec::new();
        let mut ids = FxHashMap::default();
        let mut owners: FxHashMap<Option<String>, u32> = FxHashMap::default();
        for r in rules {
            let Some(words) = r.query.triggers() else { continue };
            let at = u32::try_from(kept.len()).unwrap_or(u32::MAX);
            for w in words {
                by_word.entry(w.to_owned()).or_default().push(at);
            }
            let node = compile(&r.query, &mut leaves, &mut ids);
            let next = u32::try_from(owners.len()).unwrap_or(u32::MAX);
            let owner = *owners.entry(r.owner.clone()).or_insert(next);
            kept.push((r, node, owner));
        }
        for v in by_word.values_mut() {
            v.dedup();
        }
        RuleSet {
            rules: kept,
            owners,
            leaves,
            by_word,
        }
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The ids of the rules of `owner` that the text (its [`Words`])
    /// matches, in id order.
    pub fn matching(&self, owner: Option<&str>, words: &Words) -> Vec<i64> {
        let Some(&owner) = self.owners.get(&owner.map(str::to_owned)) else {
            return Vec::new();
        };
        let mut seen = vec![false; self.rules.len()];
        let mut answers = Answers {
            known: vec![0; self.leaves.len()],
            leaves: &self.leaves,
            words,
        };
        let mut out = Vec::new();
        for w in words.distinct() {
            let Some(candidates) = self.by_word.get(w) else {
                continue;
            };
            for &c in candidates {
                match seen.get_mut(c as usize) {
                    Some(s) if !*s => *s = true,
                    _ => continue,
                }
                let Some((rule, node, of)) = self.rules.get(c as usize) else {
                    continue;
                };
                if *of == owner && answers.eval(node) {
                    out.push(rule.id);
                }
            }
        }
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: i64, owner: &str, q: &str) -> Rule {
        Rule {
            id,
            owner: Some(owner.into()),
            query: Query::parse(q).unwrap(),
        }
    }

    /// The index finds exactly what evaluating every rule finds.
    #[test]
    fn indexed_rules_match_as_every_rule_would() {
        let rules = vec![
            rule(1, "a", "\"ma túy\" AND (bán OR mua) NOT \"phòng chống\""),
            rule(2, "a", "heroin OR \"ma túy đá\""),
            rule(3, "a", "lừa đảo -\"ngân hàng\""),
            rule(4, "b", "ma túy"),
            rule(5, "a", "(đánh bạc OR cá độ) AND mạng"),
        ];
        let set = RuleSet::new(rules.clone());
        let texts = [
            "Bắt đối tượng mua bán ma túy đá",
            "Tuyên truyền phòng chống ma túy: không mua bán",
            "Cảnh báo lừa đảo qua mạng",
            "Lừa đảo giả danh ngân hàng",
            "Triệt phá đường dây cá độ bóng đá qua mạng",
            "Hội chợ nông sản",
        ];
        for t in texts {
            let w = Words::of(&[t]);
            let brute: Vec<i64> = rules
                .iter()
                .filter(|r| r.owner.as_deref() == Some("a") && r.query.matches(&w))
                .map(|r| r.id)
                .collect();
            assert_eq!(set.matching(Some("a"), &w), brute, "{t}");
        }
        let w = Words::of(&["Bắt đối tượng mua bán ma túy đá"]);
        assert_eq!(set.matching(Some("a"), &w), [1, 2]);
        assert_eq!(set.matching(Some("b"), &w), [4], "another agency's rules stay theirs");
    }
}
