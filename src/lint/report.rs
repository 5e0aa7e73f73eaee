//! Printing findings: rustc-like text (through [`crate::diag`]), a JSON array for CI steps,
//! GitHub Actions workflow commands (annotations on the pull request's files), or SARIF.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::{Finding, Set};
use crate::diag::{Diagnostic, Severity, Style};
use crate::locate::Pos;

/// How `gen lint` prints its findings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// One block per finding with the source line (one line each without snippets).
    #[default]
    Text,
    /// A JSON array of objects (`rule`, `severity`, `file`, `document`, `line`, `column`,
    /// `kind`, `namespace`, `name`, `path`, `message`; `severity` is `error`, `warning` or
    /// `info`); `[]` when there are none.
    Json,
    /// `::error file=F,line=L,col=C,title=RULE::Kind/ns/name path: message` lines
    /// (`::warning`, and `::notice` for an `info` finding).
    Github,
    /// A SARIF 2.1.0 log (see [`super::sarif`]), for code scanning.
    Sarif,
}

/// Bytes of source the text format may scan for excerpts in all (it stops showing them past
/// this, so thousands of findings in a huge stream stay fast).
const EXCERPT_BUDGET: usize = 256 * 1024 * 1024;

/// Renders `findings`; `sets` supplies the source lines for text excerpts (may be empty).
pub fn report(findings: &[Finding], sets: &[Set], format: Format, style: Style) -> String {
    match format {
        Format::Text => text(findings, sets, style),
        Format::Json => json(findings),
        Format::Github => github(findings),
        Format::Sarif => super::sarif::sarif(findings, sets),
    }
}

/// `Kind ns/name`, `Kind name`, or nothing for a document that is no object.
fn object(f: &Finding) -> String {
    match (&f.namespace, f.kind.is_empty()) {
        (_, true) => String::new(),
        (Some(ns), false) => format!("{} {ns}/{}", f.kind, f.name),
        (None, false) => format!("{} {}", f.kind, f.name),
    }
}

fn text(findings: &[Finding], sets: &[Set], style: Style) -> String {
    let sources: HashMap<&str, &str> = sets
        .iter()
        .flat_map(|s| &s.inputs)
        .map(|i| (i.name.as_str(), i.text.as_str()))
        .collect();
    let mut budget = EXCERPT_BUDGET;
    let mut secrets: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    let mut out = String::new();
    for f in findings {
        let what = object(f);
        let what = if what.is_empty() {
            format!("document {}", f.document)
        } else {
            what
        };
        let pos = f.line.map(|line| Pos {
            line,
            column: f.column.unwrap_or(1),
        });
        let source = sources.get(f.file.as_str()).copied().filter(|text| {
            // Finding the line scans the text up to it.
            let cost = text.len().min(f.line.unwrap_or(0).saturating_mul(200));
            let ok = cost <= budget;
            budget = budget.saturating_sub(cost);
            ok
        });
        // A Secret's lines are never shown: its data may be on any of them.
        let secret = f.line.is_some_and(|line| {
            let text = sources.get(f.file.as_str()).copied().unwrap_or_default();
            secrets
                .entry(f.file.as_str())
                .or_insert_with(|| secret_documents(text))
                .iter()
                .any(|(a, b)| (*a..=*b).contains(&line))
        });
        let source = source.filter(|_| !secret);
        let (message, label) = if style.snippets {
            (format!("{}: {what}", f.rule), f.message.clone())
        } else {
            (String::new(), format!("{what}: {} [{}]", f.message, f.rule))
        };
        let d = Diagnostic {
            severity: f.severity,
            message,
            file: Some(f.file.clone()),
            pos,
            path: (!f.path.is_root()).then(|| f.path.clone()),
            label,
            notes: if secret && style.snippets {
                vec!["note: the source line is not shown: it is part of a Secret".to_string()]
            } else {
                vec![]
            },
        };
        out.push_str(&d.render(source, style));
    }
    out
}

