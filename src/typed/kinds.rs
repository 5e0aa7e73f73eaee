//! Typing of the kinds gen understands: the [`Object`] table, serde errors turned into
//! [`SchemaIssue`]s, and the required-field walk k8s-openapi does not do.

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v1::HorizontalPodAutoscaler as HpaV1;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    ConfigMap, LimitRange, Namespace, PersistentVolumeClaim, Pod, ResourceQuota, Secret, Service,
    ServiceAccount,
};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{ClusterResourceScope, Metadata, NamespaceResourceScope, Resource};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::SchemaIssue;
use super::crd::{HttpRoute, Route, ServiceMonitor};
use crate::path::{FieldPath, Seg};

// ---------------------------------------------------------------------------------------
// The kinds
// ---------------------------------------------------------------------------------------

/// Whether a k8s-openapi scope is namespaced.
trait Scope {
    const NAMESPACED: bool;
}
impl Scope for NamespaceResourceScope {
    const NAMESPACED: bool = true;
}
impl Scope for ClusterResourceScope {
    const NAMESPACED: bool = false;
}

/// Declares [`Object`], its accessors and the (apiVersion, kind) dispatch from one table:
/// `Variant(Type) = required-field shape;`.
macro_rules! kinds {
    ($($variant:ident($ty:ty) = $shape:expr;)*) => {
        /// A typed manifest: the objects lint rules inspect.
        #[derive(Clone, Debug, PartialEq)]
        #[allow(clippy::large_enum_variant, reason = "one per document, boxing buys nothing")]
        pub enum Object {
            $($variant($ty),)*
            /// Typed nowhere (a kind `gen` does not know, or a document that failed to type):
            /// lint reports it.
            Unknown { api_version: String, kind: String },
        }

        /// (apiVersion, kind) of every typed kind.
        const TYPED: &[(&str, &str)] = &[$((<$ty as Resource>::API_VERSION, <$ty as Resource>::KIND)),*];

        impl Object {
            pub fn kind(&self) -> &str {
                match self {
                    $(Object::$variant(_) => <$ty as Resource>::KIND,)*
                    Object::Unknown { kind, .. } => kind,
                }
            }

            pub fn api_version(&self) -> &str {
                match self {
                    $(Object::$variant(_) => <$ty as Resource>::API_VERSION,)*
                    Object::Unknown { api_version, .. } => api_version,
                }
            }

            /// `None` for an unknown kind: its scope is not known.
            pub fn is_namespaced(&self) -> Option<bool> {
                match self {
                    $(Object::$variant(_) => Some(<<$ty as Resource>::Scope as Scope>::NAMESPACED),)*
                    Object::Unknown { .. } => None,
                }
            }

            pub fn metadata(&self) -> Option<&ObjectMeta> {
                match self {
                    $(Object::$variant(o) => Some(Metadata::metadata(o)),)*
                    Object::Unknown { .. } => None,
                }
            }
        }

        /// Types a document whose header is (`api_version`, `kind`); `None` if that pair is
        /// not typed, `Some(None)` if it is but the document failed to type.
        fn type_kind(
            api_version: &str,
            kind: &str,
            value: &Value,
            issues: &mut Vec<SchemaIssue>,
        ) -> Option<Option<Object>> {
            $(
                if kind == <$ty as Resource>::KIND && api_version == <$ty as Resource>::API_VERSION {
                    return Some(decode::<$ty>(value, $shape, issues).map(Object::$variant));
                }
            )*
            None
        }
    };
}

