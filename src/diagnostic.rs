//! Findings: what a rule says about an input, as plain data.
//!
//! A finding names its rule by a stable kebab-case [`Code`], carries a
//! [`Severity`], the file it is about, where in that file (a JSON pointer into the
//! document and, once resolved against the source text, a line and column), a
//! message and an optional hint saying what would fix it. Renderers only format
//! findings; they never decide anything.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How much a finding matters for the verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Shown, but does not change the exit code.
    Warning,
    /// Makes the run fail (exit 1).
    Error,
}

impl Severity {
    /// The word used in the one-line form `path:line:col: error: ...`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

macro_rules! codes {
    ($($variant:ident = $code:literal : $about:literal,)*) => {
        /// The stable identifier of every rule the tool can report.
        ///
        /// Codes never change meaning once released; a renamed rule gets a new code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $about] $variant,)*
        }

        impl Code {
            /// Every code, in the order of the table in the README.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The kebab-case form shown in brackets after each message.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            /// One sentence on what the rule checks.
            pub fn about(self) -> &'static str {
                match self {
                    $(Code::$variant => $about,)*
                }
            }
        }
    };
}

codes! {
    Unreadable = "unreadable-file":
        "The file could not be read (permissions, a folder where a file was expected).",
    TooLarge = "file-too-large":
        "The file is larger than the size bound for manifests (1 MiB).",
    InvalidUtf8 = "invalid-utf8":
        "The file is not valid UTF-8 text.",
    BinaryFile = "binary-file":
        "The file contains NUL bytes, so it is binary, not a YAML manifest.",
    EmptyFile = "empty-file":
        "The file holds no YAML document (empty, or only comments).",
    InvalidYaml = "invalid-yaml":
        "The text is not well-formed YAML.",
    DuplicateKey = "duplicate-key":
        "A mapping names the same key twice; YAML readers disagree on which one wins.",
    MultipleDocuments = "multiple-documents":
        "The file holds more than one YAML document; a manifest is exactly one.",
    YamlTooComplex = "yaml-too-complex":
        "Aliases, nesting or node count exceed the parser's budget (alias bombs).",
    UnknownKind = "unknown-kind":
        "Neither the file's place in the repository nor its `kind` says what it is.",
    KindMismatch = "kind-mismatch":
        "The `kind` field contradicts the file's place in the repository layout.",
    LayoutMismatch = "layout-mismatch":
        "Unit, version or environment differ from the folder and file names.",
    UnknownField = "unknown-field":
        "A field the schema does not define (often a typo).",
    MissingField = "missing-field":
        "A required field is absent.",
    WrongType = "wrong-type":
        "A value has the wrong type (for example a number where text is expected).",
    InvalidValue = "invalid-value":
        "A value is outside what the schema allows (enumeration, pattern, range).",
    VersionShape = "version-shape":
        "The version does not have the shape its kind needs (x.y.z or w.x.y.z).",
    DeltaBase = "delta-base":
        "A delta unit names no base version, or a full unit names one.",
    TimeWithoutOffset = "time-without-offset":
        "A point in time has no UTC offset, so it is ambiguous.",
    InvalidTime = "invalid-time":
        "A date or time cannot be read, or does not exist.",
    TimeOrder = "time-order":
        "An interval ends before it starts, or a time lies before the one it follows.",
    InvalidDuration = "invalid-duration":
        "A duration is not of the form `2h`, `45m` or `1h30m`.",
    PathEscapesRepository = "path-escapes-repository":
        "A referenced path leaves the repository (`..`, absolute, or a symlink out).",
    PathNotFound = "path-not-found":
        "A referenced file does not exist.",
    UnknownPerson = "unknown-person":
        "A person id is not listed under `people` in the policy.",
    UnknownEnvironment = "unknown-environment":
        "An environment name is not one of the policy's environments.",
    UnknownWindow = "unknown-window":
        "A window kind is not defined for that environment in the policy.",
    NotNextEnvironment = "not-next-environment":
        "An approval is for an environment other than the next one in order.",
    DuplicateName = "duplicate-name":
        "Two entries of a list share a name that must be unique.",
    InvalidPolicy = "invalid-policy":
        "The policy contradicts itself (see the message for the part).",
    PolicyExpired = "policy-expired":
        "The policy's validity end has passed; its windows must be confirmed again.",
    AccessReviewOverdue = "access-review-overdue":
        "The last access review is older than the policy's `interval-months`.",
    UnknownChange = "unknown-change-kind":
        "A standard change names a kind the policy does not define.",
    ChangeOverdue = "change-overdue":
        "A standard change is not completed and its maximum provisioning time has passed.",
    OutsideWindow = "outside-window":
        "The merge or the planned deployment is not inside one occurrence of its window kind.",
    DowntimeNotAllowed = "downtime-not-allowed":
        "The deployment has downtime, but its window kind allows none.",
    DowntimeNotAtStart = "downtime-not-at-start":
        "Work with downtime must start when the window opens.",
    DowntimeTooLong = "downtime-too-long":
        "The expected downtime is longer than the window or the planned deployment.",
    NoticeMissing = "notice-missing":
        "The window kind needs a customer notice, and none is recorded.",
    NoticeTooLate = "notice-too-late":
        "The customer notice was published after the window kind's lead time.",
    NoticeDowntimeMissing = "notice-downtime-missing":
        "The customer notice does not state the expected downtime.",
    WindowLimitExceeded = "window-limit-exceeded":
        "The window kind was already used as often as allowed this week or month.",
    EmergencyNotDeclared = "emergency-not-declared":
        "An emergency change lacks a declaration by an ISB with a reason.",
    UnknownPath = "unknown-path":
        "A changed path is neither a manifest, a file of a release unit, nor ignored by the policy.",
    DeletedManifest = "deleted-manifest":
        "The change deletes a release unit or a stage record; history stays, a rollback is recorded.",
    UnitEdited = "unit-edited":
        "A release unit already on the target branch was changed; a fix is a new version.",
    MissingStageRecord = "missing-stage-record":
        "A unit reaches an environment without its stage record for that environment.",
    RecordOutOfOrder = "record-out-of-order":
        "A stage record for a later environment arrives on an earlier environment's branch.",
    MissingEvidence = "missing-evidence":
        "An earlier environment's stage record is missing on its branch or in the change.",
    DiffersFromEarlierBranch = "differs-from-earlier-branch":
        "The unit or an earlier record differs from the copy on that environment's branch.",
    QaNotPassed = "qa-not-passed":
        "An earlier environment's QA did not pass, or found defects without a go decision.",
    ApprovalMissing = "approval-missing":
        "An earlier environment's record holds no approval for the next environment.",
    ApproverNotListed = "approver-not-listed":
        "The approver is not an approver of that environment in the target branch's policy.",
    SelfApproval = "self-approval":
        "The unit's author approved it; approvals need a second person.",
    DigestMismatch = "digest-mismatch":
        "A record's `release-digest` is not the SHA-256 of this release unit's release.yaml.",
    ApprovalUnsigned = "approval-unsigned":
        "Under `ssh-signature`, the commit that last changed the approved record is not signed.",
    ApprovalBadSignature = "approval-bad-signature":
        "The approval's commit is signed, but not by a key the policy lists for the approver.",
    ApprovalsUnverified = "approvals-unverified":
        "The policy's approvals mode is `none`: approvals are trusted without proof.",
    ApprovalNotReviewed = "approval-not-reviewed":
        "Under `github-review`, the approver's GitHub login has not approved the pull request at its head, or the reviews could not be read.",
    NoticeNotDrafted = "notice-not-drafted":
        "The customer notice for a deployment with downtime could not be drafted from the policy's template.",
    PolicyChangeUnapproved = "policy-change-unapproved":
        "The change edits the policy without a policy admin's approval.",
    DeltaBaseMissing = "delta-base-missing":
        "A delta unit's base version is not deployed on the target environment.",
    RollbackUnknown = "rollback-unknown":
        "A rollback names a version that was never deployed on the target environment.",
    PlaintextSecret = "plaintext-secret":
        "A file of the delivery holds a plaintext password, token or credentials (acceptance: security defects).",
    PlaintextPrivateKey = "plaintext-private-key":
        "A file of the delivery holds a private key (acceptance: security defects).",
    CertificateCheckDisabled = "certificate-check-disabled":
        "A configuration file of the delivery turns off the checking of TLS certificates (acceptance: security defects).",
    PrefilledDatabase = "prefilled-database":
        "A SQLite database of the delivery holds rows, or a SQL script inserts data (acceptance: security defects).",
    UnscannableFile = "unscannable-file":
        "A file of the delivery could not be scanned (unreadable, a symbolic link, too large, a broken database).",
    MissingAuthentication = "missing-authentication":
        "An exposed interface declares no authentication, `none`, or a method the policy does not allow.",
    RoleNonconformity = "role-nonconformity":
        "The unit declares an API call its role may not make under the policy's role matrix.",
    SystemRequirementsMissing = "system-requirements-missing":
        "The release description lacks runtime versions, operating system or dependencies.",
    CommunicationRelationsIncomplete = "communication-relations-incomplete":
        "Communication relations are missing, or one names no protocol or no peer.",
    InstallationGuideIncomplete = "installation-guide-incomplete":
        "The installation guide is missing or empty, or a variable it uses is not named and described.",
    AuthenticationUndescribed = "authentication-undescribed":
        "The authentication description is missing or empty, or omits a method an interface uses.",
    UserDocumentationIncomplete = "user-documentation-incomplete":
        "The user documentation is missing or empty, or a user-configurable setting is not described.",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Which part of a YAML node a finding points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The value (a wrong value, a bad type).
    Value,
    /// The key that introduces the value (an unexpected field, a duplicate).
    Key,
}

