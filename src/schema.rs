//! The JSON Schemas under `schemas/`, embedded, compiled once, and their errors
//! turned into findings.
//!
//! The schemas of the four file kinds are generated from the structs in
//! [`crate::model`] by the test `schemas_are_up_to_date` (run it with
//! `UPDATE_SCHEMAS=1` to rewrite them). They are self-contained: every `$ref` is
//! local, so validation never fetches anything.
//!
//! A manifest is validated in two steps, the cheap one first. A validator
//! generated from the schema file at build time (jsonschema's `validator`
//! macro) says whether a document is valid; only when it is not is the schema
//! compiled at run time, whose errors carry the keyword locations the findings
//! and their hints are made from. Compiling the schema, and the meta-schema it
//! is checked against first, cost more than the rest of a pre-commit run on one
//! valid manifest (callgrind: 12.4 M instructions with it, 7.0 M without).
//! Debug builds, so every test, ask both validators about every document and
//! panic when they disagree.

use std::path::Path;
use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use crate::diagnostic::{Code, Finding};
use crate::model::SchemaName;
use crate::yaml::escape;

/// The text of a shipped schema.
pub fn text(name: SchemaName) -> &'static str {
    match name {
        SchemaName::Release => include_str!("../schemas/release.schema.json"),
        SchemaName::StageRecord => include_str!("../schemas/stage-record.schema.json"),
        SchemaName::Policy => include_str!("../schemas/policy.schema.json"),
        SchemaName::StandardChange => include_str!("../schemas/standard-change.schema.json"),
        SchemaName::LintReport => include_str!("../schemas/lint-report.schema.json"),
        SchemaName::CheckReport => include_str!("../schemas/check-report.schema.json"),
        SchemaName::SlaReport => include_str!("../schemas/sla-report.schema.json"),
        SchemaName::AccessReviewReport => {
            include_str!("../schemas/access-review-report.schema.json")
        }
    }
}

/// The `$id` every shipped schema carries.
pub fn id(name: SchemaName) -> String {
    format!("https://release-gate.invalid/schemas/v1/{}", name.file_name())
}

struct Compiled {
    schema: Value,
    validator: Validator,
}

fn compiled(name: SchemaName) -> &'static Compiled {
    static CELLS: [OnceLock<Compiled>; SchemaName::ALL.len()] =
        [const { OnceLock::new() }; SchemaName::ALL.len()];
    let slot = SchemaName::ALL.iter().position(|n| *n == name).unwrap_or(0);
    CELLS[slot].get_or_init(|| {
        // The schemas are part of the binary and tested; failing here is our bug.
        #[allow(clippy::expect_used)]
        let schema: Value = serde_json::from_str(text(name)).expect("shipped schema is JSON");
        #[allow(clippy::expect_used)]
        let validator =
            jsonschema::draft202012::options().build(&schema).expect("shipped schema compiles");
        Compiled { schema, validator }
    })
}

/// Generated validators answer only whether a document is valid.
macro_rules! generated {
    ($name:ident, $path:literal) => {
        #[jsonschema::validator(path = $path, methods = { is_valid = true, validate = false, iter_errors = false })]
        struct $name;
    };
}
generated!(ReleaseSchema, "schemas/release.schema.json");
generated!(StageRecordSchema, "schemas/stage-record.schema.json");
generated!(PolicySchema, "schemas/policy.schema.json");
generated!(StandardChangeSchema, "schemas/standard-change.schema.json");

/// The generated validator's verdict; `None` for the report schemas, which
/// only tests validate against.
fn generated_verdict(name: SchemaName, document: &Value) -> Option<bool> {
    match name {
        SchemaName::Release => Some(ReleaseSchema::is_valid(document)),
        SchemaName::StageRecord => Some(StageRecordSchema::is_valid(document)),
        SchemaName::Policy => Some(PolicySchema::is_valid(document)),
        SchemaName::StandardChange => Some(StandardChangeSchema::is_valid(document)),
        SchemaName::LintReport
        | SchemaName::CheckReport
        | SchemaName::SlaReport
        | SchemaName::AccessReviewReport => None,
    }
}

