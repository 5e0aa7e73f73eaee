//! Gathering inputs into sets: `-` is stdin, a file is a set of its own, a directory is
//! walked (sorted, hidden entries and symlinked directories skipped) and each directory
//! holding a kustomization file becomes one set of its YAML files.

use std::path::{Path, PathBuf};

use super::{Input, Set};
use crate::source;

const KUSTOMIZATION: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Reads every path (`-` for stdin, read once; no paths at all means stdin) into sets, in
/// the order given. Fails on the first input that cannot be read or is larger than
/// `max_bytes`.
pub fn collect(paths: &[String], max_bytes: u64) -> Result<Vec<Set>, String> {
    let stdin = ["-".to_string()];
    let paths = if paths.is_empty() { &stdin[..] } else { paths };
    let mut sets = Vec::new();
    let mut read_stdin = false;
    for p in paths {
        if p == "-" {
            if read_stdin {
                return Err("`-` (stdin) is given twice".to_string());
            }
            read_stdin = true;
            sets.push(one(p, max_bytes)?);
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|e| describe(p, &e))?;
        if meta.is_dir() {
            walk(Path::new(p), max_bytes, &mut sets)?;
        } else {
            sets.push(one(p, max_bytes)?);
        }
    }
    Ok(sets)
}

fn describe(p: &str, e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => format!("cannot read `{p}`: no such file or directory"),
        std::io::ErrorKind::PermissionDenied => format!("cannot read `{p}`: permission denied"),
        _ => format!("cannot read `{p}`: {e}"),
    }
}

fn read(p: &str, max_bytes: u64) -> Result<Input, String> {
    let s = source::read(p, max_bytes).map_err(|e| {
        let at =
            e.at.map_or_else(String::new, |(l, c)| format!(" (line {l}, column {c})"));
        format!("cannot read `{}`: `{}` {}{at}", e.name, e.name, e.message)
    })?;
    Ok(Input {
        name: s.name,
        text: s.text,
    })
}

fn one(p: &str, max_bytes: u64) -> Result<Set, String> {
    let input = read(p, max_bytes)?;
    Ok(Set {
        name: input.name.clone(),
        inputs: vec![input],
    })
}

/// A directory's entries, sorted, without hidden ones: (files, directories).
fn entries(dir: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>), String> {
    let shown = dir.display().to_string();
    let rd = std::fs::read_dir(dir).map_err(|e| describe(&shown, &e))?;
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| describe(&shown, &e))?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        // Symlinked directories are not followed (no cycles); symlinked files are read.
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            dirs.push(path);
        } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
            files.push(path);
        }
    }
    files.sort();
    dirs.sort();
    Ok((files, dirs))
}

fn is_kustomization(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| KUSTOMIZATION.contains(&n))
}

fn is_yaml(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

fn walk(dir: &Path, max_bytes: u64, sets: &mut Vec<Set>) -> Result<(), String> {
    let (files, dirs) = entries(dir)?;
    if files.iter().any(|f| is_kustomization(f)) {
        let mut set = Set {
            name: dir.display().to_string(),
            inputs: Vec::new(),
        };
        let mut nested = Vec::new();
        gather(files, dirs, max_bytes, &mut set, &mut nested)?;
        sets.push(set);
        for d in nested {
            walk(&d, max_bytes, sets)?;
        }
        return Ok(());
    }
    for f in files.iter().filter(|f| is_yaml(f)) {
        sets.push(one(&f.display().to_string(), max_bytes)?);
    }
    for d in dirs {
        walk(&d, max_bytes, sets)?;
    }
    Ok(())
}

/// Adds the YAML files of a kustomization directory (and of its subdirectories that hold no
/// kustomization of their own: those go to `nested`) to `set`.
fn gather(
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
    max_bytes: u64,
    set: &mut Set,
    nested: &mut Vec<PathBuf>,
) -> Result<(), String> {
    for f in files.iter().filter(|f| is_yaml(f) && !is_kustomization(f)) {
        set.inputs.push(read(&f.display().to_string(), max_bytes)?);
    }
    for d in dirs {
        let (files, subdirs) = entries(&d)?;
        if files.iter().any(|f| is_kustomization(f)) {
            nested.push(d);
        } else {
            gather(files, subdirs, max_bytes, set, nested)?;
        }
    }
    Ok(())
}
