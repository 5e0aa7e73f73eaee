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

enum Frame {
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
    let max_depth = max_depth.min(MAX_DEPTH);
    let mut options = Options::default();
    options.set_emit_comments(false);
    let parser = Parser::new_from_str_with_options(text, options);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: Vec<(usize, Value)> = Vec::new();
    let mut nodes = 0usize;
    let mut bytes = 0u64;
    let mut root: Option<Value> = None;
    let mut documents = 0;
    for event in parser {
        let (event, span) = event.map_err(|e| YamlError::at(e.marker(), e.info()))?;
        let at = span.start;
        let (value, anchor) = match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => continue,
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return Err(YamlError::at(
                        &at,
                        "a second document where one was expected",
                    ));
                }
                continue;
            }
            Event::SequenceStart(_, anchor, _) => {
                if stack.len() >= max_depth {
                    return Err(YamlError::limit(
                        &at,
                        format!("nested deeper than {max_depth} levels"),
                    ));
                }
                key_must_be_scalar(&stack, &at)?;
                stack.push(Frame::Seq {
                    items: Vec::new(),
                    anchor,
                });
                continue;
            }
            Event::MappingStart(_, anchor, _) => {
                if stack.len() >= max_depth {
                    return Err(YamlError::limit(
                        &at,
                        format!("nested deeper than {max_depth} levels"),
                    ));
                }
                key_must_be_scalar(&stack, &at)?;
                stack.push(Frame::Map {
                    map: Map::new(),
                    anchor,
                    key: None,
                    merge: false,
                    merged: Vec::new(),
                });
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq { items, anchor }) => (Value::Array(items), anchor),
                _ => return Err(YamlError::at(&at, "unbalanced sequence end")),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map {
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
                    (Value::Object(map), anchor)
                }
                _ => return Err(YamlError::at(&at, "unbalanced mapping end")),
            },
            Event::Scalar(text, style, anchor, tag) => {
                // A mapping key: keep its text (resolved the way Kubernetes prints it).
                if let Some(Frame::Map { key, merge, .. }) = stack.last_mut()
                    && key.is_none()
                {
                    let plain = style == ScalarStyle::Plain && tag.is_none();
                    *merge = plain && text == "<<";
                    let name = if plain {
                        key_text(&text)
                    } else {
                        text.into_owned()
                    };
                    if anchor > 0 {
                        anchors.push((anchor, Value::String(name.clone())));
                    }
                    *key = Some((name, at));
                    continue;
                }
                bytes = bytes.saturating_add(text.len() as u64);
                (scalar(&text, style, tag.as_deref()), anchor)
            }
            Event::Alias(id) => {
                let Some((_, v)) = anchors.iter().rev().find(|(a, _)| *a == id) else {
                    return Err(YamlError::at(&at, "an alias to an unknown anchor"));
                };
                let (n, b) = weigh(v);
                nodes = nodes.saturating_add(n);
                bytes = bytes.saturating_add(b);
                if nodes > MAX_NODES {
                    return Err(YamlError::limit(
                        &at,
                        format!("more than {MAX_NODES} nodes once aliases are expanded"),
                    ));
                }
                if bytes > MAX_BYTES {
                    return Err(YamlError::limit(
                        &at,
                        format!("more than {MAX_BYTES} bytes of text once aliases are expanded"),
                    ));
                }
                let v = v.clone();
                if let Some(Frame::Map { key, merge, .. }) = stack.last_mut()
                    && key.is_none()
                {
                    let Value::String(name) = v else {
                        return Err(YamlError::at(&at, "a mapping key must be a scalar"));
                    };
                    *merge = false;
                    *key = Some((name, at));
                    continue;
                }
                (v, 0)
            }
            _ => continue,
        };
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(YamlError::limit(
                &at,
                format!("more than {MAX_NODES} nodes"),
            ));
        }
        if anchor > 0 {
            anchors.push((anchor, value.clone()));
        }
        match stack.last_mut() {
            None => root = Some(value),
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map {
                map,
                key,
                merge,
                merged,
                ..
            }) => {
                let Some((name, key_at)) = key.take() else {
                    return Err(YamlError::at(&at, "a mapping key must be a scalar"));
                };
                if std::mem::take(merge) {
                    match value {
                        Value::Object(_) => merged.push(value),
                        Value::Array(items) if items.iter().all(Value::is_object) => {
                            merged.extend(items);
                        }
                        _ => {
                            return Err(YamlError::at(
                                &key_at,
                                "`<<` merges a mapping or a list of mappings",
                            ));
                        }
                    }
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
    }
    Ok(root.unwrap_or(Value::Null))
}

