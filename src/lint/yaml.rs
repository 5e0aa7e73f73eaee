//! Reading one manifest document into a `serde_json::Value` the way Kubernetes does.
//!
//! Built straight on serde-saphyr's event parser (granit): two to three times faster than
//! going through serde for the thousands of documents `gen lint` and `gen render` read, and
//! it resolves plain scalars as Kubernetes' reader (go-yaml v2, YAML 1.1) does: `on`, `yes`,
//! `y` are booleans, `0755` is octal, `1_000` is a number, `2024-01-01` is a timestamp (kept as
//! text). Keys that resolve to non-strings become their JSON text (`on:` is `"true"`), as
//! Kubernetes' YAML-to-JSON step makes them.
//!
//! Duplicate keys are errors (kubectl refuses them too); `<<` merges, anchors and aliases
//! work; alias expansion, depth and size are bounded, so a hostile input costs little.

use serde_json::{Map, Number, Value};
use serde_saphyr::granit_parser::{Event, Marker, Options, Parser, ScalarStyle, Tag};

use crate::yaml11::{self, Val};

/// A YAML error, at a 1-based line and column of the parsed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// A bound of this reader (nesting, nodes, bytes) stopped it, not the text's syntax.
    pub limit: bool,
}

impl YamlError {
    fn at(m: &Marker, message: impl Into<String>) -> YamlError {
        YamlError {
            line: m.line().max(1),
            column: m.col() + 1,
            message: message.into(),
            limit: false,
        }
    }

    fn limit(m: &Marker, message: impl Into<String>) -> YamlError {
        YamlError {
            limit: true,
            ..YamlError::at(m, message)
        }
    }
}

/// Most nodes one document may hold, aliases expanded.
const MAX_NODES: usize = 2_000_000;
/// Deepest nesting accepted.
pub(crate) const MAX_DEPTH: usize = 128;
/// Most bytes of scalar text one document may expand to: gen lint weighs every input against
/// its budget ([`crate::budget`]) first; this bounds any other caller.
const MAX_BYTES: u64 = crate::budget::DEFAULT.max_expanded_bytes;

/// A sequence or mapping whose end event has not come yet: what it holds so far.
enum OpenCollection {
    Seq {
        items: Vec<Value>,
        anchor: usize,
    },
    Map {
        map: Map<String, Value>,
        anchor: usize,
        /// The key waiting for its value (`None` while waiting for a key); `merge` when the
        /// key is `<<`.
        key: Option<(String, Marker)>,
        merge: bool,
        /// Mappings merged in with `<<`, applied at the end (explicit keys win).
        merged: Vec<Value>,
    },
}

/// Reads the first document of `text` (`Value::Null` for an empty one). More than one
/// document is an error: the caller splits streams.
pub(crate) fn load(text: &str) -> Result<Value, YamlError> {
    load_nested(text, MAX_DEPTH)
}

/// [`load`], nested at most `max_depth` levels (and never more than [`MAX_DEPTH`]).
pub(crate) fn load_nested(text: &str, max_depth: usize) -> Result<Value, YamlError> {
    let mut options = Options::default();
    options.set_emit_comments(false);
    let parser = Parser::new_from_str_with_options(text, options);
    let mut loader = Loader {
        max_depth: max_depth.min(MAX_DEPTH),
        ..Loader::default()
    };
    for event in parser {
        let (event, span) = event.map_err(|e| YamlError::at(e.marker(), e.info()))?;
        loader.event(event, span.start)?;
    }
    Ok(loader.root.unwrap_or(Value::Null))
}

/// What [`load`] has built so far: the open collections, the anchored values, the budget
/// spent and the finished root.
#[derive(Default)]
struct Loader {
    stack: Vec<OpenCollection>,
    anchors: Vec<(usize, Value)>,
    nodes: usize,
    bytes: u64,
    root: Option<Value>,
    documents: usize,
    /// Deepest nesting read.
    max_depth: usize,
}

/// A finished node and its anchor id (0 for none).
type AnchoredValue = (Value, usize);

