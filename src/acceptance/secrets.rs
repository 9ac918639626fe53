//! Plaintext secrets in the files of a delivery.
//!
//! The scanner looks for four things: private keys (PEM and OpenSSH blocks with a
//! body), JSON Web Tokens (the header must decode to JSON naming an `alg`),
//! well-known token formats, and credentials in URLs; in configuration files also
//! for assignments to secret-like keys (`password: ...`, `password: |` with the
//! value on the lines below, `DB_PASS=...`,
//! `"clientSecret": "..."`, `<password>...</password>`, `name="password"
//! value="..."`) and for base64 values whose decoded text holds any of these.
//!
//! Where an assignment counts depends on the kind of file, read from its name:
//! configuration files (YAML, JSON, properties, INI, TOML, `.env`, shell, XML)
//! count any value; Markdown only inside fenced code blocks; other prose (plain
//! text, reStructuredText, AsciiDoc, HTML) never, so documentation that *talks
//! about* a password is no finding; source code only string literals. A key is
//! secret-like by its last word (`db.password`, `PGPASSWORD`, `client_secret`;
//! not `password_file` or `passwordMinLength`); a weak word (`token`, `key`,
//! `auth`, `credentials`) needs a value that looks random as well. Placeholders
//! (`${VAR}`, `{{ .Values.x }}`, `<password>`, vault and secret-store references,
//! `ENC(...)`, obvious dummies such as `xxx` or `changeit`... see [`placeholder`])
//! are no findings.
//!
//! Every hit carries the byte range of the secret, so that every output can mask
//! it: the secret itself is never shown.

use std::ops::Range;
use std::path::Path;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use base64::Engine;
use regex::Regex;
use regex::bytes::Regex as BytesRegex;

/// How assignments are read in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Configuration: any value assigned to a secret-like key counts.
    Config,
    /// XML: as configuration, plus elements and `name=`/`value=` pairs.
    Xml,
    /// Markdown: configuration rules inside fenced code blocks only.
    Markdown,
    /// Prose: no assignment rules (tokens, keys and URLs still count).
    Prose,
    /// Source code: only string literals assigned to secret-like keys count.
    Code,
}

impl Format {
    /// Reads the format from the file name, and a shebang line.
    pub fn of(path: &Path, text: &str) -> Format {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
        if name == ".env" || name.starts_with(".env.") || name.ends_with(".env") {
            return Format::Config;
        }
        let extension = name.rsplit_once('.').map_or("", |(_, e)| e);
        match extension {
            "yaml" | "yml" | "json" | "properties" | "ini" | "cfg" | "conf" | "cnf" | "toml"
            | "sh" | "bash" | "zsh" | "ksh" | "env" | "service" | "tfvars" | "hcl" => {
                Format::Config
            }
            "xml" | "xsd" | "config" | "xaml" | "jnlp" => Format::Xml,
            "md" | "markdown" => Format::Markdown,
            "txt" | "rst" | "adoc" | "asciidoc" | "html" | "htm" | "csv" | "tsv" => Format::Prose,
            _ if text.starts_with("#!") => Format::Config,
            _ => Format::Code,
        }
    }
}

/// What was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A private key block.
    PrivateKey,
    /// Any other secret: a password, token, credentials in a URL.
    Secret,
}

/// One secret in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub kind: Kind,
    /// The bytes of the secret: what every output masks.
    pub secret: Range<usize>,
    /// Where the finding points: the key of an assignment, else the secret.
    pub anchor: Range<usize>,
    /// What it is, without the secret: "`db.password` holds a plaintext value".
    pub what: String,
}

static PRIVATE_KEY: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----")
});
static JWT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"));
static URL_CREDENTIALS: LazyLock<BytesRegex> = LazyLock::new(|| {
    ascii_regex(
        r#"\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://([^\s/?#@:'"<>]+):([^\s/?#@'"<>]+)@[^\s/?#@'"<>]"#,
    )
});

