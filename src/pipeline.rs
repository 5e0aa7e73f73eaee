//! A spec's way through the stages, shared by every command that takes one (render, describe,
//! diff, fn and the kustomize plugin): the inputs the arguments name, then parse, resolve,
//! render and the check of gen's own output, each problem reported on the way.

use crate::diag::{Diagnostic, Severity};
use crate::explain::{budget_error, input_error, parse_error, problem};
use crate::locate::Locator;
use crate::model::{self, Model};
use crate::output::Output;
use crate::profile::Profile;
use crate::render::{self, Document};
use crate::source::{self, Source};
use crate::spec;

/// The spec `--example` stands for: the seed guide's native AKS cluster.
const EMBEDDED_EXAMPLE: &str = include_str!("../examples/native.yaml");

/// Reads one spec argument: a file, `-` for stdin, or `""` for the embedded example
/// (`--example`). None, reported, when it cannot be read.
pub(crate) fn read_spec(arg: &str, max_bytes: u64, out: &mut Output) -> Option<Source> {
    if arg.is_empty() {
        return Some(Source {
            name: "<embedded example>".to_string(),
            path: None,
            text: EMBEDDED_EXAMPLE.to_string(),
        });
    }
    match source::read(arg, max_bytes) {
        Ok(s) => Some(s),
        Err(e) => {
            out.diagnostic(&input_error(&e), None);
            None
        }
    }
}

/// What the spec arguments `args` mean: `--example` is the embedded example (given as `""`);
/// no argument, or an empty one (an unset variable in `gen render $SPEC`), is a usage error,
/// never the example.
pub(crate) fn spec_inputs(
    args: &[String],
    example: bool,
    command: &str,
) -> Result<Vec<String>, String> {
    let forms = format!(
        "name a spec file (`gen {command} cluster.yaml`), `-` to read stdin, or `--example` for the embedded example"
    );
    if example {
        return Ok(vec![String::new()]);
    }
    if args.is_empty() {
        return Err(format!("no spec given: {forms}"));
    }
    if args.iter().any(String::is_empty) {
        return Err(format!(
            "an empty spec path (an unset variable?) names no file: {forms}"
        ));
    }
    Ok(args.to_vec())
}

/// One spec, read and rendered.
pub struct Rendered {
    pub source: Source,
    pub model: Model,
    pub documents: Vec<Document>,
}

/// Parses, resolves and renders one spec, reporting every problem. None when it failed.
pub fn render_one(
    source: Source,
    opts: &model::ResolveOptions,
    out: &mut Output,
) -> Option<Rendered> {
    if is_blank(&source.text) {
        let d = Diagnostic {
            severity: Severity::Error,
            message: format!("invalid cluster spec `{}`", source.name),
            file: Some(source.name.clone()),
            pos: None,
            path: None,
            label: "the spec is empty: it needs at least `namespace`, `platform` and `replicas`; `gen init` prints a starter".to_string(),
            notes: vec![],
        };
        out.diagnostic(&d, None);
        return None;
    }
    if let Err(b) = crate::budget::check(&source.text, &opts.budget) {
        out.diagnostic(
            &budget_error(&source.name, "invalid cluster spec", &b),
            None,
        );
        return None;
    }
    let spec = match spec::parse(&source.text) {
        Ok(s) => s,
        Err(e) => {
            out.diagnostic(&parse_error(&source, &e), Some(&source.text));
            return None;
        }
    };
    let resolved = model::resolve(&spec, opts);
    let locator = if resolved.warnings.is_empty() && resolved.model.is_ok() {
        None
    } else {
        Some(Locator::new(&source.text))
    };
    for w in &resolved.warnings {
        let d = problem(&source, locator.as_ref(), w, Severity::Warning);
        out.diagnostic(&d, Some(&source.text));
    }
    for line in &resolved.defaults {
        out.info(&format!("info: {}: {line}", source.name));
    }
    let model = match resolved.model {
        Ok(m) => m,
        Err(errors) => {
            for e in &errors {
                let d = problem(&source, locator.as_ref(), e, Severity::Error);
                out.diagnostic(&d, Some(&source.text));
            }
            return None;
        }
    };
    match render::render(&model) {
        Ok(documents) => {
            let problems = check_output(&source.name, &documents);
            if !problems.is_empty() {
                for p in &problems {
                    out.error_text(&format!("gen rendered an invalid object for `{}` (a bug in gen, please report it): {p}", source.name));
                }
                return None;
            }
            Some(Rendered {
                source,
                model,
                documents,
            })
        }
        Err(e) => {
            // A template bug, not the user's: say so plainly, without the (secret-bearing) context.
            out.error_text(&format!(
                "internal error rendering `{}`: {}",
                source.name,
                e.kind()
            ));
            None
        }
    }
}

/// True when `text` holds nothing but blank lines and comments.
fn is_blank(text: &str) -> bool {
    text.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#') || l == "---" || l == "..."
    })
}

/// Runs gen lint's rules on the rendered bundle, as `gen lint` would on it. The text is gen's
/// own, so an error here is gen's bug; it is reported without the document (which may hold
/// Secret data). Warnings are left to the spec checks, which say the same with the spec's
/// line.
pub fn check_output(name: &str, documents: &[Document]) -> Vec<String> {
    let set = crate::lint::Set::single(name, render::join(documents));
    let findings = crate::lint::lint_set(&set, &crate::lint::LintOptions::default());
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| {
            format!(
                "{} {} {}: [{}] {}",
                f.kind, f.name, f.path, f.rule, f.message
            )
        })
        .collect()
}

/// Reads, weighs and parses a `--profile` file, and checks its annotation keys. The error
/// comes with the file's text when the diagnostic should quote it.
pub(crate) fn read_profile(
    path: &std::path::Path,
    max: u64,
    budget: &crate::budget::Budget,
) -> Result<Profile, Box<(Diagnostic, Option<String>)>> {
    let name = path.display().to_string();
    let source = source::read(&name, max).map_err(|e| Box::new((input_error(&e), None)))?;
    crate::budget::check(&source.text, budget)
        .map_err(|b| Box::new((budget_error(&name, "invalid profile", &b), None)))?;
    let profile = Profile::parse(&source.text).map_err(|e| {
        let mut d = parse_error(&source, &e);
        d.message = format!("invalid profile `{name}`");
        Box::new((d, Some(source.text.clone())))
    })?;
    let route = profile.route.as_ref().map(|r| &r.annotations);
    let maps = [
        ("clientService", Some(&profile.client_service.annotations)),
        ("route", route),
    ];
    for (field, map) in maps {
        let Some(bad) = map.and_then(|m| m.keys().find(|k| !crate::validate::is_qualified_name(k)))
        else {
            continue;
        };
        let path = crate::path::FieldPath::from([field, "annotations", bad.as_str()]);
        let locator = Locator::new(&source.text);
        let d = Diagnostic {
            severity: Severity::Error,
            message: format!("invalid profile `{name}`"),
            file: Some(name.clone()),
            pos: locator.key_pos(0, &path),
            path: Some(path),
            label: format!(
                "`{bad}` is not an annotation key: `[prefix/]name`, the name up to 63 of letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit"
            ),
            notes: vec![],
        };
        return Err(Box::new((d, Some(source.text.clone()))));
    }
    Ok(profile)
}
