//! `gen lint --format sarif`: SARIF 2.1.0 for GitHub code scanning and security dashboards.
//!
//! One run whose driver lists every rule of [`RULES`] (the README table's why and fix), and one
//! result per finding: its place in the file gen read, and the object's kind, namespace and name
//! as a logical location. A finding in a built stream (`kubectl kustomize … | gen lint -`) on an
//! object kustomize annotated with `config.kubernetes.io/origin` (`buildMetadata:
//! [originAnnotations]`) points at the file the object came from instead; its place in the
//! stream is kept as a related location.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::report::{one_line, path, qualified};
use super::{Finding, RULES, RuleDoc, Set, docs};
use crate::diag::Severity;

/// The annotation kustomize writes with `buildMetadata: [originAnnotations]`.
pub const ORIGIN_ANNOTATION: &str = "config.kubernetes.io/origin";

/// The SARIF level of a severity: the one place gen's severities meet SARIF's.
fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The SARIF log of `findings`; `sets` supplies the texts origin annotations are read from.
pub fn sarif(findings: &[Finding], sets: &[Set]) -> String {
    let origins = origins(findings, sets);
    let results: Vec<Value> = findings
        .iter()
        .map(|f| result(f, origins.get(&(f.file.as_str(), f.document))))
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "gen",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": RULES.iter().map(rule).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&log).expect("a JSON value serializes");
    s.push('\n');
    s
}

/// A rule's reportingDescriptor: the README table's row.
fn rule(r: &RuleDoc) -> Value {
    json!({
        "id": r.id,
        "name": r.id,
        "shortDescription": { "text": first_sentence(r.why) },
        "fullDescription": { "text": r.why },
        "help": { "text": r.fix, "markdown": r.fix },
        "defaultConfiguration": { "level": level(r.severity) },
    })
}

/// Text up to and including the first `. ` (or all of it).
fn first_sentence(s: &str) -> &str {
    s.find(". ").map_or(s, |i| &s[..=i])
}

fn result(f: &Finding, origin: Option<&String>) -> Value {
    let what = qualified(f);
    let here = physical(&f.file, f.line, f.column);
    let mut location = json!({ "physicalLocation": here });
    if !f.kind.is_empty() {
        location["logicalLocations"] = json!([{
            "name": f.name,
            "fullyQualifiedName": what,
            "kind": "resource",
        }]);
    }
    let mut result = json!({
        "ruleId": f.rule.id(),
        "level": level(f.severity),
        "message": { "text": one_line(f) },
        "properties": {
            "kind": f.kind,
            "namespace": f.namespace,
            "name": f.name,
            "path": path(f),
            "document": f.document,
        },
    });
    // The rule's row of `RULES`, as the driver lists them.
    result["ruleIndex"] = json!(f.rule as usize);
    if let Some(file) = origin {
        location["physicalLocation"] = json!({ "artifactLocation": { "uri": uri(file) } });
        result["relatedLocations"] = json!([{
            "id": 0,
            "physicalLocation": here,
            "message": { "text": format!("where `{}` has the object", f.file) },
        }]);
    }
    result["locations"] = json!([location]);
    result
}

fn physical(file: &str, line: Option<usize>, column: Option<usize>) -> Value {
    let mut p = json!({ "artifactLocation": { "uri": uri(file) } });
    if let Some(line) = line {
        let mut region = json!({ "startLine": line });
        if let Some(c) = column {
            region["startColumn"] = json!(c);
        }
        p["region"] = region;
    }
    p
}

