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
//! `NoopHostnameVerifier`) count as they are.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::secrets::{Format, fenced_blocks};

/// One setting that turns certificate checks off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The setting, from its key to its value.
    pub at: Range<usize>,
    pub what: String,
}

/// `key: value`, `key=value`, `"key": "value"`, `name="key" value="value"`,
/// `<key>value</key>`, for keys that may be about TLS and a yes/no value.
static SETTING: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r#"(?i-u)(?:\b(?:name|key)\s*=\s*"([\w.\-]+)"(?u:[^<>\n])*?\bvalue\s*=\s*"|<([\w.\-]+)(?u:[^<>\n])*>\s*|["']?\b([\w.\-]*(?:ssl|tls|cert|https|hostname|x509|reject_?unauthorized|skipverify)[\w.\-]*)["']?[ \t]*(?::=|=>|:|=)[ \t]*["']?)(true|false|yes|no|on|off|0|1|none|disabled?)\b"#,
    )
});

/// Flags and calls that need no key.
static LITERAL: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?-u)\bcurl\b(?u:[^\n])*?\s(?:-k|--insecure)\b|\bwget\b(?u:[^\n])*?\s--no-check-certificate\b|\bssl\.CERT_NONE\b|\bNoopHostnameVerifier\b|\bALLOW_ALL_HOSTNAME_VERIFIER\b|\b_create_unverified_context\b|\bInsecureSkipVerify:\s*true\b",
    )
});

fn regex(pattern: &str) -> Regex {
    // The patterns are constants of this file, covered by its tests.
    #[allow(clippy::expect_used)]
    Regex::new(pattern).expect("constant pattern")
}

/// Finds settings that turn off certificate checks.
pub fn scan(text: &str, format: Format) -> Vec<Hit> {
    if format == Format::Prose {
        return Vec::new();
    }
    let fences = if format == Format::Markdown { fenced_blocks(text) } else { Vec::new() };
    let inside = |at: usize| format != Format::Markdown || fences.iter().any(|f| f.contains(&at));
    let mut hits = Vec::new();
    for found in SETTING.captures_iter(text) {
        let (Some(whole), Some(value)) = (found.get(0), found.get(4)) else { continue };
        let Some(key) = found.get(1).or(found.get(2)).or(found.get(3)) else { continue };
        if !inside(whole.start()) || !disables(key.as_str(), value.as_str()) {
            continue;
        }
        hits.push(Hit {
            at: key.start()..value.end(),
            what: format!(
                "`{}: {}` turns off the checking of TLS certificates",
                key.as_str(),
                value.as_str()
            ),
        });
    }
    if format != Format::Xml {
        for found in LITERAL.find_iter(text) {
            if !inside(found.start()) {
                continue;
            }
            let shown = found.as_str().split_whitespace().collect::<Vec<_>>().join(" ");
            let shown: String = shown.chars().take(80).collect();
            hits.push(Hit {
                at: found.range(),
                what: format!("`{shown}` accepts any TLS certificate"),
            });
        }
    }
    hits.sort_by_key(|h| (h.at.start, std::cmp::Reverse(h.at.end)));
    // A setting both shapes find is said once.
    let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
    for hit in hits {
        match kept.last() {
            Some(last) if hit.at.start < last.at.end => {}
            _ => kept.push(hit),
        }
    }
    kept
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
    let truthy = matches!(value.to_ascii_lowercase().as_str(), "true" | "yes" | "on" | "1");
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
        ] {
            assert_eq!(found(text, Format::Config), 0, "{text}");
        }
        // Documentation: only what it tells people to run, inside code fences.
        let markdown = "Never set `ssl.verify=false`.\n\n```sh\ncurl -k https://x\n```\n";
        assert_eq!(found(markdown, Format::Markdown), 1);
        assert_eq!(found("ssl.verify=false", Format::Prose), 0);
    }
}
