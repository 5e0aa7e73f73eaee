//! `gen render`: one spec or a fleet, to stdout as one YAML stream or with `--out` as a
//! kustomize base. Specs render on every core; nothing is printed or written unless every
//! spec passed.

use std::io::IsTerminal;

use super::progress::Progress;
use super::usage_error;
use crate::cli::RenderArgs;
use crate::model;
use crate::output::Output;
use crate::pipeline::{Rendered, read_profile, read_spec, render_one, spec_inputs};
use crate::profile::Profile;
use crate::render::{self, Document};

/// `gen render`.
pub(super) fn command(args: &RenderArgs, out: &mut Output) -> i32 {
    let started = std::time::Instant::now();
    let profile = match &args.resolve.profile {
        None => None,
        Some(path) => match read_profile(path, args.max_input_bytes, &args.budget.into()) {
            Ok(p) => Some(p),
            Err(d) => {
                out.diagnostic(&d.0, d.1.as_deref());
                return 1;
            }
        },
    };
    out.strict = args.strict;
    let inputs = match spec_inputs(&args.specs, args.example, "render") {
        Ok(i) => i,
        Err(e) => return usage_error(out, &e),
    };
    let progress = (args.out.is_some() && inputs.len() > 1 && std::io::stderr().is_terminal())
        .then(|| std::sync::Mutex::new(Progress::new(inputs.len())));
    let done = std::sync::atomic::AtomicUsize::new(0);
    let multi = args.specs.len() > 1;
    // Specs are independent: a fleet renders on every core, and each spec's result and
    // messages are put back in input order.
    let blank = out.empty();
    let results = crate::par_map(&inputs, PARALLEL_RENDER_FROM, |_, arg| {
        let mut messages = blank.empty();
        let r =
            render_input(arg, args, profile.as_ref(), &mut messages).map(|r| keep(r, args, multi));
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if let Some(Ok(mut p)) = progress.as_ref().map(|p| p.lock()) {
            p.update(n);
        }
        (r, messages)
    });
    drop(progress);
    let mut rendered = Vec::with_capacity(inputs.len());
    let mut failed = false;
    for (r, messages) in results {
        out.absorb(messages);
        match r {
            Some(r) => rendered.push(r),
            None => failed = true,
        }
    }
    if failed || out.strict_errors > 0 {
        out.discard_stdout();
        return 1;
    }
    if let Some(dir) = &args.out {
        return write_out(dir, args.check, rendered, multi, started, out);
    }
    if rendered.iter().any(Kept::has_secret) && std::io::stdout().is_terminal() {
        out.warning_text("the rendered Secret holds the JAAS credentials and stdout is a terminal; redirect it to a file or pipe it to kubectl");
    }
    let streams: Vec<Stream> = rendered
        .into_iter()
        .filter_map(|k| match k {
            Kept::Stream(s) => Some(s),
            Kept::Files { .. } => None,
        })
        .collect();
    let clashes = stream_clashes(&streams);
    for c in &clashes {
        out.error_text(c);
    }
    if !clashes.is_empty() || out.strict_errors > 0 {
        out.discard_stdout();
        return 1;
    }
    out.stdout(&join_streams(&streams));
    0
}

/// Why several specs cannot share one stream: two render an object of one kind and name in
/// one namespace (the later would silently replace the earlier on apply). The Namespace
/// itself is exempt: [`join_streams`] prints it once.
fn stream_clashes(streams: &[Stream]) -> Vec<String> {
    let mut owner: std::collections::HashMap<(&str, &str, &str), &str> =
        std::collections::HashMap::new();
    let mut clashes: Vec<(&str, &str, &str)> = Vec::new();
    for s in streams {
        for (kind, name) in &s.objects {
            let key = (s.namespace.as_str(), *kind, name.as_str());
            match owner.get(&key) {
                Some(first) if !clashes.iter().any(|c| c.0 == *first && c.1 == s.spec) => {
                    clashes.push((first, &s.spec, &s.namespace));
                }
                Some(_) => {}
                None => {
                    owner.insert(key, &s.spec);
                }
            }
        }
    }
    clashes
        .into_iter()
        .map(|(a, b, ns)| {
            format!(
                "`{a}` and `{b}` render objects of the same kind and name in namespace `{ns}`: in one stream the second would replace the first; give each cluster its own `name` or `namespace`"
            )
        })
        .collect()
}

/// The streams of several specs as one: each Namespace only once, from the first spec that
/// renders it.
fn join_streams(streams: &[Stream]) -> String {
    let mut printed = std::collections::HashSet::new();
    let mut text = String::with_capacity(streams.iter().map(|s| s.text.len() + 64).sum());
    for s in streams {
        if let Some(ns) = &s.namespace_doc
            && printed.insert(s.namespace.as_str())
        {
            text.push_str("---\n");
            text.push_str(ns);
        }
        text.push_str(&s.text);
    }
    text
}

