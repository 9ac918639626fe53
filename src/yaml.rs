//! YAML in, untyped JSON value out, with positions kept on the side.
//!
//! [`parse`] builds a `serde_json::Value` straight from the events of
//! serde-saphyr's YAML parser (`granit_parser`), resolving scalars by the YAML 1.2
//! core schema, strictly: `no`, `yes`, `on` and `off` stay text, `0755` and
//! `1_000` stay text, `.inf` and `.nan` are refused, duplicate keys and merge
//! keys (`<<`) are refused, and a node, depth and alias budget stops alias bombs.
//! (Going through serde-saphyr's own deserializer cost four times as much per
//! file, measured with `bench/run.sh`; the parser underneath is the same.)
//! Only when a finding must be placed does [`PositionIndex`] walk the parser's
//! events again and map every JSON pointer to the byte ranges of its key and
//! value; clean files never pay for it.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use serde_json::{Map, Number, Value};
use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, Span, Tag};

use crate::diagnostic::{Code, Finding, LineIndex, Location, Part};

/// The most nodes a manifest may expand to, aliases included.
const MAX_NODES: usize = 50_000;
/// The deepest nesting a manifest may have.
const MAX_DEPTH: usize = 64;
/// The most aliases a manifest may use.
const MAX_ALIASES: usize = 256;

/// Why a document was refused, and where.
struct Refusal {
    code: Code,
    message: String,
    hint: &'static str,
    at: Range<usize>,
}

impl Refusal {
    fn new(code: Code, message: impl Into<String>, hint: &'static str, span: &Span) -> Refusal {
        Refusal { code, message: message.into(), hint, at: span.byte_range().unwrap_or(0..0) }
    }
}

/// A collection being built.
enum Open {
    Mapping {
        map: Map<String, Value>,
        key: Option<(String, Range<usize>)>,
        anchor: usize,
        nodes: usize,
    },
    Sequence {
        items: Vec<Value>,
        anchor: usize,
        nodes: usize,
    },
}

/// Parses one YAML document into an untyped value.
pub fn parse(path: &Path, text: &str) -> Result<Value, Finding> {
    build(text).map_err(|refusal| {
        let index = LineIndex::new(text);
        let mut at = refusal.at;
        if at.is_empty() {
            at.end = token_end(text, at.start);
        }
        Finding::error(refusal.code, path, refusal.message)
            .hint(refusal.hint)
            .located(index.location(at))
    })
}