kinds! {
    Namespace(Namespace) = &CORE_V1_NAMESPACE;
    ServiceAccount(ServiceAccount) = &CORE_V1_SERVICE_ACCOUNT;
    Secret(Secret) = &CORE_V1_SECRET;
    ConfigMap(ConfigMap) = &CORE_V1_CONFIG_MAP;
    Service(Service) = &CORE_V1_SERVICE;
    StatefulSet(StatefulSet) = &APPS_V1_STATEFUL_SET;
    Deployment(Deployment) = &APPS_V1_DEPLOYMENT;
    DaemonSet(DaemonSet) = &APPS_V1_DAEMON_SET;
    Pod(Pod) = &CORE_V1_POD;
    Job(Job) = &BATCH_V1_JOB;
    CronJob(CronJob) = &BATCH_V1_CRON_JOB;
    PodDisruptionBudget(PodDisruptionBudget) = &POLICY_V1_POD_DISRUPTION_BUDGET;
    HorizontalPodAutoscaler(HorizontalPodAutoscaler) = &AUTOSCALING_V2_HORIZONTAL_POD_AUTOSCALER;
    NetworkPolicy(NetworkPolicy) = &NETWORKING_V1_NETWORK_POLICY;
    Ingress(Ingress) = &NETWORKING_V1_INGRESS;
    Role(Role) = &RBAC_V1_ROLE;
    RoleBinding(RoleBinding) = &RBAC_V1_ROLE_BINDING;
    ClusterRole(ClusterRole) = &RBAC_V1_CLUSTER_ROLE;
    ClusterRoleBinding(ClusterRoleBinding) = &RBAC_V1_CLUSTER_ROLE_BINDING;
    PersistentVolumeClaim(PersistentVolumeClaim) = &CORE_V1_PERSISTENT_VOLUME_CLAIM;
    LimitRange(LimitRange) = &CORE_V1_LIMIT_RANGE;
    ResourceQuota(ResourceQuota) = &CORE_V1_RESOURCE_QUOTA;
    Route(Route) = &ROUTE;
    ServiceMonitor(ServiceMonitor) = &SERVICE_MONITOR;
    HttpRoute(HttpRoute) = &HTTP_ROUTE;
}

// ---------------------------------------------------------------------------------------
// Typing
// ---------------------------------------------------------------------------------------

/// Types `value`. Unknown or misspelled fields, wrong types, missing required fields, a
/// missing `apiVersion` or `kind`, and an `apiVersion` that does not match a typed kind all
/// become issues. A document that fails to type comes back as [`Object::Unknown`] with the
/// issues; a kind typed nowhere comes back as [`Object::Unknown`] with none.
pub fn type_object(value: &Value) -> (Object, Vec<SchemaIssue>) {
    let mut issues = Vec::new();
    let Some((api_version, kind)) = header(value, &mut issues) else {
        let field = |k: &str| {
            value
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        return (
            Object::Unknown {
                api_version: field("apiVersion"),
                kind: field("kind"),
            },
            issues,
        );
    };
    // Go's base64 decoder, which the API server uses for Secret data, skips line breaks
    // (kustomize folds long values into `|` blocks); k8s-openapi's does not.
    let folded;
    let value = if kind == "Secret" && has_folded_data(value) {
        folded = unfold_data(value);
        &folded
    } else {
        value
    };
    if (api_version, kind) == ("autoscaling/v1", "HorizontalPodAutoscaler") {
        let shape = &AUTOSCALING_V1_HORIZONTAL_POD_AUTOSCALER;
        let object = decode::<HpaV1>(value, shape, &mut issues)
            .map(|h| Object::HorizontalPodAutoscaler(hpa_v1_to_v2(h)))
            .unwrap_or_else(|| Object::Unknown {
                api_version: api_version.to_string(),
                kind: kind.to_string(),
            });
        return (object, issues);
    }
    let typed = match type_kind(api_version, kind, value, &mut issues) {
        Some(typed) => typed,
        None => {
            issues.extend(mismatch(api_version, kind));
            None
        }
    };
    let object = typed.unwrap_or_else(|| Object::Unknown {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
    });
    (object, issues)
}

/// An `autoscaling/v1` HorizontalPodAutoscaler as `autoscaling/v2`, converted as the API
/// server converts it (both versions are served; v1's CPU target becomes a Resource metric),
/// so the rules check one shape.
fn hpa_v1_to_v2(h: HpaV1) -> HorizontalPodAutoscaler {
    use k8s_openapi::api::autoscaling::v2;
    let spec = h.spec.map(|s| v2::HorizontalPodAutoscalerSpec {
        max_replicas: s.max_replicas,
        min_replicas: s.min_replicas,
        scale_target_ref: v2::CrossVersionObjectReference {
            api_version: s.scale_target_ref.api_version,
            kind: s.scale_target_ref.kind,
            name: s.scale_target_ref.name,
        },
        metrics: s.target_cpu_utilization_percentage.map(|pct| {
            vec![v2::MetricSpec {
                type_: "Resource".to_string(),
                resource: Some(v2::ResourceMetricSource {
                    name: "cpu".to_string(),
                    target: v2::MetricTarget {
                        type_: "Utilization".to_string(),
                        average_utilization: Some(pct),
                        ..Default::default()
                    },
                }),
                ..Default::default()
            }]
        }),
        behavior: None,
    });
    HorizontalPodAutoscaler {
        metadata: h.metadata,
        spec,
        status: None,
    }
}

fn has_folded_data(value: &Value) -> bool {
    value
        .get("data")
        .and_then(Value::as_object)
        .is_some_and(|m| {
            m.values()
                .any(|v| v.as_str().is_some_and(|s| s.contains(['\n', '\r'])))
        })
}

fn unfold_data(value: &Value) -> Value {
    let mut v = value.clone();
    if let Some(data) = v.get_mut("data").and_then(Value::as_object_mut) {
        for s in data.values_mut() {
            if let Some(text) = s.as_str() {
                *s = Value::String(text.chars().filter(|c| !matches!(c, '\n' | '\r')).collect());
            }
        }
    }
    v
}

/// The document's (apiVersion, kind), or `None` after reporting why there is none.
fn header<'v>(value: &'v Value, issues: &mut Vec<SchemaIssue>) -> Option<(&'v str, &'v str)> {
    let Some(map) = value.as_object() else {
        let found = type_name(value);
        issues.push(SchemaIssue::new(
            FieldPath::root(),
            format!("a manifest must be a mapping, found {found}"),
        ));
        return None;
    };
    let mut field = |key: &str| match map.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.as_str()),
        None | Some(Value::Null) => {
            issues.push(SchemaIssue::new(
                FieldPath::root(),
                format!("missing required field `{key}`"),
            ));
            None
        }
        Some(other) => {
            let found = match other {
                Value::String(_) => "an empty one",
                _ => type_name(other),
            };
            issues.push(SchemaIssue::new(
                FieldPath::root().key(key),
                format!("{key} must be a non-empty string, found {found}"),
            ));
            None
        }
    };
    let api_version = field("apiVersion");
    let kind = field("kind");
    Some((api_version?, kind?))
}

