//! Diagnostics: rustc-style error and warning reports, with a one-line source excerpt and a
//! caret for terminals, or a single line for logs.

use std::borrow::Cow;
use std::ffi::OsString;
use std::fmt::{self, Write as _};

use unicode_width::UnicodeWidthChar;

use crate::locate::Pos;
use crate::path::FieldPath;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Informs without failing, even under `--strict`.
    Info,
    Warning,
    Error,
}

impl Severity {
    fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    fn color(self) -> &'static str {
        match self {
            Severity::Info => CYAN,
            Severity::Warning => YELLOW,
            Severity::Error => RED,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One finding about one place in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Headline, lowercase: "invalid cluster spec `prod.yaml`".
    pub message: String,
    /// Display name of the file ("<stdin>" for stdin).
    pub file: Option<String>,
    pub pos: Option<Pos>,
    pub path: Option<FieldPath>,
    /// Text under the caret: what is wrong and what would be valid.
    pub label: String,
    /// Extra "help: …" / "note: …" lines, each rendered as given.
    pub notes: Vec<String>,
}

/// How to render: ANSI colour, and source excerpts (off for logs: one line per diagnostic).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    pub snippets: bool,
}

impl Style {
    /// Colour only when `is_terminal` and `NO_COLOR` is unset or empty
    /// (<https://no-color.org>); snippets always.
    pub fn detect(is_terminal: bool) -> Style {
        Style::decide(is_terminal, std::env::var_os("NO_COLOR"))
    }

    fn decide(is_terminal: bool, no_color: Option<OsString>) -> Style {
        Style {
            color: is_terminal && no_color.is_none_or(|v| v.is_empty()),
            snippets: true,
        }
    }
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const BLUE: &str = "\x1b[1;34m";
const CYAN: &str = "\x1b[1;36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Source lines wider than this (in columns) are cropped around the caret.
const MAX_WIDTH: usize = 200;
/// Columns kept left of the caret, and in all, when cropping.
const CROP_LEFT: usize = 60;
const CROP_WIDTH: usize = 160;
/// A tab in the excerpt becomes this many spaces.
const TAB: &str = "    ";

impl Diagnostic {
    /// Renders the diagnostic; every line, the last included, ends with `\n`. `source` is the
    /// text of `file`, for the excerpt. Control characters in any field are neutralised, so
    /// a hostile file cannot inject escape sequences.
    pub fn render(&self, source: Option<&str>, style: Style) -> String {
        let paint = Paint(style.color);
        match style.snippets {
            true => self.render_full(source, paint),
            false => self.render_line(paint),
        }
    }

    fn render_full(&self, source: Option<&str>, paint: Paint) -> String {
        let excerpt = self
            .pos
            .zip(source)
            .and_then(|(pos, src)| Excerpt::new(src, pos));
        let width = self.pos.map_or(1, |p| p.line.to_string().len());
        let margin = " ".repeat(width + 1);
        let mut out = self.headline(paint);
        if let Some(location) = self.location() {
            let _ = writeln!(out, "{margin}{} {location}", paint.on(BLUE, "-->"));
        }
        let color = self.severity.color();
        let label = clean(&self.label);
        match &excerpt {
            Some(ex) => {
                let gutter = paint.on(BLUE, &format!("{margin} |"));
                let number = paint.on(BLUE, &format!(" {:>width$} |", ex.line));
                let caret = format!("^ {label}");
                let caret = paint.on(color, caret.trim_end());
                let indent = " ".repeat(ex.caret);
                let _ = writeln!(out, "{gutter}");
                let _ = writeln!(out, "{number} {}", ex.text);
                let _ = writeln!(out, "{gutter} {indent}{caret}");
            }
            None if !label.is_empty() => {
                let _ = writeln!(out, "{margin} {} {label}", paint.on(BLUE, "="));
            }
            None => {}
        }
        for note in &self.notes {
            let _ = writeln!(out, "{margin} {} {}", paint.on(BLUE, "="), clean(note));
        }
        out
    }