/// 1-based line ranges of the documents in `text` that declare `kind: Secret` (at the top
/// level, quoted or not).
fn secret_documents(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 1;
    let mut secret = false;
    let mut last = 0;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        last = n;
        if line.starts_with("---") || line.starts_with("...") {
            if secret {
                out.push((start, n - 1));
            }
            start = n;
            secret = false;
        }
        if let Some(kind) = line.strip_prefix("kind:") {
            let kind = kind.split('#').next().unwrap_or_default().trim();
            secret |= kind.trim_matches(['"', '\'']) == "Secret";
        }
    }
    if secret {
        out.push((start, last.max(start)));
    }
    out
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: &'a str,
    file: &'a str,
    document: usize,
    line: Option<usize>,
    column: Option<usize>,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
    path: String,
    message: &'a str,
}

/// How each format names a severity: the one place that maps them.
fn severity_name(s: Severity, format: Format) -> &'static str {
    match (format, s) {
        (Format::Github, Severity::Info) => "notice",
        (_, Severity::Info) => "info",
        (_, Severity::Warning) => "warning",
        (_, Severity::Error) => "error",
    }
}

pub(super) fn path(f: &Finding) -> String {
    if f.path.is_root() {
        String::new()
    } else {
        f.path.to_string()
    }
}

fn json(findings: &[Finding]) -> String {
    let items: Vec<JsonFinding<'_>> = findings
        .iter()
        .map(|f| JsonFinding {
            rule: f.rule.id(),
            severity: severity_name(f.severity, Format::Json),
            file: &f.file,
            document: f.document,
            line: f.line,
            column: f.column,
            kind: &f.kind,
            namespace: f.namespace.as_deref(),
            name: &f.name,
            path: path(f),
            message: &f.message,
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}

/// A workflow command's message: `%`, CR and LF escaped.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `Kind/ns/name`, `Kind/name`, or `document N` for a document that is no object.
pub(super) fn qualified(f: &Finding) -> String {
    match (&f.namespace, f.kind.is_empty()) {
        (_, true) => format!("document {}", f.document),
        (Some(ns), false) => format!("{}/{ns}/{}", f.kind, f.name),
        (None, false) => format!("{}/{}", f.kind, f.name),
    }
}

/// `Kind/ns/name path: message`: a finding in one line, for formats that show no source.
pub(super) fn one_line(f: &Finding) -> String {
    match path(f) {
        p if p.is_empty() => format!("{}: {}", qualified(f), f.message),
        p => format!("{} {p}: {}", qualified(f), f.message),
    }
}

fn github(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let mut props = format!(
            "file={},line={}",
            escape_property(&f.file),
            f.line.unwrap_or(1)
        );
        if let Some(c) = f.column {
            let _ = write!(props, ",col={c}");
        }
        let _ = write!(props, ",title={}", escape_property(f.rule.id()));
        let _ = writeln!(
            out,
            "::{} {props}::{}",
            severity_name(f.severity, Format::Github),
            escape_data(&one_line(f))
        );
    }
    out
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::path::FieldPath;
    use crate::rules::Rule;

    /// A finding with escapes to test in its file name and message.
    pub(in crate::lint) fn finding() -> Finding {
        Finding {
            rule: Rule::ServiceSelector,
            severity: Severity::Error,
            file: "a,b:c.yaml".into(),
            document: 2,
            line: Some(7),
            column: Some(3),
            kind: "Service".into(),
            namespace: Some("ns".into()),
            name: "web".into(),
            path: FieldPath::from(["spec", "selector"]),
            message: "100% wrong\nreally".into(),
        }
    }

    #[test]
    fn github_escapes_properties_and_data() {
        let out = github(&[finding()]);
        assert_eq!(
            out,
            "::error file=a%2Cb%3Ac.yaml,line=7,col=3,title=service-selector::Service/ns/web spec.selector: 100%25 wrong%0Areally\n"
        );
    }

    #[test]
    fn info_is_a_notice_on_github_and_info_in_json() {
        let mut f = finding();
        f.severity = Severity::Info;
        assert!(github(std::slice::from_ref(&f)).starts_with("::notice file="));
        let v: serde_json::Value = serde_json::from_str(&json(&[f])).unwrap();
        assert_eq!(v[0]["severity"], "info");
    }

    #[test]
    fn json_is_an_array_even_when_empty() {
        assert_eq!(json(&[]), "[]\n");
        let v: serde_json::Value = serde_json::from_str(&json(&[finding()])).unwrap();
        assert_eq!(v[0]["path"], "spec.selector");
        assert_eq!(v[0]["namespace"], "ns");
    }
}