/// A collection cannot be a mapping key (JSON has none).
fn key_must_be_scalar(stack: &[Frame], at: &Marker) -> Result<(), YamlError> {
    match stack.last() {
        Some(Frame::Map { key: None, .. }) => Err(YamlError::at(
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

/// go-yaml v2's resolution of an untagged plain scalar.
pub(crate) fn resolve(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            return Value::Bool(true);
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            return Value::Bool(false);
        }
        _ => {}
    }
    let special = s.strip_prefix(['+', '-']).unwrap_or(s);
    if matches!(special, ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN") {
        // JSON has no infinities or NaNs: keep the text.
        return Value::String(s.to_string());
    }
    match s.as_bytes().first() {
        Some(b'.') => float(s).unwrap_or_else(|| Value::String(s.to_string())),
        Some(b'+' | b'-' | b'0'..=b'9') => {
            number(s).unwrap_or_else(|| Value::String(s.to_string()))
        }
        _ => Value::String(s.to_string()),
    }
}

fn float(s: &str) -> Option<Value> {
    let f: f64 = s.parse().ok()?;
    Number::from_f64(f).map(Value::Number)
}

/// Go integer syntax (`0x`, `0o`, `0b`, leading-`0` octal, `_` separators) or a float; a
/// date stays text.
fn number(s: &str) -> Option<Value> {
    if is_date(s) {
        return None;
    }
    let plain;
    let s = if s.contains('_') {
        plain = s.replace('_', "");
        plain.as_str()
    } else {
        s
    };
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (digits, radix) = if let Some(d) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (d, 16)
    } else if let Some(d) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        (d, 8)
    } else if let Some(d) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (d, 2)
    } else if body.len() > 1 && body.starts_with('0') && body.bytes().all(|b| b.is_ascii_digit()) {
        (&body[1..], 8)
    } else {
        (body, 10)
    };
    if !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix)) {
        if let Ok(m) = u64::from_str_radix(digits, radix) {
            return Some(if neg {
                match i64::try_from(m) {
                    Ok(v) => Value::from(-v),
                    Err(_) if m == i64::MIN.unsigned_abs() => Value::from(i64::MIN),
                    Err(_) => return float(s),
                }
            } else {
                Value::from(m)
            });
        }
        return float(s);
    }
    let is_float = {
        let (mantissa, exp) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let exp_ok = exp.is_none_or(|e| {
            let d = e.strip_prefix(['+', '-']).unwrap_or(e);
            !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
        });
        let (i, f) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        exp_ok
            && (!i.is_empty() || !f.is_empty())
            && i.bytes().all(|b| b.is_ascii_digit())
            && f.bytes().all(|b| b.is_ascii_digit())
    };
    if is_float { float(s) } else { None }
}

/// `yyyy-m-d`, alone or followed by a time: go-yaml reads it as a timestamp.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let rest = &s[5..];
    let month = rest.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&month) || rest.as_bytes().get(month) != Some(&b'-') {
        return false;
    }
    let rest = &rest[month + 1..];
    let day = rest.bytes().take_while(u8::is_ascii_digit).count();
    (1..=2).contains(&day) && (rest.len() == day || rest[day..].starts_with(['T', 't', ' ', '\t']))
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
