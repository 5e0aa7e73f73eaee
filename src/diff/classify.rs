//! What applying a changed object does: the effects, each modelled on a documented Kubernetes
//! behaviour (cited beside the table or function that models it).

use std::collections::HashMap;

use serde_json::Value;

use super::fields::{self, Field};
use super::side::SideObject;
use crate::server_options;

/// An effect of applying one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Effect {
    Restart,
    Scale,
    Recreate,
    Orphan,
    InPlace,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Restart => "restart",
            Effect::Scale => "scale",
            Effect::Recreate => "recreate",
            Effect::Orphan => "orphan",
            Effect::InPlace => "in-place",
        }
    }
}

/// Fields the API server refuses to change. Sources: apps/v1 validation
/// (`ValidateStatefulSetUpdate`: "updates to statefulset spec for fields other than
/// 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit',
/// 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden", so
/// `selector`, `serviceName`, `podManagementPolicy` and `volumeClaimTemplates` cannot change);
/// `ValidateDeploymentUpdate`/`ValidateDaemonSetUpdate` (apps/v1 `selector` is immutable);
/// core/v1 `ValidateServiceUpdate` (`clusterIP`/`clusterIPs` are immutable except when the type
/// moves to or from ExternalName, which clears them); `ValidateSecretUpdate` and
/// `ValidateConfigMapUpdate` (`type` is immutable; with `immutable: true` so is the data);
/// batch/v1 `ValidateJobUpdate` (`selector` and `template` are immutable). A
/// PodDisruptionBudget's spec is mutable since Kubernetes 1.15, an HPA's always was.
pub const IMMUTABLE: &[(&str, &str, &str, &str)] = &[
    (
        "apps",
        "StatefulSet",
        "spec.selector",
        "a StatefulSet's selector is immutable",
    ),
    (
        "apps",
        "StatefulSet",
        "spec.serviceName",
        "a StatefulSet's serviceName is immutable",
    ),
    (
        "apps",
        "StatefulSet",
        "spec.podManagementPolicy",
        "a StatefulSet's podManagementPolicy is immutable",
    ),
    (
        "apps",
        "StatefulSet",
        "spec.volumeClaimTemplates",
        "a StatefulSet's volumeClaimTemplates are immutable",
    ),
    (
        "apps",
        "Deployment",
        "spec.selector",
        "a Deployment's selector is immutable (apps/v1)",
    ),
    (
        "apps",
        "DaemonSet",
        "spec.selector",
        "a DaemonSet's selector is immutable (apps/v1)",
    ),
    (
        "",
        "Service",
        "spec.clusterIP",
        "a Service's clusterIP is immutable",
    ),
    (
        "",
        "Service",
        "spec.clusterIPs",
        "a Service's clusterIPs are immutable",
    ),
    ("", "Secret", "type", "a Secret's type is immutable"),
    (
        "batch",
        "Job",
        "spec.selector",
        "a Job's selector is immutable",
    ),
    (
        "batch",
        "Job",
        "spec.template",
        "a Job's pod template is immutable",
    ),
];

/// Kinds whose pod template the controller rolls out.
const WORKLOADS: &[&str] = &["StatefulSet", "Deployment", "DaemonSet", "ReplicaSet"];

pub fn is_workload(o: &SideObject) -> bool {
    o.group() == "apps" && WORKLOADS.contains(&o.kind.as_str())
}

fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|r| r.is_empty() || r.starts_with(['.', '[']))
}

/// Why a changed field cannot be applied, if it cannot.
pub fn immutable(old: &SideObject, new: &SideObject, f: &Field) -> Option<&'static str> {
    let ip = under(&f.path, "spec.clusterIP") || under(&f.path, "spec.clusterIPs");
    if new.kind == "Service" && new.group().is_empty() && ip {
        let external = |o: &SideObject| {
            o.value.pointer("/spec/type").and_then(Value::as_str) == Some("ExternalName")
        };
        // A manifest that leaves clusterIP out keeps the allocated one; only `None`
        // (headless) is a choice that cannot be dropped.
        let headless = f.old.as_ref().and_then(Value::as_str) == Some("None");
        if external(old) || external(new) || (f.new.is_none() && !headless) {
            return None;
        }
    }
    if matches!(new.kind.as_str(), "Secret" | "ConfigMap")
        && old.value.get("immutable").and_then(Value::as_bool) == Some(true)
        && ["data", "stringData", "binaryData"]
            .iter()
            .any(|p| under(&f.path, p))
    {
        return Some("the object is `immutable: true`: its data cannot change");
    }
    IMMUTABLE
        .iter()
        .find(|(g, k, p, _)| *g == new.group() && *k == new.kind && under(&f.path, p))
        .map(|t| t.3)
}