/// Token formats: what they are, the fixed text every such token starts with (a
/// cheap search decides whether the patterns need to run at all), the pattern.
const TOKENS: &[(&str, &[&str], &str)] = &[
    ("an AWS access key id", &["AKIA", "ASIA"], r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    (
        "a GitHub token",
        &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        r"\bgh[pousr]_[A-Za-z0-9]{36,}\b",
    ),
    ("a GitHub fine-grained token", &["github_pat_"], r"\bgithub_pat_[A-Za-z0-9_]{50,}\b"),
    ("a GitLab token", &["glpat-"], r"\bglpat-[A-Za-z0-9_-]{20,}\b"),
    ("a Slack token", &["xox"], r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),
    (
        "a Slack webhook",
        &["hooks.slack.com"],
        r"https://hooks\.slack\.com/services/[A-Za-z0-9/_-]{20,}",
    ),
    ("a Google API key", &["AIza"], r"\bAIza[0-9A-Za-z_-]{35}\b"),
    ("a Stripe live key", &["k_live_"], r"\b[rs]k_live_[0-9A-Za-z]{20,}\b"),
    ("an npm token", &["npm_"], r"\bnpm_[A-Za-z0-9]{36}\b"),
    ("a SendGrid key", &["SG."], r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b"),
    ("a PyPI token", &["pypi-"], r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),
];
static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    let alternatives: Vec<String> = TOKENS.iter().map(|(_, _, p)| format!("({p})")).collect();
    regex(&alternatives.join("|"))
});
/// What every JSON Web Token and every URL with credentials contains.
const JWT_START: &str = "eyJ";
const URL_MARK: &str = "://";