/// One spec's bundle for stdout: its Namespace apart, so a shared one is printed once.
struct Stream {
    /// The spec's name in messages.
    spec: String,
    namespace: String,
    /// The Namespace document, when the bundle has one.
    namespace_doc: Option<String>,
    /// Every other document, joined.
    text: String,
    /// Kind and name of every object but the Namespace.
    objects: Vec<(&'static str, String)>,
    has_secret: bool,
}

/// What a render keeps of one spec until every spec has passed: only what it prints or
/// writes, so a fleet's memory is its output, not every model and document as well.
enum Kept {
    /// The YAML stream for stdout.
    Stream(Stream),
    /// `--out`: the spec's files (or why they cannot be laid out) and its object count.
    Files {
        files: Result<crate::out::BundleFiles, crate::out::OutError>,
        objects: usize,
    },
}

impl Kept {
    fn has_secret(&self) -> bool {
        matches!(self, Kept::Stream(s) if s.has_secret)
    }
}

fn keep(r: Rendered, args: &RenderArgs, multi: bool) -> Kept {
    if args.out.is_none() {
        let (namespace, rest): (Vec<Document>, Vec<Document>) =
            r.documents.into_iter().partition(|d| d.kind == "Namespace");
        return Kept::Stream(Stream {
            spec: r.source.name,
            namespace: r.model.namespace.clone(),
            namespace_doc: namespace.into_iter().next().map(|d| d.text),
            objects: rest.iter().map(|d| (d.kind, d.name.clone())).collect(),
            text: render::join(&rest),
            has_secret: r.model.jaas_secret.is_some(),
        });
    }
    let bundle = crate::out::Bundle {
        platform: r.model.platform,
        namespace: &r.model.namespace,
        name: &r.model.name,
        documents: &r.documents,
        jaas: r.model.jaas_secret.as_ref(),
    };
    Kept::Files {
        files: crate::out::plan_bundle(&bundle, multi),
        objects: r.documents.len(),
    }
}

/// Fleets of at least this many specs render on several threads.
const PARALLEL_RENDER_FROM: usize = 16;

/// Reads one spec argument (`""` stands for `--example`) and renders it.
fn render_input(
    arg: &str,
    args: &RenderArgs,
    profile: Option<&Profile>,
    out: &mut Output,
) -> Option<Rendered> {
    let source = read_spec(arg, args.max_input_bytes, out)?;
    let opts = model::ResolveOptions {
        platform: args.resolve.platform.map(Into::into),
        profile: profile.cloned(),
        no_namespace: args.resolve.no_namespace,
        base_dir: source.base_dir(),
        allow_outside_files: args.allow_outside_files,
        max_file_bytes: args.max_input_bytes,
        budget: args.budget.into(),
        kustomize_base: args.out.is_some(),
    };
    let rendered = render_one(source, &opts, out)?;
    if let Some(expected) = &args.expect_namespace
        && &rendered.model.namespace != expected
    {
        out.error_text(&format!(
            "`{}` renders into namespace `{}`, not the expected `{expected}` (--expect-namespace): change the spec's `namespace`, or deploy it where it says",
            rendered.source.name, rendered.model.namespace
        ));
        return None;
    }
    Some(rendered)
}

/// `--out DIR`: writes (or with `--check`, compares) the kustomize base of every bundle.
fn write_out(
    dir: &std::path::Path,
    check: bool,
    kept: Vec<Kept>,
    multi: bool,
    started: std::time::Instant,
    out: &mut Output,
) -> i32 {
    let specs = kept.len();
    let mut objects = 0;
    let mut parts = Vec::with_capacity(specs);
    for k in kept {
        if let Kept::Files { files, objects: n } = k {
            objects += n;
            match files {
                Ok(f) => parts.push(f),
                Err(e) => {
                    out.error_text(&format!("cannot lay out `{}`: {e}", dir.display()));
                    return 1;
                }
            }
        }
    }
    let files = match crate::out::plan_all(parts, multi) {
        Ok(f) => f,
        Err(e) => {
            out.error_text(&format!("cannot lay out `{}`: {e}", dir.display()));
            return 1;
        }
    };
    if check {
        return match crate::out::check(dir, &files, crate::diff::check_summary) {
            Ok(None) => 0,
            Ok(Some(diff)) => {
                out.stdout(&diff);
                out.error_text(&format!(
                    "`{}` differs from what gen renders now; run the same command without --check to update it",
                    dir.display()
                ));
                1
            }
            Err(e) => {
                out.error_text(&format!("cannot check `{}`: {e}", dir.display()));
                1
            }
        };
    }
    match crate::out::write(dir, &files, &crate::out::RealFs) {
        Ok(report) => {
            // The tree is written: what follows is about the directory, not the spec.
            out.strict = false;
            for note in &report.notes {
                out.warning_text(note);
            }
            let summary = format!(
                "wrote {} ({objects} objects, {} files, {}) to {} in {:.0?}",
                plural(specs, "spec"),
                report.written,
                plural(out.warnings, "warning"),
                dir.display(),
                started.elapsed()
            );
            out.status(&summary);
            0
        }
        Err(e) => {
            out.error_text(&format!("cannot write `{}`: {e}", dir.display()));
            1
        }
    }
}

/// `1 spec`, `2 specs`.
fn plural(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}