/// The effects of the changed fields of one object.
pub fn effects(old: &SideObject, new: &SideObject, changed: &[Field]) -> Vec<Effect> {
    let mut e = Vec::new();
    let workload = is_workload(new);
    for f in changed {
        let effect = if immutable(old, new, f).is_some() {
            Effect::Recreate
        } else if workload && under(&f.path, "spec.template") {
            Effect::Restart
        } else if workload && f.path == "spec.replicas" {
            Effect::Scale
        } else {
            Effect::InPlace
        };
        if !e.contains(&effect) {
            e.push(effect);
        }
    }
    e.sort();
    e
}

/// Who restarts, and in what order.
#[derive(Clone, Debug, Default)]
pub struct Restart {
    /// Pod names in restart order (a StatefulSet with a known replica count).
    pub pods: Option<Vec<String>>,
    /// At most this many pods (an HPA scales the workload and it sets no replicas).
    pub pods_up_to: Option<u64>,
    /// This many pods, whose names the controller generates (a Deployment).
    pub pod_count: Option<u64>,
    /// How the controller rolls them, in words.
    pub rollout: String,
    /// Why the pod template changed, in domain words where gen knows them.
    pub reasons: Vec<String>,
}

/// `maxReplicas` of each HPA in `objects`, by the (namespace, kind, name) it scales.
pub fn hpa_bounds(objects: &[SideObject]) -> HashMap<(&str, &str, &str), u64> {
    objects
        .iter()
        .filter(|o| o.kind == "HorizontalPodAutoscaler")
        .filter_map(|o| {
            let r = o.value.pointer("/spec/scaleTargetRef")?;
            let kind = r.get("kind").and_then(Value::as_str)?;
            let name = r.get("name").and_then(Value::as_str)?;
            let max = o
                .value
                .pointer("/spec/maxReplicas")
                .and_then(Value::as_u64)?;
            Some(((o.namespace.as_str(), kind, name), max))
        })
        .collect()
}

/// The restart of workload `w` (as in NEW); `hpa_max`: the bound of an HPA scaling it.
pub fn restart(w: &SideObject, hpa_max: Option<u64>) -> Restart {
    let replicas = w.value.pointer("/spec/replicas").and_then(Value::as_u64);
    // Without spec.replicas the API server defaults it to 1, unless an HPA owns the count.
    let up_to = if replicas.is_none() { hpa_max } else { None };
    let n = replicas.or(up_to).unwrap_or(1);
    let mut r = Restart {
        pods_up_to: up_to,
        ..Restart::default()
    };
    match w.kind.as_str() {
        "StatefulSet" => statefulset_rollout(w, n, &mut r),
        "Deployment" => {
            deployment_rollout(w, n, &mut r);
            if up_to.is_none() {
                r.pod_count = Some(n);
            }
        }
        _ => r.rollout = "per the controller's update strategy".to_string(),
    }
    r
}

/// StatefulSet rolling update (kubernetes.io/docs/concepts/workloads/controllers/statefulset,
/// "Rolling Updates"): pods are updated one at a time in reverse ordinal order, each Running
/// and Ready before its predecessor; ordinals below `rollingUpdate.partition` keep the old
/// template; `OnDelete` updates a pod only when it is deleted. This holds for both
/// podManagementPolicy values (Parallel affects scaling, not updates).
fn statefulset_rollout(w: &SideObject, n: u64, r: &mut Restart) {
    let strategy = w
        .value
        .pointer("/spec/updateStrategy/type")
        .and_then(Value::as_str);
    if strategy == Some("OnDelete") {
        r.pods = Some(Vec::new());
        r.rollout = "updateStrategy OnDelete: no pod restarts until it is deleted; each comes back with the new template".to_string();
        return;
    }
    let partition = w
        .value
        .pointer("/spec/updateStrategy/rollingUpdate/partition")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let names: Vec<String> = (partition..n)
        .rev()
        .map(|i| format!("{}-{i}", w.name))
        .collect();
    r.rollout =
        "one at a time from the highest ordinal down, each Running and Ready before the next"
            .to_string();
    if partition > 0 {
        r.rollout.push_str(&format!(
            "; ordinals below {partition} keep the old template (partition)"
        ));
    }
    if r.pods_up_to.is_some() {
        r.rollout
            .push_str(&format!("; order: {} (those that exist)", names.join(", ")));
    } else {
        r.pods = Some(names);
    }
}

