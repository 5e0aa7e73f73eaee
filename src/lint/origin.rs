//! Findings on a kustomize build, pointed back at the files the objects came from.
//!
//! With `buildMetadata: [originAnnotations]` in the kustomization, kustomize writes
//! `config.kubernetes.io/origin: "path: ../base/statefulset.yaml"` on every object it read
//! from a file. A finding on such an object names that file (relative to the current
//! directory) and, when the object and the field are found in it, their line and column;
//! otherwise the finding stays on the built stream.

use std::path::{Component, Path, PathBuf};

use serde_json::Value;

use super::docs::{Chunk, Doc, split};
use crate::locate::Locator;
use crate::path::FieldPath;

const ORIGIN: &str = "config.kubernetes.io/origin";

/// Where a finding lands in the object's origin file.
pub(crate) struct Origin {
    pub file: String,
    pub document: usize,
    pub pos: Option<(usize, usize)>,
}

/// The origin file of `doc` (built in kustomization directory `dir`) and the place of
/// `path` in it; `None` when the object has no origin annotation or the file is gone.
pub(crate) fn place(dir: &Path, doc: &Doc, path: &FieldPath) -> Option<Origin> {
    let origin = doc
        .annotations()?
        .get(ORIGIN)?
        .as_str()?
        .lines()
        .find_map(|l| l.trim().strip_prefix("path:"))?
        .trim()
        .trim_matches(['"', '\'']);
    // A remote origin (`repo:`) has a path inside the repository, not here.
    if origin.is_empty() || doc.annotations()?.get(ORIGIN)?.as_str()?.contains("repo:") {
        return None;
    }
    let file = normalize(&dir.join(origin));
    let text = std::fs::read_to_string(&file).ok()?;
    let shown = file.display().to_string();
    let mut chunks: Vec<Chunk> = Vec::new();
    split(&text, 0, &mut chunks);
    let Some((chunk, prefix)) = find(&text, &chunks, doc) else {
        return Some(Origin {
            file: shown,
            document: 0,
            pos: None,
        });
    };
    let body = text.get(chunk.start..chunk.end).unwrap_or_default();
    let locator = Locator::new(body);
    // The object may sit in a List of its file; a field a patch added is not in the file.
    let full = super::docs::join(&prefix, strip(&doc.prefix, path));
    let pos = locator
        .value_pos(0, &full)
        .map(|p| (p.line, p.column))
        .or_else(|| locator.document_line(0).map(|l| (l, 1)))
        .map(|(l, c)| (l + chunk.line, c));
    Some(Origin {
        file: shown,
        document: chunk.index,
        pos,
    })
}

/// `path` without the built document's own prefix (`items[i]` of a List).
fn strip(prefix: &FieldPath, path: &FieldPath) -> FieldPath {
    match path.0.strip_prefix(prefix.0.as_slice()) {
        Some(rest) => FieldPath(rest.to_vec()),
        None => path.clone(),
    }
}

/// The document of the origin file that holds the object: same kind, and a name the built
/// one contains (a `namePrefix` or `nameSuffix` lengthens it); the longest such name wins.
fn find<'c>(text: &str, chunks: &'c [Chunk], doc: &Doc) -> Option<(&'c Chunk, FieldPath)> {
    let mut best: Option<(&Chunk, FieldPath, usize)> = None;
    for c in chunks {
        let Ok(value) = super::yaml::load(text.get(c.start..c.end).unwrap_or_default()) else {
            continue;
        };
        let candidates: Vec<(FieldPath, &Value)> =
            match value.get("items").and_then(Value::as_array) {
                Some(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (FieldPath::root().key("items").index(i), v))
                    .collect(),
                None => vec![(FieldPath::root(), &value)],
            };
        for (prefix, v) in candidates {
            let kind = v.get("kind").and_then(Value::as_str);
            let name = v
                .get("metadata")
                .and_then(|m| m.get("name"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            if kind == Some(doc.kind())
                && doc.name().contains(name)
                && best.as_ref().is_none_or(|b| name.len() > b.2)
            {
                best = Some((c, prefix, name.len()));
            }
        }
    }
    best.map(|(c, p, _)| (c, p))
}

/// `a/b/../c` → `a/c`, without touching the filesystem (the path is only shown).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if out
                    .components()
                    .next_back()
                    .is_some_and(|l| matches!(l, Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized_lexically() {
        assert_eq!(
            normalize(Path::new("examples/overlays/prod/../base/sts.yaml")),
            PathBuf::from("examples/overlays/base/sts.yaml")
        );
        assert_eq!(normalize(Path::new("./a/./b")), PathBuf::from("a/b"));
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
    }
}