/// Why an untyped (apiVersion, kind) is a mistake, if it looks like one: a typed kind under
/// another version of its group or under a built-in group (`autoscaling/v1`
/// HorizontalPodAutoscaler, `extensions/v1beta1` Ingress), or a near-miss of a typed kind.
/// A kind of a third-party group (`serving.knative.dev/v1` Route) is no mistake.
fn mismatch(api_version: &str, kind: &str) -> Option<SchemaIssue> {
    if let Some(&(want, _)) = TYPED.iter().find(|(_, k)| *k == kind) {
        let comparable = group(want) == group(api_version) || is_builtin_group(api_version);
        return comparable.then(|| {
            let message =
                format!("apiVersion `{api_version}` does not match kind {kind}: use `{want}`");
            SchemaIssue::new(FieldPath::root().key("apiVersion"), message)
        });
    }
    let &(_, near) = TYPED
        .iter()
        .find(|(v, k)| *v == api_version && near_miss(kind, k))?;
    Some(SchemaIssue::new(
        FieldPath::root().key("kind"),
        format!("unknown kind `{kind}` in {api_version}: did you mean `{near}`?"),
    ))
}

fn group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// Kubernetes' own groups have no dot (core, apps, batch, ...) or end in `.k8s.io`; every
/// custom resource group has a dot and is not under `k8s.io`.
fn is_builtin_group(api_version: &str) -> bool {
    let g = group(api_version);
    !g.contains('.') || g.ends_with(".k8s.io")
}

/// Same letters in another case, or one or two edits away for longer names (edits as
/// [`crate::suggest`] counts them).
pub(super) fn near_miss(a: &str, b: &str) -> bool {
    let limit = if b.len() < 6 { 1 } else { 2 };
    a.eq_ignore_ascii_case(b) || crate::suggest::edit_halves(a, b) <= 2 * limit
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a sequence",
        Value::Object(_) => "a mapping",
    }
}

/// Deserializes a `T`, reporting ignored (unknown) fields and then required fields `shape`
/// says are missing. The first pass tracks no paths; only a failed document is gone over
/// again, with paths, to say where and what else is wrong.
fn decode<T: DeserializeOwned>(
    value: &Value,
    shape: &Shape,
    issues: &mut Vec<SchemaIssue>,
) -> Option<T> {
    let typed = match listen::<T>(value) {
        (Ok(typed), unknown) => {
            issues.extend(unknown.into_iter().map(unknown_field));
            typed
        }
        (Err(_), _) => decode_failed::<T>(value, issues)?,
    };
    check_required(value, shape, &Trail::Root, issues);
    Some(typed)
}

