//! `gen lint`: checks any Kubernetes manifests (gen's own output, or what an overlay made of
//! it) against the rules in [`RULES`].
//!
//! Inputs are grouped into [`Set`]s as `kubectl apply` would apply them together: rules that
//! relate objects (a Service and the pods it selects, a StatefulSet and its `ClusterMembers`)
//! only look inside one set. The files given together (and a plain directory's YAML files)
//! form one set; a directory holding a kustomization file is built with kustomize and its
//! output is a set of its own (see [`collect`]). `List` documents count as their items.
//!
//! The pipeline for one set: split each input into documents ([`docs`]), parse and type each
//! one ([`crate::typed`]), index the set ([`index`]), run the rules (one module per family),
//! drop what an annotation silences, and only then find lines and columns, for the documents
//! that have findings.

mod api;
mod collect;
mod docs;
mod drain;
mod heap;
mod index;
mod md;
mod netpol;
mod origin;
mod pss;
mod refs;
mod report;
mod sarif;
mod schema;
mod shutdown;
mod yaml;

use crate::locate::Locator;
use crate::path::FieldPath;

pub use crate::diag::Severity;
pub use collect::{CollectOptions, Collected, Named, NamedKind, collect};
// `gen diff` reads manifest streams exactly as lint does.
pub use crate::rules::{RULES, Rule, RuleDoc, rules_markdown};
pub(crate) use docs::split;
pub use report::{Format, report};
pub use sarif::ORIGIN_ANNOTATION;
pub(crate) use yaml::load as load_yaml;

/// One stream of manifests: a file, or stdin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// How findings name it: the path as given, `<stdin>`, or the kustomize command line.
    pub name: String,
    pub text: String,
    /// For a kustomize build's output: the kustomization directory. Findings on objects
    /// carrying kustomize's `config.kubernetes.io/origin` annotation then name the file the
    /// object came from (relative to this directory) instead of the built stream.
    pub built_from: Option<std::path::PathBuf>,
}

/// Inputs whose objects are checked against each other: one stream, or the files of one
/// kustomization directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Set {
    pub name: String,
    pub inputs: Vec<Input>,
}

impl Set {
    /// A set of one stream (what `gen render` lints its own output as).
    pub fn single(name: impl Into<String>, text: impl Into<String>) -> Set {
        let name = name.into();
        Set {
            inputs: vec![Input {
                name: name.clone(),
                text: text.into(),
                built_from: None,
            }],
            name,
        }
    }
}

/// What to check beyond the manifests themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LintOptions {
    /// The target is OpenShift even without a Route in the set (`--platform openshift`).
    pub platform_openshift: bool,
    /// Validate Route and ServiceMonitor against their full CRD JSON schemas (slower on
    /// first use; `gen render` leaves it off, its typed structs are enough there).
    pub crd_schemas: bool,
    /// The Pod Security level enforced on a namespace whose Namespace object is not in the
    /// set (`--pss`); `None`: such pods get no Pod Security finding.
    pub pss: Option<PssLevel>,
    /// Deepest nesting read (`--max-depth`); a document past it is weighed against the input
    /// budget by the caller ([`Linted::bounded`]).
    pub max_depth: usize,
}

impl Default for LintOptions {
    fn default() -> LintOptions {
        LintOptions {
            platform_openshift: false,
            crd_schemas: false,
            pss: None,
            max_depth: crate::budget::DEFAULT.max_depth,
        }
    }
}

/// A Pod Security Standard level, least to most restrictive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PssLevel {
    Privileged,
    Baseline,
    Restricted,
}

impl PssLevel {
    /// The level a `pod-security.kubernetes.io/<mode>` label value names.
    pub fn parse(s: &str) -> Option<PssLevel> {
        match s {
            "privileged" => Some(PssLevel::Privileged),
            "baseline" => Some(PssLevel::Baseline),
            "restricted" => Some(PssLevel::Restricted),
            _ => None,
        }
    }
}

/// One rule broken by one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule broken; its id (see [`RULES`]) is also the silence annotation's suffix.
    pub rule: Rule,
    pub severity: Severity,
    /// The input's name.
    pub file: String,
    /// 0-based index of the document in its input (empty documents count).
    pub document: usize,
    /// 1-based line and column of the field, when the source could be mapped.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The object: empty kind and name for a document that is not one (a YAML error).
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    /// The field the finding is about; the root for the whole document.
    pub path: FieldPath,
    /// What is wrong and what would be valid.
    pub message: String,
}

/// Lints one set; findings come in input, document, line order (then rule, then message).
pub fn lint_set(set: &Set, opts: &LintOptions) -> Vec<Finding> {
    lint_counted(set, opts).0
}

/// What linting every set found, and how many objects each input of each set held.
#[derive(Clone, Debug, Default)]
pub struct Linted {
    pub findings: Vec<Finding>,
    /// `objects[set][input]`: objects (List items counted one by one) the input held, and
    /// documents of it that are not valid YAML.
    pub objects: Vec<Vec<usize>>,
    /// `(set, input)` of each input a document of which the reader stopped at one of its
    /// bounds (nesting, size), in input order: the caller weighs them against the budget.
    pub bounded: Vec<(usize, usize)>,
}

