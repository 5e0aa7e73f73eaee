//! The source tree's shape: no import cycle between the top-level modules of `src/` (a file
//! `src/X.rs` or a directory `src/X/`), so dependencies run one way, commands → pipeline →
//! model, render and lint → leaf helpers; and one name per type, so a grep for a type lands
//! on the one thing it means.
//!
//! A module imports another when its code (comments and test modules left out) names
//! `crate::other`, or `other` first in a `crate::{..}` group.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The top-level modules of `src`, each with its files (`X.rs` and everything under `X/`).
fn top_level_modules(src: &Path) -> BTreeMap<String, Vec<PathBuf>> {
    let mut tops: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir(src).expect("src/ is readable") {
        let path = entry.expect("src/ lists").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 names")
            .to_string();
        if path.is_dir() {
            let files = tops.entry(name).or_default();
            rust_files(&path, files);
        } else if let Some(stem) = name.strip_suffix(".rs")
            && stem != "lib"
            && stem != "main"
        {
            tops.entry(stem.to_string()).or_default().push(path);
        }
    }
    tops
}

/// Every `.rs` file under `dir`, but a `tests.rs` (a `#[cfg(test)] mod tests;`).
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable") {
        let path = entry.expect("lists").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(path);
        }
    }
}

/// A file's code: up to its test modules (gen keeps them last, from the first
/// `#[cfg(test)]`), without comment lines.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The first path segment after each `crate::` in `code`: `crate::model::X` names `model`,
/// `crate::{model::X, lint}` names `model` and `lint`.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(is_ident) {
            continue; // `foo_crate::`, not a path from the crate root
        }
        if let Some(group) = rest.strip_prefix('{') {
            // Depth 1 of the group: the segment after `{` and after each `,`.
            let mut depth = 1;
            let mut expect = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 1 => expect = true,
                    c if expect && depth == 1 && is_ident(c) => {
                        let word: String =
                            group[i..].chars().take_while(|&c| is_ident(c)).collect();
                        names.insert(word);
                        expect = false;
                    }
                    _ => {}
                }
                if depth == 0 {
                    break;
                }
            }
        } else {
            let word: String = rest.chars().take_while(|&c| is_ident(c)).collect();
            names.insert(word);
        }
    }
    names
}

/// Which top-level module imports which.
fn graph(src: &Path) -> Graph {
    let tops = top_level_modules(src);
    let mut graph = Graph::new();
    for (name, files) in &tops {
        let uses = graph.entry(name.clone()).or_default();
        for file in files {
            let text = std::fs::read_to_string(file).expect("readable source");
            for used in crate_paths(&code(&text)) {
                if used != *name && tops.contains_key(&used) {
                    uses.insert(used);
                }
            }
        }
    }
    graph
}

/// One cycle of `graph` (its first module repeated at the end), if it has any.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit<'a>(
        node: &'a str,
        graph: &'a Graph,
        done: &mut BTreeSet<&'a str>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|&n| n == node) {
            let mut cycle: Vec<String> = path[at..].iter().map(|n| n.to_string()).collect();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if !done.insert(node) {
            return None;
        }
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, done, path) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut done, &mut Vec::new()))
}

#[test]
fn no_two_top_level_modules_import_each_other() {
    let graph = graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(
        graph.len() > 20 && graph["cmd"].contains("pipeline"),
        "the scan sees gen's modules: {graph:?}"
    );
    let pairs: Vec<(&String, &String)> = graph
        .iter()
        .flat_map(|(a, uses)| uses.iter().map(move |b| (a, b)))
        .filter(|(a, b)| a < b && graph[*b].contains(*a))
        .collect();
    assert!(
        pairs.is_empty(),
        "top-level modules importing each other: {pairs:?}"
    );
    assert_eq!(
        find_cycle(&graph),
        None,
        "an import cycle between top-level modules"
    );
}

#[test]
fn the_scan_finds_paths_and_groups_and_skips_comments_and_tests() {
    let text = "use crate::model::{self, X};\nuse crate::{lint::{Set, Input}, out};\n// crate::diff\n/// [`crate::cmd`]\nfn f() { my_crate::diag(); crate::render::join(&[]); }\n#[cfg(test)]\nmod tests { use crate::spec; }\n";
    let names = crate_paths(&code(text));
    let want: BTreeSet<String> = ["lint", "model", "out", "render"].map(String::from).into();
    assert_eq!(names, want);
    let graph: Graph = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(
        find_cycle(&graph),
        Some(["a", "b", "c", "a"].map(String::from).to_vec())
    );
    let mut acyclic = graph.clone();
    acyclic.get_mut("c").unwrap().clear();
    assert_eq!(find_cycle(&acyclic), None);
}

/// The type a line of code defines at a file's top level (`pub(crate) struct Name<..>`,
/// `enum`, `type`, `trait`), if any.
fn defined_type(line: &str) -> Option<&str> {
    let mut rest = line;
    if let Some(r) = rest.strip_prefix("pub") {
        rest = match r.strip_prefix('(') {
            Some(r) => r.split_once(") ")?.1,
            None => r.strip_prefix(' ')?,
        };
    }
    let (keyword, rest) = rest.split_once(' ')?;
    if !["struct", "enum", "type", "trait"].contains(&keyword) {
        return None;
    }
    let end = rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len());
    let name = &rest[..end];
    name.starts_with(|c: char| c.is_ascii_uppercase())
        .then_some(name)
}

#[test]
fn every_type_name_is_defined_once() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = top_level_modules(&root.join("src"))
        .into_values()
        .flatten()
        .collect();
    // The custom-resource types `typed/crd.rs` includes, generated from their CRDs.
    files.push(root.join("schemas/crd_types.rs"));
    let mut defined: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable source");
        for name in code(&text).lines().filter_map(defined_type) {
            let at = file
                .strip_prefix(root)
                .unwrap_or(file)
                .display()
                .to_string();
            defined.entry(name.to_string()).or_default().push(at);
        }
    }
    assert!(
        defined.contains_key("Model") && defined.contains_key("Route"),
        "the scan sees gen's types"
    );
    let twice: Vec<_> = defined.iter().filter(|(_, at)| at.len() > 1).collect();
    assert!(
        twice.is_empty(),
        "type names defined more than once: {twice:?}"
    );
}

#[test]
fn a_definition_is_told_from_other_lines() {
    assert_eq!(defined_type("pub struct Model {"), Some("Model"));
    assert_eq!(defined_type("pub(crate) enum Kind<'a> {"), Some("Kind"));
    assert_eq!(
        defined_type("pub(in crate::lint) trait Rule {"),
        Some("Rule")
    );
    assert_eq!(
        defined_type("type Map = BTreeMap<String, String>;"),
        Some("Map")
    );
    assert_eq!(defined_type("struct Sizing {"), Some("Sizing"));
    assert_eq!(
        defined_type("    type Scope = NamespaceResourceScope;"),
        None
    );
    assert_eq!(defined_type("pub fn model() {"), None);
    assert_eq!(defined_type("impl Model {"), None);
}