/// What `serde_ignored` calls with each ignored field. One type for every kind, so the
/// deserializers of types kinds share (PodSpec, ObjectMeta, ...) are compiled once, not
/// once per kind: a closure type of its own per `decode::<T>` multiplied compile time.
type Listener<'a> = &'a mut dyn FnMut(serde_ignored::Path<'_>);

/// Deserializes a `T`, collecting the paths of the fields it ignored.
fn listen<T: DeserializeOwned>(value: &Value) -> (Result<T, serde_json::Error>, Vec<FieldPath>) {
    let mut unknown = Vec::new();
    let mut listener: Listener<'_> = &mut |p| unknown.push(ignored_path(&p));
    let typed = T::deserialize(serde_ignored::Deserializer::new(value, &mut listener));
    (typed, unknown)
}

/// Passes over a document that failed to type, at most this many times.
const MAX_PASSES: usize = 16;

/// Reports every error of a document that failed to type: after each one, the field at
/// fault is taken out of a copy and the copy typed again, until it types (then its unknown
/// fields are reported too) or an error leaves nothing to take out. The typed copy is kept
/// only if every error was an unknown field (of a `deny_unknown_fields` type): those are as
/// harmless here as anywhere else.
fn decode_failed<T: DeserializeOwned>(value: &Value, issues: &mut Vec<SchemaIssue>) -> Option<T> {
    let mut doc = value.clone();
    let mut removed: Vec<FieldPath> = Vec::new();
    let mut hard = false;
    for _ in 0..MAX_PASSES {
        let Err(err) = serde_path_to_error::deserialize::<_, T>(&doc) else {
            let (typed, unknown) = listen::<T>(&doc);
            issues.extend(unknown.into_iter().map(unknown_field));
            return typed.ok().filter(|_| !hard);
        };
        let at = tracked_path(err.path());
        let culprit = match serde_error(at, &err.into_inner().to_string()) {
            SerdeError::Unknown(path) => {
                issues.push(unknown_field(path.clone()));
                path
            }
            SerdeError::Missing(at, field) => {
                if !removed.contains(&at.key(&field)) {
                    let message = format!("missing required field `{field}`");
                    issues.push(SchemaIssue::new(at.clone(), message));
                }
                hard = true;
                at
            }
            SerdeError::Other(at, message) => {
                issues.push(SchemaIssue::new(at.clone(), message));
                hard = true;
                at
            }
        };
        removed.push(remove_field(&mut doc, &culprit)?);
    }
    None
}

/// A serde error, sorted by what to do about it.
enum SerdeError {
    /// A field a `deny_unknown_fields` type does not have, at its full path.
    Unknown(FieldPath),
    /// A required field missing from the object at the path.
    Missing(FieldPath, String),
    /// Anything else (wrong type, bad enum value), at the value's path.
    Other(FieldPath, String),
}

fn serde_error(at: FieldPath, message: &str) -> SerdeError {
    let quoted = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
    };
    if let Some(field) = quoted("unknown field `") {
        // The error is raised while reading the key: the path may or may not name it yet.
        let named = matches!(at.0.last(), Some(Seg::Key(k)) if k == field);
        return SerdeError::Unknown(if named { at } else { at.key(field) });
    }
    if let Some(field) = quoted("missing field `") {
        return SerdeError::Missing(at, field.to_string());
    }
    SerdeError::Other(at, message.to_string())
}

/// Takes the field holding `path` (the path itself, or the sequence it is an item of) out
/// of `doc`; returns the path of what it took, or `None` when nothing can be taken.
fn remove_field(doc: &mut Value, path: &FieldPath) -> Option<FieldPath> {
    let last_key = path.0.iter().rposition(|s| matches!(s, Seg::Key(_)))?;
    let mut node = &mut *doc;
    for seg in &path.0[..last_key] {
        node = match seg {
            Seg::Key(k) => node.get_mut(k.as_str())?,
            Seg::Index(i) => node.get_mut(*i)?,
        };
    }
    let Seg::Key(key) = &path.0[last_key] else {
        return None;
    };
    node.as_object_mut()?.remove(key)?;
    Some(FieldPath(path.0[..=last_key].to_vec()))
}

pub(super) fn unknown_field(path: FieldPath) -> SchemaIssue {
    let name = match path.0.last() {
        Some(Seg::Key(k)) => k.clone(),
        _ => String::new(),
    };
    SchemaIssue::new(path, format!("unknown field `{name}`"))
}