/// Lines worth a closer look for assignments, found with ASCII case folding: the
/// words are ASCII, and a case-insensitive regex costs more to compile (about
/// 0.3 ms) than a pre-commit run takes to scan. A DFA, as it reads every byte
/// of every text file: it searches faster than an NFA, which is cheaper only to
/// build (callgrind, 1,000 units: 5% fewer instructions in all).
static KEYWORD: LazyLock<AhoCorasick> = LazyLock::new(|| {
    let words = ["pass", "pwd", "secret", "token", "key", "credential", "cred", "auth", "kennwort"];
    let built = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .kind(Some(AhoCorasickKind::DFA))
        .build(words);
    // As `regex`: constant words, covered by this file's tests.
    #[allow(clippy::expect_used)]
    built.expect("constant words")
});
/// `key: value`, `key = value`, `"key": "value"`, `export KEY="value"`, `key => 'v'`.
static ASSIGNMENT: LazyLock<BytesRegex> = LazyLock::new(|| {
    ascii_regex(
        r#"(?:^|[\s{,;(\[])(?:export\s+|set\s+)?["']?([A-Za-z_][A-Za-z0-9_.\-]*)["']?[ \t]*(:=|=>|:|=)[ \t]*("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s,}\]][^,}\]\n]*)"#,
    )
});
/// `<password>value</password>`
static ELEMENT: LazyLock<BytesRegex> = LazyLock::new(|| {
    ascii_regex(r"<([A-Za-z_][\w.:-]*)(?:\s[^<>]*)?>([^<>\n]+)</([A-Za-z_][\w.:-]*)\s*>")
});
/// `name="password" value="..."` and `key="db.password">value<`
static NAMED: LazyLock<BytesRegex> = LazyLock::new(|| {
    ascii_regex(r#"\b(?:key|name)\s*=\s*"([^"]+)"[^<>]*?(?:\bvalue\s*=\s*"([^"]*)"|>([^<>\n]+)<)"#)
});
/// A base64 run long enough to hide a `key=value` line or a key.
static BASE64: LazyLock<Regex> = LazyLock::new(|| regex(r"[A-Za-z0-9+/]{24,}={0,2}"));

fn regex(pattern: &str) -> Regex {
    // The patterns are constants of this file, covered by its tests.
    #[allow(clippy::expect_used)]
    Regex::new(pattern).expect("constant pattern")
}

/// A pattern whose classes (`\s`, `\w`, `\b`, negations) are ASCII and match
/// bytes. Unicode classes cost three to forty times as much to compile, and
/// every pattern here delimits its groups with ASCII characters, so a match
/// still starts and ends on a character boundary; [`at`] slices it.
fn ascii_regex(pattern: &str) -> BytesRegex {
    // As `regex`: constants of this file, covered by its tests.
    #[allow(clippy::expect_used)]
    BytesRegex::new(&format!("(?-u){pattern}")).expect("constant pattern")
}

/// The text of a match of an [`ascii_regex`].
fn at<'t>(text: &'t str, found: &regex::bytes::Match<'_>) -> &'t str {
    text.get(found.range()).unwrap_or_default()
}

/// Finds every secret in a text.
pub fn scan(text: &str, format: Format) -> Vec<Hit> {
    let mut hits = Vec::new();
    private_keys(text, &mut hits);
    tokens(text, &mut hits);
    if format != Format::Prose {
        assignments(text, format, &mut hits);
    }
    if matches!(format, Format::Config | Format::Xml) {
        encoded(text, &mut hits);
    }
    hits.sort_by_key(|h| (h.secret.start, std::cmp::Reverse(h.secret.end)));
    // One finding per secret: a key inside a base64 value, say, is said once.
    let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
    for hit in hits {
        match kept.last() {
            Some(last) if hit.secret.start < last.secret.end => {}
            _ => kept.push(hit),
        }
    }
    kept
}

fn private_keys(text: &str, hits: &mut Vec<Hit>) {
    // The patterns compile on first use; most files need none of them.
    if !text.contains("PRIVATE KEY") {
        return;
    }
    for found in PRIVATE_KEY.captures_iter(text) {
        let (Some(whole), Some(label)) = (found.get(0), found.get(1)) else { continue };
        let rest = &text[whole.end()..];
        let end = rest.find("-----END ").map_or(text.len(), |at| {
            let tail = &rest[at..];
            whole.end() + at + tail.find('\n').unwrap_or(tail.len())
        });
        // A header without a body is documentation showing what a key looks like.
        let body = text[whole.end()..end]
            .bytes()
            .filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
            .count();
        if body < 64 {
            continue;
        }
        let label = label.as_str().replace(" BLOCK", "");
        let format = match label.trim_end_matches("PRIVATE KEY").trim() {
            "RSA" => "RSA, PEM",
            "EC" => "EC, PEM",
            "DSA" => "DSA, PEM",
            "OPENSSH" => "OpenSSH",
            "ENCRYPTED" => "encrypted PKCS #8, PEM",
            "PGP" => "PGP",
            _ => "PKCS #8, PEM",
        };
        // The header stays readable; the body and the footer are the secret.
        hits.push(Hit {
            kind: Kind::PrivateKey,
            secret: whole.end()..end,
            anchor: whole.range(),
            what: format!("the file holds a private key ({format})"),
        });
    }
}

/// Which patterns a text needs: known tokens, JSON Web Tokens, URLs with credentials.
#[derive(Default)]
struct Needed {
    tokens: bool,
    jwts: bool,
    urls: bool,
}

/// The fixed text of every token format, then [`JWT_START`] and [`URL_MARK`].
static MARKS: LazyLock<Option<aho_corasick::AhoCorasick>> = LazyLock::new(|| {
    let prefixes = TOKENS.iter().flat_map(|(_, prefixes, _)| prefixes.iter().copied());
    aho_corasick::AhoCorasick::new(prefixes.chain([JWT_START, URL_MARK])).ok()
});

/// One pass over the text says which patterns can match; they compile on first
/// use, so most files (and most pre-commit runs) compile none of them.
fn needed(text: &str) -> Needed {
    let Some(marks) = MARKS.as_ref() else {
        return Needed { tokens: true, jwts: true, urls: true };
    };
    let count = marks.patterns_len();
    let mut needed = Needed::default();
    for found in marks.find_iter(text) {
        match count - found.pattern().as_usize() {
            2 => needed.jwts = true,
            1 => needed.urls = true,
            _ => needed.tokens = true,
        }
        if needed.tokens && needed.jwts && needed.urls {
            break;
        }
    }
    needed
}

fn tokens(text: &str, hits: &mut Vec<Hit>) {
    let needed = needed(text);
    if needed.jwts {
        jwts(text, hits);
    }
    if needed.tokens {
        known_tokens(text, hits);
    }
    if needed.urls {
        urls(text, hits);
    }
}

fn jwts(text: &str, hits: &mut Vec<Hit>) {
    for found in JWT.find_iter(text) {
        let header = found.as_str().split('.').next().unwrap_or("");
        let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header.trim_end_matches('='))
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok());
        if decoded.is_some_and(|json| json.contains("\"alg\"")) {
            hits.push(Hit {
                kind: Kind::Secret,
                secret: found.range(),
                anchor: found.range(),
                what: "the file holds a JSON Web Token".into(),
            });
        }
    }
}

