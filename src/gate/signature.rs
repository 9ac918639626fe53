//! SSH signatures on commits, checked offline against the keys the policy lists.
//!
//! A person's `signing-keys` entries use git's allowed-signers form without the
//! principal: optional options, then key type and base64 key, then an optional
//! comment. The options git honours are honoured here too: `namespaces="git"`
//! must include `git` when given, `valid-after` and `valid-before`
//! (`YYYYMMDD[HHMM[SS]][Z]`) bound the commit's committer time, and
//! `cert-authority` keys are refused (certificates are not supported).

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use ssh_key::{PublicKey, SshSig};

/// One allowed key with its options.
#[derive(Clone, Debug)]
pub struct AllowedKey {
    pub key: PublicKey,
    pub namespaces: Option<Vec<String>>,
    pub valid_after: Option<DateTime<Utc>>,
    pub valid_before: Option<DateTime<Utc>>,
}

impl AllowedKey {
    /// Reads one `signing-keys` entry.
    pub fn parse(entry: &str) -> Result<AllowedKey, String> {
        let entry = entry.trim();
        let first = entry.split_whitespace().next().unwrap_or_default();
        let (options, key_text) =
            if looks_like_key_type(first) { ("", entry) } else { split_options(entry)? };

        let mut allowed = AllowedKey {
            key: parse_key(key_text)?,
            namespaces: None,
            valid_after: None,
            valid_before: None,
        };
        for option in split_list(options) {
            let (name, value) = match option.split_once('=') {
                Some((name, value)) => {
                    (name.to_ascii_lowercase(), value.trim_matches('"').to_string())
                }
                None => (option.to_ascii_lowercase(), String::new()),
            };
            match name.as_str() {
                "namespaces" => {
                    allowed.namespaces =
                        Some(value.split(',').map(|n| n.trim().to_string()).collect());
                }
                "valid-after" => allowed.valid_after = Some(parse_validity(&value)?),
                "valid-before" => allowed.valid_before = Some(parse_validity(&value)?),
                "cert-authority" => return Err("`cert-authority` keys are not supported".into()),
                other => return Err(format!("unknown option `{other}`")),
            }
        }
        Ok(allowed)
    }

    /// Whether the key may sign git objects at this time.
    fn allows(&self, at: DateTime<Utc>) -> Result<(), String> {
        if let Some(namespaces) = &self.namespaces
            && !namespaces.iter().any(|n| n == "git")
        {
            return Err("the key is not allowed for the `git` namespace".into());
        }
        if self.valid_after.is_some_and(|after| at < after) {
            return Err(format!("the key is valid only after {}", self.valid_after.unwrap_or(at)));
        }
        if self.valid_before.is_some_and(|before| at >= before) {
            return Err(format!(
                "the key was valid only before {}",
                self.valid_before.unwrap_or(at)
            ));
        }
        Ok(())
    }

    /// The key's SHA-256 fingerprint, as `ssh-keygen -l` prints it.
    pub fn fingerprint(&self) -> String {
        self.key.fingerprint(ssh_key::HashAlg::Sha256).to_string()
    }
}

fn looks_like_key_type(token: &str) -> bool {
    token.starts_with("ssh-") || token.starts_with("ecdsa-") || token.starts_with("sk-")
}

/// Splits `options key...` where options may contain quoted spaces.
fn split_options(entry: &str) -> Result<(&str, &str), String> {
    let mut quoted = false;
    for (index, c) in entry.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                return Ok((&entry[..index], entry[index..].trim_start()));
            }
            _ => {}
        }
    }
    Err("no key after the options".into())
}

/// Splits a comma-separated option list, keeping commas inside quotes.
fn split_list(options: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in options.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => items.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        items.push(current);
    }
    items
}

fn parse_key(text: &str) -> Result<PublicKey, String> {
    let mut parts = text.split_whitespace();
    let (Some(kind), Some(data)) = (parts.next(), parts.next()) else {
        return Err("expected `<key type> <base64 key>`".into());
    };
    PublicKey::from_openssh(&format!("{kind} {data}"))
        .map_err(|err| format!("not an SSH public key: {err}"))
}

