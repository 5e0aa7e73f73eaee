//! The two sides of a diff: each argument read into the Kubernetes objects it stands for.
//!
//! A side is a spec (rendered exactly as `gen render` renders it), a directory `gen render
//! --out` wrote (read through its `.gen-owned` list, a fleet included; nothing is built), any
//! other kustomization directory (built with the user's kustomize), or a manifest file or
//! stream. A file is a spec when it is one YAML mapping with no `kind`, or with the spec
//! header's `kind: MigratoryDataCluster`; anything else is manifests.
//!
//! # One JAAS Secret, three forms
//!
//! The Secret gen renders from `jaas.file` reaches a cluster in one of three shapes: a rendered
//! Secret whose pods carry `checksum/jaas` (SHA-256 of the file), a `--out` base's
//! `secretGenerator` reading `jaas.config` (no checksum in git), or that base built by
//! kustomize, where the Secret's name carries a content hash (`migratorydata-jaas-7g2k9hbmtd`)
//! that the pods' references follow. Every side is brought to the first shape: a generated
//! Secret is read from its generator, a hash suffix is taken off a Secret's or ConfigMap's
//! name and off the pod templates' references to it, and a pod template that mounts such a
//! Secret gets the `checksum/jaas` gen would have given it (another generated object: a
//! `checksum/<kind>-<name>` with kustomize's hash). So a changed file restarts the pods
//! through one annotation, whichever forms the two sides take.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

use base64::Engine;
use serde_json::{Map, Value, json};

use crate::model;
use crate::output::Output;
use crate::source::{self, Source};

/// One Kubernetes object of a side.
#[derive(Clone, Debug)]
pub struct SideObject {
    pub api_version: String,
    pub kind: String,
    /// `""` for a cluster-scoped object (or one left to kubectl's current namespace).
    pub namespace: String,
    pub name: String,
    /// Shared between the sides when both hold the same file byte for byte ([`ParseCache`]).
    pub value: Arc<Value>,
}

impl SideObject {
    /// The API group (`""` for the core group): objects match across versions of one group.
    pub fn group(&self) -> &str {
        self.api_version.rsplit_once('/').map_or("", |(g, _)| g)
    }

    fn from_value(value: Value) -> Result<SideObject, String> {
        let s = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
        let kind = s(value.get("kind"));
        let meta = value.get("metadata");
        let name = s(meta.and_then(|m| m.get("name")));
        if kind.is_empty() || name.is_empty() {
            return Err("a document without `kind` or `metadata.name` is no object".to_string());
        }
        Ok(SideObject {
            api_version: s(value.get("apiVersion")),
            namespace: s(meta.and_then(|m| m.get("namespace"))),
            kind,
            name,
            value: Arc::new(value),
        })
    }
}

/// What one argument stands for.
pub struct Side {
    pub objects: Vec<SideObject>,
    /// The spec as written (when the side is one), for reasons in the spec's own words.
    pub spec: Option<Value>,
    /// How this side is applied (for the commands a recreate needs).
    pub apply: String,
}

/// How spec and kustomization sides are read.
pub struct Ctx {
    pub render: model::ResolveOptions,
    pub kustomize: crate::kustomize::Kustomize,
    pub max_bytes: u64,
    pub parsed: ParseCache,
}

/// Manifest files already parsed, by content: two `--out` trees share most files byte for
/// byte, and each such file is parsed once, its objects' values shared by both sides (and
/// equal without a look inside).
/// Every input is weighed against the input budget before it is parsed, as `gen lint` does.
#[derive(Default)]
pub struct ParseCache {
    seen: Mutex<HashMap<Vec<u8>, Vec<SideObject>>>,
    pub budget: crate::budget::Budget,
}

/// `text` within the input budget, or why not (the line and the flag that raises the limit).
pub fn within_budget(name: &str, text: &str, budget: &crate::budget::Budget) -> Result<(), String> {
    crate::budget::check(text, budget).map_err(|b| {
        format!(
            "cannot diff `{name}`: line {}: it holds {}",
            b.line, b.message
        )
    })
}

impl ParseCache {
    pub fn with_budget(budget: crate::budget::Budget) -> ParseCache {
        ParseCache {
            seen: Mutex::default(),
            budget,
        }
    }

    fn manifests(&self, name: &str, bytes: &[u8], text: &str) -> Result<Vec<SideObject>, String> {
        if let Some(hit) = self.seen.lock().ok().and_then(|m| m.get(bytes).cloned()) {
            return Ok(hit);
        }
        within_budget(name, text, &self.budget)?;
        let objects = manifests(name, text)?;
        if let Ok(mut m) = self.seen.lock() {
            m.insert(bytes.to_vec(), objects.clone());
        }
        Ok(objects)
    }
}