fn ignored_path(path: &serde_ignored::Path<'_>) -> FieldPath {
    fn push(path: &serde_ignored::Path<'_>, out: &mut Vec<Seg>) {
        match path {
            serde_ignored::Path::Root => {}
            serde_ignored::Path::Seq { parent, index } => {
                push(parent, out);
                out.push(Seg::Index(*index));
            }
            serde_ignored::Path::Map { parent, key } => {
                push(parent, out);
                out.push(Seg::Key(key.clone()));
            }
            serde_ignored::Path::Some { parent }
            | serde_ignored::Path::NewtypeStruct { parent }
            | serde_ignored::Path::NewtypeVariant { parent } => push(parent, out),
        }
    }
    let mut segs = Vec::new();
    push(path, &mut segs);
    FieldPath(segs)
}

fn tracked_path(path: &serde_path_to_error::Path) -> FieldPath {
    use serde_path_to_error::Segment;
    let segs = path.iter().filter_map(|s| match s {
        Segment::Seq { index } => Some(Seg::Index(*index)),
        Segment::Map { key } => Some(Seg::Key(key.clone())),
        Segment::Enum { .. } | Segment::Unknown => None,
    });
    FieldPath(segs.collect())
}

// ---------------------------------------------------------------------------------------
// Required fields
// ---------------------------------------------------------------------------------------

/// The required fields of one type, and the fields whose types hold more of them.
struct Shape {
    required: &'static [&'static str],
    nested: &'static [(&'static str, Nest, &'static Shape)],
}

/// How a nested field holds its type: one value, or a sequence of them.
#[derive(Clone, Copy)]
enum Nest {
    One,
    List,
}

// CORE_V1_POD, APPS_V1_DEPLOYMENT, ...: one `static` per k8s-openapi type that matters.
include!("../../schemas/k8s_required_v1_33.rs");

// Route and ServiceMonitor: serde demands their own required fields; these cover the
// k8s-openapi types they embed.
static ROUTE: Shape = Shape {
    required: &[],
    nested: &[("metadata", Nest::One, &META_V1_OBJECT_META)],
};
static HTTP_ROUTE: Shape = Shape {
    required: &[],
    nested: &[("metadata", Nest::One, &META_V1_OBJECT_META)],
};
static SERVICE_MONITOR: Shape = Shape {
    required: &[],
    nested: &[
        ("metadata", Nest::One, &META_V1_OBJECT_META),
        ("spec", Nest::One, &SERVICE_MONITOR_SPEC),
    ],
};
static SERVICE_MONITOR_SPEC: Shape = Shape {
    required: &[],
    nested: &[("selector", Nest::One, &META_V1_LABEL_SELECTOR)],
};

/// Where the walk is: a path kept on the stack, made a [`FieldPath`] only for an issue.
enum Trail<'a> {
    Root,
    Key(&'a Trail<'a>, &'a str),
    Index(&'a Trail<'a>, usize),
}

impl Trail<'_> {
    fn to_path(&self) -> FieldPath {
        fn push(t: &Trail<'_>, out: &mut Vec<Seg>) {
            match t {
                Trail::Root => {}
                Trail::Key(parent, k) => {
                    push(parent, out);
                    out.push(Seg::Key((*k).to_string()));
                }
                Trail::Index(parent, i) => {
                    push(parent, out);
                    out.push(Seg::Index(*i));
                }
            }
        }
        let mut segs = Vec::new();
        push(self, &mut segs);
        FieldPath(segs)
    }
}

/// Reports each required field of `shape` that `value` lacks (or holds null), at the path
/// of the object lacking it, and goes down into the nested fields present.
fn check_required(value: &Value, shape: &Shape, at: &Trail<'_>, issues: &mut Vec<SchemaIssue>) {
    let Some(map) = value.as_object() else { return };
    for field in shape.required {
        if map.get(*field).is_none_or(Value::is_null) {
            issues.push(SchemaIssue::new(
                at.to_path(),
                format!("missing required field `{field}`"),
            ));
        }
    }
    for (key, nest, inner) in shape.nested {
        let Some(child) = map.get(*key) else { continue };
        let here = Trail::Key(at, key);
        match (nest, child) {
            (Nest::One, _) => check_required(child, inner, &here, issues),
            (Nest::List, Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    check_required(item, inner, &Trail::Index(&here, i), issues);
                }
            }
            (Nest::List, _) => {}
        }
    }
}
