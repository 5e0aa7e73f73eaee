//! The commands: each reads its inputs, runs the stages and decides what reaches stdout,
//! stderr and the exit code. Nothing reaches stdout unless the whole command succeeded.

use std::io::{IsTerminal, Write};

use clap::{CommandFactory, Parser};

use crate::cli::{
    BackplaneArg, Cli, Command, DescribeArgs, FormatArg, InitArgs, LintArgs, PlatformArg,
    RenderArgs,
};
use crate::diag::{Diagnostic, Severity, Style};
use crate::locate::{Locator, Pos};
use crate::model::{self, Model, Problem};
use crate::profile::Profile;
use crate::render::{self, Document};
use crate::source::{self, Source};
use crate::spec::{self, Platform};

/// The spec `gen render` uses when given none: the seed guide's native AKS cluster.
pub const EMBEDDED_EXAMPLE: &str = include_str!("../examples/native.yaml");

/// Runs gen with the process's arguments; returns the exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let mut out = Output::new(&cli);
    let code = match &cli.command {
        Command::Render(args) => render_command(args, &mut out),
        Command::Describe(args) => describe_command(args, &mut out),
        Command::Lint(args) => lint_command(args, &mut out),
        Command::KustomizePlugin { dir } => {
            crate::generator::install_command(dir.as_deref(), &mut out)
        }
        Command::KustomizeExec { config } => crate::generator::exec_command(config, &mut out),
        Command::Fn { max_input_bytes } => crate::krm::command(*max_input_bytes, &mut out),
        Command::Diff(args) => crate::diff::command(args, &mut out),
        Command::Schema => {
            out.stdout(&schema());
            0
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "gen", &mut buf);
            out.stdout(&String::from_utf8_lossy(&buf));
            0
        }
        Command::Man => {
            let mut buf = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut buf) {
                Ok(()) => {
                    out.stdout(&String::from_utf8_lossy(&buf));
                    0
                }
                Err(e) => {
                    out.error_text(&format!("cannot render the man page: {e}"));
                    1
                }
            }
        }
        Command::Init(args) => match init(args) {
            Ok(text) => {
                out.stdout(&text);
                0
            }
            Err(e) => {
                out.error_text(&e);
                1
            }
        },
    };
    match out.flush() {
        Ok(()) => code,
        // A closed pipe (`gen render | head`) is the reader's choice, not gen's failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => code,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: cannot write to stdout: {e}");
            1
        }
    }
}

/// Collects what a command prints: stdout only on success, diagnostics on stderr.
pub struct Output {
    style: Style,
    quiet: bool,
    verbose: bool,
    stdout: String,
    stderr: String,
    /// Warnings seen, printed or silenced by `--quiet` (for the fleet summary line).
    warnings: usize,
    /// With `record`: every diagnostic, printed or silenced (for `gen fn`'s results).
    pub(crate) seen: Vec<Diagnostic>,
    pub(crate) record: bool,
    /// `--strict`: every warning is reported, and counted, as an error.
    strict: bool,
    /// Warnings `--strict` turned into errors.
    strict_errors: usize,
}

impl Output {
    fn new(cli: &Cli) -> Output {
        let mut style = Style::detect(std::io::stderr().is_terminal());
        style.snippets = !cli.no_snippets;
        Output {
            style,
            quiet: cli.quiet,
            verbose: cli.verbose,
            stdout: String::new(),
            stderr: String::new(),
            warnings: 0,
            seen: Vec::new(),
            record: false,
            strict: false,
            strict_errors: 0,
        }
    }

    pub(crate) fn stdout(&mut self, s: &str) {
        self.stdout.push_str(s);
    }

    pub(crate) fn diagnostic(&mut self, d: &Diagnostic, source: Option<&str>) {
        if d.severity == Severity::Warning && self.strict {
            let mut e = d.clone();
            e.severity = Severity::Error;
            e.notes
                .push("note: an error because of --strict".to_string());
            self.strict_errors += 1;
            return self.diagnostic(&e, source);
        }
        if self.record {
            self.seen.push(d.clone());
        }
        if d.severity == Severity::Warning {
            self.warnings += 1;
            if self.quiet {
                return;
            }
        }
        self.stderr.push_str(&d.render(source, self.style));
        if !self.stderr.ends_with('\n') {
            self.stderr.push('\n');
        }
    }

    pub(crate) fn error_text(&mut self, msg: &str) {
        let d = Diagnostic {
            severity: Severity::Error,
            message: msg.to_string(),
            file: None,
            pos: None,
            path: None,
            label: String::new(),
            notes: vec![],
        };
        self.diagnostic(&d, None);
    }

