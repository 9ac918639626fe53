//! Settings that turn off the checking of TLS certificates: a delivery that
//! accepts unknown certificates is a security defect, and the handbook counts it
//! among the vulnerabilities to report (TR-03109-6).
//!
//! Two shapes are read. Settings (`ssl.verify=false`, `insecure-skip-tls-verify:
//! true`, `NODE_TLS_REJECT_UNAUTHORIZED=0`, `validate_certs: no`, XML `name=`/
//! `value=` pairs and elements) are judged by their key: it must be about TLS
//! (ssl, tls, cert, https, hostname, x509), and either say "insecure", "trust
//! all", "skip/no verify" with a true value, or "verify", "check", "validate",
//! "reject unauthorized" with a false one. Well-known calls and flags
//! (`curl --insecure`, `wget --no-check-certificate`, `CERT_NONE`,
//! `NoopHostnameVerifier`) count as they are; Go's `InsecureSkipVerify: true` is
//! a setting like the others.

use std::ops::Range;

use super::secrets::{Format, fenced_blocks};

/// One setting that turns certificate checks off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The setting, from its key to its value.
    pub at: Range<usize>,
    pub what: String,
}

/// Calls and constants that accept any certificate whatever surrounds them.
const LITERALS: &[&str] = &[
    "ssl.CERT_NONE",
    "NoopHostnameVerifier",
    "ALLOW_ALL_HOSTNAME_VERIFIER",
    "_create_unverified_context",
];

/// Finds settings that turn off certificate checks. A hand-written line scanner,
/// not a regular expression: it runs on every text file of a delivery in every
/// pre-commit run, where compiling a case-insensitive pattern would cost more
/// than the scan.
pub fn scan(text: &str, format: Format) -> Vec<Hit> {
    if format == Format::Prose {
        return Vec::new();
    }
    let fences = if format == Format::Markdown { fenced_blocks(text) } else { Vec::new() };
    let inside = |at: usize| format != Format::Markdown || fences.iter().any(|f| f.contains(&at));
    let mut hits = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        if !inside(start) {
            continue;
        }
        let line = line.trim_end_matches(['\n', '\r']);
        settings(line, start, &mut hits);
        if format == Format::Xml {
            xml(line, start, &mut hits);
        } else if line.contains("curl") || line.contains("wget") {
            commands(line, start, &mut hits);
        }
    }
    if format != Format::Xml {
        for literal in LITERALS {
            for (at, _) in text.match_indices(literal).filter(|(at, _)| inside(*at)) {
                hits.push(Hit {
                    at: at..at + literal.len(),
                    what: format!("`{literal}` accepts any TLS certificate"),
                });
            }
        }
    }
    hits.sort_by_key(|h| (h.at.start, std::cmp::Reverse(h.at.end)));
    // A setting both ways find is said once.
    let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
    for hit in hits {
        match kept.last() {
            Some(last) if hit.at.start < last.at.end => {}
            _ => kept.push(hit),
        }
    }
    kept
}

const FLAG_WORDS: &[&str] =
    &["true", "false", "yes", "no", "on", "off", "0", "1", "none", "disable", "disabled"];

fn key_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-')
}

/// The yes/no word at the start of `text` (after an opening quote), as a range
/// of `text`; only when a word boundary follows.
fn flag_word(text: &str) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let open = usize::from(matches!(bytes.first(), Some(b'"' | b'\'')));
    let end = open + bytes[open..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    let word = &text[open..end];
    let boolean = FLAG_WORDS.iter().any(|w| w.eq_ignore_ascii_case(word));
    boolean.then_some(open..end)
}