/// Deployment rollout (kubernetes.io/docs/concepts/workloads/controllers/deployment,
/// "Strategy"): `Recreate` stops every pod first; `RollingUpdate` (the default) keeps at most
/// `maxSurge` pods above the count and at most `maxUnavailable` below it, both 25% by default,
/// a percentage of surge rounded up and of unavailability rounded down.
fn deployment_rollout(w: &SideObject, n: u64, r: &mut Restart) {
    let s = w.value.pointer("/spec/strategy");
    if s.and_then(|s| s.get("type")).and_then(Value::as_str) == Some("Recreate") {
        r.rollout =
            format!("strategy Recreate: all {n} pods stop before the new ones start (an outage)");
        return;
    }
    let amount = |key: &str, up: bool| -> u64 {
        match s.and_then(|s| s.pointer(&format!("/rollingUpdate/{key}"))) {
            Some(Value::Number(x)) => x.as_u64().unwrap_or(0),
            Some(Value::String(p)) => pct(p, n, up),
            _ => pct("25%", n, up),
        }
    };
    let (surge, unavailable) = (amount("maxSurge", true), amount("maxUnavailable", false));
    r.rollout = format!(
        "rolling: up to {surge} new pod(s) above the count at once, at most {unavailable} unavailable; new pods start before old ones stop"
    );
    if unavailable > 0 {
        r.rollout = format!(
            "rolling: up to {surge} new pod(s) above the count, up to {unavailable} old pod(s) stopped at once"
        );
    }
}

fn pct(p: &str, n: u64, up: bool) -> u64 {
    let v: u64 = p.trim_end_matches('%').parse().unwrap_or(0);
    if up {
        (v * n).div_ceil(100)
    } else {
        v * n / 100
    }
}

/// How to apply an object that needs recreating, and what that costs.
#[derive(Clone, Debug)]
pub struct Recreate {
    pub why: Vec<String>,
    pub commands: Vec<String>,
    pub cost: String,
}

fn delete_command(o: &SideObject, extra: &str) -> String {
    let kind = o.kind.to_ascii_lowercase();
    let resource = if o.group().is_empty() {
        kind
    } else {
        format!("{kind}.{}", o.group())
    };
    let ns = if o.namespace.is_empty() {
        String::new()
    } else {
        format!(" -n {}", o.namespace)
    };
    format!("kubectl delete {resource} {}{ns}{extra}", o.name)
}

pub fn recreate(old: &SideObject, new: &SideObject, changed: &[Field], apply: &str) -> Recreate {
    let why: Vec<String> = changed
        .iter()
        .filter_map(|f| immutable(old, new, f).map(|w| format!("`{}`: {w}", f.path)))
        .collect();
    let (first, cost) = match new.kind.as_str() {
        "StatefulSet" => (
            delete_command(old, " --cascade=orphan"),
            "no pod stops: the old pods stay up without an owner and the new StatefulSet adopts those its selector matches, then rolls them; pods it does not match (a changed selector) keep running until deleted, and existing PersistentVolumeClaims keep their old size and class",
        ),
        "Deployment" => (
            delete_command(old, ""),
            "every pod stops before the new ones start: an outage until they are Ready (with --cascade=orphan the old pods keep serving; delete the old ReplicaSet once the new pods are Ready)",
        ),
        "Service" => (
            delete_command(old, ""),
            "the Service gets a new cluster IP, and a LoadBalancer a new external address: clients must resolve it again, open connections through it drop",
        ),
        _ => (
            delete_command(old, ""),
            "the object is absent between the two commands; pods that use it keep what they read until they restart",
        ),
    };
    Recreate {
        why,
        commands: vec![first, apply.to_string()],
        cost: cost.to_string(),
    }
}

/// What to do about an object in OLD and not in NEW (`kubectl apply` never deletes it).
#[derive(Clone, Debug)]
pub struct Orphan {
    pub command: String,
    pub warning: Option<String>,
}