/// A resolved place in a file: 1-based line and column (in characters), and the
/// byte range the snippet renderer underlines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    #[serde(skip)]
    pub bytes: std::ops::Range<usize>,
}

/// One rule's verdict about one place.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    /// The file, as the user named it (relative paths stay relative).
    pub file: PathBuf,
    /// JSON pointer to the node inside the document, when the finding is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    #[serde(skip)]
    pub part: Part,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// For a finding of the acceptance checklist: whether it rejects the delivery
    /// or asks for rework (from the policy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<crate::model::policy::Outcome>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Set when the finding matches a category of security incident the
    /// handbook says to report (section 8). The tool decides nothing beyond
    /// saying so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident: Option<Incident>,
}

/// A reportable category of security incident (handbook section 8) that a finding
/// may amount to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Incident {
    /// The category, in the handbook's terms.
    pub category: &'static str,
    /// Whom to tell at once: always the operator's service desk and the ISB; the
    /// BSI too for vulnerabilities of the gateway-administration software
    /// (TR-03109-6).
    pub report_to: &'static [&'static str],
}

impl Incident {
    const DESK_ISB: &'static [&'static str] = &["service desk", "ISB"];
    const DESK_ISB_BSI: &'static [&'static str] = &["service desk", "ISB", "BSI"];

    /// The category a finding of this code may amount to.
    pub fn of(code: Code) -> Option<Incident> {
        let (category, report_to) = match code {
            Code::PlaintextPrivateKey => (
                "possible compromise of keys: a private key was handed over in plaintext",
                Incident::DESK_ISB,
            ),
            Code::PlaintextSecret => (
                "possible unauthorised access: credentials were handed over in plaintext",
                Incident::DESK_ISB,
            ),
            Code::MissingAuthentication => (
                "possible unauthorised access: an exposed interface without authentication",
                Incident::DESK_ISB,
            ),
            Code::RoleNonconformity => (
                "missing role separation, a vulnerability of the gateway-administration software (TR-03109-6)",
                Incident::DESK_ISB_BSI,
            ),
            Code::CertificateCheckDisabled => (
                "acceptance of unknown certificates, a vulnerability of the gateway-administration software (TR-03109-6)",
                Incident::DESK_ISB_BSI,
            ),
            _ => return None,
        };
        Some(Incident { category, report_to })
    }

    /// One sentence for a person.
    pub fn sentence(&self) -> String {
        let whom = match self.report_to {
            [one] => one.to_string(),
            [init @ .., last] => format!("{} and the {last}", init.join(", the ")),
            [] => String::new(),
        };
        format!(
            "this may be a security incident to report at once to the {whom} (handbook section 8): {}",
            self.category
        )
    }
}