/// Lints every set, spreading the sets over the machine's cores, and counts the objects of
/// each input (an input with none checked nothing: `gen lint` fails on it).
pub fn lint_all(sets: &[Set], opts: &LintOptions) -> Linted {
    let mut linted = Linted::default();
    for (s, (findings, objects, bounded)) in crate::par_map(sets, 2, |_, s| lint_counted(s, opts))
        .into_iter()
        .enumerate()
    {
        linted.findings.extend(findings);
        linted.objects.push(objects);
        linted.bounded.extend(bounded.into_iter().map(|i| (s, i)));
    }
    linted
}

fn lint_counted(set: &Set, opts: &LintOptions) -> (Vec<Finding>, Vec<usize>, Vec<usize>) {
    let mut parsed = docs::parse_set(set, opts);
    // Objects, and documents that did not parse (already an error of their own: the input
    // is not empty).
    let mut objects = vec![0; set.inputs.len()];
    let unparsed = parsed.hits.iter().filter(|h| h.rule == Rule::Yaml);
    for chunk in parsed
        .docs
        .iter()
        .map(|d| d.chunk)
        .chain(unparsed.map(|h| h.chunk))
    {
        if let Some(n) = parsed
            .chunks
            .get(chunk)
            .and_then(|c| objects.get_mut(c.input))
        {
            *n += 1;
        }
    }
    let mut hits = std::mem::take(&mut parsed.hits);
    let index = index::SetIndex::new(set, &parsed, opts);
    let mut out = Out {
        hits: &mut hits,
        docs: &parsed.docs,
    };
    schema::check(&index, &mut out);
    refs::check(&index, &mut out);
    pss::check(&index, &mut out);
    md::check(&index, &mut out);
    shutdown::check(&index, &mut out);
    api::check(&index, &mut out);
    drain::check(&index, &mut out);
    netpol::check(&index, &mut out);
    heap::check(&index, &mut out);
    let hits = silence(hits, &parsed);
    (locate(set, &parsed, hits), objects, parsed.bounded)
}

/// Lints every set, spreading the sets over the machine's cores; findings come in set order.
pub fn lint_sets(sets: &[Set], opts: &LintOptions) -> Vec<Finding> {
    lint_all(sets, opts).findings
}

/// `--strict`: every warning becomes an error (an `info` finding stays what it is).
pub fn make_strict(findings: &mut [Finding]) {
    for f in findings {
        if f.severity == Severity::Warning {
            f.severity = Severity::Error;
        }
    }
}

/// Why each named input that held no object at all fails the run: nothing was checked, and
/// exit 0 would read as "clean" in CI.
pub fn unchecked(named: &[Named], objects: &[Vec<usize>]) -> Vec<String> {
    named
        .iter()
        .filter(|n| {
            n.inputs.iter().all(|&(s, i)| {
                objects
                    .get(s)
                    .and_then(|o| o.get(i))
                    .is_none_or(|&c| c == 0)
            })
        })
        .map(|n| match n.kind {
            NamedKind::Stdin => "stdin holds no Kubernetes object, so nothing was checked: the command before the pipe probably failed (run the pipeline with `set -o pipefail` to see it fail)".to_string(),
            NamedKind::File => format!(
                "`{}` holds no Kubernetes object (it is empty, or only comments and `---`), so nothing was checked",
                n.arg
            ),
            NamedKind::Directory if n.inputs.is_empty() => format!(
                "`{}` holds no YAML file (.yaml or .yml), so nothing was checked (without -R, its subdirectories are not read)",
                n.arg
            ),
            NamedKind::Directory => format!(
                "the YAML files of `{}` hold no Kubernetes object, so nothing was checked",
                n.arg
            ),
            NamedKind::Kustomization => format!(
                "the kustomization `{}` builds no Kubernetes object, so nothing was checked",
                n.arg
            ),
        })
        .collect()
}

/// Whether any finding is an error (the exit code of `gen lint`).
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}

/// A finding before it has a place: which document (by chunk) and field.
#[derive(Clone, Debug)]
pub(crate) struct Hit {
    /// Index into [`docs::Parsed::chunks`].
    pub chunk: usize,
    /// Index into [`docs::Parsed::docs`]; `None` for a document that did not parse.
    pub doc: Option<usize>,
    pub rule: Rule,
    pub path: FieldPath,
    pub message: String,
    /// A position already known (a YAML error's), relative to the chunk.
    pub pos: Option<(usize, usize)>,
    /// The severity when it is not the rule's own (a Pod Security `warn` label, a selector
    /// only an operator's pods could match).
    pub severity: Option<Severity>,
}

/// Where rules put what they find.
pub(crate) struct Out<'a> {
    hits: &'a mut Vec<Hit>,
    docs: &'a [docs::Doc],
}

