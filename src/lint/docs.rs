//! Documents: each input split at its document markers, each document parsed on its own (a
//! syntax error costs that document, not the rest of the stream) and typed.
//!
//! Splitting at `---` and `...` lines is exact for YAML: a line starting with a document
//! marker ends any scalar or collection open before it. Document indices count every
//! document, empty ones included, as the [`crate::locate::Locator`] does.

use serde_json::{Map, Value};

use super::{Hit, LintOptions, Set};
use crate::path::FieldPath;
use crate::rules::{LINT_SKIP_PREFIX, Rule};
use crate::typed::{self, Object};

/// One document's text in one input.
#[derive(Clone, Debug)]
pub(crate) struct Chunk {
    /// Index into the set's inputs.
    pub input: usize,
    /// 0-based document index within the input.
    pub index: usize,
    /// Byte range of the document's text (markers and leading comments included).
    pub start: usize,
    pub end: usize,
    /// Lines of the input before `start`.
    pub line: usize,
}

/// One parsed, non-empty document, or one item of a `List` document.
#[derive(Debug)]
pub(crate) struct Doc {
    pub chunk: usize,
    /// Where the object sits in its document: the root, or `items[i]` of a `List`.
    pub prefix: FieldPath,
    pub value: Value,
    pub object: Object,
    /// The document names a typed kind but did not type (its fields are not trusted).
    pub failed: bool,
}

impl Doc {
    fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
        v.get(key).and_then(Value::as_str)
    }

    pub fn kind(&self) -> &str {
        Doc::str_at(&self.value, "kind").unwrap_or_default()
    }

    pub fn api_version(&self) -> &str {
        Doc::str_at(&self.value, "apiVersion").unwrap_or_default()
    }

    /// The API group (`""` for the core group).
    pub fn group(&self) -> &str {
        self.api_version().rsplit_once('/').map_or("", |(g, _)| g)
    }

    fn metadata(&self) -> Option<&Value> {
        self.value.get("metadata")
    }

    pub fn name(&self) -> &str {
        self.metadata()
            .and_then(|m| Doc::str_at(m, "name"))
            .unwrap_or_default()
    }

    pub fn namespace(&self) -> Option<&str> {
        self.metadata()
            .and_then(|m| Doc::str_at(m, "namespace"))
            .filter(|n| !n.is_empty())
    }

    pub fn annotations(&self) -> Option<&Map<String, Value>> {
        self.metadata()?.get("annotations")?.as_object()
    }

    /// Whether the object carries `lint.gen.migratorydata.io/<rule>` with a non-empty reason.
    pub fn silenced(&self, rule: Rule) -> bool {
        let Some(annotations) = self.annotations() else {
            return false;
        };
        annotations.iter().any(|(k, v)| {
            k.strip_prefix(LINT_SKIP_PREFIX) == Some(rule.id())
                && v.as_str().is_some_and(|r| !r.trim().is_empty())
        })
    }
}

/// A set's documents and the findings parsing and typing made.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub chunks: Vec<Chunk>,
    pub docs: Vec<Doc>,
    pub hits: Vec<Hit>,
    /// Inputs (indices into the set's) a document of which the reader stopped at one of its
    /// bounds: the caller weighs them against the input budget.
    pub bounded: Vec<usize>,
}

/// Chunks past this many are parsed on several threads.
const PARALLEL_FROM: usize = 512;

/// Splits, parses and types every input of `set`.
pub(crate) fn parse_set(set: &Set, opts: &LintOptions) -> Parsed {
    let mut chunks = Vec::new();
    for (i, input) in set.inputs.iter().enumerate() {
        split(&input.text, i, &mut chunks);
    }
    let text = |c: &Chunk| {
        set.inputs
            .get(c.input)
            .and_then(|i| i.text.get(c.start..c.end))
            .unwrap_or_default()
    };
    let results: Vec<Parsing> =
        crate::par_map(&chunks, PARALLEL_FROM, |i, c| parse_chunk(text(c), i, opts));
    let mut parsed = Parsed {
        chunks,
        ..Parsed::default()
    };
    for (r, c) in results.into_iter().zip(&parsed.chunks) {
        if r.bounded && parsed.bounded.last() != Some(&c.input) {
            parsed.bounded.push(c.input);
        }
        let base = parsed.docs.len();
        parsed.docs.extend(r.docs);
        for mut h in r.hits {
            h.doc = h.doc.map(|k| base + k);
            parsed.hits.push(h);
        }
    }
    parsed
}

