//! `gen diff OLD NEW`: what applying NEW over what OLD describes will do to a running cluster,
//! computed offline.
//!
//! Both sides are read into objects ([`side`]), matched by API group, kind, namespace and name,
//! compared field by field ([`fields`]), and each change classified into the effects its
//! controller and the API server give it ([`classify`]); [`report`] prints the plan as text,
//! JSON or Markdown.

mod classify;
mod fields;
mod report;
mod side;

use std::collections::BTreeMap;
use std::path::Path;

use crate::cli::{DiffArgs, DiffFormatArg};
use crate::output::Output;

pub use classify::{Effect, IMMUTABLE};
pub use fields::{Field, REDACTED};
pub use side::{Side, SideObject};

/// Whether an object is new, gone, changed or the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Added,
    Removed,
    Changed,
    Unchanged,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
            Change::Unchanged => "unchanged",
        }
    }
}

/// One object of either side, and what applying NEW does to it.
#[derive(Clone, Debug)]
pub struct Entry {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub change: Change,
    pub effects: Vec<Effect>,
    pub fields: Vec<Field>,
    pub restart: Option<classify::Restart>,
    pub recreate: Option<classify::Recreate>,
    pub orphan: Option<classify::Orphan>,
}

/// Every object of either side, in apply order per namespace.
pub struct Plan {
    pub entries: Vec<Entry>,
}

impl Plan {
    /// How many entries have `effect`.
    pub fn count(&self, effect: Effect) -> usize {
        self.entries
            .iter()
            .filter(|e| e.effects.contains(&effect))
            .count()
    }

    pub fn count_change(&self, change: Change) -> usize {
        self.entries.iter().filter(|e| e.change == change).count()
    }

    pub fn has_changes(&self) -> bool {
        self.entries.iter().any(|e| e.change != Change::Unchanged)
    }
}

type Key = (String, String, String, String);

fn key(o: &SideObject) -> Key {
    (
        o.group().to_string(),
        o.kind.clone(),
        o.namespace.clone(),
        o.name.clone(),
    )
}

/// Each object of a side by its key; two objects with one key are an error (the later would
/// silently replace the earlier on apply).
fn index<'a>(label: &str, side: &'a Side) -> Result<BTreeMap<Key, &'a SideObject>, String> {
    let mut m = BTreeMap::new();
    for o in &side.objects {
        if m.insert(key(o), o).is_some() {
            return Err(format!(
                "{label} holds {} `{}` twice (namespace `{}`): one would replace the other",
                o.kind, o.name, o.namespace
            ));
        }
    }
    Ok(m)
}

/// The plan of applying `new` over `old`.
pub fn plan(old: &Side, new: &Side) -> Result<Plan, String> {
    let (a, b) = (index("OLD", old)?, index("NEW", new)?);
    let spec = match (&old.spec, &new.spec) {
        (Some(x), Some(y)) => fields::diff("spec", x, y),
        _ => Vec::new(),
    };
    let ctx = NewSide {
        side: new,
        hpas: classify::hpa_bounds(&new.objects),
        workloads: new
            .objects
            .iter()
            .filter(|o| classify::is_workload(o))
            .collect(),
    };
    let mut entries = Vec::with_capacity(a.len().max(b.len()));
    for (k, o) in &a {
        entries.push(match b.get(k) {
            Some(n) => changed(o, n, &ctx, &spec),
            None => removed(o, &ctx),
        });
    }
    for (k, n) in &b {
        if !a.contains_key(k) {
            entries.push(entry(n, Change::Added));
        }
    }
    entries.sort_by_cached_key(order);
    Ok(Plan { entries })
}

/// NEW, indexed for the questions each entry asks of it.
struct NewSide<'a> {
    side: &'a Side,
    hpas: std::collections::HashMap<(&'a str, &'a str, &'a str), u64>,
    workloads: Vec<&'a SideObject>,
}

/// gen's apply order: Namespace, ServiceAccount, Secret, Services, workload, PDB, HPA, ….
fn order(e: &Entry) -> (String, usize, String, String) {
    const KINDS: &[&str] = &[
        "Namespace",
        "ServiceAccount",
        "Secret",
        "ConfigMap",
        "Service",
        "StatefulSet",
        "Deployment",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
        "Route",
        "ServiceMonitor",
        "NetworkPolicy",
    ];
    let ns = if e.kind == "Namespace" {
        e.name.clone()
    } else {
        e.namespace.clone()
    };
    let rank = KINDS
        .iter()
        .position(|k| *k == e.kind)
        .unwrap_or(KINDS.len());
    (ns, rank, e.kind.clone(), e.name.clone())
}

fn entry(o: &SideObject, change: Change) -> Entry {
    Entry {
        api_version: o.api_version.clone(),
        kind: o.kind.clone(),
        namespace: o.namespace.clone(),
        name: o.name.clone(),
        change,
        effects: Vec::new(),
        fields: Vec::new(),
        restart: None,
        recreate: None,
        orphan: None,
    }
}