/// Reads one side; on failure the reason is already in `out`.
pub fn read(arg: &str, ctx: &Ctx, out: &mut Output) -> Option<Side> {
    let path = Path::new(arg);
    if arg != "-" && path.is_dir() {
        return dir_side(arg, path, ctx)
            .map_err(|e| out.error_text(&e))
            .ok();
    }
    let source = match source::read(arg, ctx.max_bytes) {
        Ok(s) => s,
        Err(e) => {
            out.diagnostic(&crate::explain::input_error(&e), None);
            return None;
        }
    };
    if let Err(e) = within_budget(&source.name, &source.text, &ctx.parsed.budget) {
        out.error_text(&e);
        return None;
    }
    if is_spec(&source.text) {
        return spec_side(source, ctx, out);
    }
    let apply = format!("kubectl apply -f {arg}");
    match manifests(&source.name, &source.text) {
        Ok(objects) if objects.is_empty() => {
            out.error_text(&format!(
                "`{}` holds no Kubernetes object: give a spec, manifests, or a directory",
                source.name
            ));
            None
        }
        Ok(mut objects) => {
            normalize_generated(&mut objects);
            Some(Side {
                objects,
                spec: None,
                apply,
            })
        }
        Err(e) => {
            out.error_text(&e);
            None
        }
    }
}

/// One YAML mapping with no `kind`, or the spec header's kind.
fn is_spec(text: &str) -> bool {
    let mut chunks = Vec::new();
    crate::lint::split(text, 0, &mut chunks);
    if chunks.len() != 1 {
        return chunks.is_empty();
    }
    match crate::lint::load_yaml(text) {
        Ok(Value::Object(m)) => match m.get("kind") {
            None => true,
            Some(k) => k.as_str() == Some(crate::spec::KIND),
        },
        // Not YAML: a top-level `kind` of a Kubernetes object makes it manifests, whose
        // reader says where; otherwise the spec parser does.
        Err(_) => !text.lines().any(|l| {
            l.strip_prefix("kind:")
                .is_some_and(|k| k.trim().trim_matches(['"', '\'']) != crate::spec::KIND)
        }),
        Ok(_) => false,
    }
}

fn spec_side(source: Source, ctx: &Ctx, out: &mut Output) -> Option<Side> {
    let opts = model::ResolveOptions {
        base_dir: source.base_dir(),
        ..ctx.render.clone()
    };
    let apply = format!("gen render {} | kubectl apply -f -", source.name);
    let spec = crate::lint::load_yaml(&source.text).ok();
    let rendered = crate::pipeline::render_one(source, &opts, out)?;
    let mut objects = Vec::with_capacity(rendered.documents.len());
    for d in &rendered.documents {
        let value = crate::lint::load_yaml(&d.text).ok()?;
        objects.push(SideObject::from_value(value).ok()?);
    }
    Some(Side {
        objects,
        spec,
        apply,
    })
}

fn dir_side(arg: &str, dir: &Path, ctx: &Ctx) -> Result<Side, String> {
    if dir.join(crate::out::MANIFEST).is_file() {
        let objects = out_dir(dir, &ctx.parsed)?;
        return Ok(Side {
            objects,
            spec: None,
            apply: format!("kubectl apply -k {arg}"),
        });
    }
    if crate::kustomize::kustomization_file(dir).is_none() {
        return Err(format!(
            "`{arg}` is a directory without `{}` or a kustomization file: give a spec, manifests, a `gen render --out` directory or a kustomization directory",
            crate::out::MANIFEST
        ));
    }
    let text = ctx
        .kustomize
        .build(dir)
        .map_err(|e| format!("cannot build `{arg}`: {e}"))?;
    within_budget(&format!("{arg} (built)"), &text, &ctx.parsed.budget)?;
    if let Some(why) = crate::generator::empty_build(dir, &text) {
        return Err(format!("cannot diff `{arg}`: {why}"));
    }
    let mut objects = manifests(&format!("{arg} (built)"), &text)?;
    if objects.is_empty() {
        return Err(format!("`{arg}` builds to no object"));
    }
    normalize_generated(&mut objects);
    Ok(Side {
        objects,
        spec: None,
        apply: format!("kubectl apply -k {arg}"),
    })
}