    fn warning_text(&mut self, msg: &str) {
        let d = Diagnostic {
            severity: Severity::Warning,
            message: msg.to_string(),
            file: None,
            pos: None,
            path: None,
            label: String::new(),
            notes: vec![],
        };
        self.diagnostic(&d, None);
    }

    fn info(&mut self, line: &str) {
        if self.verbose {
            self.stderr.push_str(&crate::redact::text(line));
            self.stderr.push('\n');
        }
    }

    /// A new, empty output with the same settings (for a worker thread).
    pub(crate) fn empty(&self) -> Output {
        Output {
            style: self.style,
            quiet: self.quiet,
            verbose: self.verbose,
            stdout: String::new(),
            stderr: String::new(),
            warnings: 0,
            seen: Vec::new(),
            record: self.record,
            strict: self.strict,
            strict_errors: 0,
        }
    }

    /// Appends what `other` collected.
    pub(crate) fn absorb(&mut self, other: Output) {
        self.stdout.push_str(&other.stdout);
        self.stderr.push_str(&other.stderr);
        self.warnings += other.warnings;
        self.seen.extend(other.seen);
        self.strict_errors += other.strict_errors;
    }

    /// Drops stdout: a failed command prints nothing there.
    pub(crate) fn discard_stdout(&mut self) {
        self.stdout.clear();
    }

    /// Prints stderr, then stdout. A failed write to stdout (a full disk, `> /dev/full`, a
    /// closed pipe) is returned: the caller decides what it means for the exit code.
    fn flush(&mut self) -> std::io::Result<()> {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(self.stderr.as_bytes());
        write_stdout(self.stdout.as_bytes())
    }
}

/// Writes `bytes` to file descriptor 1 through a handle of its own: std's `Stdout` reports a
/// write to a bad descriptor (EBADF) as success, and gen must not.
fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    use std::os::fd::AsFd;
    if bytes.is_empty() {
        return Ok(());
    }
    let fd = std::io::stdout().as_fd().try_clone_to_owned()?;
    let mut file = std::fs::File::from(fd);
    file.write_all(bytes)?;
    file.flush()
}

/// A usage error (exit 2): the command line cannot mean anything gen should do.
fn usage_error(out: &mut Output, message: &str) -> i32 {
    out.error_text(message);
    2
}