fn known_tokens(text: &str, hits: &mut Vec<Hit>) {
    for found in TOKEN.captures_iter(text) {
        let Some((index, token)) = (1..found.len()).find_map(|i| found.get(i).map(|m| (i - 1, m)))
        else {
            continue;
        };
        // Vendors' documented sample keys (AWS: `AKIAIOSFODNN7EXAMPLE`).
        if token.as_str().contains("EXAMPLE") {
            continue;
        }
        hits.push(Hit {
            kind: Kind::Secret,
            secret: token.range(),
            anchor: token.range(),
            what: format!("the file holds {}", TOKENS[index].0),
        });
    }
}

fn urls(text: &str, hits: &mut Vec<Hit>) {
    for found in URL_CREDENTIALS.captures_iter(text.as_bytes()) {
        let Some(password) = found.get(2) else { continue };
        if placeholder(at(text, &password)) {
            continue;
        }
        hits.push(Hit {
            kind: Kind::Secret,
            secret: password.range(),
            anchor: password.range(),
            what: "a URL in the file carries a password".into(),
        });
    }
}

/// The byte ranges of a text's lines that hold a keyword, once each.
fn keyword_lines(text: &str, format: Format) -> Vec<Range<usize>> {
    let fences = if format == Format::Markdown { fenced_blocks(text) } else { Vec::new() };
    let mut lines: Vec<Range<usize>> = Vec::new();
    for found in KEYWORD.find_iter(text) {
        if lines.last().is_some_and(|line| line.contains(&found.start())) {
            continue;
        }
        let start = text[..found.start()].rfind('\n').map_or(0, |at| at + 1);
        let end = text[found.start()..].find('\n').map_or(text.len(), |at| found.start() + at);
        if format == Format::Markdown && !fences.iter().any(|f| f.contains(&start)) {
            continue;
        }
        lines.push(start..end);
    }
    lines
}

/// Byte ranges inside fenced code blocks of Markdown.
pub(super) fn fenced_blocks(text: &str) -> Vec<Range<usize>> {
    let mut blocks = Vec::new();
    let mut open: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            match open.take() {
                Some(start) => blocks.push(start..offset),
                None => open = Some(offset + line.len()),
            }
        }
        offset += line.len();
    }
    if let Some(start) = open {
        blocks.push(start..text.len());
    }
    blocks
}

fn assignments(text: &str, format: Format, hits: &mut Vec<Hit>) {
    for line in keyword_lines(text, format) {
        let body = &text[line.clone()];
        let trimmed = body.trim_start();
        if trimmed.starts_with("//") || trimmed.starts_with("<!--") {
            continue;
        }
        for found in ASSIGNMENT.captures_iter(body.as_bytes()) {
            let (Some(key_at), Some(op), Some(value_at)) =
                (found.get(1), found.get(2), found.get(3))
            else {
                continue;
            };
            let (key, value) = (at(body, &key_at), at(body, &value_at));
            // `==`, `=~`, `:=` in code compare or bind, they do not assign a literal.
            if op.as_bytes() == b"=" && matches!(value.chars().next(), Some('=' | '~')) {
                continue;
            }
            // In XML, `key="..."` and `name="..."` name a setting (see `xml`).
            if format == Format::Xml && matches!(key, "key" | "name") {
                continue;
            }
            let quoted = value.starts_with(['"', '\'']);
            if format == Format::Code && !quoted {
                continue;
            }
            let offset = line.start;
            let anchor = offset + key_at.start()..offset + key_at.end();
            // `password: |` in YAML: the secret is the block of lines below.
            if matches!(format, Format::Config | Format::Markdown) && block_indicator(value) {
                if let Some(body) = block_body(text, &line) {
                    judge(key, &text[body.clone()], anchor, body, hits);
                }
                continue;
            }
            let secret = if quoted {
                offset + value_at.start()..offset + value_at.end()
            } else {
                offset + value_at.start()..line.end
            };
            judge(key, value, anchor, secret, hits);
        }
        if format == Format::Xml {
            xml(body, line.start, hits);
        }
    }
}

/// Whether a value is a YAML block scalar's header: `|` or `>`, a chomping
/// indicator, an indentation digit, perhaps a comment.
fn block_indicator(value: &str) -> bool {
    let value = value.split(" #").next().unwrap_or(value).trim_end();
    let mut chars = value.chars();
    matches!(chars.next(), Some('|' | '>'))
        && value.len() <= 3
        && chars.all(|c| matches!(c, '+' | '-' | '1'..='9'))
}

