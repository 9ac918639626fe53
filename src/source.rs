//! Reading manifest files as untrusted input.
//!
//! Every manifest passes through [`read_manifest`] before any parser sees it:
//! the size is bounded before reading, binary content and invalid UTF-8 are
//! refused with the place they start, and an empty document is a finding, not a
//! silent pass.

use std::fs;
use std::io::Read;
use std::path::Path;

use crate::diagnostic::{Code, Finding, LineIndex};

/// The largest manifest the tool reads. Real manifests are a few kilobytes; the
/// bound keeps a hostile pull request from making the gate slow or hungry.
pub const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// Why a file cannot be used as a manifest, with the text that can still be shown
/// around the problem (the valid part of a file that is not UTF-8).
#[derive(Debug)]
pub struct Refused {
    pub finding: Finding,
    pub shown: Option<String>,
}

impl From<Finding> for Refused {
    fn from(finding: Finding) -> Refused {
        Refused { finding, shown: None }
    }
}

/// Reads a manifest, or says why it cannot be used.
pub fn read_manifest(path: &Path) -> Result<String, Refused> {
    let unreadable = |err: std::io::Error| {
        Finding::error(Code::Unreadable, path, format!("cannot read the file: {err}"))
            .hint("check that the path names a readable file")
    };

    let file = fs::File::open(path).map_err(|err| Refused::from(unreadable(err)))?;
    let size = file.metadata().map_err(|err| Refused::from(unreadable(err)))?.len();
    if size > MAX_MANIFEST_BYTES {
        return Err(Finding::error(
            Code::TooLarge,
            path,
            format!("the file has {size} bytes; manifests may have at most {MAX_MANIFEST_BYTES}"),
        )
        .hint("keep large content in separate files and reference them by path")
        .into());
    }

    // Read one byte more than the bound, in case the file grew after `metadata`.
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_MANIFEST_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| Refused::from(unreadable(err)))?;
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(
            Finding::error(Code::TooLarge, path, "the file grew past the size bound").into()
        );
    }

    decode(path, bytes)
}

/// Checks that bytes are a text manifest: no NUL, valid UTF-8, not empty.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, Refused> {
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        let before = String::from_utf8_lossy(&bytes[..nul]);
        let location = LineIndex::new(&before).location(before.len()..before.len());
        return Err(Finding::error(
            Code::BinaryFile,
            path,
            "the file is binary (it holds a NUL byte)",
        )
        .located(location)
        .hint("manifests are YAML text; reference binary artifacts by path and digest")
        .into());
    }

    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            // The lossy text keeps every byte offset before the first bad byte.
            let shown = String::from_utf8_lossy(&bytes).into_owned();
            let end = valid + shown[valid..].chars().next().map_or(0, char::len_utf8);
            let location = LineIndex::new(&shown).location(valid..end);
            let finding = Finding::error(
                Code::InvalidUtf8,
                path,
                format!(
                    "the file is not valid UTF-8 (byte 0x{:02x} at offset {valid})",
                    bytes[valid]
                ),
            )
            .located(location)
            .hint("save the file as UTF-8; Latin-1 umlauts are the usual cause");
            return Err(Refused { finding, shown: Some(shown) });
        }
    };

    let has_content = text.lines().any(|line| {
        let line = line.trim();
        !line.is_empty() && !line.starts_with('#') && line != "---" && line != "..."
    });
    if !has_content {
        return Err(Finding::error(Code::EmptyFile, path, "the file holds no YAML document")
            .located(LineIndex::new(&text).location(0..0))
            .hint("write the manifest, or delete the file")
            .into());
    }

    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(bytes: &[u8]) -> Option<Code> {
        decode(Path::new("x.yaml"), bytes.to_vec()).err().map(|r| r.finding.code)
    }

    #[test]
    fn refuses_what_is_not_a_text_manifest() {
        assert_eq!(code(b"a: 1\n\0\0"), Some(Code::BinaryFile));
        assert_eq!(code(b"a: \xe4\n"), Some(Code::InvalidUtf8));
        assert_eq!(code(b""), Some(Code::EmptyFile));
        assert_eq!(code(b"# only a comment\n---\n"), Some(Code::EmptyFile));
        assert_eq!(code(b"a: 1\n"), None);
    }

    #[test]
    fn invalid_utf8_points_at_the_byte() {
        let finding = decode(Path::new("x.yaml"), b"a: 1\nb: \xe4\n".to_vec()).unwrap_err().finding;
        let location = finding.location.unwrap();
        assert_eq!((location.line, location.column), (2, 4));
    }
}