    /// `error: file:line:col: path: label (note; note)`, leaving out what is missing; the
    /// message stands in for an empty label.
    fn render_line(&self, paint: Paint) -> String {
        let mut out = paint.on(self.severity.color(), self.severity.name());
        out.push(':');
        if let Some(place) = self.place() {
            let _ = write!(out, " {place}:");
        }
        if let Some(path) = &self.path {
            let _ = write!(out, " {}:", clean(&path.to_string()));
        }
        let text = if self.label.is_empty() {
            &self.message
        } else {
            &self.label
        };
        let _ = write!(out, " {}", clean(text));
        if !self.notes.is_empty() {
            let notes: Vec<_> = self.notes.iter().map(|n| clean(n)).collect();
            let _ = write!(out, " ({})", notes.join("; "));
        }
        out.push('\n');
        out
    }

    fn headline(&self, paint: Paint) -> String {
        let severity = paint.on(self.severity.color(), self.severity.name());
        let message = paint.on(BOLD, &format!(": {}", clean(&self.message)));
        format!("{severity}{message}\n")
    }

    /// `file:line:col`, `file`, or `line:col`.
    fn place(&self) -> Option<String> {
        let file = self.file.as_deref().map(clean);
        match (file, self.pos) {
            (Some(f), Some(p)) => Some(format!("{f}:{p}")),
            (Some(f), None) => Some(f.into_owned()),
            (None, Some(p)) => Some(p.to_string()),
            (None, None) => None,
        }
    }

    /// What follows the `-->` arrow: the place, then the path in parentheses.
    fn location(&self) -> Option<String> {
        let path = self
            .path
            .as_ref()
            .map(|p| clean(&p.to_string()).into_owned());
        match (self.place(), path) {
            (Some(place), Some(path)) => Some(format!("{place} ({path})")),
            (place, path) => place.or(path),
        }
    }
}

/// Wraps text in an ANSI colour when enabled.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn on(self, code: &str, text: &str) -> String {
        match self.0 && !text.is_empty() {
            true => format!("{code}{text}{RESET}"),
            false => text.to_string(),
        }
    }
}

/// Replaces line breaks and tabs with spaces and other control characters with U+FFFD, and
/// credential-looking values with `<redacted>` (see [`crate::redact`]).
fn clean(text: &str) -> Cow<'_, str> {
    let text = crate::redact::text(text);
    if !text.chars().any(char::is_control) {
        return text;
    }
    let map = |c: char| match c {
        '\t' | '\n' | '\r' => ' ',
        c if c.is_control() => '\u{fffd}',
        c => c,
    };
    Cow::Owned(text.chars().map(map).collect())
}

/// The one source line to show, ready to print, and the caret's offset in columns.
#[derive(Debug, PartialEq, Eq)]
struct Excerpt {
    line: usize,
    text: String,
    caret: usize,
}

impl Excerpt {
    /// None when `pos.line` is not in `source`.
    fn new(source: &str, pos: Pos) -> Option<Excerpt> {
        let raw = source.lines().nth(pos.line.checked_sub(1)?)?;
        let cells = cells(raw);
        let at = pos.column.saturating_sub(1).min(cells.len());
        let total: usize = cells.iter().map(|c| c.1).sum();
        let (from, to) = match total > MAX_WIDTH {
            true => crop(&cells, at),
            false => (0, cells.len()),
        };
        let mut text = String::new();
        let mut caret = 0;
        if from > 0 {
            text.push('…');
            caret += 1;
        }
        caret += cells[from..at].iter().map(|c| c.1).sum::<usize>();
        text.extend(cells[from..to].iter().map(|c| c.0.as_ref()));
        if to < cells.len() {
            text.push('…');
        }
        Some(Excerpt {
            line: pos.line,
            text,
            caret,
        })
    }
}

/// How each char of `raw` prints, and how many columns it takes: a credential-looking value
/// prints as one `<redacted>` cell (its other chars take no column, so the caret stays right).
fn cells(raw: &str) -> Vec<(Cow<'static, str>, usize)> {
    let spans = crate::redact::spans(raw);
    raw.char_indices()
        .map(|(i, c)| match spans.iter().find(|s| s.contains(&i)) {
            Some(s) if s.start == i => (
                Cow::Borrowed(crate::redact::REDACTED),
                crate::redact::REDACTED.len(),
            ),
            Some(_) => (Cow::Borrowed(""), 0),
            None => cell(c),
        })
        .collect()
}

/// How one source char prints, and how many columns it takes.
fn cell(c: char) -> (Cow<'static, str>, usize) {
    match c {
        '\t' => (Cow::Borrowed(TAB), TAB.len()),
        c if c.is_control() => (Cow::Borrowed("\u{fffd}"), 1),
        c => (Cow::Owned(c.to_string()), c.width().unwrap_or(0)),
    }
}