/// Whether `line` is the document marker `marker` (`---` or `...`), alone or followed by
/// blanks and more content.
fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
}

/// Whether `line` holds nothing a document is made of (blank or a comment).
fn is_blank(line: &str) -> bool {
    let t = line.trim_start();
    t.is_empty() || t.starts_with('#')
}

/// Appends the documents of `text` (input `input`) to `chunks`. A run of comments or
/// directives before a `---` belongs to the document the marker starts.
pub(crate) fn split(text: &str, input: usize, chunks: &mut Vec<Chunk>) {
    let mut index = 0;
    let mut start = 0;
    let mut start_line = 0;
    // The current document began with `---`, or has content.
    let mut explicit = false;
    let mut content = false;
    let mut pos = 0;
    let mut push = |start: usize, end: usize, line: usize, chunks: &mut Vec<Chunk>| {
        chunks.push(Chunk {
            input,
            index,
            start,
            end,
            line,
        });
        index += 1;
    };
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let bare = line.strip_suffix('\n').unwrap_or(line);
        if is_marker(bare, "---") {
            if explicit || content {
                push(start, pos, start_line, chunks);
                start = pos;
                start_line = n;
            }
            explicit = true;
            content = !is_blank(&bare[3..]);
        } else if is_marker(bare, "...") {
            let end = pos + line.len();
            if explicit || content {
                push(start, end, start_line, chunks);
            }
            start = end;
            start_line = n + 1;
            explicit = false;
            content = false;
        } else if (content || explicit || !bare.starts_with('%')) && !is_blank(bare) {
            content = true;
        }
        pos += line.len();
    }
    if explicit || content {
        push(start, text.len(), start_line, chunks);
    }
}

/// What parsing one chunk gave: its objects (none for an empty document, one per item for a
/// `List`) and its findings (with `doc` set to the index among those objects, fixed up by the
/// caller).
struct Parsing {
    docs: Vec<Doc>,
    hits: Vec<Hit>,
    /// The reader stopped at one of its bounds.
    bounded: bool,
}

fn parse_chunk(text: &str, chunk: usize, opts: &LintOptions) -> Parsing {
    let mut parsing = Parsing {
        docs: Vec::new(),
        hits: Vec::new(),
        bounded: false,
    };
    if !has_content(text) {
        return parsing;
    }
    let value = match super::yaml::load_nested(text, opts.max_depth) {
        Ok(v) => v,
        Err(e) => {
            parsing.bounded = e.limit;
            parsing.hits.push(Hit {
                chunk,
                doc: None,
                rule: Rule::Yaml,
                path: FieldPath::root(),
                message: format!("not valid YAML: {}", e.message),
                pos: Some((e.line, e.column)),
                severity: None,
            });
            return parsing;
        }
    };
    if value.is_null() || is_kustomization(&value) {
        return parsing;
    }
    match list_items(value) {
        Ok(items) => {
            for (i, item) in items.into_iter().enumerate() {
                let prefix = FieldPath::root().key("items").index(i);
                type_doc(item, prefix, chunk, opts, &mut parsing);
            }
        }
        Err(value) => type_doc(value, FieldPath::root(), chunk, opts, &mut parsing),
    }
    parsing
}

/// The items of a `List` or `*List` document (`kind: List`, `ConfigMapList`, … with an
/// `items` sequence), as kubectl applies them: an item without `apiVersion` or `kind` takes
/// the list's (`ConfigMapList` → `ConfigMap`). Any other document comes back as it was.
fn list_items(value: Value) -> Result<Vec<Value>, Value> {
    let is_list = value
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && value.get("items").is_some_and(Value::is_array);
    if !is_list {
        return Err(value);
    }
    let Value::Object(mut map) = value else {
        return Err(value);
    };
    let kind = map.get("kind").and_then(Value::as_str).unwrap_or_default();
    let item_kind = kind.strip_suffix("List").unwrap_or_default().to_string();
    let api_version = map.get("apiVersion").cloned();
    let Some(Value::Array(items)) = map.remove("items") else {
        return Ok(Vec::new());
    };
    Ok(items
        .into_iter()
        .map(|mut item| {
            if let Value::Object(m) = &mut item {
                if !item_kind.is_empty() && !m.contains_key("kind") {
                    m.insert("kind".to_string(), Value::String(item_kind.clone()));
                }
                if let Some(v) = &api_version
                    && !m.contains_key("apiVersion")
                {
                    m.insert("apiVersion".to_string(), v.clone());
                }
            }
            item
        })
        .collect())
}

