//! YAML in, untyped JSON value out, with positions kept on the side.
//!
//! Manifests are read twice at most. [`parse`] turns the text into a
//! `serde_json::Value` through serde-saphyr with its strict options (so `no` and
//! `0755` stay text, duplicate keys and merge keys are refused, and a node budget
//! stops alias bombs). Only when a finding must be placed does [`PositionIndex`]
//! walk the parser's events again and map every JSON pointer to the byte ranges of
//! its key and value; clean files never pay for it.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use serde_json::Value;
use serde_saphyr::granit_parser::{Event, Parser};
use serde_saphyr::{Budget, DuplicateKeyPolicy, MergeKeyPolicy, Options};

use crate::diagnostic::{Code, Finding, LineIndex, Location, Part};

/// Options for reading untrusted manifests into untyped values.
fn strict_options() -> Options {
    let mut budget = Budget::default();
    budget.max_aliases = 256;
    budget.max_anchors = 256;
    budget.max_depth = 32;
    budget.max_nodes = 50_000;
    budget.max_documents = 2;
    budget.max_events = 200_000;

    let mut options = Options::default();
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = 20_000;
    options.alias_limits.max_replay_stack_depth = 16;
    options.duplicate_keys = DuplicateKeyPolicy::Error;
    options.merge_keys = MergeKeyPolicy::Error;
    options.strict_booleans = true;
    options.leading_zero_numbers_as_strings = true;
    options.underscored_numbers_as_strings = true;
    options.legacy_octal_numbers = false;
    options.with_snippet = false;
    options
}

/// Parses one YAML document into an untyped value.
pub fn parse(path: &Path, text: &str) -> Result<Value, Finding> {
    serde_saphyr::from_str_with_options::<Value>(text, strict_options())
        .map_err(|err| yaml_finding(path, text, &err))
}

/// Turns a parser error into a finding with the parser's position.
fn yaml_finding(path: &Path, text: &str, err: &serde_saphyr::Error) -> Finding {
    let (code, message, hint) = describe(err);
    let finding = Finding::error(code, path, message).hint(hint);
    match err.location() {
        Some(at) if at.line() > 0 => {
            let index = LineIndex::new(text);
            let start = index.offset(at.line() as usize, at.column() as usize);
            let end = token_end(text, start);
            finding.located(index.location(start..end))
        }
        _ => finding,
    }
}

/// Our code, message and hint for a parser error; the parser's own words are
/// kept only for plain syntax errors, where they say what the scanner expected.
fn describe(err: &serde_saphyr::Error) -> (Code, String, &'static str) {
    use serde_saphyr::Error as E;

    let mut inner = err;
    while let E::WithSnippet { error, .. } | E::AliasError { error, .. } = inner {
        inner = error;
    }
    match inner {
        E::DuplicateMappingKey { key, .. } => (
            Code::DuplicateKey,
            match key {
                Some(key) => format!("the key `{key}` appears a second time in this mapping"),
                None => "a key appears a second time in this mapping".to_string(),
            },
            "remove one of the two entries; YAML readers disagree on which one wins",
        ),
        E::MultipleDocuments { .. } => (
            Code::MultipleDocuments,
            "a second YAML document starts here".to_string(),
            "put each manifest in a file of its own",
        ),
        E::Budget { .. }
        | E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => (
            Code::YamlTooComplex,
            format!(
                "the document grows too large through aliases or nesting ({})",
                tidy(&inner.to_string())
            ),
            "write the values out; manifests need neither anchors nor deep nesting",
        ),
        E::MergeKeyNotAllowed { .. } => (
            Code::InvalidYaml,
            "merge keys (`<<`) are not accepted".to_string(),
            "write the merged keys out",
        ),
        other => (
            Code::InvalidYaml,
            tidy(&other.to_string()),
            "fix the YAML syntax here, or an unclosed bracket or quote before it",
        ),
    }
}

/// The parser's messages sometimes end with a position or a developer hint; the
/// finding carries the position itself, so keep only the first sentence.
fn tidy(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message);
    let cut = first.find(" at line ").unwrap_or(first.len());
    first[..cut].trim_end_matches(['.', ' ']).to_string()
}

/// The end of the token starting at `start`: up to white space or the line end.
fn token_end(text: &str, start: usize) -> usize {
    let rest = &text[start.min(text.len())..];
    let len = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
    start + len.max(rest.chars().next().map_or(0, char::len_utf8))
}

/// Escapes one segment of a JSON pointer (RFC 6901).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The byte ranges of one node: its value, and the key that introduces it.
#[derive(Clone, Debug)]
struct NodeSpans {
    value: Range<usize>,
    key: Option<Range<usize>>,
}

/// Maps JSON pointers to byte ranges in the source text.
#[derive(Debug)]
pub struct PositionIndex<'a> {
    lines: LineIndex<'a>,
    nodes: HashMap<String, NodeSpans>,
}

enum Frame {
    Mapping { pointer: String, key: Option<(String, Range<usize>)> },
    Sequence { pointer: String, next: usize },
}