/// The chars `[from, to)` to show of a long line: some context left of `at`, then the rest
/// of the width.
fn crop(cells: &[(Cow<'static, str>, usize)], at: usize) -> (usize, usize) {
    let mut from = at;
    let mut left = 0;
    while from > 0 && left + cells[from - 1].1 <= CROP_LEFT {
        from -= 1;
        left += cells[from].1;
    }
    let mut to = from;
    let mut shown = 0;
    while to < cells.len() && shown + cells[to].1 <= CROP_WIDTH {
        shown += cells[to].1;
        to += 1;
    }
    (from, to.max(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Style = Style {
        color: false,
        snippets: true,
    };
    const LOG: Style = Style {
        color: false,
        snippets: false,
    };

    fn prod(pos: Option<Pos>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: "invalid cluster spec `prod.yaml`".into(),
            file: Some("prod.yaml".into()),
            pos,
            path: Some(FieldPath::parse("autoscale.min")),
            label: "must be at least seedCount (3)".into(),
            notes: vec!["help: did you mean `replicas`?".into()],
        }
    }

    const SOURCE: &str = "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nautoscale:\n  min: 2\n";

    #[test]
    fn full_form() {
        let d = prod(Some(Pos { line: 7, column: 8 }));
        let want = "\
error: invalid cluster spec `prod.yaml`
  --> prod.yaml:7:8 (autoscale.min)
   |
 7 |   min: 2
   |        ^ must be at least seedCount (3)
   = help: did you mean `replicas`?
";
        assert_eq!(d.render(Some(SOURCE), PLAIN), want);
    }

    #[test]
    fn gutter_grows_with_the_line_number() {
        let source = format!("{}key: value\n", "\n".repeat(99));
        let mut d = prod(Some(Pos {
            line: 100,
            column: 6,
        }));
        d.notes.clear();
        let want = "\
error: invalid cluster spec `prod.yaml`
    --> prod.yaml:100:6 (autoscale.min)
     |
 100 | key: value
     |      ^ must be at least seedCount (3)
";
        assert_eq!(d.render(Some(&source), PLAIN), want);
    }

    #[test]
    fn without_source_or_position_the_label_is_a_note() {
        let want = "\
error: invalid cluster spec `prod.yaml`
  --> prod.yaml (autoscale.min)
   = must be at least seedCount (3)
   = help: did you mean `replicas`?
";
        assert_eq!(prod(None).render(Some(SOURCE), PLAIN), want);
        let d = prod(Some(Pos { line: 7, column: 8 }));
        let no_source = d.render(None, PLAIN);
        assert!(no_source.contains("  --> prod.yaml:7:8 (autoscale.min)\n   = must be"));
        let past_the_end = d.render(Some("a: 1\n"), PLAIN);
        assert_eq!(past_the_end, no_source);
    }

    #[test]
    fn one_line_form() {
        let d = prod(Some(Pos { line: 7, column: 9 }));
        let want = "error: prod.yaml:7:9: autoscale.min: must be at least seedCount (3) \
                    (help: did you mean `replicas`?)\n";
        assert_eq!(d.render(Some(SOURCE), LOG), want);
    }

    #[test]
    fn one_line_form_leaves_out_what_is_missing() {
        let d = Diagnostic {
            severity: Severity::Warning,
            message: "no pod disruption budget".into(),
            file: None,
            pos: None,
            path: None,
            label: String::new(),
            notes: vec!["note: a".into(), "help: b".into()],
        };
        assert_eq!(
            d.render(None, LOG),
            "warning: no pod disruption budget (note: a; help: b)\n"
        );
        let d = Diagnostic {
            pos: Some(Pos { line: 2, column: 1 }),
            notes: vec![],
            ..d
        };
        assert_eq!(
            d.render(None, LOG),
            "warning: 2:1: no pod disruption budget\n"
        );
        assert_eq!(
            d.render(None, PLAIN),
            "warning: no pod disruption budget\n  --> 2:1\n"
        );
    }

    #[test]
    fn no_escape_codes_without_color() {
        let mut d = prod(Some(Pos { line: 7, column: 8 }));
        d.label = "bad \x1b[31mvalue\x1b[0m".into();
        let source = SOURCE.replace("min: 2", "min: \x1b[2J2");
        for style in [PLAIN, LOG] {
            let out = d.render(Some(&source), style);
            assert!(!out.contains('\x1b'), "{out:?}");
        }
    }

    #[test]
    fn color_paints_severity_gutter_and_caret() {
        let d = prod(Some(Pos { line: 7, column: 8 }));
        let out = d.render(
            Some(SOURCE),
            Style {
                color: true,
                snippets: true,
            },
        );
        assert!(
            out.starts_with("\x1b[1;31merror\x1b[0m\x1b[1m: invalid"),
            "{out:?}"
        );
        assert!(out.contains("\x1b[1;34m-->\x1b[0m"));
        assert!(out.contains("\x1b[1;34m 7 |\x1b[0m   min: 2\n"));
        assert!(out.contains("\x1b[1;31m^ must be at least seedCount (3)\x1b[0m\n"));
        let mut w = d.clone();
        w.severity = Severity::Warning;
        let out = w.render(
            None,
            Style {
                color: true,
                snippets: false,
            },
        );
        assert!(
            out.starts_with("\x1b[1;33mwarning\x1b[0m: prod.yaml"),
            "{out:?}"
        );
    }

    /// The caret's line, with the `   | ` gutter removed.
    fn caret_line(out: &str) -> &str {
        let line = out.lines().nth(4).unwrap();
        &line["   | ".len()..]
    }

    fn source_line(out: &str) -> &str {
        let line = out.lines().nth(3).unwrap();
        &line[" 7 | ".len()..]
    }

    #[test]
    fn caret_stays_aligned_after_a_tab() {
        let source = SOURCE.replace("  min: 2", "\tmin:\t2");
        let d = prod(Some(Pos { line: 7, column: 7 }));
        let out = d.render(Some(&source), PLAIN);
        assert_eq!(source_line(&out), "    min:    2");
        assert_eq!(
            caret_line(&out),
            "            ^ must be at least seedCount (3)"
        );
    }

    #[test]
    fn caret_stays_aligned_after_multibyte_and_wide_chars() {
        let source = SOURCE.replace("  min: 2", "  mé: 名2");
        let d = prod(Some(Pos { line: 7, column: 8 }));
        let out = d.render(Some(&source), PLAIN);
        assert_eq!(source_line(&out), "  mé: 名2");
        assert_eq!(caret_line(&out), "        ^ must be at least seedCount (3)");
    }

    #[test]
    fn long_lines_are_cropped_around_the_caret() {
        let line = format!("k: {}X{}", "a".repeat(300), "b".repeat(300));
        let source = format!("{}{line}\n", "\n".repeat(6));
        let d = prod(Some(Pos {
            line: 7,
            column: 304,
        }));
        let out = d.render(Some(&source), PLAIN);
        let shown = source_line(&out);
        let want = format!(
            "…{}X{}…",
            "a".repeat(CROP_LEFT),
            "b".repeat(CROP_WIDTH - CROP_LEFT - 1)
        );
        assert_eq!(shown, want);
        assert_eq!(caret_line(&out).find('^'), Some(CROP_LEFT + 1));
        assert_eq!(out.lines().count(), 6);
    }

    #[test]
    fn caret_after_the_end_of_the_line() {
        let d = prod(Some(Pos { line: 7, column: 9 }));
        let out = d.render(Some(SOURCE), PLAIN);
        assert_eq!(caret_line(&out), "        ^ must be at least seedCount (3)");
    }

    #[test]
    fn empty_label_leaves_a_bare_caret() {
        let mut d = prod(Some(Pos { line: 7, column: 3 }));
        d.label.clear();
        let out = d.render(Some(SOURCE), PLAIN);
        assert_eq!(out.lines().nth(4), Some("   |   ^"));
    }

    #[test]
    fn no_color_decides_colour() {
        let on = |tty, v: Option<&str>| Style::decide(tty, v.map(OsString::from)).color;
        assert!(on(true, None));
        assert!(on(true, Some("")));
        assert!(!on(true, Some("1")));
        assert!(!on(false, None));
        assert!(Style::decide(false, None).snippets);
    }

    #[test]
    fn severities_order_and_print() {
        assert!(Severity::Warning < Severity::Error);
        assert_eq!(Severity::Error.to_string(), "error");
        assert_eq!(Severity::Warning.to_string(), "warning");
    }
}
