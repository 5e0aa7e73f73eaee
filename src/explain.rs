//! What gen says about a bad input: the YAML parser's errors reworded for someone writing a
//! spec, the model's problems placed on the spec's line, inputs past the budget, and inputs
//! that cannot be read.

use std::borrow::Cow;

use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{
    DefaultMessageFormatter, Error as YamlError, Localizer, Location, RenderOptions, SnippetMode,
};

use crate::diag::{Diagnostic, Severity};
use crate::locate::{Locator, Pos};
use crate::model::Problem;
use crate::source::{self, Source};

/// A problem [`crate::model::resolve`] found, at the spec line of its field.
pub(crate) fn problem(
    source: &Source,
    locator: Option<&Locator>,
    p: &Problem,
    severity: Severity,
) -> Diagnostic {
    let find = |path: &crate::path::FieldPath| {
        locator.and_then(|l| l.value_pos(0, path).or_else(|| l.key_pos(0, path)))
    };
    let mut pos = find(&p.path);
    let mut notes = vec![];
    // A field the spec does not hold got gen's default: point at the nearest field it does.
    if pos.is_none()
        && !p.path.is_root()
        && locator.is_some()
        && !p.message.starts_with("missing field")
    {
        let mut up = p.path.clone();
        while pos.is_none() && !up.is_root() {
            up.0.pop();
            pos = find(&up);
        }
        notes.push(format!(
            "note: `{}` is not in the spec: gen applied its default",
            p.path
        ));
    }
    let headline = match severity {
        Severity::Error => format!("invalid cluster spec `{}`", source.name),
        Severity::Warning | Severity::Info => format!("cluster spec `{}`", source.name),
    };
    Diagnostic {
        severity,
        message: headline,
        file: Some(source.name.clone()),
        pos: Some(pos.unwrap_or(Pos { line: 1, column: 1 })),
        path: Some(p.path.clone()),
        label: crate::redact::message_about(&p.path.to_string(), &p.message).into_owned(),
        notes,
    }
}

/// A YAML or shape error from the spec parser, with the field path it happened at and a
/// "did you mean" for misspelled keys and values.
pub(crate) fn parse_error(source: &Source, e: &YamlError) -> Diagnostic {
    let pos = e.location().map(|l| Pos {
        line: l.line() as usize,
        column: l.column() as usize,
    });
    let kind = original(e);
    let path = pos.and_then(|p| Locator::new(&source.text).path_at(0, p));
    let mut notes = Vec::new();
    if let Some(hint) = did_you_mean(kind) {
        notes.push(format!("help: did you mean `{hint}`?"));
    }
    let path = path.filter(|p| !p.is_root());
    let label = match &path {
        Some(p) if wants_mapping(kind) => nested_mapping(p, source, pos),
        _ => explain(kind).unwrap_or_else(|| message(e)),
    };
    Diagnostic {
        severity: Severity::Error,
        message: format!("invalid cluster spec `{}`", source.name),
        file: Some(source.name.clone()),
        pos: Some(pos.unwrap_or(Pos { line: 1, column: 1 })),
        path,
        label,
        notes,
    }
}

/// The error itself, out of the wrappers that only add places (an alias's use and anchor, a
/// source excerpt).
fn original(mut e: &YamlError) -> &YamlError {
    while let YamlError::AliasError { error, .. } | YamlError::WithSnippet { error, .. } = e {
        e = error;
    }
    e
}

/// The parser's own message, without the place it names (the diagnostic shows the place):
/// rendered by serde-saphyr, which escapes control characters, with a localizer that attaches
/// no location.
fn message(e: &YamlError) -> String {
    struct NoPlace;
    impl Localizer for NoPlace {
        fn attach_location<'a>(&self, base: Cow<'a, str>, _: Location) -> Cow<'a, str> {
            base
        }
        fn alias_defined_at(&self, _: Location) -> String {
            String::new()
        }
        fn alias_used_at(&self, _: Location) -> String {
            String::new()
        }
    }
    let formatter = DefaultMessageFormatter.with_localizer(&NoPlace);
    let mut options = RenderOptions::new(&formatter);
    options.snippets = SnippetMode::Off;
    e.render_with_options(options)
}

/// True when the parser wanted a mapping here: the input ended, or something else stood
/// where a mapping should start.
fn wants_mapping(e: &YamlError) -> bool {
    match e {
        YamlError::Eof { .. } => true,
        YamlError::Unexpected { expected, .. } => *expected == "mapping start",
        _ => false,
    }
}

/// A field that must be a mapping holds something else. A JAAS config pasted in place of
/// `jaas: {secretName | file}` is a real mistake, and a credential: say so, without quoting it.
fn nested_mapping(path: &crate::path::FieldPath, source: &Source, pos: Option<Pos>) -> String {
    let line = pos
        .and_then(|p| source.text.lines().nth(p.line.saturating_sub(1)))
        .unwrap_or("");
    if crate::redact::is_jaas(line) || path.to_string().ends_with("jaas") && line.contains('=') {
        return "paste the JAAS config into a Secret or a file, not the spec: `jaas: {secretName: <a Secret with the key jaas.config>}` or `jaas: {file: jaas.config}`".to_string();
    }
    format!("`{path}` must be a mapping (`key: value` lines indented under it)")
}