/// A file name as a URI reference: absolute paths become `file://` URIs, relative ones stay
/// relative (to the repository, for code scanning); anything outside unreserved characters and
/// `/` is percent-encoded (so `<stdin>` is `%3Cstdin%3E`).
fn uri(file: &str) -> String {
    let mut out = String::new();
    if file.starts_with('/') {
        out.push_str("file://");
    }
    for b in file.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The origin file of each (input, document) with findings whose object carries a local
/// `config.kubernetes.io/origin` (`path:` for a resource, `configuredIn:` for a generated one;
/// remote origins, with `repo:`, are left where they are).
fn origins<'a>(findings: &'a [Finding], sets: &[Set]) -> BTreeMap<(&'a str, usize), String> {
    let mut wanted: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for f in findings.iter().filter(|f| !f.kind.is_empty()) {
        wanted.entry(&f.file).or_default().insert(f.document);
    }
    let mut out = BTreeMap::new();
    for input in sets.iter().flat_map(|s| &s.inputs) {
        let Some((file, documents)) = wanted.get_key_value(input.name.as_str()) else {
            continue;
        };
        if !input.text.contains(ORIGIN_ANNOTATION) {
            continue;
        }
        let mut chunks = Vec::new();
        docs::split(&input.text, 0, &mut chunks);
        for c in chunks.iter().filter(|c| documents.contains(&c.index)) {
            if let Some(origin) = input.text.get(c.start..c.end).and_then(origin_file) {
                out.insert((*file, c.index), origin);
            }
        }
    }
    out
}

/// The local file a document's origin annotation names.
fn origin_file(document: &str) -> Option<String> {
    let value: Value = serde_saphyr::from_str(document).ok()?;
    let text = value
        .get("metadata")?
        .get("annotations")?
        .get(ORIGIN_ANNOTATION)?
        .as_str()?;
    let origin: Value = serde_saphyr::from_str(text).ok()?;
    if origin.get("repo").is_some() {
        return None;
    }
    let file = origin
        .get("path")
        .or_else(|| origin.get("configuredIn"))?
        .as_str()?;
    (!file.is_empty()).then(|| file.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::Input;

    fn finding(file: &str, document: usize) -> Finding {
        Finding {
            file: file.into(),
            document,
            ..crate::lint::report::tests::finding()
        }
    }

    #[test]
    fn every_rule_is_described_with_its_default_level() {
        let v: Value = serde_json::from_str(&sarif(&[], &[])).unwrap();
        let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), RULES.len());
        let unknown = rules.iter().find(|r| r["id"] == "unknown-kind").unwrap();
        assert_eq!(unknown["defaultConfiguration"]["level"], "warning");
        assert_eq!(
            v["runs"][0]["results"].as_array().map(Vec::len),
            Some(0),
            "no findings is an empty results array"
        );
    }

    #[test]
    fn file_names_become_uri_references() {
        assert_eq!(uri("<stdin>"), "%3Cstdin%3E");
        assert_eq!(uri("a b/c.yaml"), "a%20b/c.yaml");
        assert_eq!(uri("/tmp/x.yaml"), "file:///tmp/x.yaml");
    }

    #[test]
    fn an_origin_annotation_moves_the_location_to_its_file() {
        let stream = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: ns\n  annotations:\n    config.kubernetes.io/origin: |\n      path: base/service.yaml\n";
        let sets = [Set {
            name: "<stdin>".into(),
            inputs: vec![Input {
                name: "<stdin>".into(),
                text: stream.into(),
                built_from: None,
            }],
        }];
        let v: Value = serde_json::from_str(&sarif(
            &[finding("<stdin>", 1), finding("<stdin>", 0)],
            &sets,
        ))
        .unwrap();
        let moved = &v["runs"][0]["results"][0];
        assert_eq!(
            moved["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "base/service.yaml"
        );
        assert_eq!(
            moved["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
            7
        );
        let kept = &v["runs"][0]["results"][1];
        assert_eq!(
            kept["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "%3Cstdin%3E"
        );
        assert_eq!(
            kept["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "Service/ns/web"
        );
    }

    #[test]
    fn remote_origins_stay_in_the_stream() {
        let doc = "metadata:\n  annotations:\n    config.kubernetes.io/origin: |\n      path: x.yaml\n      repo: https://github.com/a/b\n";
        assert_eq!(origin_file(doc), None);
        let generated = "metadata:\n  annotations:\n    config.kubernetes.io/origin: |\n      configuredIn: cluster.yaml\n      configuredBy:\n        kind: MigratoryDataCluster\n";
        assert_eq!(origin_file(generated).as_deref(), Some("cluster.yaml"));
    }
}