/// Validates a document against a schema; every violation becomes a finding.
pub fn validate(name: SchemaName, file: &Path, document: &Value) -> Vec<Finding> {
    let generated = generated_verdict(name, document);
    debug_assert!(
        generated.is_none_or(|valid| valid == compiled(name).validator.is_valid(document)),
        "the generated and the compiled {} schema disagree on {}",
        name.as_str(),
        file.display()
    );
    if generated == Some(true) {
        return Vec::new();
    }
    let compiled = compiled(name);
    if compiled.validator.is_valid(document) {
        return Vec::new();
    }
    compiled
        .validator
        .iter_errors(document)
        .flat_map(|error| findings(&compiled.schema, file, &error))
        .collect()
}

/// The schema object a keyword sits in, found through the error's absolute
/// keyword location (which already followed every `$ref`).
fn enclosing_schema<'s>(schema: &'s Value, error: &ValidationError<'_>) -> Option<&'s Value> {
    let location = error.absolute_keyword_location()?;
    let fragment = location.fragment()?.as_str();
    let parent = &fragment[..fragment.rfind('/')?];
    schema.pointer(&percent_decode(parent))
}

fn percent_decode(text: &str) -> String {
    text.replace("%24", "$")
}

fn findings(schema: &Value, file: &Path, error: &ValidationError<'_>) -> Vec<Finding> {
    let pointer = error.instance_path().as_str().to_string();
    let here = enclosing_schema(schema, error);
    let properties = || {
        here.and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
            .map_or_else(Vec::new, |props| props.keys().map(String::as_str).collect::<Vec<_>>())
    };

    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => unexpected
            .iter()
            .map(|name| {
                let allowed = properties();
                let finding =
                    Finding::error(Code::UnknownField, file, format!("unknown field `{name}`"))
                        .at_key(format!("{pointer}/{}", escape(name)));
                match suggest(name, &allowed) {
                    Some(best) => finding.hint(format!("did you mean `{best}`?")),
                    None => finding.hint(format!("allowed here: {}", list(&allowed))),
                }
            })
            .collect(),

        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let about = here
                .and_then(|s| s.pointer(&format!("/properties/{}/description", escape(name))))
                .and_then(Value::as_str);
            let hint = match about {
                Some(about) => format!("add `{name}:` ({})", first_sentence(about)),
                None => format!("add `{name}:`"),
            };
            vec![
                Finding::error(Code::MissingField, file, format!("missing field `{name}`"))
                    .at_key(pointer)
                    .hint(hint),
            ]
        }

        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(ts) => {
                    ts.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" or ")
                }
            };
            let found = type_name(error.instance());
            let mut finding = Finding::error(
                Code::WrongType,
                file,
                format!("expected {}, found {found}", article(&expected)),
            )
            .at(pointer);
            if expected == "string" && matches!(found, "a number" | "a boolean") {
                finding = finding.hint(format!(
                    "unquoted, YAML reads this as {found} ({}); quote the value to keep it as text",
                    error.instance()
                ));
            }
            vec![finding]
        }

        ValidationErrorKind::Enum { options } => {
            let choices: Vec<&str> =
                options.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            let given = scalar_text(error.instance());
            let finding = Finding::error(
                Code::InvalidValue,
                file,
                format!("`{given}` is not one of {}", list(&choices)),
            )
            .at(pointer);
            vec![match suggest(&given, &choices) {
                Some(best) => finding.hint(format!("did you mean `{best}`?")),
                None => finding,
            }]
        }

        ValidationErrorKind::Constant { expected_value } => vec![
            Finding::error(
                Code::InvalidValue,
                file,
                format!("must be `{}`", scalar_text(expected_value)),
            )
            .at(pointer)
            .hint(format!("write `{}`", scalar_text(expected_value))),
        ],

        ValidationErrorKind::Pattern { .. } => {
            let about = here.and_then(|s| s.get("description")).and_then(Value::as_str);
            let finding = Finding::error(
                Code::InvalidValue,
                file,
                format!("`{}` does not have the expected form", scalar_text(error.instance())),
            )
            .at(pointer);
            vec![match about {
                Some(about) => finding.hint(first_sentence(about)),
                None => finding,
            }]
        }

        _ => vec![Finding::error(Code::InvalidValue, file, error.to_string()).at(pointer)],
    }
}

