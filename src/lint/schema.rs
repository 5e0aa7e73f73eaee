//! Rules about the set's shape: silence annotations, duplicates, and, for a set holding a
//! MigratoryData workload, one namespace and no cluster-scoped kinds but Namespace. (YAML
//! and schema findings come from parsing.)

use std::collections::HashMap;

use super::Out;
use super::index::SetIndex;
use crate::rules::{LINT_SKIP_PREFIX, RULES, Rule};

pub(crate) fn check(m: &SetIndex<'_>, out: &mut Out<'_>) {
    annotations(m, out);
    duplicates(m, out);
    // A MigratoryData bundle's shape; a multi-namespace installer is no such bundle.
    if m.migratorydata {
        namespaces(m, out);
    }
}

fn annotations(m: &SetIndex<'_>, out: &mut Out<'_>) {
    for (i, d) in m.docs.iter().enumerate() {
        let Some(annotations) = d.annotations() else {
            continue;
        };
        for (key, value) in annotations {
            let Some(id) = key.strip_prefix(LINT_SKIP_PREFIX) else {
                continue;
            };
            let path = ["metadata", "annotations", key];
            if Rule::from_id(id).is_none() {
                let hint = crate::suggest::did_you_mean(id, RULES.iter().map(|r| r.id))
                    .map_or_else(String::new, |s| format!(" (did you mean `{s}`?)"));
                out.at(
                    i,
                    Rule::LintAnnotation,
                    path,
                    format!("`{id}` is no rule of gen lint{hint}: the annotation silences nothing; use an id from the README's rule table"),
                );
            } else if value.as_str().is_none_or(|r| r.trim().is_empty()) {
                out.at(
                    i,
                    Rule::LintAnnotation,
                    path,
                    format!("silencing `{id}` needs a reason as the annotation's value (why this object is an exception); an empty one silences nothing"),
                );
            }
        }
    }
}

fn duplicates(m: &SetIndex<'_>, out: &mut Out<'_>) {
    let mut seen: HashMap<(&str, &str, Option<&str>, &str), usize> =
        HashMap::with_capacity(m.docs.len());
    for (i, d) in m.docs.iter().enumerate() {
        if d.kind().is_empty() || d.name().is_empty() {
            continue;
        }
        let key = (d.group(), d.kind(), d.namespace(), d.name());
        if let Some(&first) = seen.get(&key) {
            let f = &m.docs[first];
            let chunk = &out_chunk(m, f.chunk);
            out.at(
                i,
                Rule::DuplicateObject,
                ["metadata", "name"],
                format!(
                    "{} `{}` is already defined ({}, document {}): the later one replaces it on apply; rename or remove one",
                    d.kind(),
                    d.name(),
                    chunk.0,
                    chunk.1
                ),
            );
        } else {
            seen.insert(key, i);
        }
    }
}

/// The input name and document index of a chunk.
fn out_chunk<'a>(m: &SetIndex<'a>, chunk: usize) -> (&'a str, usize) {
    m.chunks.get(chunk).map_or(("", 0), |c| {
        let name = m.set.inputs.get(c.input).map_or("", |i| i.name.as_str());
        (name, c.index)
    })
}

fn namespaces(m: &SetIndex<'_>, out: &mut Out<'_>) {
    // The set's namespace: its Namespace object's, or else the one most objects use.
    let mut counts: Vec<(&str, usize)> = Vec::new();
    let mut namespace_objects = Vec::new();
    for (i, d) in m.docs.iter().enumerate() {
        if d.kind() == "Namespace" && d.group().is_empty() {
            namespace_objects.push(i);
            continue;
        }
        if let Some(ns) = d.namespace()
            && namespaced(d) != Some(false)
        {
            match counts.iter_mut().find(|(n, _)| *n == ns) {
                Some(c) => c.1 += 1,
                None => counts.push((ns, 1)),
            }
        }
    }
    let first_namespace = namespace_objects.first().map(|&i| m.docs[i].name());
    let set_ns = first_namespace.or_else(|| {
        let mut best: Option<(&str, usize)> = None;
        for &(n, c) in &counts {
            if best.is_none_or(|b| c > b.1) {
                best = Some((n, c));
            }
        }
        best.map(|b| b.0)
    });
    let whose = match first_namespace {
        Some(_) => "the set's Namespace is",
        None => "most of the set is in",
    };
    for &i in namespace_objects.iter().skip(1) {
        out.at(
            i,
            Rule::SingleNamespace,
            ["metadata", "name"],
            format!(
                "a second Namespace in the set (`{}` creates the first): a bundle lives in one namespace",
                first_namespace.unwrap_or_default()
            ),
        );
    }
    for (i, d) in m.docs.iter().enumerate() {
        let scope = namespaced(d);
        if scope == Some(false) {
            if d.kind() != "Namespace" {
                out.at(
                    i,
                    Rule::ClusterScoped,
                    ["kind"],
                    format!(
                        "{} is cluster-scoped: a namespace-scoped bundle creates no cluster-wide objects but its Namespace; move it to the cluster's platform configuration (or use a namespaced kind)",
                        d.kind()
                    ),
                );
            }
            continue;
        }
        let Some(set_ns) = set_ns else { continue };
        match d.namespace() {
            Some(ns) if ns != set_ns => out.at(
                i,
                Rule::SingleNamespace,
                ["metadata", "namespace"],
                format!("is in namespace `{ns}`, but {whose} `{set_ns}`: put every object of the set in one namespace"),
            ),
            None if scope == Some(true) => out.at(
                i,
                Rule::SingleNamespace,
                ["metadata"],
                format!("has no namespace, so kubectl puts it in the current context's: set `metadata.namespace: {set_ns}` like the rest of the set"),
            ),
            _ => {}
        }
    }
}

/// Whether the document's kind is namespaced; `None` when not known.
fn namespaced(d: &super::docs::Doc) -> Option<bool> {
    d.object.is_namespaced()
}