fn build(text: &str) -> Result<Value, Refusal> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut anchors: HashMap<usize, (Value, usize)> = HashMap::new();
    let mut document: Option<Value> = None;
    let mut nodes = 0usize;
    let mut aliases = 0usize;

    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|err| {
            let at = err.marker().byte_offset().unwrap_or(0);
            Refusal {
                code: Code::InvalidYaml,
                message: err.info(),
                hint: "fix the YAML syntax here, or an unclosed bracket or quote before it",
                at: at..at,
            }
        })?;

        // A finished node, with its anchor and how many nodes it holds.
        let closing = matches!(event, Event::MappingEnd | Event::SequenceEnd);
        let finished: Option<(Value, usize, usize)> = match event {
            Event::DocumentStart(..) if document.is_some() => {
                return Err(Refusal::new(
                    Code::MultipleDocuments,
                    "a second YAML document starts here",
                    "put each manifest in a file of its own",
                    &span,
                ));
            }
            Event::Scalar(value, style, anchor, tag) => {
                if let Some(Open::Mapping { key: key @ None, .. }) = stack.last_mut() {
                    if value == "<<" && style == ScalarStyle::Plain {
                        return Err(Refusal::new(
                            Code::InvalidYaml,
                            "merge keys (`<<`) are not accepted",
                            "write the merged keys out",
                            &span,
                        ));
                    }
                    *key = Some((value.into_owned(), span.byte_range().unwrap_or(0..0)));
                    continue;
                }
                Some((scalar(&value, style, tag.as_deref(), &span)?, anchor, 1))
            }
            Event::Alias(id) => {
                if matches!(stack.last(), Some(Open::Mapping { key: None, .. })) {
                    return Err(Refusal::new(
                        Code::InvalidYaml,
                        "an alias cannot be a mapping key",
                        "write the key out",
                        &span,
                    ));
                }
                aliases += 1;
                let (value, count) = anchors.get(&id).cloned().ok_or_else(|| {
                    Refusal::new(
                        Code::InvalidYaml,
                        "the alias names no anchor",
                        "define the anchor first",
                        &span,
                    )
                })?;
                if aliases > MAX_ALIASES || nodes + count > MAX_NODES {
                    return Err(Refusal::new(
                        Code::YamlTooComplex,
                        format!(
                            "the document grows too large through aliases (more than {MAX_NODES} nodes \
                             or {MAX_ALIASES} aliases)"
                        ),
                        "write the values out; manifests need neither anchors nor deep nesting",
                        &span,
                    ));
                }
                Some((value, 0, count))
            }
            Event::MappingStart(_, anchor, ref tag) | Event::SequenceStart(_, anchor, ref tag) => {
                if let Some(Open::Mapping { key: None, .. }) = stack.last() {
                    return Err(Refusal::new(
                        Code::InvalidYaml,
                        "a mapping key must be a plain value, not a collection",
                        "write the key as text",
                        &span,
                    ));
                }
                if let Some(tag) = tag.as_deref()
                    && !matches!(tag.core_suffix(), Some("map" | "seq"))
                {
                    return Err(unsupported_tag(tag, &span));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(Refusal::new(
                        Code::YamlTooComplex,
                        format!("the document nests deeper than {MAX_DEPTH} levels"),
                        "flatten the structure",
                        &span,
                    ));
                }
                stack.push(if matches!(event, Event::MappingStart(..)) {
                    Open::Mapping { map: Map::new(), key: None, anchor, nodes: 1 }
                } else {
                    Open::Sequence { items: Vec::new(), anchor, nodes: 1 }
                });
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => match stack.pop() {
                Some(Open::Mapping { map, anchor, nodes, .. }) => {
                    Some((Value::Object(map), anchor, nodes))
                }
                Some(Open::Sequence { items, anchor, nodes }) => {
                    Some((Value::Array(items), anchor, nodes))
                }
                None => continue,
            },
            _ => continue,
        };

        let Some((value, anchor, count)) = finished else { continue };
        // A scalar is one node and an alias as many as it expands to; a closing
        // collection adds only itself, its entries were counted as they came.
        nodes += if closing { 1 } else { count };
        if nodes > MAX_NODES {
            return Err(Refusal::new(
                Code::YamlTooComplex,
                format!("the document has more than {MAX_NODES} nodes"),
                "split it, or write less",
                &span,
            ));
        }
        if anchor != 0 {
            anchors.insert(anchor, (value.clone(), count));
        }
        match stack.last_mut() {
            None => document = Some(value),
            Some(Open::Sequence { items, nodes: inner, .. }) => {
                items.push(value);
                *inner += count;
            }
            Some(Open::Mapping { map, key, nodes: inner, .. }) => {
                let (name, at) = key.take().unwrap_or_default();
                if map.contains_key(&name) {
                    return Err(Refusal {
                        code: Code::DuplicateKey,
                        message: format!("the key `{name}` appears a second time in this mapping"),
                        hint: "remove one of the two entries; YAML readers disagree on which one wins",
                        at,
                    });
                }
                map.insert(name, value);
                *inner += count;
            }
        }
    }
    Ok(document.unwrap_or(Value::Null))
}

fn unsupported_tag(tag: &Tag, span: &Span) -> Refusal {
    Refusal::new(
        Code::InvalidYaml,
        format!("the tag `{}` is not accepted", tag.original()),
        "remove the tag; manifests use plain YAML values",
        span,
    )
}

/// Resolves a scalar by the YAML 1.2 core schema, strictly.
fn scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
    span: &Span,
) -> Result<Value, Refusal> {
    let quoted = style != ScalarStyle::Plain;
    match tag.map(|t| (t, t.core_suffix())) {
        None => {}
        Some((_, Some("str"))) => return Ok(Value::String(text.to_string())),
        Some((tag, Some(kind @ ("int" | "float" | "bool" | "null")))) => {
            let value = plain(text, span)?;
            let fits = matches!(
                (kind, &value),
                ("int", Value::Number(n)) if n.is_i64() || n.is_u64()
            ) || matches!(
                (kind, &value),
                ("float", Value::Number(_)) | ("bool", Value::Bool(_)) | ("null", Value::Null)
            );
            return if fits { Ok(value) } else { Err(unsupported_tag(tag, span)) };
        }
        Some((tag, _)) => return Err(unsupported_tag(tag, span)),
    }
    if quoted { Ok(Value::String(text.to_string())) } else { plain(text, span) }
}

