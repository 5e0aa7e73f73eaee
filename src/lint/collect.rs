//! Gathering inputs into sets, as `kubectl apply` would apply them together:
//!
//! - the files given (and `-`, stdin) and the YAML files of a plain directory form one set;
//! - a directory holding a kustomization file is built with the user's kustomize (never
//!   read raw: its patches are not objects) and its output is a set of its own. One that
//!   only lists resource files (what `gen render --out` writes) builds to exactly those
//!   files' objects, so they are read as the set without running kustomize (a fleet of
//!   1,000 bases lints in well under a second, not in 1,000 kustomize runs);
//! - `recursive` descends into subdirectories (sorted; hidden entries and symlinked
//!   directories skipped), building each kustomization directory it meets as a set of its
//!   own and adding the other YAML files to the one set; without it, a directory's
//!   subdirectories are not read (as `kubectl apply -f DIR`).

use std::path::{Path, PathBuf};

use super::{Input, Set};
use crate::kustomize::{self, Kustomize};
use crate::source;

/// How inputs are read and built.
#[derive(Clone, Debug)]
pub struct CollectOptions {
    /// Largest input (and largest kustomize output) accepted, in bytes.
    pub max_bytes: u64,
    /// Descend into subdirectories (`-R`).
    pub recursive: bool,
    /// The kustomize command line and its limits.
    pub kustomize: Kustomize,
}

/// What one command-line argument is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamedKind {
    Stdin,
    File,
    Directory,
    Kustomization,
}

/// One command-line argument and the inputs it gave: (set, input) indices.
#[derive(Clone, Debug)]
pub struct Named {
    pub arg: String,
    pub kind: NamedKind,
    pub inputs: Vec<(usize, usize)>,
}

/// The sets to lint and where each argument's inputs went.
#[derive(Clone, Debug, Default)]
pub struct Collected {
    pub sets: Vec<Set>,
    pub named: Vec<Named>,
}

/// Sets being gathered: the one set of loose files (created where its first file is met)
/// and one per kustomization.
struct Gather<'o> {
    opts: &'o CollectOptions,
    out: Collected,
    loose: Option<usize>,
}

impl Gather<'_> {
    fn add_loose(&mut self, input: Input) -> (usize, usize) {
        let set = *self.loose.get_or_insert_with(|| {
            self.out.sets.push(Set {
                name: input.name.clone(),
                inputs: Vec::new(),
            });
            self.out.sets.len() - 1
        });
        let s = &mut self.out.sets[set];
        if !s.inputs.is_empty() {
            s.name = "the files given together".to_string();
        }
        s.inputs.push(input);
        (set, s.inputs.len() - 1)
    }

    fn build(&mut self, dir: &Path) -> Result<Vec<(usize, usize)>, String> {
        if let Some(files) = resources_only(dir) {
            let mut set = Set {
                name: dir.display().to_string(),
                inputs: Vec::with_capacity(files.len()),
            };
            for f in files {
                set.inputs
                    .push(read(&f.display().to_string(), self.opts.max_bytes)?);
            }
            self.out.sets.push(set);
            let s = self.out.sets.len() - 1;
            return Ok((0..self.out.sets[s].inputs.len()).map(|i| (s, i)).collect());
        }
        self.built(dir).map(|got| vec![got])
    }

    fn built(&mut self, dir: &Path) -> Result<(usize, usize), String> {
        let k = &self.opts.kustomize;
        let text = k.build(dir).map_err(|e| {
            format!(
                "cannot lint kustomization directory `{}`: {e}",
                dir.display()
            )
        })?;
        if let Some(why) = crate::generator::empty_build(dir, &text) {
            return Err(format!(
                "cannot lint kustomization directory `{}`: {why}",
                dir.display()
            ));
        }
        let name = k.command_for(dir);
        self.out.sets.push(Set {
            name: name.clone(),
            inputs: vec![Input {
                name,
                text,
                built_from: Some(dir.to_path_buf()),
            }],
        });
        Ok((self.out.sets.len() - 1, 0))
    }

    /// A directory: built, or its YAML files (and with `recursive` its subdirectories').
    fn directory(&mut self, dir: &Path, got: &mut Vec<(usize, usize)>) -> Result<(), String> {
        if kustomize::kustomization_file(dir).is_some() {
            got.extend(self.build(dir)?);
            return Ok(());
        }
        let (files, dirs) = entries(dir)?;
        for f in files.iter().filter(|f| is_yaml(f)) {
            let input = read(&f.display().to_string(), self.opts.max_bytes)?;
            got.push(self.add_loose(input));
        }
        if self.opts.recursive {
            for d in dirs {
                self.directory(&d, got)?;
            }
        }
        Ok(())
    }
}

/// Reads every path (`-` for stdin, read once; no paths at all means stdin) into sets.
/// Fails on the first input that cannot be read, is larger than the limit, or whose
/// kustomize build fails.
pub fn collect(paths: &[String], opts: &CollectOptions) -> Result<Collected, String> {
    let stdin = ["-".to_string()];
    let paths = if paths.is_empty() { &stdin[..] } else { paths };
    let mut g = Gather {
        opts,
        out: Collected::default(),
        loose: None,
    };
    let mut read_stdin = false;
    for p in paths {
        let mut got = Vec::new();
        let kind = if p == "-" {
            if read_stdin {
                return Err("`-` (stdin) is given twice".to_string());
            }
            read_stdin = true;
            got.push(g.add_loose(read(p, opts.max_bytes)?));
            NamedKind::Stdin
        } else {
            let path = Path::new(p);
            let meta = std::fs::metadata(path).map_err(|e| describe(p, &e))?;
            if meta.is_dir() {
                g.directory(path, &mut got)?;
                if kustomize::kustomization_file(path).is_some() {
                    NamedKind::Kustomization
                } else {
                    NamedKind::Directory
                }
            } else if is_kustomization(path) {
                // A kustomization file stands for its directory's build.
                let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
                got.extend(g.build(dir.unwrap_or(Path::new(".")))?);
                NamedKind::Kustomization
            } else {
                got.push(g.add_loose(read(p, opts.max_bytes)?));
                NamedKind::File
            }
        };
        g.out.named.push(Named {
            arg: p.clone(),
            kind,
            inputs: got,
        });
    }
    Ok(g.out)
}

/// The resource files of a kustomization that holds nothing but `resources:` naming regular
/// files (no directories, no URLs, no patches, generators or transformers): its build is
/// exactly their objects. `None` for any other kustomization.
fn resources_only(dir: &Path) -> Option<Vec<PathBuf>> {
    let file = kustomize::kustomization_file(dir)?;
    let text = std::fs::read_to_string(&file).ok()?;
    let value = super::yaml::load(&text).ok()?;
    let map = value.as_object()?;
    if map
        .keys()
        .any(|k| !matches!(k.as_str(), "apiVersion" | "kind" | "resources"))
    {
        return None;
    }
    let resources = map.get("resources")?.as_array()?;
    if resources.is_empty() {
        return None;
    }
    // kustomize refuses files outside the kustomization's directory: those go to kustomize.
    let root = std::fs::canonicalize(dir).ok()?;
    resources
        .iter()
        .map(|r| {
            let r = r.as_str()?;
            let path = dir.join(r);
            let inside = std::fs::canonicalize(&path).is_ok_and(|p| p.starts_with(&root));
            (!r.contains("://") && inside && path.is_file()).then_some(path)
        })
        .collect()
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
        built_from: None,
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
        .is_some_and(|n| kustomize::FILE_NAMES.contains(&n))
}

fn is_yaml(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}