/// The body of a block scalar whose header ends `line`: the lines below that
/// are indented deeper, blank ones among them, from the first character to the
/// end of the last line that is not blank.
fn block_body(text: &str, line: &Range<usize>) -> Option<Range<usize>> {
    let indentation = |line: &str| line.len() - line.trim_start_matches([' ', '\t']).len();
    let own = indentation(&text[line.clone()]);
    let mut offset = line.end + 1;
    let mut body: Option<Range<usize>> = None;
    for next in text.get(offset..)?.split_inclusive('\n') {
        let content = next.trim_end_matches(['\n', '\r']);
        if !content.trim().is_empty() {
            let indent = indentation(content);
            if indent <= own {
                break;
            }
            let start = body.as_ref().map_or(offset + indent, |b| b.start);
            body = Some(start..offset + content.len());
        }
        offset += next.len();
    }
    body
}

fn xml(body: &str, offset: usize, hits: &mut Vec<Hit>) {
    for found in ELEMENT.captures_iter(body.as_bytes()) {
        let (Some(open), Some(value), Some(close)) = (found.get(1), found.get(2), found.get(3))
        else {
            continue;
        };
        if open.as_bytes() != close.as_bytes() {
            continue;
        }
        let key = at(body, &open).rsplit(':').next().unwrap_or("");
        let span = offset + value.start()..offset + value.end();
        judge(key, at(body, &value), offset + open.start()..offset + open.end(), span, hits);
    }
    for found in NAMED.captures_iter(body.as_bytes()) {
        let (Some(key), Some(value)) = (found.get(1), found.get(2).or_else(|| found.get(3))) else {
            continue;
        };
        let span = offset + value.start()..offset + value.end();
        judge(
            at(body, &key),
            at(body, &value),
            offset + key.start()..offset + key.end(),
            span,
            hits,
        );
    }
}

/// Decodes long base64 runs and scans the text inside (one level deep).
fn encoded(text: &str, hits: &mut Vec<Hit>) {
    for found in BASE64.find_iter(text) {
        let engine = base64::engine::general_purpose::STANDARD;
        let Ok(bytes) = engine.decode(found.as_str()) else { continue };
        let Ok(inner) = String::from_utf8(bytes) else { continue };
        let printable = inner.chars().filter(|c| !c.is_control() || c.is_whitespace()).count();
        if printable * 10 < inner.chars().count() * 9 {
            continue;
        }
        if let Some(first) = scan(&inner, Format::Config).into_iter().next() {
            hits.push(Hit {
                kind: first.kind,
                secret: found.range(),
                anchor: found.range(),
                what: format!("a base64-encoded value hides a secret: {}", first.what),
            });
        }
    }
}