/// A plain scalar: null, boolean, integer, float, or text.
fn plain(text: &str, span: &Span) -> Result<Value, Refusal> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        "true" | "True" | "TRUE" => return Ok(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(Value::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => {
            return Err(Refusal::new(
                Code::InvalidYaml,
                format!("`{text}` is not a finite number"),
                "quote it if it is text",
                span,
            ));
        }
        _ => {}
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);

    // Integers: decimal without redundant leading zeros, 0x hex, 0o octal.
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        if unsigned.len() > 1 && unsigned.starts_with('0') {
            return Ok(Value::String(text.to_string()));
        }
        if let Ok(n) = text.trim_start_matches('+').parse::<i64>() {
            return Ok(Value::Number(n.into()));
        }
        if let Ok(n) = text.trim_start_matches('+').parse::<u64>() {
            return Ok(Value::Number(n.into()));
        }
        return Ok(Value::String(text.to_string()));
    }
    if let Some(hex) = text
        .strip_prefix("0x")
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Ok(u64::from_str_radix(hex, 16)
            .map_or(Value::String(text.to_string()), |n| Value::Number(n.into())));
    }
    if let Some(oct) = text
        .strip_prefix("0o")
        .filter(|o| !o.is_empty() && o.bytes().all(|b| (b'0'..=b'7').contains(&b)))
    {
        return Ok(u64::from_str_radix(oct, 8)
            .map_or(Value::String(text.to_string()), |n| Value::Number(n.into())));
    }

    // Floats: [-+]?(.digits|digits(.digits*)?)([eE][-+]?digits)?
    if is_float(unsigned.as_bytes())
        && let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64)
    {
        return Ok(Value::Number(n));
    }
    Ok(Value::String(text.to_string()))
}

fn is_float(s: &[u8]) -> bool {
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    let mut i = digits(s);
    let whole = i;
    let mut fraction = 0;
    if s.get(i) == Some(&b'.') {
        i += 1;
        fraction = digits(&s[i..]);
        i += fraction;
    } else if whole == 0 {
        return false;
    }
    if whole == 0 && fraction == 0 {
        return false;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exponent = digits(&s[i..]);
        if exponent == 0 {
            return false;
        }
        i += exponent;
    }
    // A plain `1` is an integer, handled before; here a dot or an exponent is needed.
    i == s.len() && s.iter().any(|b| matches!(b, b'.' | b'e' | b'E'))
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
        PositionIndex::until(text, None)
    }

    /// Walks the events until `wanted` is placed (or to the end, where a missing
    /// node resolves to its nearest ancestor). A node is placed before any node
    /// below it, and never changes once placed, so for an early node this reads
    /// only the top of the document: a warning on the policy's `valid-until`
    /// need not parse the whole policy again.
    fn until(text: &'a str, wanted: Option<&str>) -> PositionIndex<'a> {
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
            if wanted.is_some_and(|pointer| nodes.contains_key(pointer)) {
                break;
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

    /// Places one finding, reading no more of the text than that takes.
    pub fn locate_one(text: &str, finding: &mut Finding) {
        if finding.location.is_some() {
            return;
        }
        let index = PositionIndex::until(text, Some(finding.pointer.as_deref().unwrap_or("")));
        index.resolve(std::slice::from_mut(finding));
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
    fn scalars_follow_the_yaml_1_2_core_schema() {
        let value = parse(
            Path::new("x.yaml"),
            "a: 0x1F\nb: 0o17\nc: 1.5e3\nd: .5\ne: 4.2.0\nf: ~\ng: '123'\nh: !!str 12\ni: -7\nj: on\nk: 1e\n",
        )
        .unwrap();
        assert_eq!(value["a"], 31);
        assert_eq!(value["b"], 15);
        assert_eq!(value["c"], 1500.0);
        assert_eq!(value["d"], 0.5);
        assert_eq!(value["e"], "4.2.0");
        assert_eq!(value["f"], Value::Null);
        assert_eq!(value["g"], "123");
        assert_eq!(value["h"], "12");
        assert_eq!(value["i"], -7);
        assert_eq!(value["j"], "on");
        assert_eq!(value["k"], "1e");
        assert_eq!(code_of("a: .inf\n"), Code::InvalidYaml);
        assert_eq!(code_of("a: !custom x\n"), Code::InvalidYaml);
        assert_eq!(code_of("base: &b {x: 1}\nother:\n  <<: *b\n"), Code::InvalidYaml);
        assert_eq!(code_of("? [a, b]\n: 1\n"), Code::InvalidYaml);
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

    #[test]
    fn one_finding_is_placed_as_the_whole_index_places_it() {
        let text = "kind: Policy\nvalid-until: 2020-12-31\nitems:\n  - x\n  - {y: 1}\nz: [1, 2]\n";
        let index = PositionIndex::new(text);
        for pointer in ["", "/kind", "/valid-until", "/items/1/y", "/z/1", "/items/7", "/nothing"] {
            for part in [Part::Key, Part::Value] {
                let mut finding =
                    Finding::error(Code::UnknownField, Path::new("p.yaml"), "x").at(pointer);
                finding.part = part;
                PositionIndex::locate_one(text, &mut finding);
                let whole = index.locate(pointer, part);
                let one = finding.location.unwrap();
                assert_eq!((one.line, one.column), (whole.line, whole.column), "{pointer}");
            }
        }
    }
}
