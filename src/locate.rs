//! Source positions: maps the field paths of a YAML stream to lines and columns and back, and
//! finds plain scalars that a YAML 1.1 reader (Kubernetes) would read differently.
//!
//! The locator walks parser events only, so it works on text that serde cannot deserialize and
//! keeps what it saw before a syntax error.

use std::collections::HashMap;
use std::fmt;

use serde_saphyr::granit_parser::{Event, Marker, Options, Parser, ScalarStyle, Span};

use crate::path::{FieldPath, Seg};
use crate::yaml11;

/// A place in the source text: 1-based line, 1-based column counted in chars.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    /// Past every real position: the end of a node the parser never closed.
    const OPEN: Pos = Pos {
        line: usize::MAX,
        column: usize::MAX,
    };

    fn from_marker(m: &Marker) -> Pos {
        Pos {
            line: m.line(),
            column: m.col() + 1,
        }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Work bounds: a hostile or broken input stops being recorded, it never hangs the walk.
#[derive(Clone, Copy, Debug)]
struct Limits {
    events: usize,
    depth: usize,
}

const LIMITS: Limits = Limits {
    events: 1_000_000,
    depth: 1_000,
};

/// A half-open source range `[start, end)`.
#[derive(Clone, Copy, Debug)]
struct Range {
    start: Pos,
    end: Pos,
}

impl Range {
    fn of(span: &Span) -> Range {
        Range {
            start: Pos::from_marker(&span.start),
            end: Pos::from_marker(&span.end),
        }
    }

    /// Starts exactly at `pos` (empty ranges included) or contains it.
    fn hits(&self, pos: Pos) -> bool {
        self.start == pos || (self.start <= pos && pos < self.end)
    }
}

/// One recorded value: the root of a document, a mapping value or a sequence item.
#[derive(Debug)]
struct Node {
    parent: Option<usize>,
    seg: Option<Seg>,
    depth: usize,
    key: Option<Range>,
    value: Range,
}

/// The recorded values of one document, as a tree stored flat (parents before children).
#[derive(Debug)]
struct DocTree {
    start: Pos,
    nodes: Vec<Node>,
    children: HashMap<(usize, Seg), usize>,
}

impl DocTree {
    fn new(start: Pos) -> DocTree {
        DocTree {
            start,
            nodes: Vec::new(),
            children: HashMap::new(),
        }
    }

    /// The node at `path`, or its deepest recorded ancestor; None for a document without nodes.
    fn deepest(&self, path: &FieldPath) -> Option<&Node> {
        let mut at = 0;
        self.nodes.first()?;
        for seg in &path.0 {
            match self.children.get(&(at, seg.clone())) {
                Some(&child) => at = child,
                None => break,
            }
        }
        Some(&self.nodes[at])
    }

    fn path_of(&self, mut at: usize) -> FieldPath {
        let mut segs = Vec::new();
        loop {
            let node = &self.nodes[at];
            segs.extend(node.seg.clone());
            match node.parent {
                Some(parent) => at = parent,
                None => break,
            }
        }
        segs.reverse();
        FieldPath(segs)
    }
}

/// Maps field paths to source positions and back, per document of a YAML stream.
#[derive(Debug)]
pub struct Locator {
    docs: Vec<DocTree>,
}

impl Locator {
    /// Walks every document of `text` (a multi-document stream is fine). Never panics and
    /// never loops forever; on a syntax error it keeps what it saw so far. Recording stops
    /// after 1,000,000 events, and nodes deeper than 1,000 levels are not recorded. An alias
    /// is recorded at the alias, not at its anchor.
    pub fn new(text: &str) -> Locator {
        Locator::with_limits(text, LIMITS)
    }

    fn with_limits(text: &str, limits: Limits) -> Locator {
        let mut walker = Walker::new(limits.depth);
        for (count, event) in parser(text).enumerate() {
            let Ok((event, span)) = event else { break };
            if count >= limits.events {
                break;
            }
            walker.event(event, &span);
        }
        Locator { docs: walker.docs }
    }

    /// How many documents the stream holds (as far as it could be read).
    pub fn documents(&self) -> usize {
        self.docs.len()
    }

    /// Line where document `doc` (0-based) starts: its `---` line, or its first content.
    pub fn document_line(&self, doc: usize) -> Option<usize> {
        self.docs.get(doc).map(|d| d.start.line)
    }

    /// Position of the value at `path` in document `doc`. A path that does not exist gives
    /// the value of its deepest existing ancestor (the map that lacks a missing field); an
    /// empty document gives its start. None only when the document does not exist.
    pub fn value_pos(&self, doc: usize, path: &FieldPath) -> Option<Pos> {
        let doc = self.docs.get(doc)?;
        Some(doc.deepest(path).map_or(doc.start, |n| n.value.start))
    }

    /// Position of the key of the mapping entry at `path`. Falls back like
    /// [`Locator::value_pos`]; a sequence item or the root, which have no key, gives its value.
    pub fn key_pos(&self, doc: usize, path: &FieldPath) -> Option<Pos> {
        let doc = self.docs.get(doc)?;
        let node = doc.deepest(path);
        Some(node.map_or(doc.start, |n| n.key.unwrap_or(n.value).start))
    }

    /// The path of the innermost node (key or value) that starts exactly at `pos` or contains
    /// it. Nodes left open by a syntax error reach to the end of the text, so a parser error's
    /// position maps to the collection it broke. None when nothing in `doc` is there.
    pub fn path_at(&self, doc: usize, pos: Pos) -> Option<FieldPath> {
        let doc = self.docs.get(doc)?;
        let hit = |n: &Node| n.value.hits(pos) || n.key.is_some_and(|k| k.hits(pos));
        let best = (0..doc.nodes.len())
            .filter(|&i| hit(&doc.nodes[i]))
            .max_by_key(|&i| doc.nodes[i].depth)?;
        Some(doc.path_of(best))
    }
}

fn parser(text: &str) -> Parser<'_, serde_saphyr::granit_parser::StrInput<'_>> {
    let mut options = Options::default();
    options.set_emit_comments(false);
    Parser::new_from_str_with_options(text, options)
}

/// What the next node event is, given the collection it appears in.
enum Slot {
    /// The root of the document.
    Root,
    /// A mapping key.
    Key,
    /// A mapping value or sequence item; `parent` None when it is not recorded.
    Child {
        parent: Option<usize>,
        seg: Option<Seg>,
        key: Option<Range>,
    },
}

/// What a mapping is waiting for.
enum Want {
    Key,
    /// The value for this key; `seg` None for a key that cannot be named (a collection).
    Value {
        seg: Option<Seg>,
        key: Range,
    },
}

enum Frame {
    Seq {
        node: Option<usize>,
        next: usize,
    },
    Map {
        node: Option<usize>,
        want: Want,
    },
    /// A collection used as a mapping key: walked, never recorded.
    KeyColl {
        start: Pos,
    },
}

/// Turns the event stream into [`DocTree`]s.
struct Walker {
    docs: Vec<DocTree>,
    stack: Vec<Frame>,
    max_depth: usize,
    /// Collections opened past `max_depth` and not closed yet.
    overflow: usize,
    /// Scalar anchors, so an alias used as a key can be named.
    anchors: HashMap<usize, String>,
}

impl Walker {
    fn new(max_depth: usize) -> Walker {
        Walker {
            docs: Vec::new(),
            stack: Vec::new(),
            max_depth,
            overflow: 0,
            anchors: HashMap::new(),
        }
    }

    fn event(&mut self, event: Event<'_>, span: &Span) {
        match event {
            Event::DocumentStart(..) => self.start_document(span),
            Event::DocumentEnd => self.stack.clear(),
            Event::Scalar(value, _, anchor, _) => {
                if anchor != 0 && self.overflow == 0 {
                    self.anchors.insert(anchor, value.to_string());
                }
                self.leaf(Some(value.into_owned()), span);
            }
            Event::Alias(id) => {
                let name = self.anchors.get(&id).cloned();
                self.leaf(name, span);
            }
            Event::SequenceStart(..) => self.open(span, true),
            Event::MappingStart(..) => self.open(span, false),
            Event::SequenceEnd | Event::MappingEnd => self.close(span),
            _ => {}
        }
    }

    fn start_document(&mut self, span: &Span) {
        self.stack.clear();
        self.overflow = 0;
        self.docs.push(DocTree::new(Pos::from_marker(&span.start)));
    }

    fn slot(&mut self) -> Slot {
        match self.stack.last_mut() {
            None => Slot::Root,
            Some(Frame::KeyColl { .. }) => Slot::Child {
                parent: None,
                seg: None,
                key: None,
            },
            Some(Frame::Seq { node, next }) => {
                *next += 1;
                Slot::Child {
                    parent: *node,
                    seg: Some(Seg::Index(*next - 1)),
                    key: None,
                }
            }
            Some(Frame::Map { node, want }) => match std::mem::replace(want, Want::Key) {
                Want::Key => Slot::Key,
                Want::Value { seg, key } => Slot::Child {
                    parent: *node,
                    seg,
                    key: Some(key),
                },
            },
        }
    }

    /// A scalar or alias; `name` is what it reads as when it is a key.
    fn leaf(&mut self, name: Option<String>, span: &Span) {
        if self.overflow > 0 {
            return;
        }
        let range = Range::of(span);
        match self.slot() {
            Slot::Key => self.set_key(name.map(Seg::Key), range),
            slot => {
                self.record(slot, range);
            }
        }
    }

    fn open(&mut self, span: &Span, seq: bool) {
        if self.overflow > 0 || self.stack.len() >= self.max_depth {
            self.overflow += 1;
            return;
        }
        let range = Range {
            start: Pos::from_marker(&span.start),
            end: Pos::OPEN,
        };
        let frame = match self.slot() {
            Slot::Key => Frame::KeyColl { start: range.start },
            slot => {
                let node = self.record(slot, range);
                match seq {
                    true => Frame::Seq { node, next: 0 },
                    false => Frame::Map {
                        node,
                        want: Want::Key,
                    },
                }
            }
        };
        self.stack.push(frame);
    }

    fn close(&mut self, span: &Span) {
        if self.overflow > 0 {
            self.overflow -= 1;
            return;
        }
        let end = Pos::from_marker(&span.end);
        match self.stack.pop() {
            Some(Frame::Seq { node, .. } | Frame::Map { node, .. }) => self.set_end(node, end),
            Some(Frame::KeyColl { start }) => self.set_key(None, Range { start, end }),
            None => {}
        }
    }

    fn set_key(&mut self, seg: Option<Seg>, key: Range) {
        if let Some(Frame::Map { want, .. }) = self.stack.last_mut() {
            *want = Want::Value { seg, key };
        }
    }

    fn set_end(&mut self, node: Option<usize>, end: Pos) {
        if let (Some(doc), Some(i)) = (self.docs.last_mut(), node) {
            doc.nodes[i].value.end = end;
        }
    }

    /// Records a node in the current document; collections are recorded open and closed later.
    fn record(&mut self, slot: Slot, value: Range) -> Option<usize> {
        let (parent, seg, key) = match slot {
            Slot::Root => (None, None, None),
            Slot::Child {
                parent: Some(parent),
                seg: Some(seg),
                key,
            } => (Some(parent), Some(seg), key),
            _ => return None,
        };
        let doc = self.docs.last_mut()?;
        if parent.is_none() && !doc.nodes.is_empty() {
            return None;
        }
        let depth = parent.map_or(0, |p| doc.nodes[p].depth + 1);
        let at = doc.nodes.len();
        if let (Some(p), Some(s)) = (parent, seg.clone()) {
            doc.children.entry((p, s)).or_insert(at);
        }
        doc.nodes.push(Node {
            parent,
            seg,
            depth,
            key,
            value,
        });
        Some(at)
    }
}

/// Every plain (unquoted, untagged) scalar, key or value, that a YAML 1.1 reader resolves
/// differently from the YAML 1.2 core schema: a 1.2 string that 1.1 reads as a bool, number,
/// null, timestamp or merge key, or a number whose value changes (`0755`). An empty result
/// proves the text reads the same under both.
///
/// "YAML 1.1" is taken conservatively as the union of go-yaml v2 (what Kubernetes reads with:
/// `y`/`n` bools, Go integer syntax, `1e3` floats) and the YAML 1.1 type regexes as PyYAML
/// implements them (base-60 `1:20`, `1_000`, `0b1010`, dated timestamps); a scalar is reported
/// when either reading differs. Positions are where each scalar starts. The walk stops at the
/// first syntax error and after 1,000,000 events.
pub fn plain_scalars_yaml11_safe(text: &str) -> Vec<(Pos, String)> {
    let mut found = Vec::new();
    for event in parser(text).take(LIMITS.events) {
        let Ok((event, span)) = event else { break };
        if let Event::Scalar(value, ScalarStyle::Plain, _, None) = event
            && yaml11::differs(&value)
        {
            found.push((Pos::from_marker(&span.start), value.into_owned()));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "\
name: prod
autoscale:
  min: 2
  max: 5
containers:
  - name: server
    env: [a, \"b\"]
  - name: sidecar
empty:
";

    fn p(s: &str) -> FieldPath {
        FieldPath::parse(s)
    }

    fn pos(line: usize, column: usize) -> Pos {
        Pos { line, column }
    }

    #[test]
    fn value_and_key_positions() {
        let loc = Locator::new(SPEC);
        assert_eq!(loc.value_pos(0, &p("name")), Some(pos(1, 7)));
        assert_eq!(loc.key_pos(0, &p("autoscale.min")), Some(pos(3, 3)));
        assert_eq!(loc.value_pos(0, &p("autoscale.min")), Some(pos(3, 8)));
        assert_eq!(loc.value_pos(0, &p("containers[1].name")), Some(pos(8, 11)));
        assert_eq!(
            loc.value_pos(0, &p("containers[0].env[1]")),
            Some(pos(7, 14))
        );
        assert_eq!(loc.key_pos(0, &p("containers[0]")), Some(pos(6, 5)));
        // An empty value is placed right after its key, on the `:`.
        assert_eq!(loc.value_pos(0, &p("empty")), Some(pos(9, 6)));
    }

    #[test]
    fn missing_paths_fall_back_to_the_deepest_ancestor() {
        let loc = Locator::new(SPEC);
        assert_eq!(loc.value_pos(0, &p("autoscale.seedCount")), Some(pos(3, 3)));
        assert_eq!(loc.key_pos(0, &p("autoscale.seedCount.x")), Some(pos(2, 1)));
        assert_eq!(loc.value_pos(0, &p("containers[7].name")), Some(pos(6, 3)));
        assert_eq!(loc.value_pos(0, &p("nope")), Some(pos(1, 1)));
        assert_eq!(loc.value_pos(1, &p("name")), None);
        assert_eq!(loc.key_pos(1, &p("name")), None);
    }

    #[test]
    fn path_at_finds_keys_values_and_containers() {
        let loc = Locator::new(SPEC);
        assert_eq!(loc.path_at(0, pos(3, 3)), Some(p("autoscale.min")));
        assert_eq!(loc.path_at(0, pos(3, 8)), Some(p("autoscale.min")));
        assert_eq!(loc.path_at(0, pos(7, 16)), Some(p("containers[0].env[1]")));
        assert_eq!(loc.path_at(0, pos(7, 17)), Some(p("containers[0].env")));
        assert_eq!(loc.path_at(0, pos(7, 18)), Some(p("containers[0]")));
        assert_eq!(loc.path_at(0, pos(1, 1)), Some(p("name")));
        assert_eq!(loc.path_at(0, pos(1, 5)), Some(FieldPath::root()));
        assert_eq!(loc.path_at(1, pos(1, 1)), None);
    }

    #[test]
    fn documents_and_their_lines() {
        let text = "# lead\n\na: 1\n---\nb: 2\n--- |\n  text\n---\n";
        let loc = Locator::new(text);
        assert_eq!(loc.documents(), 4);
        let lines: Vec<_> = (0..5).map(|d| loc.document_line(d)).collect();
        assert_eq!(lines, [Some(3), Some(4), Some(6), Some(8), None]);
        assert_eq!(loc.value_pos(1, &p("b")), Some(pos(5, 4)));
        assert_eq!(loc.value_pos(3, &p("x")), Some(pos(8, 4)));
        assert_eq!(Locator::new("").documents(), 0);
        assert_eq!(Locator::new("# only a comment\n").documents(), 0);
    }

    #[test]
    fn syntax_errors_keep_what_was_seen() {
        let text = "a: 1\nb:\n  c: [1, 2\nd: 3\n";
        let loc = Locator::new(text);
        assert_eq!(loc.documents(), 1);
        assert_eq!(loc.value_pos(0, &p("a")), Some(pos(1, 4)));
        assert_eq!(loc.value_pos(0, &p("b.c[0]")), Some(pos(3, 7)));
        // `2` runs on into line 4 as a multi-line plain scalar, so it is never emitted.
        assert_eq!(loc.value_pos(0, &p("b.c[1]")), Some(pos(3, 6)));
        assert_eq!(loc.value_pos(0, &p("d")), Some(pos(1, 1)));
        // The parser stops at the `:` of line 4; the unclosed flow sequence contains it.
        assert_eq!(loc.path_at(0, pos(4, 2)), Some(p("b.c")));
    }

    #[test]
    fn aliases_are_recorded_where_they_are_written() {
        let text = "base: &b {x: 1}\nuse: *b\nname: &n key\n*n : v\n";
        let loc = Locator::new(text);
        assert_eq!(loc.value_pos(0, &p("use")), Some(pos(2, 6)));
        assert_eq!(loc.value_pos(0, &p("use.x")), Some(pos(2, 6)));
        assert_eq!(loc.key_pos(0, &p("key")), Some(pos(4, 1)));
    }

    #[test]
    fn collection_keys_are_walked_but_not_recorded() {
        let text = "? [k, l]\n: v\nafter: 1\n";
        let loc = Locator::new(text);
        assert_eq!(loc.value_pos(0, &p("after")), Some(pos(3, 8)));
        assert_eq!(loc.value_pos(0, &p("[0]")), Some(pos(1, 1)));
    }

    #[test]
    fn multibyte_and_tabs_count_as_one_column() {
        let loc = Locator::new("é: \tv\nkey: \"ü\"\n");
        assert_eq!(loc.value_pos(0, &p("é")), Some(pos(1, 5)));
        assert_eq!(loc.value_pos(0, &p("key")), Some(pos(2, 6)));
    }

    #[test]
    fn deep_nesting_stops_recording_but_not_walking() {
        let text = format!("{}{}\n---\nz: 1\n", "[".repeat(50), "]".repeat(50));
        let loc = Locator::with_limits(
            &text,
            Limits {
                events: 1_000,
                depth: 10,
            },
        );
        assert_eq!(loc.documents(), 2);
        let deep = FieldPath(vec![Seg::Index(0); 20]);
        let deepest = FieldPath(vec![Seg::Index(0); 9]);
        assert_eq!(loc.path_at(0, pos(1, 30)), Some(deepest));
        assert_eq!(loc.value_pos(0, &deep), Some(pos(1, 10)));
        assert_eq!(loc.value_pos(1, &p("z")), Some(pos(3, 4)));
    }

    #[test]
    fn event_limit_stops_the_walk() {
        let text = "a: 1\nb: 2\nc: 3\n";
        let loc = Locator::with_limits(
            text,
            Limits {
                events: 6,
                depth: 10,
            },
        );
        assert_eq!(loc.value_pos(0, &p("a")), Some(pos(1, 4)));
        assert_eq!(loc.value_pos(0, &p("b")), Some(pos(1, 1)));
    }

    #[test]
    fn hostile_inputs_do_not_panic() {
        let deep = "[".repeat(100_000);
        for text in [
            deep.as_str(),
            "a: [",
            "- - - : : :",
            "&a [*a]",
            "\t",
            "{",
            "? ? ?",
            "%YAML",
        ] {
            let loc = Locator::new(text);
            for doc in 0..=loc.documents() {
                let _ = loc.path_at(doc, pos(1, 2));
                let _ = loc.value_pos(doc, &p("a[0]"));
            }
        }
    }

    fn flagged(value: &str) -> bool {
        let text = format!("k: {value}\n");
        let found = plain_scalars_yaml11_safe(&text);
        assert!(
            found.iter().all(|(at, _)| *at == pos(1, 4)),
            "{value}: {found:?}"
        );
        !found.is_empty()
    }

    #[test]
    fn yaml11_bools_are_flagged_except_the_core_ones() {
        for b in [
            "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off",
            "Off", "OFF",
        ] {
            assert!(flagged(b), "{b}");
        }
        for b in ["true", "True", "TRUE", "false", "False", "FALSE"] {
            assert!(!flagged(b), "{b} is a bool under both");
        }
    }

    #[test]
    fn yaml11_numbers_that_change_are_flagged() {
        for n in [
            "0755",
            "010",
            "1_000",
            "1:20",
            "-1:20",
            "190:20:30",
            "0b1010",
            "1e3",
            "1_0.5",
            "1:30.5",
            "0o17",
            "0X1F",
            "-0x1F",
            "08",
        ] {
            assert!(flagged(n), "{n}");
        }
        for n in [
            "8800", "0", "-17", "+1", "0x1F", "1.5", "0.5", ".5", "1.0e+3", ".inf", "-.Inf",
        ] {
            assert!(!flagged(n), "{n} reads the same under both");
        }
        assert!(!flagged(".nan"), ".nan is NaN under both");
    }

    #[test]
    fn nulls_timestamps_and_merge_keys() {
        for v in ["~", "null", "Null", "NULL", ""] {
            assert!(!flagged(v), "{v:?} is null under both");
        }
        for v in [
            "2024-01-01",
            "2024-1-1 10:00:00",
            "2001-12-14t21:59:43.10-05:00",
        ] {
            assert!(flagged(v), "{v}");
        }
        assert_eq!(
            plain_scalars_yaml11_safe("<<: {a: 1}\n"),
            [(pos(1, 1), "<<".into())]
        );
    }

    #[test]
    fn ordinary_strings_are_safe() {
        for v in [
            "TCP",
            "migratorydata",
            "8800",
            "true",
            "500m",
            "1Gi",
            "1.2.3",
            "8080:80",
            "v1",
            "2024",
            "yesterday",
            "http://x:80",
            "12:345",
            "0.5Gi",
            "-",
            ".",
            "1e",
            "0x",
        ] {
            assert!(!flagged(v), "{v}");
        }
    }

    #[test]
    fn keys_count_and_quoted_or_tagged_scalars_do_not() {
        let text = "on: 'yes'\nb: \"no\"\nc: !!str off\nd: [y, n]\n";
        let found = plain_scalars_yaml11_safe(text);
        let want = [
            (pos(1, 1), "on".to_string()),
            (pos(4, 5), "y".to_string()),
            (pos(4, 8), "n".to_string()),
        ];
        assert_eq!(found, want);
    }
}