impl Loader {
    /// Takes one parser event: opens or closes a collection, sets a mapping's pending key, or
    /// finishes a node and hands it to its parent.
    fn event(&mut self, event: Event<'_>, at: Marker) -> Result<(), YamlError> {
        let node = match event {
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(YamlError::at(
                        &at,
                        "a second document where one was expected",
                    ));
                }
                None
            }
            Event::SequenceStart(_, anchor, _) => {
                let items = Vec::new();
                self.open(OpenCollection::Seq { items, anchor }, &at)?;
                None
            }
            Event::MappingStart(_, anchor, _) => {
                let map = OpenCollection::Map {
                    map: Map::new(),
                    anchor,
                    key: None,
                    merge: false,
                    merged: Vec::new(),
                };
                self.open(map, &at)?;
                None
            }
            Event::SequenceEnd => match self.stack.pop() {
                Some(OpenCollection::Seq { items, anchor }) => Some((Value::Array(items), anchor)),
                _ => return Err(YamlError::at(&at, "unbalanced sequence end")),
            },
            Event::MappingEnd => Some(self.close_map(&at)?),
            Event::Scalar(text, style, anchor, tag) => {
                self.scalar(&text, style, anchor, tag.as_deref(), at)
            }
            Event::Alias(id) => self.alias(id, at)?,
            _ => None,
        };
        match node {
            Some((value, anchor)) => self.attach(value, anchor, &at),
            None => Ok(()),
        }
    }

    /// A sequence or mapping starts, within the depth bound and not as a mapping key.
    fn open(&mut self, frame: OpenCollection, at: &Marker) -> Result<(), YamlError> {
        if self.stack.len() >= self.max_depth {
            return Err(YamlError::limit(
                at,
                format!("nested deeper than {} levels", self.max_depth),
            ));
        }
        key_must_be_scalar(&self.stack, at)?;
        self.stack.push(frame);
        Ok(())
    }

    /// The innermost mapping ends: its value, with what `<<` merged in under its explicit keys.
    fn close_map(&mut self, at: &Marker) -> Result<AnchoredValue, YamlError> {
        match self.stack.pop() {
            Some(OpenCollection::Map {
                mut map,
                anchor,
                merged,
                ..
            }) => {
                for m in merged {
                    if let Value::Object(m) = m {
                        for (k, v) in m {
                            map.entry(k).or_insert(v);
                        }
                    }
                }
                Ok((Value::Object(map), anchor))
            }
            _ => Err(YamlError::at(at, "unbalanced mapping end")),
        }
    }

    /// A scalar: a mapping's pending key (kept as text, resolved the way Kubernetes prints it),
    /// or a value node.
    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        at: Marker,
    ) -> Option<AnchoredValue> {
        if let Some(OpenCollection::Map { key, merge, .. }) = self.stack.last_mut()
            && key.is_none()
        {
            let plain = style == ScalarStyle::Plain && tag.is_none();
            *merge = plain && text == "<<";
            let name = if plain {
                key_text(text)
            } else {
                text.to_string()
            };
            if anchor > 0 {
                self.anchors.push((anchor, Value::String(name.clone())));
            }
            *key = Some((name, at));
            return None;
        }
        self.bytes = self.bytes.saturating_add(text.len() as u64);
        Some((scalar(text, style, tag), anchor))
    }

    /// An alias: the anchored value again, weighed against the node and byte bounds as if
    /// written out; as a mapping key it must be text.
    fn alias(&mut self, id: usize, at: Marker) -> Result<Option<AnchoredValue>, YamlError> {
        let Some((_, v)) = self.anchors.iter().rev().find(|(a, _)| *a == id) else {
            return Err(YamlError::at(&at, "an alias to an unknown anchor"));
        };
        let (n, b) = weigh(v);
        self.nodes = self.nodes.saturating_add(n);
        self.bytes = self.bytes.saturating_add(b);
        if self.nodes > MAX_NODES {
            return Err(YamlError::limit(
                &at,
                format!("more than {MAX_NODES} nodes once aliases are expanded"),
            ));
        }
        if self.bytes > MAX_BYTES {
            return Err(YamlError::limit(
                &at,
                format!("more than {MAX_BYTES} bytes of text once aliases are expanded"),
            ));
        }
        let v = v.clone();
        if let Some(OpenCollection::Map { key, merge, .. }) = self.stack.last_mut()
            && key.is_none()
        {
            let Value::String(name) = v else {
                return Err(YamlError::at(&at, "a mapping key must be a scalar"));
            };
            *merge = false;
            *key = Some((name, at));
            return Ok(None);
        }
        Ok(Some((v, 0)))
    }

    /// A finished node: counted, remembered under its anchor, and given to its parent (or
    /// made the root).
    fn attach(&mut self, value: Value, anchor: usize, at: &Marker) -> Result<(), YamlError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(YamlError::limit(at, format!("more than {MAX_NODES} nodes")));
        }
        if anchor > 0 {
            self.anchors.push((anchor, value.clone()));
        }
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(OpenCollection::Seq { items, .. }) => items.push(value),
            Some(OpenCollection::Map {
                map,
                key,
                merge,
                merged,
                ..
            }) => {
                let Some((name, key_at)) = key.take() else {
                    return Err(YamlError::at(at, "a mapping key must be a scalar"));
                };
                if std::mem::take(merge) {
                    merge_in(merged, value, &key_at)?;
                } else if map.contains_key(&name) {
                    return Err(YamlError::at(
                        &key_at,
                        format!("duplicate key `{name}`: the mapping already has it"),
                    ));
                } else {
                    map.insert(name, value);
                }
            }
        }
        Ok(())
    }
}