impl Finding {
    /// An error about a whole file, or about a place resolved later.
    pub fn error(code: Code, file: &Path, message: impl Into<String>) -> Finding {
        Finding {
            code,
            severity: Severity::Error,
            file: file.to_path_buf(),
            pointer: None,
            part: Part::Value,
            location: None,
            outcome: None,
            message: message.into(),
            hint: None,
            incident: Incident::of(code),
        }
    }

    /// A warning about a whole file.
    pub fn warning(code: Code, file: &Path, message: impl Into<String>) -> Finding {
        Finding { severity: Severity::Warning, ..Finding::error(code, file, message) }
    }

    /// Points the finding at the value of a node, named by its JSON pointer.
    pub fn at(mut self, pointer: impl Into<String>) -> Finding {
        self.pointer = Some(pointer.into());
        self.part = Part::Value;
        self
    }

    /// Points the finding at the key that introduces a node.
    pub fn at_key(mut self, pointer: impl Into<String>) -> Finding {
        self.pointer = Some(pointer.into());
        self.part = Part::Key;
        self
    }

    /// Adds the sentence that says what would make the finding go away.
    pub fn hint(mut self, hint: impl Into<String>) -> Finding {
        self.hint = Some(hint.into());
        self
    }

    /// `reject: ` or `rework: ` for a checklist finding, else nothing: the prefix
    /// every output puts before the message.
    pub fn outcome_prefix(&self) -> &'static str {
        match self.outcome {
            Some(crate::model::policy::Outcome::Reject) => "reject: ",
            Some(crate::model::policy::Outcome::Rework) => "rework: ",
            None => "",
        }
    }

    /// Places the finding at an already known location.
    pub fn located(mut self, location: Location) -> Finding {
        self.location = Some(location);
        self
    }
}