/// `YYYYMMDD[HHMM[SS]][Z]`: without `Z` git reads local time; a policy is shared
/// across machines, so the tool reads UTC either way and says so in the README.
fn parse_validity(text: &str) -> Result<DateTime<Utc>, String> {
    let digits = text.trim_end_matches(['Z', 'z']);
    let parsed = match digits.len() {
        8 => NaiveDate::parse_from_str(digits, "%Y%m%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)),
        12 => NaiveDateTime::parse_from_str(digits, "%Y%m%d%H%M").ok(),
        14 => NaiveDateTime::parse_from_str(digits, "%Y%m%d%H%M%S").ok(),
        _ => None,
    };
    parsed
        .map(|t| Utc.from_utc_datetime(&t))
        .ok_or_else(|| format!("`{text}` is not a time of the form YYYYMMDD[HHMM[SS]]"))
}

/// Why a commit's signature does not count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureProblem {
    /// The commit carries no signature.
    Unsigned,
    /// The signature is not an SSH signature, or cannot be read.
    Unreadable(String),
    /// None of the allowed keys made it (or a key that did is outside its validity).
    NotByAllowedKey(String),
}

/// Verifies an SSH signature (namespace `git`) over the signed data against the
/// allowed keys, at the commit's time.
pub fn verify(
    signature: Option<&str>,
    signed: &[u8],
    allowed: &[AllowedKey],
    committed: DateTime<Utc>,
) -> Result<usize, SignatureProblem> {
    let Some(signature) = signature else {
        return Err(SignatureProblem::Unsigned);
    };
    let sig = SshSig::from_pem(signature.trim().as_bytes())
        .map_err(|err| SignatureProblem::Unreadable(format!("not an SSH signature: {err}")))?;

    let mut reasons = Vec::new();
    for (index, key) in allowed.iter().enumerate() {
        if key.key.key_data() != sig.public_key() {
            continue;
        }
        if let Err(reason) = key.allows(committed) {
            reasons.push(reason);
            continue;
        }
        match key.key.verify("git", signed, &sig) {
            Ok(()) => return Ok(index),
            Err(err) => reasons.push(format!("the signature does not verify: {err}")),
        }
    }
    if reasons.is_empty() {
        reasons.push("it was made by a key the policy does not list for this person".into());
    }
    Err(SignatureProblem::NotByAllowedKey(reasons.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIpJF6EoPiyjsJIZ4j/F08DV3x1ql9qb1IIFsnGJb8eA anna";

    #[test]
    fn reads_allowed_signers_entries() {
        let plain = AllowedKey::parse(KEY).unwrap();
        assert!(plain.namespaces.is_none());
        let with = AllowedKey::parse(&format!(
            "namespaces=\"git,file\",valid-after=\"20260101\",valid-before=\"20270101Z\" {KEY}"
        ))
        .unwrap();
        assert_eq!(with.namespaces.as_deref(), Some(&["git".to_string(), "file".to_string()][..]));
        assert_eq!(with.valid_after.unwrap().to_rfc3339(), "2026-01-01T00:00:00+00:00");
        let early = Utc.with_ymd_and_hms(2025, 12, 31, 0, 0, 0).unwrap();
        assert!(with.allows(early).is_err());
        let fine = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        assert!(with.allows(fine).is_ok());
        assert!(
            AllowedKey::parse(&format!("namespaces=\"file\" {KEY}")).unwrap().allows(fine).is_err()
        );
        assert!(AllowedKey::parse(&format!("cert-authority {KEY}")).is_err());
        assert!(AllowedKey::parse("ssh-ed25519 notbase64").is_err());
    }

    #[test]
    fn an_unsigned_commit_is_named_so() {
        let key = AllowedKey::parse(KEY).unwrap();
        assert_eq!(verify(None, b"data", &[key], Utc::now()), Err(SignatureProblem::Unsigned));
    }
}