/// Every object of a manifest stream, in order; the first document that is not one is an error.
pub fn manifests(name: &str, text: &str) -> Result<Vec<SideObject>, String> {
    let mut chunks = Vec::new();
    crate::lint::split(text, 0, &mut chunks);
    let mut objects = Vec::with_capacity(chunks.len());
    for c in &chunks {
        let doc = text.get(c.start..c.end).unwrap_or_default();
        let at = |line: usize, what: &str| {
            format!(
                "invalid manifests `{name}`: document {} (line {}): {what}",
                c.index + 1,
                c.line + line
            )
        };
        let value = crate::lint::load_yaml(doc).map_err(|e| at(e.line, &e.message))?;
        match value {
            Value::Null => {}
            Value::Object(_) => {
                objects.push(SideObject::from_value(value).map_err(|e| at(1, &e))?);
            }
            _ => return Err(at(1, "a document must be a mapping (a Kubernetes object)")),
        }
    }
    Ok(objects)
}

/// The objects of a directory `gen render --out` wrote: its owned files, read as they are.
pub fn out_dir(dir: &Path, parsed: &ParseCache) -> Result<Vec<SideObject>, String> {
    let list = dir.join(crate::out::MANIFEST);
    let text = std::fs::read_to_string(&list)
        .map_err(|e| format!("cannot read `{}`: {e}", list.display()))?;
    let paths: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let files = crate::par_map(&paths, PARALLEL_FROM, |_, p| {
        let full = dir.join(p);
        std::fs::read(&full)
            .map(|b| (p.to_string(), b))
            .map_err(|e| {
                format!(
                    "cannot read `{}` (listed in `{}`): {e}",
                    full.display(),
                    list.display()
                )
            })
    })
    .into_iter()
    .collect::<Result<Vec<_>, _>>()?;
    from_out_files(&dir.display().to_string(), &files, parsed)
}

/// Files past this many are read and parsed on several threads.
const PARALLEL_FROM: usize = 256;

/// The objects of a `--out` tree given as (path, bytes): manifests as they are, each
/// `secretGenerator` of gen's kustomizations as the Secret it generates.
pub fn from_out_files(
    dir: &str,
    files: &[(String, Vec<u8>)],
    parsed: &ParseCache,
) -> Result<Vec<SideObject>, String> {
    let by_path: BTreeMap<&str, &[u8]> = files.iter().map(|(p, b)| (p.as_str(), &b[..])).collect();
    let parsed = crate::par_map(files, PARALLEL_FROM, |_, (path, bytes)| {
        let name = format!("{dir}/{path}");
        let text = std::str::from_utf8(bytes).map_err(|_| format!("`{name}` is not UTF-8"))?;
        if path.rsplit('/').next() == Some(crate::out::KUSTOMIZATION) {
            let base = path.rsplit_once('/').map_or("", |(d, _)| d);
            return generated(&name, text, base, &by_path);
        }
        if path.ends_with(".yaml") {
            return parsed.manifests(&name, bytes, text);
        }
        Ok(Vec::new())
    });
    let mut objects = Vec::new();
    for p in parsed {
        objects.extend(p?);
    }
    normalize_generated(&mut objects);
    Ok(objects)
}

/// The Secrets a gen kustomization's `secretGenerator` makes, marked generated.
fn generated(
    name: &str,
    text: &str,
    base: &str,
    files: &BTreeMap<&str, &[u8]>,
) -> Result<Vec<SideObject>, String> {
    let k = crate::lint::load_yaml(text)
        .map_err(|e| format!("invalid `{name}`: line {}: {}", e.line, e.message))?;
    let mut out = Vec::new();
    let gens = k.get("secretGenerator").and_then(Value::as_array);
    for g in gens.into_iter().flatten() {
        let s = |k: &str| g.get(k).and_then(Value::as_str).unwrap_or_default();
        let mut data = Map::new();
        for f in g
            .get("files")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let spec = f.as_str().unwrap_or_default();
            let (key, file) = spec.split_once('=').unwrap_or((spec, spec));
            let path = if base.is_empty() {
                file.to_string()
            } else {
                format!("{base}/{file}")
            };
            let bytes = files.get(path.as_str()).ok_or_else(|| {
                format!("`{name}` generates Secret `{}` from `{path}`, which is not among the files gen owns (the credentials file is git-ignored: run `gen render --out` first)", s("name"))
            })?;
            data.insert(
                key.to_string(),
                json!(base64::engine::general_purpose::STANDARD.encode(bytes)),
            );
        }
        let mut meta = Map::new();
        meta.insert("name".into(), json!(s("name")));
        meta.insert("namespace".into(), json!(s("namespace")));
        for m in ["labels", "annotations"] {
            if let Some(v) = g.get("options").and_then(|o| o.get(m)) {
                meta.insert(m.into(), v.clone());
            }
        }
        meta.insert(GENERATED.into(), json!(true));
        let value = json!({"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": s("type"), "data": data});
        out.push(SideObject::from_value(value)?);
    }
    Ok(out)
}

/// Set (and removed again) on an object a generator made, while references are rewritten.
const GENERATED: &str = "gen-diff/generated";

