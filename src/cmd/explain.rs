//! What gen says about a bad input: the YAML parser's errors reworded for someone writing a
//! spec, the model's problems placed on the spec's line, inputs past the budget, and inputs
//! that cannot be read.

use crate::diag::{Diagnostic, Severity};
use crate::locate::{Locator, Pos};
use crate::model::Problem;
use crate::source::{self, Source};

/// A problem [`crate::model::resolve`] found, at the spec line of its field.
pub(super) fn problem(
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
pub(super) fn parse_error(source: &Source, e: &serde_saphyr::Error) -> Diagnostic {
    let pos = e.location().map(|l| Pos {
        line: l.line() as usize,
        column: l.column() as usize,
    });
    let raw = e.to_string();
    let first = strip_location(raw.lines().next().unwrap_or(&raw));
    let message = first
        .rsplit_once(" at line ")
        .map_or(first, |(m, _)| m)
        .to_string();
    let path = pos.and_then(|p| Locator::new(&source.text).path_at(0, p));
    let mut notes = Vec::new();
    if let Some(hint) = did_you_mean(&message, source, pos) {
        notes.push(format!("help: did you mean `{hint}`?"));
    }
    let path = path.filter(|p| !p.is_root());
    let label = match &path {
        Some(p) if wants_mapping(&message) => nested_mapping(p, source, pos),
        _ => explain(&message),
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

/// True for the parser's "a mapping was expected here" messages.
fn wants_mapping(message: &str) -> bool {
    message.starts_with("unexpected end of input") || message.starts_with("expected mapping start")
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

/// Drops serde-saphyr's own `error: line L column C: ` prefix: the diagnostic shows the place.
fn strip_location(s: &str) -> &str {
    let s = s.strip_prefix("error: ").unwrap_or(s);
    if let Some(rest) = s.strip_prefix("line ")
        && let Some(i) = rest.find(": ")
    {
        return &rest[i + 2..];
    }
    s
}

/// Rewords the parser's terse messages where a newcomer would be lost.
fn explain(message: &str) -> String {
    if message.starts_with("unexpected end of input")
        || message.starts_with("expected mapping start")
    {
        return "the spec must be a YAML mapping (at least `namespace`, `platform` and `replicas`); see `gen init`".to_string();
    }
    if message.starts_with("multiple YAML documents")
        || message.starts_with("budget breached: Documents")
    {
        return "a spec is one YAML document; give each cluster its own file".to_string();
    }
    if message.starts_with("budget breached") {
        return "the spec is larger or deeper than any real spec: gen stops reading here"
            .to_string();
    }
    if let Some(rest) = message.strip_prefix("duplicate mapping key") {
        let key = rest
            .strip_prefix(": ")
            .and_then(|r| r.split(", set ").next())
            .map_or(String::new(), |k| format!(" `{k}`"));
        return format!("duplicate key{key}: the mapping already has it; keep one");
    }
    if message.contains("cannot deserialize null") {
        return "expected a value here, found nothing (null): write one, or quote an empty text as \"\""
            .to_string();
    }
    if message.starts_with("alias ") {
        return "aliases here expand past what a spec needs: write the values out".to_string();
    }
    if message.contains("!!binary") || message.contains(" in Options") {
        return "a value gen cannot read here: write plain text".to_string();
    }
    if let Some(t) = message.strip_prefix("invalid ")
        && ["u32", "u16", "i64"].contains(&t)
    {
        return format!(
            "expected a whole number in range ({})",
            match t {
                "u32" => "0 to 4294967295",
                "u16" => "0 to 65535",
                _ => "a 64-bit integer",
            }
        );
    }
    message.to_string()
}

fn did_you_mean(message: &str, source: &Source, pos: Option<Pos>) -> Option<String> {
    // unknown field `replica`, expected one of name, namespace, ...
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (word, rest) = rest.split_once('`')?;
        let list = rest
            .split_once("expected one of ")
            .map(|x| x.1)
            .or_else(|| rest.split_once("expected ").map(|x| x.1))?;
        let candidates: Vec<&str> = list.split(", ").map(|c| c.trim_matches('`')).collect();
        return crate::suggest::did_you_mean(word, candidates.iter().copied()).map(str::to_string);
    }
    // unknown variant `openshfit`, expected one of `aks`, `eks`, `openshift`
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (word, rest) = rest.split_once('`')?;
        let list = rest
            .split_once("expected one of ")
            .map(|x| x.1)
            .or_else(|| rest.split_once("expected ").map(|x| x.1))?;
        let candidates: Vec<&str> = list.split(", ").map(|c| c.trim_matches('`')).collect();
        return crate::suggest::did_you_mean(word, candidates.iter().copied()).map(str::to_string);
    }
    let _ = (source, pos);
    None
}

/// An input past the input budget. No excerpt: the line may hold Secret data.
pub(super) fn budget_error(name: &str, what: &str, b: &crate::budget::Breach) -> Diagnostic {
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