/// The closest candidate by edit distance, if it is close enough to be a typo.
pub fn suggest<'a>(given: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(given, c), *c))
        .filter(|(distance, c)| *distance <= (c.len().max(given.len()) / 3).max(1))
        .min()
        .map(|(_, c)| c)
}

fn list(items: &[&str]) -> String {
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

fn first_sentence(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.find(". ") {
        Some(end) => text[..end].to_string(),
        None => text.trim_end_matches('.').to_string(),
    }
}

fn article(type_name: &str) -> String {
    match type_name {
        "array" | "object" | "integer" => format!("an {type_name}"),
        other => format!("a {other}"),
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Policy, ReleaseUnit, StageRecord, StandardChange};

    /// Generates a schema from a model type, in the shape the shipped files have.
    fn generate<T: schemars::JsonSchema>(name: SchemaName) -> Value {
        let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
        let mut schema = generator.into_root_schema_for::<T>().to_value();
        tidy(&mut schema);
        if let Value::Object(root) = &mut schema {
            root.insert("$id".into(), Value::String(id(name)));
        }
        schema
    }

    /// Makes the generated schema plain for every consumer: enums of documented
    /// unit variants become `enum`, integer `format`s that generic validators do
    /// not know are dropped (the ranges stay), and optional fields do not accept
    /// `null` (leave a field out instead of writing `~`).
    fn tidy(value: &mut Value) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Array(types)) = map.get_mut("type") {
                    types.retain(|t| t != "null");
                    if types.len() == 1 {
                        let single = types.remove(0);
                        map.insert("type".into(), single);
                    }
                }
                if let Some(Value::Array(any)) = map.get_mut("anyOf") {
                    any.retain(|s| s.get("type").and_then(Value::as_str) != Some("null"));
                    if any.len() == 1 {
                        let single = any.remove(0);
                        map.remove("anyOf");
                        if let Value::Object(inner) = single {
                            map.extend(inner);
                        }
                    }
                }
                if map.get("default") == Some(&Value::Null) {
                    map.remove("default");
                }
                if let Some(Value::Array(variants)) = map.get("oneOf") {
                    let consts: Option<Vec<Value>> =
                        variants.iter().map(|v| v.get("const").cloned()).collect();
                    if let Some(consts) = consts {
                        map.remove("oneOf");
                        map.insert("enum".into(), Value::Array(consts));
                        map.insert("type".into(), Value::String("string".into()));
                    }
                }
                if map.get("type").and_then(Value::as_str) == Some("integer") {
                    map.remove("format");
                }
                map.values_mut().for_each(tidy);
            }
            Value::Array(items) => items.iter_mut().for_each(tidy),
            _ => {}
        }
    }

    /// Every property of every object schema has a description, so editors show help.
    fn assert_described(value: &Value, at: &str) {
        if let Some(props) = value.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                assert!(
                    prop.get("description").is_some(),
                    "{at}/properties/{name} has no description"
                );
            }
        }
        if let Value::Object(map) = value {
            for (key, child) in map {
                assert_described(child, &format!("{at}/{key}"));
            }
        }
    }

    #[test]
    fn schemas_are_up_to_date() {
        let generated = [
            (SchemaName::Release, generate::<ReleaseUnit>(SchemaName::Release)),
            (SchemaName::StageRecord, generate::<StageRecord>(SchemaName::StageRecord)),
            (SchemaName::Policy, generate::<Policy>(SchemaName::Policy)),
            (SchemaName::StandardChange, generate::<StandardChange>(SchemaName::StandardChange)),
        ];
        let update = std::env::var_os("UPDATE_SCHEMAS").is_some();
        for (name, schema) in generated {
            assert_described(&schema, name.as_str());
            let pretty = serde_json::to_string_pretty(&schema).unwrap() + "\n";
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas").join(name.file_name());
            if update {
                std::fs::write(&path, &pretty).unwrap();
            } else {
                assert_eq!(
                    text(name),
                    pretty,
                    "{} is stale: run `UPDATE_SCHEMAS=1 cargo test schemas_are_up_to_date`",
                    path.display()
                );
            }
        }
    }

    #[test]
    fn every_shipped_schema_compiles_and_has_an_id() {
        for name in SchemaName::ALL {
            let schema: Value = serde_json::from_str(text(name)).unwrap();
            assert_eq!(schema["$id"], id(name));
            jsonschema::draft202012::meta::validate(&schema).unwrap();
            let _ = compiled(name);
        }
    }

    /// Draft 7 and draft 2020-12 agree on these keywords; a `$ref` with siblings
    /// other than annotations would be read differently (draft 7 ignores them).
    fn assert_common_subset(value: &Value, at: &str) {
        const KEYWORDS: &[&str] = &[
            "$schema",
            "$id",
            "$ref",
            "$defs",
            "title",
            "description",
            "default",
            "type",
            "properties",
            "required",
            "additionalProperties",
            "propertyNames",
            "items",
            "enum",
            "const",
            "pattern",
            "minimum",
            "maximum",
            "minLength",
            "minItems",
        ];
        const ANNOTATIONS: &[&str] = &["$ref", "title", "description", "default"];
        let Value::Object(map) = value else { return };
        if map.contains_key("$ref") {
            for key in map.keys() {
                assert!(ANNOTATIONS.contains(&key.as_str()), "{at}: `{key}` beside `$ref`");
            }
        }
        for (key, child) in map {
            let named = matches!(at.rsplit('/').next(), Some("properties" | "$defs"));
            if !named {
                assert!(KEYWORDS.contains(&key.as_str()), "{at}: keyword `{key}`");
                // Values, not schemas: nothing below them is a keyword.
                if matches!(key.as_str(), "default" | "const" | "enum") {
                    continue;
                }
            }
            match child {
                Value::Object(_) => assert_common_subset(child, &format!("{at}/{key}")),
                Value::Array(items) if key != "enum" && key != "required" => {
                    for (i, item) in items.iter().enumerate() {
                        assert_common_subset(item, &format!("{at}/{key}/{i}"));
                    }
                }
                _ => {}
            }
        }
    }

    /// Every YAML file below a folder, parsed; files that are no YAML are left out.
    fn documents(dir: &Path, out: &mut Vec<Value>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                documents(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml")
                && let Ok(text) = std::fs::read_to_string(&path)
                && let Ok(value) = crate::yaml::parse(&path, &text)
            {
                out.push(value);
            }
        }
    }

    #[test]
    fn generated_and_compiled_validators_agree() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut samples = Vec::new();
        for dir in ["examples", "tests/fixtures", "policy"] {
            documents(&root.join(dir), &mut samples);
        }
        // Each document also with each of its top-level fields left out, and
        // turned into a number; and every document against every schema, which
        // gives unknown fields and wrong kinds.
        for document in samples.clone() {
            let Value::Object(fields) = document else { continue };
            for key in fields.keys() {
                let mut without = fields.clone();
                without.remove(key);
                samples.push(Value::Object(without));
                let mut mistyped = fields.clone();
                mistyped.insert(key.clone(), Value::from(12345));
                samples.push(Value::Object(mistyped));
            }
        }
        for name in SchemaName::ALL {
            let mut verdicts = [0, 0];
            for document in &samples {
                let Some(generated) = generated_verdict(name, document) else { continue };
                let compiled = compiled(name).validator.is_valid(document);
                assert_eq!(generated, compiled, "{}: {document}", name.as_str());
                verdicts[usize::from(generated)] += 1;
            }
            if generated_verdict(name, &Value::Null).is_some() {
                assert!(verdicts[0] > 0 && verdicts[1] > 0, "{}: {verdicts:?}", name.as_str());
            }
        }
    }

    #[test]
    fn schemas_mean_the_same_in_draft_7() {
        for name in SchemaName::ALL {
            let schema: Value = serde_json::from_str(text(name)).unwrap();
            assert_common_subset(&schema, name.as_str());
        }
    }

    #[test]
    fn suggestions_catch_typos_only() {
        assert_eq!(suggest("delivred", &["delivered", "downtime"]), Some("delivered"));
        assert_eq!(suggest("colour", &["unit", "version"]), None);
    }
}