/// The value of a `<<` key, kept to merge in when its mapping ends.
fn merge_in(merged: &mut Vec<Value>, value: Value, key_at: &Marker) -> Result<(), YamlError> {
    match value {
        Value::Object(_) => merged.push(value),
        Value::Array(items) if items.iter().all(Value::is_object) => merged.extend(items),
        _ => {
            return Err(YamlError::at(
                key_at,
                "`<<` merges a mapping or a list of mappings",
            ));
        }
    }
    Ok(())
}

/// A collection cannot be a mapping key (JSON has none).
fn key_must_be_scalar(stack: &[OpenCollection], at: &Marker) -> Result<(), YamlError> {
    match stack.last() {
        Some(OpenCollection::Map { key: None, .. }) => Err(YamlError::at(
            at,
            "a mapping key must be a scalar (Kubernetes objects have text keys)",
        )),
        _ => Ok(()),
    }
}

/// Nodes and bytes of text in a value (for the alias budget); keys count as text.
fn weigh(v: &Value) -> (usize, u64) {
    let add = |(n, b): (usize, u64), (m, c): (usize, u64)| (n + m, b.saturating_add(c));
    match v {
        Value::Array(a) => a.iter().map(weigh).fold((1, 0), add),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| add(weigh(v), (0, k.len() as u64)))
            .fold((1, 0), add),
        Value::String(s) => (1, s.len() as u64),
        _ => (1, 0),
    }
}

fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    let core = tag.and_then(Tag::core_suffix);
    match (core, style) {
        (Some("str"), _) => Value::String(text.to_string()),
        (Some("null"), _) => Value::Null,
        (Some("bool" | "int" | "float"), _) => match resolve(text) {
            Value::String(_) => Value::String(text.to_string()),
            v => v,
        },
        (_, ScalarStyle::Plain) => resolve(text),
        _ => Value::String(text.to_string()),
    }
}

/// A plain key's JSON text: as written, unless it resolves to a boolean, null or number.
fn key_text(text: &str) -> String {
    match resolve(text) {
        Value::String(_) => text.to_string(),
        Value::Null => "null".to_string(),
        v => v.to_string(),
    }
}