/// `key: value`, `key = value`, `"key": value`, `KEY=value`, `key := value`.
fn settings(line: &str, offset: usize, hits: &mut Vec<Hit>) {
    let bytes = line.as_bytes();
    for (at, separator) in bytes.iter().enumerate() {
        if !matches!(separator, b':' | b'=') {
            continue;
        }
        // The key: a run of key characters before the separator, past blanks and
        // a closing quote.
        let mut end = at;
        while end > 0 && matches!(bytes[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        if end > 0 && matches!(bytes[end - 1], b'"' | b'\'') {
            end -= 1;
        }
        let begin = end - bytes[..end].iter().rev().take_while(|c| key_char(**c)).count();
        if begin == end {
            continue;
        }
        // The value, past `=`/`>` of `:=`/`=>` and blanks.
        let mut from = at + 1;
        if from < bytes.len() && matches!((separator, bytes[from]), (b':', b'=') | (b'=', b'>')) {
            from += 1;
        }
        while from < bytes.len() && matches!(bytes[from], b' ' | b'\t') {
            from += 1;
        }
        let Some(word) = flag_word(&line[from..]) else { continue };
        let (key, value) = (&line[begin..end], &line[from + word.start..from + word.end]);
        if disables(key, value) {
            hits.push(Hit {
                at: offset + begin..offset + from + word.end,
                what: format!("`{key}: {value}` turns off the checking of TLS certificates"),
            });
        }
    }
}

/// `name="key" value="v"` pairs and `<key>v</key>` elements.
fn xml(line: &str, offset: usize, hits: &mut Vec<Hit>) {
    for marker in ["name=\"", "key=\""] {
        let mut search = 0;
        while let Some(found) = line[search..].find(marker) {
            let begin = search + found + marker.len();
            search = begin;
            let Some(length) = line[begin..].find('"') else { break };
            let key = &line[begin..begin + length];
            let rest = begin + length;
            let Some(value_at) = line[rest..].find("value=\"").map(|v| rest + v + 6) else {
                continue;
            };
            let Some(word) = flag_word(&line[value_at..]) else { continue };
            let value = &line[value_at + word.start..value_at + word.end];
            if disables(key, value) {
                hits.push(Hit {
                    at: offset + begin..offset + value_at + word.end,
                    what: format!("`{key}: {value}` turns off the checking of TLS certificates"),
                });
            }
        }
    }
    let mut search = 0;
    while let Some(found) = line[search..].find('<') {
        let begin = search + found + 1;
        search = begin;
        let length = line.as_bytes()[begin..].iter().take_while(|c| key_char(**c)).count();
        let key = &line[begin..begin + length];
        let Some(close) = line[begin..].find('>').map(|c| begin + c + 1) else { break };
        let inner = line[close..].trim_start();
        let from = line.len() - inner.len();
        let Some(word) = flag_word(inner).filter(|w| w.start == 0) else { continue };
        let value = &inner[word.clone()];
        if !key.is_empty()
            && inner[word.end..].trim_start().starts_with("</")
            && disables(key, value)
        {
            hits.push(Hit {
                at: offset + begin..offset + from + word.end,
                what: format!("`{key}: {value}` turns off the checking of TLS certificates"),
            });
        }
    }
}

/// `curl -k`/`--insecure` (also among combined short flags) and `wget
/// --no-check-certificate`.
fn commands(line: &str, offset: usize, hits: &mut Vec<Hit>) {
    let words: Vec<(usize, &str)> = line
        .split_ascii_whitespace()
        .map(|w| (w.as_ptr() as usize - line.as_ptr() as usize, w))
        .collect();
    for (index, (at, word)) in words.iter().enumerate() {
        let tool = word.rsplit('/').next().unwrap_or(word);
        let insecure = |flag: &str| match tool {
            "curl" => {
                flag == "--insecure"
                    || (flag.starts_with('-') && !flag.starts_with("--") && flag[1..].contains('k'))
            }
            "wget" => flag == "--no-check-certificate",
            _ => false,
        };
        if let Some((flag_at, flag)) = words[index + 1..].iter().find(|(_, f)| insecure(f)) {
            let end = flag_at + flag.len();
            let shown: Vec<&str> = line[*at..end].split_ascii_whitespace().collect();
            hits.push(Hit {
                at: offset + at..offset + end,
                what: format!("`{}` accepts any TLS certificate", shown.join(" ")),
            });
        }
    }
}

/// Whether setting `key` to `value` turns certificate checks off.
fn disables(key: &str, value: &str) -> bool {
    let key: String =
        key.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    let about_tls =
        ["ssl", "tls", "cert", "https", "hostname", "x509"].iter().any(|w| key.contains(w))
            || key.contains("rejectunauthorized")
            || key.contains("insecureskipverify");
    if !about_tls {
        return false;
    }
    let truthy = ["true", "yes", "on", "1"].iter().any(|t| t.eq_ignore_ascii_case(value));
    const WHEN_TRUE: &[&str] = &[
        "insecure",
        "noverify",
        "skipverify",
        "disableverif",
        "trustall",
        "acceptall",
        "acceptany",
        "acceptunknown",
        "allowunknown",
        "allowinvalid",
        "allowselfsigned",
        "ignorecert",
        "ignoressl",
        "ignoretls",
    ];
    if WHEN_TRUE.iter().any(|w| key.contains(w)) {
        return truthy;
    }
    const WHEN_FALSE: &[&str] = &["verif", "rejectunauthorized", "check", "validat"];
    WHEN_FALSE.iter().any(|w| key.contains(w)) && !truthy
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, format: Format) -> usize {
        scan(text, format).len()
    }

    #[test]
    fn settings_that_turn_checks_off() {
        for text in [
            "ssl.verify=false\n",
            "insecure-skip-tls-verify: true\n",
            "export NODE_TLS_REJECT_UNAUTHORIZED=0\n",
            "validate_certs: no\n",
            "GIT_SSL_NO_VERIFY=1\n",
            "{\"tlsInsecure\": true}\n",
            "PYTHONHTTPSVERIFY=0\n",
            "hostname-verification: off\n",
            "curl -sS -k https://gw.example/api\n",
            "wget --no-check-certificate https://x\n",
            "curl -fsSLk https://x | sh\n",
            "tls_verify := false\n",
        ] {
            assert_eq!(found(text, Format::Config), 1, "{text}");
        }
        let xml =
            "<property name=\"ssl.trustAll\" value=\"true\"/>\n<sslVerify>false</sslVerify>\n";
        assert_eq!(found(xml, Format::Xml), 2);
        assert_eq!(found("ctx.verify_mode = ssl.CERT_NONE\n", Format::Code), 1);
        assert_eq!(found("tls.Config{InsecureSkipVerify: true}\n", Format::Code), 1);
    }

    #[test]
    fn settings_that_keep_them_on_or_are_about_something_else() {
        for text in [
            "ssl.verify=true\n",
            "insecure-skip-tls-verify: false\n",
            "verify_email: false\n",
            "trustAllProxies: true\n",
            "tls.enabled: false\n",
            "certificate.renewal.check: true\n",
            "curl https://gw.example/api -o kit.tar\n",
            "if ssl_verify == false; then\n",
            "url: https://ssl.example/verify=no-thanks\n",
        ] {
            assert_eq!(found(text, Format::Config), 0, "{text}");
        }
        // Documentation: only what it tells people to run, inside code fences.
        let markdown = "Never set `ssl.verify=false`.\n\n```sh\ncurl -k https://x\n```\n";
        assert_eq!(found(markdown, Format::Markdown), 1);
        assert_eq!(found("ssl.verify=false", Format::Prose), 0);
    }
}