/// Types one object (a document, or an item of a List at `prefix`) and adds it and its
/// findings to `parsing`.
fn type_doc(
    value: Value,
    prefix: FieldPath,
    chunk: usize,
    opts: &LintOptions,
    parsing: &mut Parsing,
) {
    let doc = parsing.docs.len();
    let mut hit = |rule: Rule, path: FieldPath, message: String| {
        parsing.hits.push(Hit {
            chunk,
            doc: Some(doc),
            rule,
            path: join(&prefix, path),
            message,
            pos: None,
            severity: None,
        });
    };
    let (object, issues) = typed::type_object(&value);
    let unknown = matches!(object, Object::Unknown { .. });
    let failed = unknown && !issues.is_empty();
    if unknown && issues.is_empty() {
        let (v, k) = (
            value
                .get("apiVersion")
                .and_then(Value::as_str)
                .unwrap_or_default(),
            value
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or_default(),
        );
        hit(
            Rule::UnknownKind,
            FieldPath::root().key("kind"),
            format!(
                "{k} ({v}) is not a kind gen lint knows: its fields are not checked; check apiVersion and kind, or silence this for a custom resource of your cluster"
            ),
        );
    }
    let crd = if opts.crd_schemas {
        typed::validate_crd(&value).unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut seen: Vec<&typed::SchemaIssue> = Vec::new();
    for issue in issues.iter().chain(crd.iter()) {
        if seen.contains(&issue) {
            continue;
        }
        seen.push(issue);
        hit(Rule::Schema, issue.path.clone(), issue.message.clone());
    }
    parsing.docs.push(Doc {
        chunk,
        prefix,
        value,
        object,
        failed,
    });
}

/// `prefix` followed by `path`.
pub(crate) fn join(prefix: &FieldPath, path: FieldPath) -> FieldPath {
    if prefix.is_root() {
        return path;
    }
    FieldPath(prefix.0.iter().cloned().chain(path.0).collect())
}

/// Whether the chunk holds anything beyond markers, comments and directives.
fn has_content(text: &str) -> bool {
    text.lines().any(|l| {
        let l = if is_marker(l, "---") || is_marker(l, "...") {
            &l[3..]
        } else if l.starts_with('%') {
            ""
        } else {
            l
        };
        !is_blank(l)
    })
}

/// Kustomize's own files are not manifests.
fn is_kustomization(value: &Value) -> bool {
    value
        .get("apiVersion")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("kustomize.config.k8s.io/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(text: &str) -> Vec<(usize, &str)> {
        let mut chunks = Vec::new();
        split(text, 0, &mut chunks);
        chunks
            .iter()
            .map(|c| (c.line, &text[c.start..c.end]))
            .collect()
    }

    #[test]
    fn splits_at_markers_keeping_empty_documents() {
        let t = "a: 1\n---\n---\nb: 2\n";
        assert_eq!(
            docs(t),
            vec![(0, "a: 1\n"), (1, "---\n"), (2, "---\nb: 2\n")]
        );
    }

    #[test]
    fn leading_comments_and_directives_join_the_next_document() {
        let t = "# header\n%YAML 1.2\n---\na: 1\n";
        assert_eq!(docs(t), vec![(0, t)]);
        assert!(docs("# only a comment\n").is_empty());
        assert!(docs("").is_empty());
    }

    #[test]
    fn document_end_markers_close_documents() {
        let t = "a: 1\n...\nb: 2\n...\n";
        assert_eq!(docs(t), vec![(0, "a: 1\n...\n"), (2, "b: 2\n...\n")]);
    }

    #[test]
    fn markers_need_a_blank_after_them() {
        let t = "---\na: ---x\n----\n";
        assert_eq!(docs(t).len(), 1);
        assert_eq!(docs("--- {a: 1}\n--- |\n  x\n").len(), 2);
    }
}