impl Out<'_> {
    /// A finding of `rule` on document `doc` at `path`: built with [`FieldPath::key`] and
    /// [`FieldPath::index`], or an array of keys (`["spec", "selector"]`), never parsed, so a
    /// key holding dots (`app.kubernetes.io/name`) is one key.
    pub fn at(&mut self, doc: usize, rule: Rule, path: impl Into<FieldPath>, message: String) {
        self.push(doc, rule, None, path.into(), message);
    }

    /// A finding of `rule` at another severity than the rule's own: what a rule only
    /// suspects, or cannot check.
    pub fn at_severity(
        &mut self,
        doc: usize,
        rule: Rule,
        severity: Severity,
        path: impl Into<FieldPath>,
        message: String,
    ) {
        self.push(doc, rule, Some(severity), path.into(), message);
    }

    /// A finding with a severity other than its rule's (`None`: the rule's).
    fn push(
        &mut self,
        doc: usize,
        rule: Rule,
        severity: Option<Severity>,
        path: FieldPath,
        message: String,
    ) {
        let Some(d) = self.docs.get(doc) else { return };
        self.hits.push(Hit {
            chunk: d.chunk,
            doc: Some(doc),
            rule,
            path: docs::join(&d.prefix, path),
            message,
            pos: None,
            severity,
        });
    }
}

/// Drops the findings an object's annotation silences: the key is the prefix and the rule
/// id, the value a non-empty reason. A YAML error and a finding about the annotations
/// themselves cannot be silenced.
fn silence(hits: Vec<Hit>, parsed: &docs::Parsed) -> Vec<Hit> {
    hits.into_iter()
        .filter(|h| {
            let Some(doc) = h.doc.and_then(|d| parsed.docs.get(d)) else {
                return true;
            };
            if h.rule == Rule::LintAnnotation {
                return true;
            }
            !doc.silenced(h.rule)
        })
        .collect()
}

/// Orders findings: input, document, line, column.
type SortKey = (usize, usize, Option<(usize, usize)>);

/// Documents with findings past this many are located on several threads.
const PARALLEL_LOCATE_FROM: usize = 64;

/// Turns hits into findings: lines and columns come from a locator built only for the
/// chunks (documents) that have findings.
fn locate(set: &Set, parsed: &docs::Parsed, mut hits: Vec<Hit>) -> Vec<Finding> {
    hits.sort_by_key(|h| h.chunk);
    let groups: Vec<&[Hit]> = hits.chunk_by(|a, b| a.chunk == b.chunk).collect();
    let mut findings: Vec<(SortKey, Finding)> =
        crate::par_map(&groups, PARALLEL_LOCATE_FROM, |_, g| {
            locate_chunk(set, parsed, g)
        })
        .into_iter()
        .flatten()
        .collect();
    findings.sort_by(|(ka, a), (kb, b)| {
        ka.cmp(kb)
            .then_with(|| a.rule.id().cmp(b.rule.id()))
            .then_with(|| a.message.cmp(&b.message))
    });
    findings.dedup_by(|x, y| x.1 == y.1);
    findings.into_iter().map(|(_, f)| f).collect()
}

/// The findings of one chunk's hits, placed.
fn locate_chunk(set: &Set, parsed: &docs::Parsed, hits: &[Hit]) -> Vec<(SortKey, Finding)> {
    let Some(first) = hits.first() else {
        return Vec::new();
    };
    let (Some(chunk), Some(input)) = (
        parsed.chunks.get(first.chunk),
        parsed
            .chunks
            .get(first.chunk)
            .and_then(|c| set.inputs.get(c.input)),
    ) else {
        return Vec::new();
    };
    let locator = hits
        .iter()
        .any(|h| h.pos.is_none())
        .then(|| Locator::new(input.text.get(chunk.start..chunk.end).unwrap_or_default()));
    hits.iter()
        .map(|h| {
            let pos = h.pos.or_else(|| {
                let loc = locator.as_ref()?;
                loc.value_pos(0, &h.path)
                    .map(|p| (p.line, p.column))
                    .or_else(|| loc.document_line(0).map(|l| (l, 1)))
            });
            let pos = pos.map(|(line, column)| (line + chunk.line, column));
            let doc = h.doc.and_then(|d| parsed.docs.get(d));
            let (kind, namespace, name) = match doc {
                Some(d) => (
                    d.kind().to_string(),
                    d.namespace().map(str::to_string),
                    d.name().to_string(),
                ),
                None => (String::new(), None, String::new()),
            };
            let severity = h.severity.unwrap_or_else(|| h.rule.severity());
            let mut finding = Finding {
                rule: h.rule,
                severity,
                file: input.name.clone(),
                document: chunk.index,
                line: pos.map(|p| p.0),
                column: pos.map(|p| p.1),
                kind,
                namespace,
                name,
                path: h.path.clone(),
                message: h.message.clone(),
            };
            if let (Some(dir), Some(doc)) = (&input.built_from, doc)
                && let Some(o) = origin::place(dir, doc, &h.path)
            {
                finding.file = o.file;
                finding.document = o.document;
                finding.line = o.pos.map(|p| p.0);
                finding.column = o.pos.map(|p| p.1);
            }
            ((chunk.input, chunk.index, pos), finding)
        })
        .collect()
}
