//! What a command prints: stdout held back until the command has succeeded, diagnostics on
//! stderr in gen's own format, and the counts the summary lines and `--strict` need.

use std::io::{IsTerminal, Write};

use crate::cli::Cli;
use crate::diag::{Diagnostic, Severity, Style};

/// Collects what a command prints: stdout only on success, diagnostics on stderr.
pub struct Output {
    pub(crate) style: Style,
    quiet: bool,
    verbose: bool,
    stdout: String,
    stderr: String,
    /// Warnings seen, printed or silenced by `--quiet` (for the fleet summary line).
    pub(crate) warnings: usize,
    /// With `record`: every diagnostic, printed or silenced (for `gen fn`'s results).
    pub(crate) seen: Vec<Diagnostic>,
    pub(crate) record: bool,
    /// `--strict`: every warning is reported, and counted, as an error.
    pub(crate) strict: bool,
    /// Warnings `--strict` turned into errors.
    pub(crate) strict_errors: usize,
}

impl Output {
    pub(crate) fn new(cli: &Cli) -> Output {
        let mut style = Style::detect(std::io::stderr().is_terminal());
        style.snippets = !cli.no_snippets;
        Output::with(style, cli.quiet, cli.verbose)
    }

    fn with(style: Style, quiet: bool, verbose: bool) -> Output {
        Output {
            style,
            quiet,
            verbose,
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
        self.text(Severity::Error, msg);
    }

    pub(crate) fn warning_text(&mut self, msg: &str) {
        self.text(Severity::Warning, msg);
    }

    /// A diagnostic that is only a message: no file, place or field.
    fn text(&mut self, severity: Severity, msg: &str) {
        let d = Diagnostic {
            severity,
            message: msg.to_string(),
            file: None,
            pos: None,
            path: None,
            label: String::new(),
            notes: vec![],
        };
        self.diagnostic(&d, None);
    }

    /// A line of `-v` (explained defaults), with anything secret-looking redacted.
    pub(crate) fn info(&mut self, line: &str) {
        if self.verbose {
            self.stderr.push_str(&crate::redact::text(line));
            self.stderr.push('\n');
        }
    }

    /// A line saying what the command did (not a diagnostic); `--quiet` silences it.
    pub(crate) fn status(&mut self, line: &str) {
        if !self.quiet {
            self.stderr.push_str(line);
            self.stderr.push('\n');
        }
    }

    /// A new, empty output with the same settings (for a worker thread).
    pub(crate) fn empty(&self) -> Output {
        Output {
            record: self.record,
            strict: self.strict,
            ..Output::with(self.style, self.quiet, self.verbose)
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
    pub(crate) fn flush(&mut self) -> std::io::Result<()> {
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