/// Line starts of a text, to turn byte offsets into lines and columns.
#[derive(Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        LineIndex { text, starts }
    }

    /// 1-based line and character column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let start = self.starts[line];
        let column = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        (line + 1, column + 1)
    }

    /// A location covering the byte range.
    pub fn location(&self, bytes: std::ops::Range<usize>) -> Location {
        let (line, column) = self.line_col(bytes.start);
        let (end_line, end_column) = self.line_col(bytes.end);
        Location { line, column, end_line, end_column, bytes }
    }

    /// Byte offset of a 1-based line and character column.
    pub fn offset(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let within = rest.char_indices().nth(column.saturating_sub(1)).map_or(rest.len(), |c| c.0);
        start + within
    }
}

/// Orders findings for output: by file, then position, then code.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let pos = |f: &Finding| f.location.as_ref().map_or((0, 0), |l| (l.line, l.column));
        (&a.file, pos(a), a.code).cmp(&(&b.file, pos(b), b.code))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_characters_not_bytes() {
        let index = LineIndex::new("a: 1\nä: ö\n");
        assert_eq!(index.line_col(0), (1, 1));
        assert_eq!(index.line_col(5), (2, 1));
        // "ä" is two bytes; the value "ö" starts at byte 9, column 4.
        assert_eq!(index.line_col(9), (2, 4));
        assert_eq!(index.offset(2, 4), 9);
    }

    #[test]
    fn codes_are_unique_and_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert!(
                code.as_str()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            );
        }
    }
}
