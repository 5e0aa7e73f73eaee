//! `gen fn`: gen as a KRM function (the KRM Functions Specification's `ResourceList`), for kpt
//! and `kustomize build --enable-alpha-plugins --enable-exec`.
//!
//! stdin is a ResourceList whose `functionConfig` is a spec; stdout is the same list with the
//! rendered bundle appended to `items` and every warning and error in `results` (severity,
//! message, the field, and the spec as `resourceRef`). On an error the items are returned as
//! they came, the results say why, and the exit code is 1. The spec is read from the
//! ResourceList (its comments and lines are gone), so results name fields, not lines;
//! `jaas.file` resolves against the working directory (kustomize runs functions in the
//! kustomization's directory).

use serde_json::{Map, Value, json};

use crate::diag::{Diagnostic, Severity};
use crate::output::Output;
use crate::pipeline::render_one;
use crate::source::{self, Source};
use crate::{model, render};

/// The ResourceList versions gen reads (kustomize and kpt send `v1`; `v1alpha1` is the older).
const API_VERSIONS: [&str; 2] = ["config.kubernetes.io/v1", "config.kubernetes.io/v1alpha1"];

/// `gen fn`.
pub fn command(max_bytes: u64, out: &mut Output) -> i32 {
    let list = match read_list(max_bytes) {
        Ok(list) => list,
        Err(e) => {
            out.error_text(&e);
            return 1;
        }
    };
    let (list, failed) = run(list, out);
    match serde_saphyr::to_string(&list) {
        Ok(text) => out.stdout(&text),
        Err(e) => {
            out.error_text(&format!("cannot write the ResourceList: {e}"));
            return 1;
        }
    }
    i32::from(failed)
}

/// Reads stdin as a ResourceList; what is not one is an error for stderr.
fn read_list(max_bytes: u64) -> Result<Map<String, Value>, String> {
    let input = source::read("-", max_bytes)
        .map_err(|e| format!("cannot read the ResourceList on stdin: {}", e.message))?;
    parse_list(&input.text)
}

fn parse_list(text: &str) -> Result<Map<String, Value>, String> {
    let value: Value = serde_saphyr::from_str(text).map_err(|e| {
        format!(
            "stdin is not a ResourceList: {}",
            e.to_string().lines().next().unwrap_or_default()
        )
    })?;
    let Value::Object(list) = value else {
        return Err("stdin is not a ResourceList: expected a YAML mapping".to_string());
    };
    let kind = list.get("kind").and_then(Value::as_str);
    let api = list.get("apiVersion").and_then(Value::as_str);
    if kind != Some("ResourceList") || !api.is_some_and(|a| API_VERSIONS.contains(&a)) {
        return Err(format!(
            "stdin is not a ResourceList: expected `apiVersion: {}` and `kind: ResourceList`, got `{}` `{}`",
            API_VERSIONS[0],
            api.unwrap_or("-"),
            kind.unwrap_or("-")
        ));
    }
    if !matches!(
        list.get("items"),
        None | Some(Value::Array(_) | Value::Null)
    ) {
        return Err("the ResourceList's `items` must be a list".to_string());
    }
    Ok(list)
}

/// Renders the functionConfig into the list; true when it failed.
fn run(mut list: Map<String, Value>, out: &mut Output) -> (Value, bool) {
    let config = list.get("functionConfig").cloned().unwrap_or(Value::Null);
    let mut messages = out.empty();
    messages.record = true;
    let rendered = spec_text(&config).and_then(|text| {
        let source = Source {
            name: format!("<functionConfig {}>", name(&config)),
            path: None,
            text,
        };
        let opts = model::ResolveOptions {
            base_dir: ".".into(),
            max_file_bytes: source::DEFAULT_MAX_BYTES,
            ..Default::default()
        };
        render_one(source, &opts, &mut messages)
    });
    if config.is_null() {
        messages.error_text("the ResourceList has no `functionConfig`: it must be the spec (`kind: MigratoryDataCluster`)");
    }
    let results: Vec<Value> = messages.seen.iter().map(|d| result(d, &config)).collect();
    let failed = rendered.is_none();
    out.absorb(messages);
    let mut items = match list.remove("items") {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    if let Some(r) = rendered {
        items.extend(crate::generator::documents(&render::join(&r.documents)));
    }
    list.insert("items".into(), Value::Array(items));
    if !results.is_empty() {
        list.insert("results".into(), Value::Array(results));
    }
    (Value::Object(list), failed)
}

/// The functionConfig as spec text.
fn spec_text(config: &Value) -> Option<String> {
    if config.is_null() {
        return None;
    }
    serde_saphyr::to_string(config).ok()
}

fn name(config: &Value) -> &str {
    config
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("?")
}

/// One diagnostic as a KRM result.
fn result(d: &Diagnostic, config: &Value) -> Value {
    let mut message = if d.label.is_empty() {
        d.message.clone()
    } else {
        d.label.clone()
    };
    for note in &d.notes {
        message.push_str("; ");
        message.push_str(note);
    }
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    let mut r = json!({ "message": message, "severity": severity });
    if let Some(path) = d.path.as_ref().filter(|p| !p.is_root()) {
        r["field"] = json!({ "path": path.to_string() });
    }
    if config.is_object() {
        let meta = config.get("metadata");
        let mut reference = json!({
            "apiVersion": config.get("apiVersion").cloned().unwrap_or(Value::Null),
            "kind": config.get("kind").cloned().unwrap_or(Value::Null),
            "name": name(config),
        });
        if let Some(ns) = meta.and_then(|m| m.get("namespace")) {
            reference["namespace"] = ns.clone();
        }
        r["resourceRef"] = reference;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_resource_list_is_read() {
        assert!(parse_list("kind: ResourceList\napiVersion: config.kubernetes.io/v1\n").is_ok());
        let e = parse_list("kind: ConfigMap\napiVersion: v1\n").unwrap_err();
        assert!(e.contains("`v1` `ConfigMap`"), "{e}");
        let e = parse_list("kind: ResourceList\napiVersion: config.kubernetes.io/v1\nitems: 3\n")
            .unwrap_err();
        assert!(e.contains("must be a list"), "{e}");
        assert!(parse_list("- a\n").is_err());
    }
}
