//! Diagnostics: rustc-style error and warning reports, with a source excerpt drawn by
//! annotate-snippets (as cargo does) for terminals, or gen's own single line for logs.

use std::borrow::Cow;
use std::ffi::OsString;
use std::fmt::{self, Write as _};

use annotate_snippets::renderer::{AnsiColor, Effects, Style as Ansi};
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

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

    fn color(self) -> Ansi {
        match self {
            Severity::Info => CYAN,
            Severity::Warning => YELLOW,
            Severity::Error => RED,
        }
    }

    fn level(self) -> Level<'static> {
        match self {
            Severity::Info => Level::INFO,
            Severity::Warning => Level::WARNING,
            Severity::Error => Level::ERROR,
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

const RED: Ansi = AnsiColor::Red.on_default().effects(Effects::BOLD);
const YELLOW: Ansi = AnsiColor::Yellow.on_default().effects(Effects::BOLD);
const BLUE: Ansi = AnsiColor::Blue.on_default().effects(Effects::BOLD);
const CYAN: Ansi = AnsiColor::Cyan.on_default().effects(Effects::BOLD);

/// Excerpts wider than this (in columns, gutter included) are trimmed around the caret.
const WIDTH: usize = 200;
/// A tab in the excerpt becomes this many spaces.
const TAB: &str = "    ";

impl Diagnostic {
    /// Renders the diagnostic; every line, the last included, ends with `\n`. `source` is the
    /// text of `file`, for the excerpt. Control characters in any field are neutralised, so
    /// a hostile file cannot inject escape sequences.
    pub fn render(&self, source: Option<&str>, style: Style) -> String {
        match style.snippets {
            true => self.render_full(source, style.color),
            false => self.render_line(style.color),
        }
    }

    /// The rustc-style report: headline, `--> place (path)`, then the excerpt with the label
    /// under its caret (or, without one, the label as a `=` line), then the notes.
    fn render_full(&self, source: Option<&str>, color: bool) -> String {
        let level = self.severity.level();
        let label = Some(clean(&self.label)).filter(|l| !l.is_empty());
        let location = self.location();
        let mut group = Group::with_title(level.clone().primary_title(clean(&self.message)));
        let excerpt = self
            .pos
            .zip(source)
            .and_then(|(pos, src)| Some((pos.line, excerpt(src, pos)?)));
        let drawn = excerpt.is_some();
        if let Some((line, (text, at))) = excerpt {
            let caret = AnnotationKind::Primary.span(at..at).label(label);
            let snippet = Snippet::source(text)
                .line_start(line)
                .path(location)
                .annotation(caret);
            group = group.element(snippet);
        } else {
            if let Some(location) = location {
                group = group.element(Origin::path(location));
            }
            if let Some(label) = label {
                group = group.element(level.no_name().message(label));
            }
        }
        for note in &self.notes {
            group = group.element(Level::NOTE.no_name().message(clean(note)));
        }
        let renderer = match color {
            true => Renderer::styled()
                .error(RED)
                .warning(YELLOW)
                .info(CYAN)
                .line_num(BLUE),
            false => Renderer::plain(),
        };
        let mut out = renderer.term_width(WIDTH).render(&[group]);
        if drawn {
            drop_line_and_column(&mut out);
        }
        out.push('\n');
        out
    }

    /// `error: file:line:col: path: label (note; note)`, leaving out what is missing; the
    /// message stands in for an empty label.
    fn render_line(&self, color: bool) -> String {
        let mut out = paint(color, self.severity.color(), self.severity.name());
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

/// `text` in `style` when `color` is on.
fn paint(color: bool, style: Ansi, text: &str) -> String {
    match color {
        true => format!("{style}{text}{style:#}"),
        false => text.to_string(),
    }
}

/// Drops the `:line:column` annotate-snippets appends to the excerpt's path on the `-->` line
/// (the report's second line): that path is already gen's location, `file:line:col (field)`,
/// and annotate-snippets' column would count chars of the cleaned excerpt (a widened tab, a
/// `<redacted>` value), not of the file. (An `Origin` element could carry the location alone,
/// but annotate-snippets then draws the excerpt under it as a second file, `:::`.)
fn drop_line_and_column(rendered: &mut String) {
    let start = rendered.find('\n').map_or(0, |i| i + 1);
    let end = rendered[start..]
        .find('\n')
        .map_or(rendered.len(), |i| start + i);
    let strip = |at: usize| {
        let head = rendered[start..at].trim_end_matches(|c: char| c.is_ascii_digit());
        head.strip_suffix(':').map(|h| start + h.len())
    };
    if let Some(cut) = strip(end).and_then(strip) {
        rendered.replace_range(cut..end, "");
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

/// Line `pos.line` of `source` cleaned for annotate-snippets (tabs widened, control
/// characters and credential-looking values replaced), and the caret's byte offset in it: a
/// caret inside a redacted value lands after `<redacted>`, one past the end at the end. None
/// when the line is not in `source`.
fn excerpt(source: &str, pos: Pos) -> Option<(String, usize)> {
    let raw = source.lines().nth(pos.line.checked_sub(1)?)?;
    let spans = crate::redact::spans(raw);
    let column = pos.column.saturating_sub(1);
    let mut text = String::with_capacity(raw.len());
    let mut at = None;
    for (n, (i, c)) in raw.char_indices().enumerate() {
        if n == column {
            at = Some(text.len());
        }
        match spans.iter().find(|s| s.contains(&i)) {
            Some(s) if s.start == i => text.push_str(crate::redact::REDACTED),
            Some(_) => {}
            None if c == '\t' => text.push_str(TAB),
            None if c.is_control() => text.push('\u{fffd}'),
            None => text.push(c),
        }
    }
    let at = at.unwrap_or(text.len());
    Some((text, at))
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
  |
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
        assert!(no_source.contains("\n--> prod.yaml:7:8 (autoscale.min)\n = must be"));
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
            "warning: no pod disruption budget\n--> 2:1\n"
        );
        // Without a file, the excerpt's arrow still shows gen's `line:col`.
        let excerpt = d.render(Some("a: 1\nb: 2\n"), PLAIN);
        assert!(excerpt.contains("\n --> 2:1\n  |\n2 | b: 2\n"), "{excerpt}");
    }

    #[test]
    fn no_escape_codes_without_color() {
        let mut d = prod(Some(Pos { line: 7, column: 8 }));
        d.label = "bad \x1b[31mvalue\x1b[0m".into();
        d.message = "\x1b]8;;x\x07link".into();
        d.notes.push("note: \r\x1b[2K".into());
        let source = SOURCE.replace("min: 2", "min: \x1b[2J2\u{9b}");
        for style in [PLAIN, LOG] {
            let out = d.render(Some(&source), style);
            assert!(!out.contains(['\x1b', '\u{9b}', '\x07', '\r']), "{out:?}");
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
        let (red, blue, bold) = ("\x1b[1m\x1b[31m", "\x1b[1m\x1b[34m", "\x1b[1m");
        let reset = "\x1b[0m";
        assert!(
            out.starts_with(&format!("{red}error{reset}{bold}: invalid")),
            "{out:?}"
        );
        assert!(out.contains(&format!("{blue}--> {reset}prod.yaml:7:8 (autoscale.min)\n")));
        assert!(out.contains(&format!("{blue}7{reset} {blue}|{reset}   min: 2\n")));
        assert!(out.contains(&format!(
            "{red}^{reset} {red}must be at least seedCount (3){reset}\n"
        )));
        let plain = d.render(Some(SOURCE), PLAIN);
        assert_eq!(strip_ansi(&out), plain);
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
            out.starts_with("\x1b[1m\x1b[33mwarning\x1b[0m: prod.yaml"),
            "{out:?}"
        );
    }

    /// `s` without ANSI SGR sequences (`ESC [ ... m`).
    fn strip_ansi(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find('\x1b') {
            out.push_str(&rest[..i]);
            rest = &rest[i + rest[i..].find('m').unwrap() + 1..];
        }
        out + rest
    }

    /// The caret's line, with the `  | ` gutter removed.
    fn caret_line(out: &str) -> &str {
        let line = out.lines().nth(4).unwrap();
        &line["  | ".len()..]
    }

    fn source_line(out: &str) -> &str {
        let line = out.lines().nth(3).unwrap();
        &line["7 | ".len()..]
    }

    /// The text after the `-->` arrow.
    fn location(out: &str) -> &str {
        out.lines().nth(1).unwrap().split_once("--> ").unwrap().1
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
        // The file's column, not the widened excerpt's.
        assert_eq!(location(&out), "prod.yaml:7:7 (autoscale.min)");
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
    fn credentials_in_the_excerpt_are_redacted() {
        let source = SOURCE.replace("  min: 2", "  password: hunter2 # min");
        let d = prod(Some(Pos {
            line: 7,
            column: 21,
        }));
        let out = d.render(Some(&source), PLAIN);
        assert!(!out.contains("hunter2"), "{out}");
        assert_eq!(source_line(&out), "  password: <redacted> # min");
        assert_eq!(
            caret_line(&out),
            "                       ^ must be at least seedCount (3)"
        );
        assert_eq!(location(&out), "prod.yaml:7:21 (autoscale.min)");
        let at_value = prod(Some(Pos {
            line: 7,
            column: 13,
        }));
        let out = at_value.render(Some(&source), PLAIN);
        assert_eq!(
            caret_line(&out),
            "            ^ must be at least seedCount (3)"
        );
    }

    #[test]
    fn long_lines_are_trimmed_around_the_caret() {
        let line = format!("k: {}X{}", "a".repeat(300), "b".repeat(300));
        let source = format!("{}{line}\n", "\n".repeat(6));
        let d = prod(Some(Pos {
            line: 7,
            column: 304,
        }));
        let out = d.render(Some(&source), PLAIN);
        let shown = source_line(&out);
        assert!(
            shown.starts_with("...a") && shown.ends_with("b..."),
            "{shown}"
        );
        assert!(out.lines().all(|l| l.chars().count() <= WIDTH), "{out}");
        let caret = caret_line(&out).find('^').unwrap();
        assert_eq!(shown.as_bytes()[caret], b'X', "{out}");
        assert_eq!(location(&out), "prod.yaml:7:304 (autoscale.min)");
        assert_eq!(out.lines().count(), 7);
    }

    #[test]
    fn caret_after_the_end_of_the_line() {
        let d = prod(Some(Pos { line: 7, column: 9 }));
        let out = d.render(Some(SOURCE), PLAIN);
        assert_eq!(caret_line(&out), "        ^ must be at least seedCount (3)");
        let far = prod(Some(Pos {
            line: 7,
            column: 50,
        }));
        assert_eq!(
            caret_line(&far.render(Some(SOURCE), PLAIN)),
            caret_line(&out)
        );
    }

    #[test]
    fn empty_label_leaves_a_bare_caret() {
        let mut d = prod(Some(Pos { line: 7, column: 3 }));
        d.label.clear();
        let out = d.render(Some(SOURCE), PLAIN);
        assert_eq!(out.lines().nth(4), Some("  |   ^"));
    }

    #[test]
    fn an_empty_source_line_still_gets_a_caret() {
        let d = prod(Some(Pos { line: 2, column: 1 }));
        let out = d.render(Some("a: 1\n\nb: 2\n"), PLAIN);
        assert!(
            out.contains("\n2 |\n  | ^ must be at least seedCount (3)\n"),
            "{out}"
        );
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