/// go-yaml v2's resolution of an untagged plain scalar ([`yaml11::goyaml`]), as JSON: a
/// timestamp stays text, and so do infinities and NaNs (JSON has none).
fn resolve(s: &str) -> Value {
    let text = || Value::String(s.to_string());
    match yaml11::goyaml(s) {
        Val::Null => Value::Null,
        Val::Bool(b) => Value::Bool(b),
        Val::Int(Some(n)) => i64::try_from(n)
            .map(Value::from)
            .or_else(|_| u64::try_from(n).map(Value::from))
            .unwrap_or_else(|_| text()),
        Val::Float(f) => Number::from_f64(f).map_or_else(text, Value::Number),
        Val::Int(None) | Val::Str | Val::Timestamp | Val::Merge | Val::Other => text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(text: &str) -> Value {
        load(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"))
    }

    #[test]
    fn scalars_resolve_as_kubernetes_reads_them() {
        let v = ok(
            "a: on\nb: \"on\"\nc: 0755\nd: 1_000\ne: 2024-01-01\nf: 1.5\ng: ~\nh: 0x1F\ni: -3\nj: '3'\nk: y\nl: .5\nm: 1e3\nnn: v1\no: 12345678901234567890\np: .inf\n",
        );
        assert_eq!(
            v,
            json!({"a": true, "b": "on", "c": 493, "d": 1000, "e": "2024-01-01", "f": 1.5,
                   "g": null, "h": 31, "i": -3, "j": "3", "k": true, "l": 0.5, "m": 1000.0,
                   "nn": "v1", "o": 12345678901234567890u64, "p": ".inf"})
        );
    }

    #[test]
    fn large_signed_integers_read_as_go_yaml_reads_them() {
        // Go's ParseUint takes no sign: `+` and a value above i64 is a float to Kubernetes.
        assert_eq!(
            ok("a: 9223372036854775808\nb: +9223372036854775808\nc: -9223372036854775808\n"),
            json!({"a": 9223372036854775808u64, "b": 9223372036854775808.0, "c": i64::MIN})
        );
    }

    #[test]
    fn tags_override_resolution() {
        assert_eq!(
            ok("a: !!str 10\nb: !!int \"7\"\nc: !custom x\n"),
            json!({"a": "10", "b": 7, "c": "x"})
        );
    }

    #[test]
    fn keys_become_json_text() {
        assert_eq!(
            ok("on: 1\n'yes': 2\n3: x\n"),
            json!({"true": 1, "yes": 2, "3": "x"})
        );
    }

    #[test]
    fn anchors_aliases_and_merges() {
        let v = ok(
            "base: &b {xa: 1, yb: 2}\nuse:\n  <<: *b\n  yb: 3\nlist: [*b]\nboth:\n  <<: [{p: 1}, {p: 2, q: 2}]\n",
        );
        assert_eq!(v["use"], json!({"xa": 1, "yb": 3}));
        assert_eq!(v["list"], json!([{"xa": 1, "yb": 2}]));
        assert_eq!(v["both"], json!({"p": 1, "q": 2}));
    }

    #[test]
    fn errors_have_places() {
        let e = load("a: 1\nb:\n  c: 2\n  c: 3\n").unwrap_err();
        assert_eq!((e.line, e.column), (4, 3));
        assert!(e.message.contains("duplicate key `c`"));
        let e = load("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.line >= 1);
        assert!(load("? [a]\n: 1\n").is_err());
        assert!(load("a: *nope\n").is_err());
        assert_eq!(load("").unwrap(), Value::Null);
        assert_eq!(load("# only\n").unwrap(), Value::Null);
    }

    #[test]
    fn alias_bombs_stop_early() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = load(&text).unwrap_err();
        assert!(e.message.contains("nodes"), "{e:?}");
    }

    #[test]
    fn a_large_scalar_aliased_many_times_stops_early() {
        let big = "x".repeat(1 << 20);
        let mut text = format!("k0: &s {big}\n");
        for i in 1..64 {
            text.push_str(&format!("k{i}: *s\n"));
        }
        let e = load(&text).unwrap_err();
        assert!(e.message.contains("bytes of text"), "{e:?}");
        assert_eq!(e.line, 33);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        assert!(load(&text).is_err());
    }
}

#[cfg(test)]
mod agreement {
    use serde_json::Value;

    /// On gen's own output (every snapshot), this reader and serde-saphyr agree.
    #[test]
    fn agrees_with_serde_saphyr_on_every_snapshot() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).expect("snapshots/") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "snap") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("readable");
            if !text.contains("\nsource: tests/render.rs\n") {
                continue;
            }
            // The insta header is the first document.
            let body = text.splitn(3, "---\n").nth(2).unwrap_or_default();
            let mut chunks = Vec::new();
            super::super::docs::split(body, 0, &mut chunks);
            for c in chunks {
                let doc = &body[c.start..c.end];
                let ours = super::load(doc)
                    .unwrap_or_else(|e| panic!("{e:?} in {}: {doc}", path.display()));
                let theirs: Value = serde_saphyr::from_str(doc).expect("gen output parses");
                assert_eq!(ours, theirs, "{}: {doc}", path.display());
                seen += 1;
            }
        }
        assert!(seen > 50, "{seen} documents");
    }
}