/// kustomize's name hash: `-` and ten characters of its hex digest with `0 1 3 a e` replaced
/// by `g h k m t` (sigs.k8s.io/kustomize/api/hasher `encode`).
fn strip_hash(name: &str) -> Option<&str> {
    let (base, hash) = name.rsplit_once('-')?;
    let ok = hash.len() == 10 && hash.bytes().all(|b| b"2456789bcdfghkmt".contains(&b));
    (ok && !base.is_empty()).then_some(base)
}

/// Brings generated Secrets and ConfigMaps to the rendered form (see the module comment).
fn normalize_generated(objects: &mut [SideObject]) {
    // (namespace, kind, hashed or base name) -> (base name, checksum annotation, value)
    let mut renamed: BTreeMap<(String, String, String), (String, String, String)> = BTreeMap::new();
    for o in objects.iter_mut() {
        if o.kind != "Secret" && o.kind != "ConfigMap" {
            continue;
        }
        let meta = Arc::make_mut(&mut o.value)
            .get_mut("metadata")
            .and_then(Value::as_object_mut);
        let marked = meta.is_some_and(|m| m.remove(GENERATED).is_some());
        let base = match strip_hash(&o.name) {
            Some(b) if !marked => b.to_string(),
            _ if marked => o.name.clone(),
            _ => continue,
        };
        let jaas = o
            .value
            .get("data")
            .and_then(|d| d.get(model::JAAS_KEY))
            .and_then(Value::as_str);
        let (key, sum) = match jaas.filter(|_| o.kind == "Secret") {
            Some(b64) => {
                let raw = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap_or_default();
                ("checksum/jaas".to_string(), model::sha256_hex(&raw))
            }
            None => (
                format!("checksum/{}-{base}", o.kind.to_ascii_lowercase()),
                o.name
                    .rsplit_once('-')
                    .map(|x| x.1.to_string())
                    .unwrap_or_default(),
            ),
        };
        let ns = o.namespace.clone();
        renamed.insert(
            (ns, o.kind.clone(), o.name.clone()),
            (base.clone(), key, sum),
        );
        o.name = base.clone();
        if let Some(m) = Arc::make_mut(&mut o.value)
            .get_mut("metadata")
            .and_then(Value::as_object_mut)
        {
            m.insert("name".into(), json!(base));
        }
    }
    if renamed.is_empty() {
        return;
    }
    for o in objects.iter_mut() {
        let ns = o.namespace.clone();
        if o.value.pointer("/spec/template").is_none() {
            continue;
        }
        let Some(template) = Arc::make_mut(&mut o.value).pointer_mut("/spec/template") else {
            continue;
        };
        let mut used = BTreeSet::new();
        if let Some(spec) = template.get_mut("spec") {
            rewrite_refs(spec, &ns, &renamed, &mut used);
        }
        let Some(meta) = template
            .as_object_mut()
            .map(|t| t.entry("metadata").or_insert_with(|| json!({})))
        else {
            continue;
        };
        let Some(meta) = meta.as_object_mut() else {
            continue;
        };
        let ann = meta.entry("annotations").or_insert_with(|| json!({}));
        if let Some(ann) = ann.as_object_mut() {
            for (key, sum) in used {
                ann.entry(key).or_insert(json!(sum));
            }
        }
    }
}

/// Rewrites every reference in a pod spec to a renamed object; collects the checksums to add.
fn rewrite_refs(
    v: &mut Value,
    ns: &str,
    renamed: &BTreeMap<(String, String, String), (String, String, String)>,
    used: &mut BTreeSet<(String, String)>,
) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                if k == "secretName"
                    && let Value::String(s) = child
                {
                    rename(s, "Secret", ns, renamed, used);
                    continue;
                }
                let inner = match k.as_str() {
                    "secret" | "secretRef" | "secretKeyRef" => Some("Secret"),
                    "configMap" | "configMapRef" | "configMapKeyRef" => Some("ConfigMap"),
                    _ => None,
                };
                if let (Some(kind), Some(Value::String(s))) = (inner, child.get_mut("name")) {
                    rename(s, kind, ns, renamed, used);
                }
                rewrite_refs(child, ns, renamed, used);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|i| rewrite_refs(i, ns, renamed, used)),
        _ => {}
    }
}

fn rename(
    s: &mut String,
    kind: &str,
    ns: &str,
    renamed: &BTreeMap<(String, String, String), (String, String, String)>,
    used: &mut BTreeSet<(String, String)>,
) {
    if let Some((base, key, sum)) = renamed.get(&(ns.to_string(), kind.to_string(), s.clone())) {
        *s = base.clone();
        used.insert((key.clone(), sum.clone()));
    }
}