/// What the spec arguments `args` mean: `--example` is the embedded example; no argument, or
/// an empty one (an unset variable in `gen render $SPEC`), is a usage error, never the example.
fn spec_inputs(args: &[String], example: bool, command: &str) -> Result<Vec<String>, String> {
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

/// `gen describe`: one spec (or `--example`), rendered and checked exactly as
/// `gen render` would, then summarised instead of printed.
fn describe_command(args: &DescribeArgs, out: &mut Output) -> i32 {
    out.strict = args.strict;
    let given: Vec<String> = args.spec.iter().cloned().collect();
    let arg = match spec_inputs(&given, args.example, "describe") {
        Ok(mut inputs) => inputs.remove(0),
        Err(e) => return usage_error(out, &e),
    };
    let source = match arg.as_str() {
        "" => embedded_example(),
        arg => match source::read(arg, source::DEFAULT_MAX_BYTES) {
            Ok(s) => s,
            Err(e) => {
                out.diagnostic(&input_error(&e), None);
                return 1;
            }
        },
    };
    let opts = model::Options {
        platform: args.platform.map(Into::into),
        base_dir: source.base_dir(),
        max_file_bytes: source::DEFAULT_MAX_BYTES,
        ..Default::default()
    };
    match render_one(source, &opts, out) {
        Some(_) if out.strict_errors > 0 => 1,
        Some(r) => {
            let diagram = args.diagram.map(Into::into);
            out.stdout(&crate::describe::describe(&r.model, &r.documents, diagram));
            0
        }
        None => 1,
    }
}

/// One spec, read and rendered.
pub struct Rendered {
    pub source: Source,
    pub model: Model,
    pub documents: Vec<Document>,
}

fn render_command(args: &RenderArgs, out: &mut Output) -> i32 {
    let started = std::time::Instant::now();
    let profile = match &args.profile {
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
    profile: Option<&crate::profile::Profile>,
    out: &mut Output,
) -> Option<Rendered> {
    let source = if arg.is_empty() {
        embedded_example()
    } else {
        match source::read(arg, args.max_input_bytes) {
            Ok(s) => s,
            Err(e) => {
                out.diagnostic(&input_error(&e), None);
                return None;
            }
        }
    };
    let opts = model::Options {
        platform: args.platform.map(Into::into),
        profile: profile.cloned(),
        no_namespace: args.no_namespace,
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

/// The embedded example as an input (`--example`).
fn embedded_example() -> Source {
    Source {
        name: "<embedded example>".to_string(),
        path: None,
        text: EMBEDDED_EXAMPLE.to_string(),
    }
}

/// Parses, resolves and renders one spec, reporting every problem. None when it failed.
pub fn render_one(source: Source, opts: &model::Options, out: &mut Output) -> Option<Rendered> {
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
    let findings = crate::lint::lint_set(&set, &crate::lint::Options::default());
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
        return match crate::out::check(dir, &files) {
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
            if !out.quiet {
                out.stderr.push_str(&format!(
                    "wrote {} ({objects} objects, {} files, {}) to {} in {:.0?}\n",
                    plural(specs, "spec"),
                    report.written,
                    plural(out.warnings, "warning"),
                    dir.display(),
                    started.elapsed()
                ));
            }
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

/// A progress bar on stderr (only made when stderr is a terminal), redrawn in place and
/// cleared when dropped, so what follows starts on a clean line.
struct Progress {
    total: usize,
    shown: String,
}

impl Progress {
    const WIDTH: usize = 30;

    fn new(total: usize) -> Progress {
        Progress {
            total,
            shown: String::new(),
        }
    }

    fn update(&mut self, done: usize) {
        // At most about a hundred redraws, whatever the fleet's size.
        if !done.is_multiple_of(self.total.div_ceil(100).max(1)) && done != self.total && done != 1
        {
            return;
        }
        let filled = Self::WIDTH * done / self.total.max(1);
        let line = format!(
            "[{}{}] {done}/{} specs",
            "#".repeat(filled),
            " ".repeat(Self::WIDTH - filled),
            self.total
        );
        eprint!("\r{line}");
        self.shown = line;
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if !self.shown.is_empty() {
            // Erase the bar's line.
            eprint!("\r\x1b[2K");
        }
    }
}

/// `gen lint`: findings on stdout, gen's own failures on stderr; exit 1 on any error finding,
/// and on any named input that held no object (nothing was checked).
fn lint_command(args: &LintArgs, out: &mut Output) -> i32 {
    let timeout = std::time::Duration::from_secs(args.kustomize_timeout);
    let collected =
        crate::kustomize::Kustomize::new(&args.kustomize_command, timeout, args.max_input_bytes)
            .map_err(|e| e.to_string())
            .and_then(|kustomize| {
                let opts = crate::lint::CollectOptions {
                    max_bytes: args.max_input_bytes,
                    recursive: args.recursive,
                    kustomize,
                };
                crate::lint::collect(&args.paths, &opts)
            });
    let collected = match collected {
        Ok(c) => c,
        Err(e) => {
            out.error_text(&e);
            return 1;
        }
    };
    // Every input is weighed against the budget before it is read, but most need no parser
    // for it: one too short to reach any limit, with no alias, is only nested too deep if the
    // reader finds it so, and then it is weighed after all (`linted.bounded`). The others are
    // weighed first, on every core. The first breach in input order is what is reported.
    let budget: crate::budget::Budget = args.budget.into();
    let sets = &collected.sets;
    let inputs: Vec<((usize, usize), &crate::lint::Input)> = sets
        .iter()
        .enumerate()
        .flat_map(|(s, set)| set.inputs.iter().enumerate().map(move |(i, x)| ((s, i), x)))
        .collect();
    let weigh = |input: &crate::lint::Input| crate::budget::check(&input.text, &budget).err();
    let breaches = crate::par_map(&inputs, 16, |_, (_, input)| {
        if crate::budget::within_unparsed(&input.text, &budget) {
            None
        } else {
            weigh(input)
        }
    });
    let report = |out: &mut Output, input: &crate::lint::Input, b| {
        out.diagnostic(&budget_error(&input.name, "cannot lint", &b), None);
        1
    };
    if let Some((k, b)) = breaches
        .into_iter()
        .enumerate()
        .find_map(|(k, b)| Some((k, b?)))
    {
        // An input before it that was not weighed may be nested too deep: that one is first.
        let earlier = inputs[..k].iter().find_map(|(_, x)| Some((*x, weigh(x)?)));
        let (input, b) = earlier.unwrap_or((inputs[k].1, b));
        return report(out, input, b);
    }
    let opts = crate::lint::Options {
        platform_openshift: matches!(args.platform, Some(PlatformArg::Openshift)),
        crd_schemas: true,
        pss: args.pss.map(Into::into),
        max_depth: budget.max_depth,
    };
    let mut linted = crate::lint::lint_all(sets, &opts);
    let mut deep = linted.bounded.iter().map(|&(s, i)| &sets[s].inputs[i]);
    if let Some((input, b)) = deep.find_map(|x| Some((x, weigh(x)?))) {
        return report(out, input, b);
    }
    if args.strict {
        crate::lint::make_strict(&mut linted.findings);
    }
    let format = match args.format {
        FormatArg::Text => crate::lint::Format::Text,
        FormatArg::Json => crate::lint::Format::Json,
        FormatArg::Github => crate::lint::Format::Github,
        FormatArg::Sarif => crate::lint::Format::Sarif,
    };
    let mut style = out.style;
    style.color = style.color && std::io::stdout().is_terminal();
    out.stdout(&crate::lint::report(&linted.findings, sets, format, style));
    let unchecked = crate::lint::unchecked(&collected.named, &linted.objects);
    for e in &unchecked {
        out.error_text(e);
    }
    i32::from(crate::lint::has_errors(&linted.findings) || !unchecked.is_empty())
}

fn problem(
    source: &Source,
    locator: Option<&Locator>,
    p: &Problem,
    severity: Severity,
) -> Diagnostic {
    let find = |path: &crate::path::FieldPath| {
        locator.and_then(|l| l.value_pos(0, path).or_else(|| l.key_pos(0, path)))
    };
    let mut pos = find(&p.path);
    let mut notes = vec![];
    // A field the spec does not hold got gen's default: point at the nearest field it does.
    if pos.is_none()
        && !p.path.is_root()
        && locator.is_some()
        && !p.message.starts_with("missing field")
    {
        let mut up = p.path.clone();
        while pos.is_none() && !up.is_root() {
            up.0.pop();
            pos = find(&up);
        }
        notes.push(format!(
            "note: `{}` is not in the spec: gen applied its default",
            p.path
        ));
    }
    let headline = match severity {
        Severity::Error => format!("invalid cluster spec `{}`", source.name),
        Severity::Warning | Severity::Info => format!("cluster spec `{}`", source.name),
    };
    Diagnostic {
        severity,
        message: headline,
        file: Some(source.name.clone()),
        pos: Some(pos.unwrap_or(Pos { line: 1, column: 1 })),
        path: Some(p.path.clone()),
        label: crate::redact::message_about(&p.path.to_string(), &p.message).into_owned(),
        notes,
    }
}

/// A YAML or shape error from the spec parser, with the field path it happened at and a
/// "did you mean" for misspelled keys and values.
fn parse_error(source: &Source, e: &serde_saphyr::Error) -> Diagnostic {
    let pos = e.location().map(|l| Pos {
        line: l.line() as usize,
        column: l.column() as usize,
    });
    let raw = e.to_string();
    let first = strip_location(raw.lines().next().unwrap_or(&raw));
    let message = first
        .rsplit_once(" at line ")
        .map_or(first, |(m, _)| m)
        .to_string();
    let path = pos.and_then(|p| Locator::new(&source.text).path_at(0, p));
    let mut notes = Vec::new();
    if let Some(hint) = did_you_mean(&message, source, pos) {
        notes.push(format!("help: did you mean `{hint}`?"));
    }
    let path = path.filter(|p| !p.is_root());
    let label = match &path {
        Some(p) if wants_mapping(&message) => nested_mapping(p, source, pos),
        _ => explain(&message),
    };
    Diagnostic {
        severity: Severity::Error,
        message: format!("invalid cluster spec `{}`", source.name),
        file: Some(source.name.clone()),
        pos: Some(pos.unwrap_or(Pos { line: 1, column: 1 })),
        path,
        label,
        notes,
    }
}

/// True for the parser's "a mapping was expected here" messages.
fn wants_mapping(message: &str) -> bool {
    message.starts_with("unexpected end of input") || message.starts_with("expected mapping start")
}

/// A field that must be a mapping holds something else. A JAAS config pasted in place of
/// `jaas: {secretName | file}` is a real mistake, and a credential: say so, without quoting it.
fn nested_mapping(path: &crate::path::FieldPath, source: &Source, pos: Option<Pos>) -> String {
    let line = pos
        .and_then(|p| source.text.lines().nth(p.line.saturating_sub(1)))
        .unwrap_or("");
    if crate::redact::is_jaas(line) || path.to_string().ends_with("jaas") && line.contains('=') {
        return "paste the JAAS config into a Secret or a file, not the spec: `jaas: {secretName: <a Secret with the key jaas.config>}` or `jaas: {file: jaas.config}`".to_string();
    }
    format!("`{path}` must be a mapping (`key: value` lines indented under it)")
}

/// Drops serde-saphyr's own `error: line L column C: ` prefix: the diagnostic shows the place.
fn strip_location(s: &str) -> &str {
    let s = s.strip_prefix("error: ").unwrap_or(s);
    if let Some(rest) = s.strip_prefix("line ")
        && let Some(i) = rest.find(": ")
    {
        return &rest[i + 2..];
    }
    s
}

/// Rewords the parser's terse messages where a newcomer would be lost.
fn explain(message: &str) -> String {
    if message.starts_with("unexpected end of input")
        || message.starts_with("expected mapping start")
    {
        return "the spec must be a YAML mapping (at least `namespace`, `platform` and `replicas`); see `gen init`".to_string();
    }
    if message.starts_with("multiple YAML documents")
        || message.starts_with("budget breached: Documents")
    {
        return "a spec is one YAML document; give each cluster its own file".to_string();
    }
    if message.starts_with("budget breached") {
        return "the spec is larger or deeper than any real spec: gen stops reading here"
            .to_string();
    }
    if let Some(rest) = message.strip_prefix("duplicate mapping key") {
        let key = rest
            .strip_prefix(": ")
            .and_then(|r| r.split(", set ").next())
            .map_or(String::new(), |k| format!(" `{k}`"));
        return format!("duplicate key{key}: the mapping already has it; keep one");
    }
    if message.contains("cannot deserialize null") {
        return "expected a value here, found nothing (null): write one, or quote an empty text as \"\""
            .to_string();
    }
    if message.starts_with("alias ") {
        return "aliases here expand past what a spec needs: write the values out".to_string();
    }
    if message.contains("!!binary") || message.contains(" in Options") {
        return "a value gen cannot read here: write plain text".to_string();
    }
    if let Some(t) = message.strip_prefix("invalid ")
        && ["u32", "u16", "i64"].contains(&t)
    {
        return format!(
            "expected a whole number in range ({})",
            match t {
                "u32" => "0 to 4294967295",
                "u16" => "0 to 65535",
                _ => "a 64-bit integer",
            }
        );
    }
    message.to_string()
}

fn did_you_mean(message: &str, source: &Source, pos: Option<Pos>) -> Option<String> {
    // unknown field `replica`, expected one of name, namespace, ...
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (word, rest) = rest.split_once('`')?;
        let list = rest
            .split_once("expected one of ")
            .map(|x| x.1)
            .or_else(|| rest.split_once("expected ").map(|x| x.1))?;
        let candidates: Vec<&str> = list.split(", ").map(|c| c.trim_matches('`')).collect();
        return crate::suggest::did_you_mean(word, candidates.iter().copied()).map(str::to_string);
    }
    // unknown variant `openshfit`, expected one of `aks`, `eks`, `openshift`
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (word, rest) = rest.split_once('`')?;
        let list = rest
            .split_once("expected one of ")
            .map(|x| x.1)
            .or_else(|| rest.split_once("expected ").map(|x| x.1))?;
        let candidates: Vec<&str> = list.split(", ").map(|c| c.trim_matches('`')).collect();
        return crate::suggest::did_you_mean(word, candidates.iter().copied()).map(str::to_string);
    }
    let _ = (source, pos);
    None
}

/// An input past the input budget. No excerpt: the line may hold Secret data.
fn budget_error(name: &str, what: &str, b: &crate::budget::Breach) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        message: format!("{what} `{name}`"),
        file: Some(name.to_string()),
        pos: Some(Pos {
            line: b.line,
            column: b.column,
        }),
        path: None,
        label: format!("`{name}` holds {}", b.message),
        notes: vec![],
    }
}

pub(crate) fn input_error(e: &source::InputError) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        message: format!("cannot read `{}`", e.name),
        file: Some(e.name.clone()),
        pos: e.at.map(|(line, column)| Pos { line, column }),
        path: None,
        label: format!("`{}` {}", e.name, e.message),
        notes: vec![],
    }
}

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
        let Some(bad) = map.and_then(|m| m.keys().find(|k| !model::is_qualified_name(k))) else {
            continue;
        };
        let path = crate::path::FieldPath::parse(field)
            .key("annotations")
            .key(bad);
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

/// The JSON Schema of the spec, pretty-printed (see [`crate::schema`]).
pub fn schema() -> String {
    crate::schema::schema()
}

/// An annotated starter spec for a platform and backplane.
pub fn init(args: &InitArgs) -> Result<String, String> {
    let platform: Platform = args.platform.into();
    let profile = Profile::builtin(platform);
    Ok(crate::render::starter(
        &profile,
        args.backplane == BackplaneArg::Kafka,
    ))
}