impl<'a> PositionIndex<'a> {
    /// Walks the parser's events of a document that [`parse`] already accepted.
    pub fn new(text: &'a str) -> PositionIndex<'a> {
        let mut nodes = HashMap::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut parser = Parser::new_from_str(text);

        while let Some(Ok((event, span))) = parser.next_event() {
            let range = span.byte_range().unwrap_or(0..0);
            match event {
                Event::Scalar(value, ..) => {
                    if let Some(Frame::Mapping { key: key @ None, .. }) = stack.last_mut() {
                        *key = Some((value.into_owned(), range));
                        continue;
                    }
                    place(&mut stack, &mut nodes, range);
                }
                Event::Alias(..) => {
                    if let Some(Frame::Mapping { key: key @ None, .. }) = stack.last_mut() {
                        *key = Some(("*".to_string(), range));
                        continue;
                    }
                    place(&mut stack, &mut nodes, range);
                }
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    let pointer = place(&mut stack, &mut nodes, range);
                    stack.push(if matches!(event, Event::MappingStart(..)) {
                        Frame::Mapping { pointer, key: None }
                    } else {
                        Frame::Sequence { pointer, next: 0 }
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                }
                Event::DocumentEnd => break,
                _ => {}
            }
        }

        PositionIndex { lines: LineIndex::new(text), nodes }
    }

    /// The location of a node's value or key. A pointer below an alias, or to a
    /// field that is missing, resolves to its nearest existing ancestor.
    pub fn locate(&self, pointer: &str, part: Part) -> Location {
        let mut pointer = pointer;
        loop {
            if let Some(spans) = self.nodes.get(pointer) {
                let range = match (part, &spans.key) {
                    (Part::Key, Some(key)) => key.clone(),
                    _ if spans.value.is_empty() => spans.key.clone().unwrap_or(spans.value.clone()),
                    _ => spans.value.clone(),
                };
                return self.lines.location(range);
            }
            match pointer.rfind('/') {
                Some(cut) => pointer = &pointer[..cut],
                None => return self.lines.location(0..0),
            }
        }
    }

    /// Fills in the location of every finding that has a pointer but no place yet.
    pub fn resolve(&self, findings: &mut [Finding]) {
        for finding in findings.iter_mut().filter(|f| f.location.is_none()) {
            let pointer = finding.pointer.as_deref().unwrap_or("");
            finding.location = Some(self.locate(pointer, finding.part));
        }
    }
}

/// Records a node at the current place in the stack and returns its pointer.
fn place(
    stack: &mut [Frame],
    nodes: &mut HashMap<String, NodeSpans>,
    value: Range<usize>,
) -> String {
    let (pointer, key) = match stack.last_mut() {
        None => (String::new(), None),
        Some(Frame::Mapping { pointer, key }) => {
            let (name, range) = key.take().unwrap_or_default();
            (format!("{pointer}/{}", escape(&name)), Some(range))
        }
        Some(Frame::Sequence { pointer, next }) => {
            *next += 1;
            (format!("{pointer}/{}", *next - 1), None)
        }
    };
    // Block collections start where their first entry starts; keep the key as the
    // visible place and the collection's start as its value.
    nodes.entry(pointer.clone()).or_insert(NodeSpans { value, key });
    pointer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(text: &str) -> Code {
        parse(Path::new("x.yaml"), text).unwrap_err().code
    }

    #[test]
    fn strict_scalars_stay_text() {
        let value = parse(Path::new("x.yaml"), "a: no\nb: 0755\nc: 1_000\nd: true\n").unwrap();
        assert_eq!(value["a"], "no");
        assert_eq!(value["b"], "0755");
        assert_eq!(value["c"], "1_000");
        assert_eq!(value["d"], true);
    }

    #[test]
    fn refuses_duplicates_documents_and_bombs() {
        assert_eq!(code_of("a: 1\na: 2\n"), Code::DuplicateKey);
        assert_eq!(code_of("a: 1\n---\nb: 2\n"), Code::MultipleDocuments);
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..10 {
            let prev = level - 1;
            bomb.push_str(&format!("a{level}: &a{level} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
        }
        assert_eq!(code_of(&bomb), Code::YamlTooComplex);
        assert_eq!(code_of("a: [1, 2\n"), Code::InvalidYaml);
    }

    #[test]
    fn index_places_keys_and_values() {
        let text = "kind: Release\nvendor:\n  name: ACME\nitems:\n  - x\n  - y: 1\n";
        let index = PositionIndex::new(text);
        let at = |p: &str, part| {
            let l = index.locate(p, part);
            (l.line, l.column)
        };
        assert_eq!(at("/kind", Part::Value), (1, 7));
        assert_eq!(at("/kind", Part::Key), (1, 1));
        assert_eq!(at("/vendor/name", Part::Value), (3, 9));
        assert_eq!(at("/items/1/y", Part::Key), (6, 5));
        assert_eq!(at("/vendor/missing", Part::Key), (2, 1));
    }
}