/// Decides whether `key` assigned `raw` is a plaintext secret.
fn judge(key: &str, raw: &str, anchor: Range<usize>, secret: Range<usize>, hits: &mut Vec<Hit>) {
    let Some(strength) = secret_key(key) else { return };
    let value = unquote(raw);
    if placeholder(value) {
        return;
    }
    if strength == Strength::Weak && !random_looking(value) {
        return;
    }
    hits.push(Hit {
        kind: Kind::Secret,
        secret,
        anchor,
        what: format!("`{key}` holds a plaintext value"),
    });
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Strength {
    /// The key names a secret outright.
    Strong,
    /// The key may name a secret; the value must look random too.
    Weak,
}

/// Whether a key names a secret, judged by its last word.
fn secret_key(key: &str) -> Option<Strength> {
    let words = words(key);
    let last = words.last()?.as_str();
    let previous = words.len().checked_sub(2).map(|i| words[i].as_str());
    const STRONG_SUFFIXES: &[&str] = &[
        "password",
        "passwd",
        "passwort",
        "kennwort",
        "passphrase",
        "secret",
        "apikey",
        "secretkey",
        "accesskey",
        "privatekey",
        "pwd",
    ];
    if last == "pass" || STRONG_SUFFIXES.iter().any(|s| last.ends_with(s)) {
        return Some(Strength::Strong);
    }
    if last == "key"
        && matches!(
            previous,
            Some("api" | "access" | "secret" | "private" | "signing" | "encryption" | "master")
        )
    {
        return Some(Strength::Strong);
    }
    if matches!(last, "token" | "key" | "auth" | "credential" | "credentials" | "creds")
        || last.ends_with("token")
    {
        return Some(Strength::Weak);
    }
    None
}

/// Splits `db.password`, `clientSecret`, `API_KEY` into lower-case words.
fn words(key: &str) -> Vec<String> {
    let mut words = vec![String::new()];
    let mut previous_lower = false;
    for c in key.chars() {
        if !c.is_ascii_alphanumeric() {
            words.push(String::new());
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower {
            words.push(String::new());
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        if let Some(word) = words.last_mut() {
            word.push(c.to_ascii_lowercase());
        }
    }
    words.retain(|w| !w.is_empty());
    words
}

/// The value without quotes, a trailing comment or separator.
fn unquote(raw: &str) -> &str {
    let raw = raw.trim();
    for quote in ['"', '\''] {
        if let Some(inner) = raw.strip_prefix(quote) {
            return inner.rsplit_once(quote).map_or(inner, |(inner, _)| inner);
        }
    }
    let raw = raw.split(" #").next().unwrap_or(raw);
    raw.trim_end_matches([',', ';', '}', ']', ')']).trim()
}

/// Whether a value is clearly not a secret: empty, a reference to where the
/// secret lives, a template variable, or an obvious dummy.
pub fn placeholder(value: &str) -> bool {
    let value = value.trim();
    let lower = value.to_ascii_lowercase();
    if value.is_empty() || matches!(value, "|" | "|-" | "|+" | ">" | ">-" | ">+") {
        return true;
    }
    // Template and environment variables.
    if value.starts_with(['$', '%'])
        || ["${", "{{", "#{", "%{", "<%"].iter().any(|p| value.contains(p))
    {
        return true;
    }
    if (value.starts_with('<') && value.ends_with('>'))
        || (value.starts_with('@') && value.ends_with('@') && value.len() > 2)
        || (value.starts_with('[') && value.ends_with(']'))
    {
        return true;
    }
    // Secret stores and encrypted values.
    const STORES: &[&str] = &[
        "vault:",
        "ref+",
        "secret://",
        "secrets://",
        "secretref:",
        "arn:aws:secretsmanager:",
        "arn:aws:ssm:",
        "sm://",
        "gcpsm://",
        "azkv://",
        "keyvault:",
        "op://",
        "enc(",
        "{cipher}",
        "!vault",
        "env:",
        "file:",
        "awssm:",
        "akv:",
    ];
    if STORES.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    // Code reading the secret from elsewhere.
    if ["getenv", "environ", "process.env", "env(", "lookup("].iter().any(|p| lower.contains(p)) {
        return true;
    }
    // A file path: the secret lives in that file.
    if (value.starts_with('/') || value.starts_with("./") || value.starts_with("~/"))
        && value.matches('/').count() >= 2
        && !value.contains(' ')
    {
        return true;
    }
    if value.chars().all(|c| matches!(c, 'x' | 'X' | '*' | '.' | '#' | '•' | '-' | '_')) {
        return true;
    }
    const DUMMIES: &[&str] = &[
        "dummy",
        "example",
        "placeholder",
        "redacted",
        "todo",
        "tbd",
        "null",
        "nil",
        "none",
        "~",
        "true",
        "false",
        "yes",
        "no",
        "on",
        "off",
        "secret",
        "password",
        "passwort",
        "token",
        "changeit",
        "n/a",
        "na",
        "unset",
        "notset",
        "not-set",
        "empty",
        "required",
        "optional",
        "string",
        "your-password",
        "your_password",
        "yourpassword",
        "your-secret",
        "your_secret",
        "your-token",
        "your_token",
        "mypassword",
        "my-password",
        "my_password",
        "secret-here",
        "password-here",
        "insert-password-here",
    ];
    DUMMIES.contains(&lower.as_str())
}

/// Whether a value looks machine-made: long, no spaces, varied characters.
fn random_looking(value: &str) -> bool {
    if value.len() < 16 || value.contains(char::is_whitespace) || value.contains("://") {
        return false;
    }
    let has_digit = value.chars().any(|c| c.is_ascii_digit());
    let has_letter = value.chars().any(|c| c.is_ascii_alphabetic());
    // `certificate.1047`, `gateway-admin-2`: words and numbers, a name, not a key.
    let named = value.split(|c: char| !c.is_ascii_alphanumeric()).all(|part| {
        part.chars().all(|c| c.is_ascii_lowercase())
            || part.chars().all(|c| c.is_ascii_uppercase())
            || part.chars().all(|c| c.is_ascii_digit())
    });
    has_digit && has_letter && !named && entropy(value) >= 3.0
}

/// Shannon entropy in bits per character.
fn entropy(value: &str) -> f64 {
    let mut counts = [0usize; 256];
    for b in value.bytes() {
        counts[usize::from(b)] += 1;
    }
    let n = value.len() as f64;
    counts.iter().filter(|c| **c > 0).map(|c| *c as f64 / n).map(|p| -p * p.log2()).sum()
}

/// The text with every secret replaced by `*`, one per character, so columns
/// and lines stay where they were.
pub fn mask(text: &str, secrets: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut ranges: Vec<Range<usize>> = secrets.to_vec();
    ranges.sort_by_key(|r| r.start);
    for range in ranges {
        let start = floor(text, range.start.max(at));
        let end = floor(text, range.end.min(text.len()));
        if start >= end {
            continue;
        }
        out.push_str(&text[at..start]);
        for c in text[start..end].chars() {
            out.push(if c == '\n' { '\n' } else { '*' });
        }
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// The nearest character boundary at or before `at`.
fn floor(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, format: Format) -> Vec<String> {
        scan(text, format).into_iter().map(|h| text[h.secret].to_string()).collect()
    }

    #[test]
    fn assignments_in_configuration_formats() {
        let cases = [
            ("db:\n  password: hunter2\n", Format::Config, "hunter2"),
            ("db.password=hunter2 \n", Format::Config, "hunter2 "),
            ("[db]\npassword = hunter2\n", Format::Config, "hunter2"),
            ("export PGPASSWORD='hunter2'\n", Format::Config, "'hunter2'"),
            ("DB_PASS=hunter2\n", Format::Config, "hunter2"),
            (r#"{"user":"a","clientSecret":"s3cr3t-val"}"#, Format::Config, "\"s3cr3t-val\""),
            ("<Resource user=\"a\" password=\"hunter2\"/>", Format::Xml, "\"hunter2\""),
            ("<password>hunter2</password>", Format::Xml, "hunter2"),
            ("<property name=\"db.password\" value=\"hunter2\"/>", Format::Xml, "hunter2"),
            ("<entry key=\"smtp.password\">hunter2</entry>", Format::Xml, "hunter2"),
            ("String password = \"hunter2\";", Format::Code, "\"hunter2\""),
            ("api_key: 9f8e7d6c5b4a39281f0e\n", Format::Config, "9f8e7d6c5b4a39281f0e"),
            ("Setup:\n```\nDB_PASSWORD=hunter2\n```\n", Format::Markdown, "hunter2"),
            // The patterns match bytes; a value of other scripts is still cut
            // on character boundaries.
            ("größe: 3\nPASSWORT=Grüße-Äpfel-9\n", Format::Config, "Grüße-Äpfel-9"),
            ("kennwort: \"Straße 12 öl\"\n", Format::Config, "\"Straße 12 öl\""),
            ("<passwort>Schlüssel-ß</passwort>", Format::Xml, "Schlüssel-ß"),
            ("<add key=\"db.password\" value=\"Grüß-dich\"/>", Format::Xml, "Grüß-dich"),
            ("url: https://émile:Mot-dé-passe@db.example/x\n", Format::Prose, "Mot-dé-passe"),
            // YAML block scalars: the lines below the key are the value.
            ("db:\n  password: |\n    hunter2\n  user: app\n", Format::Config, "hunter2"),
            (
                "password: >- # folded\n  correct horse\n\n  battery staple\nuser: app\n",
                Format::Config,
                "correct horse\n\n  battery staple",
            ),
            (
                "- name: db\n  api_key: |+\n    9f8e7d6c5b4a39281f0e\n",
                Format::Config,
                "9f8e7d6c5b4a39281f0e",
            ),
            ("```yaml\npassword: |\n  hunter2\n```\n", Format::Markdown, "hunter2"),
        ];
        for (text, format, secret) in cases {
            assert_eq!(found(text, format), vec![secret.to_string()], "{text}");
        }
    }

    #[test]
    fn placeholders_and_prose_are_not_secrets() {
        let cases = [
            ("password: ${DB_PASSWORD}\n", Format::Config),
            ("password: \"{{ .Values.db.password }}\"\n", Format::Config),
            ("password: <your-password>\n", Format::Config),
            ("password: vault:secret/data/db#password\n", Format::Config),
            ("password: ENC(AbCdEf0123)\n", Format::Config),
            ("password: \"\"\n", Format::Config),
            ("password: |\n  ${DB_PASSWORD}\n", Format::Config),
            ("password: |\nuser: app\n", Format::Config),
            ("password: |", Format::Config),
            ("token: >\n  see the vault entry\n", Format::Config),
            ("password: xxxxxx\n", Format::Config),
            ("password_file: /run/secrets/db\n", Format::Config),
            ("passwordMinLength: 12\n", Format::Config),
            ("secretName: db-credentials\n", Format::Config),
            ("token_endpoint: https://idp.example/token\n", Format::Config),
            ("key: gateway\n", Format::Config),
            ("<entry key=\"certificate.1047\">queue 5</entry>\n", Format::Xml),
            ("tls.key: certificate-renewal.1047\n", Format::Config),
            ("The password: choose one with 12 characters.\n", Format::Markdown),
            ("Set password = something strong in the dialog.\n", Format::Prose),
            ("if (password == \"\") { fail(); }", Format::Code),
            ("password = request.form[\"password\"]", Format::Code),
            ("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n", Format::Prose),
            ("see https://user:${PASS}@host/\n", Format::Prose),
        ];
        for (text, format) in cases {
            assert_eq!(found(text, format), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn keys_tokens_and_urls_anywhere() {
        let body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n";
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{body}-----END PRIVATE KEY-----\n");
        let hits = scan(&pem, Format::Prose);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].kind, Kind::PrivateKey);
        assert_eq!(hits[0].secret, "-----BEGIN PRIVATE KEY-----".len()..pem.len() - 1);
        assert_eq!(hits[0].what, "the file holds a private key (PKCS #8, PEM)");

        let jwt = "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(scan(jwt, Format::Prose)[0].what, "the file holds a JSON Web Token");

        let aws = "aws_access_key_id = AKIA2E0A8F3B244C9986\n";
        assert_eq!(found(aws, Format::Prose), vec!["AKIA2E0A8F3B244C9986".to_string()]);
        assert!(found("AKIAIOSFODNN7EXAMPLE", Format::Prose).is_empty());

        let url = "jdbc:postgresql://gwa:Str0ngPw@db.internal:5432/gwa";
        assert_eq!(found(url, Format::Prose), vec!["Str0ngPw".to_string()]);
    }

    #[test]
    fn base64_values_are_decoded_once() {
        // "db.url=jdbc:postgresql://db/gwa\ndb.password=S3cret!"
        let encoded = base64::engine::general_purpose::STANDARD
            .encode("db.url=jdbc:postgresql://db/gwa\ndb.password=S3cret!\n");
        let text = format!("data:\n  application.properties: {encoded}\n");
        let hits = scan(&text, Format::Config);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(&text[hits[0].secret.clone()], encoded);
        assert!(hits[0].what.contains("db.password"), "{}", hits[0].what);
    }

    #[test]
    fn masking_keeps_lines_and_columns() {
        let text = "a: 1\npassword: hünter2\nb: 2\n";
        let hits = scan(text, Format::Config);
        let masked = mask(text, &[hits[0].secret.clone()]);
        assert_eq!(masked, "a: 1\npassword: *******\nb: 2\n");
        assert!(!masked.contains("hünter2"));
    }

    #[test]
    fn key_words() {
        assert_eq!(words("clientSecret"), ["client", "secret"]);
        assert_eq!(words("DB_PASSWORD"), ["db", "password"]);
        assert_eq!(secret_key("password_file"), None);
        assert_eq!(secret_key("PGPASSWORD"), Some(Strength::Strong));
        assert_eq!(secret_key("api-key"), Some(Strength::Strong));
        assert_eq!(secret_key("tls.key"), Some(Strength::Weak));
        assert_eq!(secret_key("keyboard"), None);
    }
}