fn removed(o: &SideObject, new: &NewSide) -> Entry {
    let mut e = entry(o, Change::Removed);
    e.effects = vec![Effect::Orphan];
    e.orphan = Some(classify::orphan(o, &new.workloads));
    e
}

fn changed(o: &SideObject, n: &SideObject, new: &NewSide, spec: &[Field]) -> Entry {
    if std::sync::Arc::ptr_eq(&o.value, &n.value) {
        return entry(n, Change::Unchanged);
    }
    let fields = fields::diff(&n.kind, &o.value, &n.value);
    if fields.is_empty() {
        return entry(n, Change::Unchanged);
    }
    let mut e = entry(n, Change::Changed);
    e.effects = classify::effects(o, n, &fields);
    if e.effects.contains(&Effect::Restart) {
        let bound = new
            .hpas
            .get(&(n.namespace.as_str(), n.kind.as_str(), n.name.as_str()));
        let mut r = classify::restart(n, bound.copied());
        r.reasons = classify::reasons(&fields, spec);
        e.restart = Some(r);
    }
    if e.effects.contains(&Effect::Recreate) {
        e.recreate = Some(classify::recreate(o, n, &fields, &new.side.apply));
    }
    e.fields = fields;
    e
}

/// `gen diff`: reads both sides, prints the plan; 0, or 3 with `--exit-code` and changes.
pub(crate) fn command(args: &DiffArgs, out: &mut Output) -> i32 {
    if args.old == "-" && args.new == "-" {
        out.error_text("`-` (stdin) can be only one side of a diff");
        return 2;
    }
    let Some(ctx) = context(args, out) else {
        return 1;
    };
    let Some(old) = side::read(&args.old, &ctx, out) else {
        return 1;
    };
    let Some(new) = side::read(&args.new, &ctx, out) else {
        return 1;
    };
    let plan = match plan(&old, &new) {
        Ok(p) => p,
        Err(e) => {
            out.error_text(&e);
            return 1;
        }
    };
    let text = match args.format {
        DiffFormatArg::Text => report::text(&plan, true),
        DiffFormatArg::Json => report::json(&plan, &args.old, &args.new),
        DiffFormatArg::Markdown => report::markdown(&plan, &args.old, &args.new),
    };
    out.stdout(&text);
    let code = if args.exit_code && plan.has_changes() {
        3
    } else {
        0
    };
    // The process ends here: freeing every object of two fleets one by one costs a tenth of
    // the run, and the memory goes back to the system on exit anyway.
    std::mem::forget((old, new, plan));
    code
}

fn context(args: &DiffArgs, out: &mut Output) -> Option<side::Ctx> {
    let profile = match &args.resolve.profile {
        None => None,
        Some(path) => {
            match crate::pipeline::read_profile(path, args.max_input_bytes, &args.budget.into()) {
                Ok(p) => Some(p),
                Err(d) => {
                    out.diagnostic(&d.0, d.1.as_deref());
                    return None;
                }
            }
        }
    };
    let timeout = std::time::Duration::from_secs(args.kustomize_timeout);
    let kustomize = match crate::kustomize::Kustomize::new(
        &args.kustomize_command,
        timeout,
        args.max_input_bytes,
    ) {
        Ok(k) => k,
        Err(e) => {
            out.error_text(&format!("invalid --kustomize-command: {e}"));
            return None;
        }
    };
    Some(side::Ctx {
        render: crate::model::ResolveOptions {
            platform: args.resolve.platform.map(Into::into),
            profile,
            no_namespace: args.resolve.no_namespace,
            allow_outside_files: args.allow_outside_files,
            max_file_bytes: args.max_input_bytes,
            budget: args.budget.into(),
            ..Default::default()
        },
        kustomize,
        max_bytes: args.max_input_bytes,
        parsed: side::ParseCache::with_budget(args.budget.into()),
    })
}

/// `--check`'s effect summary: what applying `files` over the `--out` tree in `dir` would do.
pub fn check_summary(dir: &Path, files: &[crate::out::PlannedFile]) -> String {
    let parsed = side::ParseCache::default();
    let old = if dir.join(crate::out::MANIFEST).is_file() {
        side::out_dir(dir, &parsed)
    } else {
        Ok(Vec::new())
    };
    let owned: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| (f.path.clone(), f.bytes.clone()))
        .collect();
    let new = side::from_out_files(&dir.display().to_string(), &owned, &parsed);
    let side = |objects| Side {
        objects,
        spec: None,
        apply: format!("kubectl apply -k {}", dir.display()),
    };
    match (old, new) {
        (Ok(o), Ok(n)) => match plan(&side(o), &side(n)) {
            Ok(p) => format!("\nApplying it would do:\n{}", report::text(&p, false)),
            Err(e) => format!("\n(effects not computed: {e})\n"),
        },
        (Err(e), _) | (_, Err(e)) => format!("\n(effects not computed: {e})\n"),
    }
}