/// The parser's terse messages reworded where a newcomer would be lost; None where its own
/// message says it well enough. Matched on serde-saphyr's error kinds, never on its English
/// text; the one exception is what `Unexpected` expected, which the crate gives only as a
/// fixed phrase of its own (`mapping start`, `scalar (!!binary) or sequence of 0..=255`).
fn explain(e: &YamlError) -> Option<String> {
    use YamlError as E;
    let text = match e {
        e if wants_mapping(e) => {
            "the spec must be a YAML mapping (at least `namespace`, `platform` and `replicas`); see `gen init`"
        }
        E::MultipleDocuments { .. }
        | E::Budget {
            breach: BudgetBreach::Documents { .. },
            ..
        } => "a spec is one YAML document; give each cluster its own file",
        E::Budget { .. } => {
            "the spec is larger or deeper than any real spec: gen stops reading here"
        }
        E::DuplicateMappingKey { key, .. } => {
            let key = key
                .as_deref()
                .map_or(String::new(), |k| format!(" `{}`", escaped(k)));
            return Some(format!(
                "duplicate key{key}: the mapping already has it; keep one"
            ));
        }
        E::NullIntoString { .. } | E::InvalidCharNull { .. } => {
            "expected a value here, found nothing (null): write one, or quote an empty text as \"\""
        }
        E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. }
        | E::UnknownAnchor { .. } => {
            "aliases here expand past what a spec needs: write the values out"
        }
        E::InvalidBinaryBase64 { .. }
        | E::BinaryNotUtf8 { .. }
        | E::BytesNotSupportedMissingBinaryTag { .. } => {
            "a value gen cannot read here: write plain text"
        }
        E::Unexpected { expected, .. } if expected.contains("!!binary") => {
            "a value gen cannot read here: write plain text"
        }
        E::InvalidScalar { ty: "u32", .. } => "expected a whole number in range (0 to 4294967295)",
        E::InvalidScalar { ty: "u16", .. } => "expected a whole number in range (0 to 65535)",
        E::InvalidScalar { ty: "i64", .. } => "expected a whole number in range (a 64-bit integer)",
        _ => return None,
    };
    Some(text.to_string())
}

/// `s` with control characters escaped as serde-saphyr escapes them in the messages it renders
/// (the fields of its errors hold the user's text as it was), so a key reads the same in every
/// message.
fn escaped(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') => {
                c.escape_debug().to_string()
            }
            c => c.to_string(),
        })
        .collect()
}

/// The closest expected name to a misspelled key or value.
fn did_you_mean(e: &YamlError) -> Option<&'static str> {
    let (word, expected) = match e {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => (field, expected),
        YamlError::SerdeUnknownVariant {
            variant, expected, ..
        } => (variant, expected),
        _ => return None,
    };
    crate::suggest::did_you_mean(word, expected.iter().copied())
}

/// An input past the input budget. No excerpt: the line may hold Secret data.
pub(crate) fn budget_error(name: &str, what: &str, b: &crate::budget::Breach) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        message: format!("{what} `{name}`"),
        file: Some(name.to_string()),
        pos: Some(Pos {
            line: b.line,
            column: b.column,
        }),
        path: None,
        label: format!("`{name}` holds {}", b.message),
        notes: vec![],
    }
}

/// An input that cannot be read (missing, a directory, too large, not UTF-8).
pub(crate) fn input_error(e: &source::InputError) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        message: format!("cannot read `{}`", e.name),
        file: Some(e.name.clone()),
        pos: e.at.map(|(line, column)| Pos { line, column }),
        path: None,
        label: format!("`{}` {}", e.name, e.message),
        notes: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The label and notes gen prints for a spec the parser refuses.
    fn refused(text: &str) -> (String, Vec<String>) {
        let source = Source {
            name: "spec.yaml".to_string(),
            path: None,
            text: text.to_string(),
        };
        let e = crate::spec::parse(text).expect_err("the parser refuses it");
        let d = parse_error(&source, &e);
        (d.label, d.notes)
    }

    const BASE: &str = "namespace: a\nplatform: aks\nreplicas: 3\n";

    #[test]
    fn an_error_met_through_an_alias_reads_as_the_error_itself() {
        let (label, notes) = refused(&format!("{BASE}labels: &l {{prot: \"1\"}}\nservice: *l\n"));
        assert_eq!(
            label,
            "unknown field `prot`, expected one of port, type, annotations"
        );
        assert_eq!(notes, ["help: did you mean `port`?"]);
        let (label, _) = refused("namespace: &n 99999999999\nplatform: aks\nreplicas: *n\n");
        assert_eq!(label, "expected a whole number in range (0 to 4294967295)");
    }

    #[test]
    fn a_duplicate_key_is_named_whole_with_control_characters_escaped() {
        let (label, _) = refused(&format!(
            "{BASE}labels: {{\"a, set b\": x, \"a, set b\": y}}\n"
        ));
        assert_eq!(
            label,
            "duplicate key `a, set b`: the mapping already has it; keep one"
        );
        let (label, _) = refused(&format!("{BASE}labels: {{\"a\\x01\": x, \"a\\x01\": y}}\n"));
        assert_eq!(
            label,
            "duplicate key `a\\u{1}`: the mapping already has it; keep one"
        );
    }

    #[test]
    fn a_misspelled_name_is_suggested_whatever_characters_it_holds() {
        let (_, notes) = refused(&format!("{BASE}\"rep`licas\": 3\n").replace("replicas: 3\n", ""));
        assert_eq!(notes, ["help: did you mean `replicas`?"]);
        let (_, notes) = refused("namespace: a\nplatform: \"ak\\es\"\nreplicas: 3\n");
        assert_eq!(notes, ["help: did you mean `aks`?"]);
    }

    #[test]
    fn text_that_reads_like_a_place_stays_in_the_message() {
        let (label, _) = refused(&format!("{BASE}zoneSpread: \"x at line 9\"\n"));
        assert_eq!(
            label,
            "invalid type: string \"x at line 9\", expected `true`, `false` or `{whenUnsatisfiable: ScheduleAnyway | DoNotSchedule}`"
        );
    }
}