/// `workloads`: NEW's workloads.
pub fn orphan(old: &SideObject, workloads: &[&SideObject]) -> Orphan {
    let warning = is_workload(old).then(|| {
        let others = workloads;
        if let Some(o) = others.iter().find(|o| o.kind != old.kind) {
            format!(
                "two backplanes at once: {} `{}` keeps its pods running beside the new {} `{}`; delete it once the new one serves",
                old.kind, old.name, o.kind, o.name
            )
        } else if let Some(o) = others.first() {
            format!(
                "a second cluster keeps running: {} `{}` stays up beside {} `{}`{}",
                old.kind,
                old.name,
                o.kind,
                o.name,
                if o.namespace != old.namespace { format!(" in namespace `{}`", o.namespace) } else { String::new() }
            )
        } else {
            format!("{} `{}` keeps its pods running until it is deleted", old.kind, old.name)
        }
    });
    Orphan {
        command: delete_command(old, ""),
        warning,
    }
}

/// Spec fields each server option is computed from (gen's model): a changed option is
/// explained by whichever of them changed.
const OPTION_SOURCES: &[(&str, &[&str])] = &[
    (
        server_options::CLUSTER_MEMBERS,
        &[
            "autoscale.max",
            "replicas",
            "name",
            "namespace",
            "clusterDomain",
            "autoscale",
        ],
    ),
    (
        server_options::CLUSTER_MEMBER_LISTEN,
        &["name", "namespace", "clusterDomain"],
    ),
    (
        server_options::CLUSTER_SEED_MEMBER_COUNT,
        &["seedCount", "replicas"],
    ),
    (
        server_options::MEMORY,
        &["memoryPercent", "resources.memory", "resources"],
    ),
    (server_options::LOG_LEVEL, &["logLevel"]),
];

/// Why the pod template of a workload changed, in the words of the option, label or file that
/// changed; related to the spec fields behind it when both sides are specs.
pub fn reasons(changed: &[Field], spec: &[Field]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in changed.iter().filter(|f| under(&f.path, "spec.template")) {
        let rel = &f.path["spec.template".len()..];
        let (what, sources): (String, Vec<String>) = if let Some(word) = option_of(rel) {
            // `-DName`: option `Name`, from the sources gen computes it from, or else from
            // `extraOptions` (a key that may hold dots).
            let name = word.strip_prefix("-D");
            let from = OPTION_SOURCES
                .iter()
                .find(|(o, _)| Some(*o) == name)
                .map(|(_, s)| s.iter().map(|s| s.to_string()).collect());
            let extra = fields::key_path("extraOptions", name.unwrap_or(word));
            (
                format!("`{word}` changed"),
                from.unwrap_or_else(|| vec![extra]),
            )
        } else if rel.contains("[\"checksum/jaas\"]") {
            (
                "the JAAS file changed (`checksum/jaas`)".to_string(),
                vec!["backplane.jaas".to_string()],
            )
        } else if let Some(k) = rel.strip_prefix(".metadata.labels") {
            let key = unkey(k);
            (
                format!("pod label `{key}` {}", verb(f)),
                vec![
                    fields::key_path("labels", &key),
                    fields::key_path("podLabels", &key),
                ],
            )
        } else if let Some(k) = rel.strip_prefix(".metadata.annotations") {
            let key = unkey(k);
            (
                format!("pod annotation `{key}` {}", verb(f)),
                vec![fields::key_path("podAnnotations", &key)],
            )
        } else if rel.ends_with(".image") {
            (
                format!("image {} → {}", show(&f.old), show(&f.new)),
                vec!["image".to_string()],
            )
        } else {
            (format!("`{}` {}", f.path, verb(f)), Vec::new())
        };
        let related: Vec<String> = spec
            .iter()
            .filter(|s| sources.iter().any(|p| under(&s.path, p)))
            .map(|s| format!("`{}` {} → {}", s.path, show(&s.old), show(&s.new)))
            .collect();
        let line = if related.is_empty() {
            what
        } else {
            format!("{what}: {}", related.join(", "))
        };
        if !out.contains(&line) {
            out.push(line);
        }
    }
    out
}

fn option_of(path: &str) -> Option<&str> {
    let i = path.rfind("[-")?;
    path[i + 1..].strip_suffix(']')
}

fn unkey(k: &str) -> String {
    let k = k.trim_start_matches('.');
    k.strip_prefix('[')
        .and_then(|k| k.strip_suffix(']'))
        .and_then(|k| serde_json::from_str::<String>(k).ok())
        .unwrap_or_else(|| k.to_string())
}

fn verb(f: &Field) -> &'static str {
    match (&f.old, &f.new) {
        (None, _) => "added",
        (_, None) => "removed",
        _ => "changed",
    }
}

/// A value in one line: strings as they are, anything else as JSON, absence as `(none)`.
pub fn show(v: &Option<Value>) -> String {
    match v {
        None => "(none)".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}
