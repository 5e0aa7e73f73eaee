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
    out.flush();
    code
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
        }
    }

    pub(crate) fn stdout(&mut self, s: &str) {
        self.stdout.push_str(s);
    }

    pub(crate) fn diagnostic(&mut self, d: &Diagnostic, source: Option<&str>) {
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
            self.stderr.push_str(line);
            self.stderr.push('\n');
        }
    }

    /// A new, empty output with the same settings (for a worker thread).
    fn empty(&self) -> Output {
        Output {
            style: self.style,
            quiet: self.quiet,
            verbose: self.verbose,
            stdout: String::new(),
            stderr: String::new(),
            warnings: 0,
        }
    }

    /// Appends what `other` collected.
    fn absorb(&mut self, other: Output) {
        self.stdout.push_str(&other.stdout);
        self.stderr.push_str(&other.stderr);
        self.warnings += other.warnings;
    }

    /// Drops stdout: a failed command prints nothing there.
    pub(crate) fn discard_stdout(&mut self) {
        self.stdout.clear();
    }

    fn flush(&mut self) {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(self.stderr.as_bytes());
        let mut o = std::io::stdout().lock();
        // A closed pipe (`gen render | head`) is not gen's failure.
        let _ = o.write_all(self.stdout.as_bytes()).and_then(|_| o.flush());
    }
}

/// `gen describe`: one spec (default: the embedded example), rendered and checked exactly as
/// `gen render` would, then summarised instead of printed.
fn describe_command(args: &DescribeArgs, out: &mut Output) -> i32 {
    let source = match args.spec.as_deref() {
        None => Source {
            name: "<embedded example>".to_string(),
            path: None,
            text: EMBEDDED_EXAMPLE.to_string(),
        },
        Some(arg) => match source::read(arg, source::DEFAULT_MAX_BYTES) {
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
        Some(path) => match read_profile(path, args.max_input_bytes) {
            Ok(p) => Some(p),
            Err(d) => {
                out.diagnostic(&d.0, d.1.as_deref());
                return 1;
            }
        },
    };
    let inputs: Vec<String> = if args.specs.is_empty() {
        vec![String::new()]
    } else {
        args.specs.clone()
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
    if failed {
        out.discard_stdout();
        return 1;
    }
    if let Some(dir) = &args.out {
        return write_out(dir, args.check, rendered, multi, started, out);
    }
    if rendered.iter().any(Kept::has_secret) && std::io::stdout().is_terminal() {
        out.warning_text("the rendered Secret holds the JAAS credentials and stdout is a terminal; redirect it to a file or pipe it to kubectl");
    }
    for r in rendered {
        if let Kept::Stream { text, .. } = r {
            out.stdout(&text);
        }
    }
    0
}

/// What a render keeps of one spec until every spec has passed: only what it prints or
/// writes, so a fleet's memory is its output, not every model and document as well.
enum Kept {
    /// The YAML stream for stdout.
    Stream { text: String, has_secret: bool },
    /// `--out`: the spec's files (or why they cannot be laid out) and its object count.
    Files {
        files: Result<crate::out::BundleFiles, crate::out::OutError>,
        objects: usize,
    },
}

impl Kept {
    fn has_secret(&self) -> bool {
        matches!(
            self,
            Kept::Stream {
                has_secret: true,
                ..
            }
        )
    }
}

fn keep(r: Rendered, args: &RenderArgs, multi: bool) -> Kept {
    if args.out.is_none() {
        return Kept::Stream {
            text: render::join(&r.documents),
            has_secret: r.model.jaas_secret.is_some(),
        };
    }
    let bundle = crate::out::Bundle {
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

/// Reads one spec argument (`""` is the embedded example) and renders it.
fn render_input(
    arg: &str,
    args: &RenderArgs,
    profile: Option<&crate::profile::Profile>,
    out: &mut Output,
) -> Option<Rendered> {
    let source = if arg.is_empty() {
        Source {
            name: "<embedded example>".to_string(),
            path: None,
            text: EMBEDDED_EXAMPLE.to_string(),
        }
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
        kustomize_base: args.out.is_some(),
    };
    render_one(source, &opts, out)
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

/// `gen lint`: findings on stdout, gen's own failures on stderr; exit 1 on any error finding.
fn lint_command(args: &LintArgs, out: &mut Output) -> i32 {
    let sets = match crate::lint::collect(&args.paths, args.max_input_bytes) {
        Ok(s) => s,
        Err(e) => {
            out.error_text(&e);
            return 1;
        }
    };
    let opts = crate::lint::Options {
        platform_openshift: matches!(args.platform, Some(PlatformArg::Openshift)),
        crd_schemas: true,
    };
    let findings = crate::lint::lint_sets(&sets, &opts);
    let format = match args.format {
        FormatArg::Text => crate::lint::Format::Text,
        FormatArg::Json => crate::lint::Format::Json,
        FormatArg::Github => crate::lint::Format::Github,
    };
    let mut style = out.style;
    style.color = style.color && std::io::stdout().is_terminal();
    out.stdout(&crate::lint::report(&findings, &sets, format, style));
    i32::from(crate::lint::has_errors(&findings))
}

fn problem(
    source: &Source,
    locator: Option<&Locator>,
    p: &Problem,
    severity: Severity,
) -> Diagnostic {
    let pos = locator.and_then(|l| l.value_pos(0, &p.path).or_else(|| l.key_pos(0, &p.path)));
    let headline = match severity {
        Severity::Error => format!("invalid cluster spec `{}`", source.name),
        Severity::Warning => format!("cluster spec `{}`", source.name),
    };
    Diagnostic {
        severity,
        message: headline,
        file: Some(source.name.clone()),
        pos: Some(pos.unwrap_or(Pos { line: 1, column: 1 })),
        path: Some(p.path.clone()),
        label: p.message.clone(),
        notes: vec![],
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
    Diagnostic {
        severity: Severity::Error,
        message: format!("invalid cluster spec `{}`", source.name),
        file: Some(source.name.clone()),
        pos: Some(pos.unwrap_or(Pos { line: 1, column: 1 })),
        path: path.filter(|p| !p.is_root()),
        label: explain(&message),
        notes,
    }
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
        return format!(
            "the spec is larger or deeper than any real spec ({message}): gen stops reading here"
        );
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
) -> Result<Profile, Box<(Diagnostic, Option<String>)>> {
    let name = path.display().to_string();
    let source = source::read(&name, max).map_err(|e| Box::new((input_error(&e), None)))?;
    Profile::parse(&source.text).map_err(|e| {
        let mut d = parse_error(&source, &e);
        d.message = format!("invalid profile `{name}`");
        Box::new((d, Some(source.text.clone())))
    })
}

/// The JSON Schema of the spec, pretty-printed.
pub fn schema() -> String {
    let schema = schemars::schema_for!(spec::Spec);
    let mut s = serde_json::to_string_pretty(&schema).expect("a schema serializes");
    s.push('\n');
    s
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
