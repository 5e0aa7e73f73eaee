//! Typing: one parsed manifest document (`serde_json::Value`) into its k8s-openapi kind.
//!
//! Owns the table of kinds `gen` understands ([`Object`]), the serde types of the custom
//! resources it emits (OpenShift [`Route`], Prometheus-operator [`ServiceMonitor`], Gateway
//! API [`HttpRoute`]),
//! and every schema problem found on the way, each with the [`FieldPath`] it is about:
//! unknown or misspelled fields, wrong types, missing required fields, and an `apiVersion`
//! or `kind` that names nothing typed. [`validate_crd`] adds full JSON-Schema validation of
//! the two custom resources against the CRD catalog copies in `schemas/`.
//!
//! k8s-openapi ignores unknown fields and fills missing required ones with defaults, so
//! typing listens for the first with `serde_ignored` and checks the second against a table
//! generated from k8s-openapi's sources (`schemas/k8s_required.py`).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

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
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::{ClusterResourceScope, Metadata, NamespaceResourceScope, Resource};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::path::{FieldPath, Seg};

/// One schema problem in a document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SchemaIssue {
    pub path: FieldPath,
    pub message: String,
}

impl SchemaIssue {
    fn new(path: FieldPath, message: impl Into<String>) -> SchemaIssue {
        SchemaIssue {
            path,
            message: message.into(),
        }
    }
}

impl fmt::Display for SchemaIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

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
fn near_miss(a: &str, b: &str) -> bool {
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

fn unknown_field(path: FieldPath) -> SchemaIssue {
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
include!("../schemas/k8s_required_v1_33.rs");

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

// ---------------------------------------------------------------------------------------
// Route (route.openshift.io/v1)
// ---------------------------------------------------------------------------------------

/// An OpenShift Route, fields as in the CRD (schemas/route_route.openshift.io_v1.json).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Route {
    pub api_version: String,
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    pub spec: RouteSpec,
    /// Written by the router; kept only so a Route read back from a cluster types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouteSpec {
    pub host: Option<String>,
    pub path: Option<String>,
    pub subdomain: Option<String>,
    pub to: RouteTargetReference,
    pub alternate_backends: Option<Vec<RouteTargetReference>>,
    pub port: Option<RoutePort>,
    pub tls: Option<TlsConfig>,
    pub wildcard_policy: Option<WildcardPolicy>,
    /// Header actions: left to [`validate_crd`].
    pub http_headers: Option<Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouteTargetReference {
    /// The API server defaults it to `Service`.
    #[serde(default)]
    pub kind: TargetKind,
    pub name: String,
    pub weight: Option<i32>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum TargetKind {
    #[default]
    Service,
    #[serde(rename = "")]
    Unset,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RoutePort {
    pub target_port: IntOrString,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TlsConfig {
    pub termination: TlsTermination,
    pub insecure_edge_termination_policy: Option<InsecureEdgeTerminationPolicy>,
    pub certificate: Option<String>,
    pub key: Option<String>,
    pub ca_certificate: Option<String>,
    #[serde(rename = "destinationCACertificate")]
    pub destination_ca_certificate: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsTermination {
    Edge,
    Passthrough,
    Reencrypt,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum InsecureEdgeTerminationPolicy {
    None,
    Allow,
    Redirect,
    #[serde(rename = "")]
    Unset,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum WildcardPolicy {
    None,
    Subdomain,
    #[serde(rename = "")]
    Unset,
}

impl Resource for Route {
    const API_VERSION: &'static str = "route.openshift.io/v1";
    const GROUP: &'static str = "route.openshift.io";
    const KIND: &'static str = "Route";
    const VERSION: &'static str = "v1";
    const URL_PATH_SEGMENT: &'static str = "routes";
    type Scope = NamespaceResourceScope;
}

impl Metadata for Route {
    type Ty = ObjectMeta;
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

// ---------------------------------------------------------------------------------------
// ServiceMonitor (monitoring.coreos.com/v1)
// ---------------------------------------------------------------------------------------

/// A Prometheus-operator ServiceMonitor, fields as in the CRD
/// (schemas/servicemonitor_monitoring.coreos.com_v1.json).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceMonitor {
    pub api_version: String,
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    pub spec: ServiceMonitorSpec,
    /// Written by the operator; kept only so a ServiceMonitor read back from a cluster types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceMonitorSpec {
    pub endpoints: Vec<Endpoint>,
    pub selector: LabelSelector,
    pub namespace_selector: Option<NamespaceSelector>,
    pub job_label: Option<String>,
    pub target_labels: Option<Vec<String>>,
    pub pod_target_labels: Option<Vec<String>>,
    pub sample_limit: Option<i64>,
    pub target_limit: Option<i64>,
    pub label_limit: Option<i64>,
    pub label_name_length_limit: Option<i64>,
    pub label_value_length_limit: Option<i64>,
    pub keep_dropped_targets: Option<i64>,
    pub native_histogram_bucket_limit: Option<i64>,
    pub native_histogram_min_bucket_factor: Option<Quantity>,
    pub body_size_limit: Option<String>,
    pub attach_metadata: Option<AttachMetadata>,
    pub scrape_class: Option<String>,
    pub scrape_protocols: Option<Vec<ScrapeProtocol>>,
    pub fallback_scrape_protocol: Option<ScrapeProtocol>,
    pub scrape_classic_histograms: Option<bool>,
    pub scrape_native_histograms: Option<bool>,
    #[serde(rename = "convertClassicHistogramsToNHCB")]
    pub convert_classic_histograms_to_nhcb: Option<bool>,
    pub selector_mechanism: Option<SelectorMechanism>,
    pub service_discovery_role: Option<ServiceDiscoveryRole>,
}

/// One scrape endpoint of a ServiceMonitor.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Endpoint {
    pub port: Option<String>,
    pub target_port: Option<IntOrString>,
    pub path: Option<String>,
    pub scheme: Option<Scheme>,
    pub params: Option<BTreeMap<String, Vec<String>>>,
    pub interval: Option<String>,
    pub scrape_timeout: Option<String>,
    pub honor_labels: Option<bool>,
    pub honor_timestamps: Option<bool>,
    pub track_timestamps_staleness: Option<bool>,
    pub relabelings: Option<Vec<RelabelConfig>>,
    pub metric_relabelings: Option<Vec<RelabelConfig>>,
    pub tls_config: Option<EndpointTlsConfig>,
    pub bearer_token_file: Option<String>,
    pub bearer_token_secret: Option<KeySelector>,
    pub authorization: Option<Authorization>,
    pub basic_auth: Option<BasicAuth>,
    /// OAuth2 client settings: left to [`validate_crd`].
    pub oauth2: Option<Value>,
    pub enable_http2: Option<bool>,
    pub filter_running: Option<bool>,
    pub follow_redirects: Option<bool>,
    pub proxy_url: Option<String>,
    pub no_proxy: Option<String>,
    pub proxy_from_environment: Option<bool>,
    pub proxy_connect_header: Option<BTreeMap<String, Vec<KeySelector>>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum Scheme {
    #[serde(rename = "http", alias = "HTTP")]
    Http,
    #[serde(rename = "https", alias = "HTTPS")]
    Https,
}

/// A Prometheus relabeling rule.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RelabelConfig {
    pub action: Option<RelabelAction>,
    pub source_labels: Option<Vec<String>>,
    pub separator: Option<String>,
    pub target_label: Option<String>,
    pub regex: Option<String>,
    pub modulus: Option<i64>,
    pub replacement: Option<String>,
}

/// Relabeling actions; the CRD takes each in lower or Camel case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum RelabelAction {
    #[serde(rename = "replace", alias = "Replace")]
    Replace,
    #[serde(rename = "keep", alias = "Keep")]
    Keep,
    #[serde(rename = "drop", alias = "Drop")]
    Drop,
    #[serde(rename = "hashmod", alias = "HashMod")]
    HashMod,
    #[serde(rename = "labelmap", alias = "LabelMap")]
    LabelMap,
    #[serde(rename = "labeldrop", alias = "LabelDrop")]
    LabelDrop,
    #[serde(rename = "labelkeep", alias = "LabelKeep")]
    LabelKeep,
    #[serde(rename = "lowercase", alias = "Lowercase")]
    Lowercase,
    #[serde(rename = "uppercase", alias = "Uppercase")]
    Uppercase,
    #[serde(rename = "keepequal", alias = "KeepEqual")]
    KeepEqual,
    #[serde(rename = "dropequal", alias = "DropEqual")]
    DropEqual,
}

/// TLS settings of a scrape endpoint.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EndpointTlsConfig {
    pub ca: Option<SecretOrConfigMap>,
    pub ca_file: Option<String>,
    pub cert: Option<SecretOrConfigMap>,
    pub cert_file: Option<String>,
    pub key_file: Option<String>,
    pub key_secret: Option<KeySelector>,
    pub insecure_skip_verify: Option<bool>,
    pub server_name: Option<String>,
    pub min_version: Option<TlsVersion>,
    pub max_version: Option<TlsVersion>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecretOrConfigMap {
    pub secret: Option<KeySelector>,
    pub config_map: Option<KeySelector>,
}

/// A key of a Secret or ConfigMap (`name` defaults to "" in the CRD).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KeySelector {
    pub key: String,
    #[serde(default)]
    pub name: String,
    pub optional: Option<bool>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum TlsVersion {
    #[serde(rename = "TLS10")]
    Tls10,
    #[serde(rename = "TLS11")]
    Tls11,
    #[serde(rename = "TLS12")]
    Tls12,
    #[serde(rename = "TLS13")]
    Tls13,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Authorization {
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub credentials: Option<KeySelector>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BasicAuth {
    pub username: Option<KeySelector>,
    pub password: Option<KeySelector>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NamespaceSelector {
    pub any: Option<bool>,
    pub match_names: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AttachMetadata {
    pub node: Option<bool>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum ScrapeProtocol {
    PrometheusProto,
    #[serde(rename = "OpenMetricsText0.0.1")]
    OpenMetricsText001,
    #[serde(rename = "OpenMetricsText1.0.0")]
    OpenMetricsText100,
    #[serde(rename = "PrometheusText0.0.4")]
    PrometheusText004,
    #[serde(rename = "PrometheusText1.0.0")]
    PrometheusText100,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum SelectorMechanism {
    RelabelConfig,
    RoleSelector,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum ServiceDiscoveryRole {
    Endpoints,
    EndpointSlice,
}

impl Resource for ServiceMonitor {
    const API_VERSION: &'static str = "monitoring.coreos.com/v1";
    const GROUP: &'static str = "monitoring.coreos.com";
    const KIND: &'static str = "ServiceMonitor";
    const VERSION: &'static str = "v1";
    const URL_PATH_SEGMENT: &'static str = "servicemonitors";
    type Scope = NamespaceResourceScope;
}

impl Metadata for ServiceMonitor {
    type Ty = ObjectMeta;
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

// ---------------------------------------------------------------------------------------
// HTTPRoute (gateway.networking.k8s.io/v1)
// ---------------------------------------------------------------------------------------

/// A Gateway API HTTPRoute: the header and the fields gen writes are typed here, the rules
/// (matches, filters, backends, timeouts) are left to [`validate_crd`] and its schema
/// (schemas/httproute_gateway.networking.k8s.io_v1.json), which also refuses unknown fields.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HttpRoute {
    pub api_version: String,
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    pub spec: HttpRouteSpec,
    /// Written by the Gateway's controller; kept only so a route read back from a cluster types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HttpRouteSpec {
    pub parent_refs: Option<Vec<ParentReference>>,
    pub hostnames: Option<Vec<String>>,
    pub rules: Option<Vec<Value>>,
}

/// The Gateway (or other parent) a route attaches to.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ParentReference {
    pub group: Option<String>,
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: String,
    pub section_name: Option<String>,
    pub port: Option<i32>,
}

impl Resource for HttpRoute {
    const API_VERSION: &'static str = "gateway.networking.k8s.io/v1";
    const GROUP: &'static str = "gateway.networking.k8s.io";
    const KIND: &'static str = "HTTPRoute";
    const VERSION: &'static str = "v1";
    const URL_PATH_SEGMENT: &'static str = "httproutes";
    type Scope = NamespaceResourceScope;
}

impl Metadata for HttpRoute {
    type Ty = ObjectMeta;
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

// ---------------------------------------------------------------------------------------
// JSON-Schema validation of the custom resources
// ---------------------------------------------------------------------------------------

/// A catalog schema and its compiled validator.
struct Catalog {
    schema: Value,
    validator: jsonschema::Validator,
}

static ROUTE_SCHEMA: &str = include_str!("../schemas/route_route.openshift.io_v1.json");
static SERVICE_MONITOR_SCHEMA: &str =
    include_str!("../schemas/servicemonitor_monitoring.coreos.com_v1.json");
static HTTP_ROUTE_SCHEMA: &str =
    include_str!("../schemas/httproute_gateway.networking.k8s.io_v1.json");

/// Compiles a catalog schema the first time it is asked for.
fn catalog(cell: &'static OnceLock<Catalog>, text: &str) -> &'static Catalog {
    cell.get_or_init(|| {
        let schema: Value = serde_json::from_str(text).expect("embedded catalog schema is json");
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .build(&schema)
            .expect("embedded catalog schema compiles");
        Catalog { schema, validator }
    })
}

/// Validates a Route, ServiceMonitor or HTTPRoute against its CRD's full JSON schema (patterns,
/// bounds, enums, every nested field); `None` for any other document. The schema is
/// compiled once per process, on first use. CEL rules (`x-kubernetes-validations`) are
/// not checked, and a required field the CRD defaults is not demanded.
pub fn validate_crd(value: &Value) -> Option<Vec<SchemaIssue>> {
    static ROUTES: OnceLock<Catalog> = OnceLock::new();
    static SERVICE_MONITORS: OnceLock<Catalog> = OnceLock::new();
    static HTTP_ROUTES: OnceLock<Catalog> = OnceLock::new();
    let api_version = value.get("apiVersion")?.as_str()?;
    let kind = value.get("kind")?.as_str()?;
    let catalog = if (api_version, kind) == (Route::API_VERSION, Route::KIND) {
        catalog(&ROUTES, ROUTE_SCHEMA)
    } else if (api_version, kind) == (ServiceMonitor::API_VERSION, ServiceMonitor::KIND) {
        catalog(&SERVICE_MONITORS, SERVICE_MONITOR_SCHEMA)
    } else if (api_version, kind) == (HttpRoute::API_VERSION, HttpRoute::KIND) {
        catalog(&HTTP_ROUTES, HTTP_ROUTE_SCHEMA)
    } else {
        return None;
    };
    let mut issues = Vec::new();
    for error in catalog.validator.iter_errors(value) {
        schema_issues(&catalog.schema, value, &error, &mut issues);
    }
    Some(issues)
}

/// The issues one JSON-Schema error stands for (none for a defaulted required field).
fn schema_issues(
    schema: &Value,
    doc: &Value,
    error: &jsonschema::ValidationError<'_>,
    out: &mut Vec<SchemaIssue>,
) {
    use jsonschema::error::ValidationErrorKind as Kind;
    let at = pointer_path(doc, error.instance_path().as_str());
    match error.kind() {
        Kind::Required { property } => {
            let field = property.as_str().unwrap_or_default();
            if !defaulted(schema, error.schema_path().as_str(), field) {
                out.push(SchemaIssue::new(
                    at,
                    format!("missing required field `{field}`"),
                ));
            }
        }
        Kind::AdditionalProperties { unexpected } => {
            out.extend(unexpected.iter().map(|name| unknown_field(at.key(name))));
        }
        _ => out.push(SchemaIssue::new(at, lowercase_first(&error.to_string()))),
    }
}

/// Whether the schema object whose `required` keyword is at `required_at` gives `field` a
/// default: the API server fills those in before it validates.
fn defaulted(schema: &Value, required_at: &str, field: &str) -> bool {
    let object_at = required_at.strip_suffix("/required").unwrap_or(required_at);
    schema
        .pointer(object_at)
        .and_then(|o| o.get("properties")?.get(field)?.get("default"))
        .is_some()
}

/// A JSON pointer into `doc` as a field path; a segment is an index only where `doc` holds
/// a sequence, so a mapping key like "0" stays a key.
fn pointer_path(doc: &Value, pointer: &str) -> FieldPath {
    let mut node = Some(doc);
    let mut segs = Vec::new();
    for raw in pointer.split('/').skip(1) {
        let key = raw.replace("~1", "/").replace("~0", "~");
        let index = match node {
            Some(Value::Array(_)) => key.parse::<usize>().ok(),
            _ => None,
        };
        node = match index {
            Some(i) => node.and_then(|n| n.get(i)),
            None => node.and_then(|n| n.get(key.as_str())),
        };
        segs.push(index.map_or(Seg::Key(key), Seg::Index));
    }
    FieldPath(segs)
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect())
}

#[cfg(test)]
mod folded_secret_tests {
    use super::*;

    #[test]
    fn secret_data_folded_by_kustomize_types_like_the_api_server_reads_it() {
        let v: Value = serde_json::json!({
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "data": {"jaas.config": "S2Fma2FD\nbGllbnQ=\n"}
        });
        let (o, issues) = type_object(&v);
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(o.kind(), "Secret");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment() -> Value {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "migratorydata", "labels": {"app": "migratorydata"}},
            "spec": {
                "replicas": 3,
                "selector": {"matchLabels": {"app": "migratorydata"}},
                "template": {
                    "metadata": {"labels": {"app": "migratorydata"}},
                    "spec": {"containers": [{
                        "name": "server",
                        "image": "migratorydata/server:6.0.23",
                        "imagePullPolicy": "IfNotPresent",
                        "ports": [{"name": "client", "containerPort": 8800}],
                        "resources": {"requests": {"cpu": 0.5, "memory": "1Gi"}, "limits": {"cpu": 2}},
                        "readinessProbe": {"tcpSocket": {"port": "client"}},
                        "livenessProbe": {"httpGet": {"port": 8800, "path": "/"}}
                    }]}
                }
            }
        })
    }

    fn route() -> Value {
        json!({
            "apiVersion": "route.openshift.io/v1",
            "kind": "Route",
            "metadata": {"name": "migratorydata", "namespace": "md"},
            "spec": {
                "host": "push.example.com",
                "to": {"kind": "Service", "name": "migratorydata-cs", "weight": 100},
                "port": {"targetPort": "client"},
                "tls": {"termination": "edge", "insecureEdgeTerminationPolicy": "Redirect"},
                "wildcardPolicy": "None"
            }
        })
    }

    fn service_monitor() -> Value {
        json!({
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "ServiceMonitor",
            "metadata": {"name": "migratorydata"},
            "spec": {
                "selector": {"matchLabels": {"app": "migratorydata"}},
                "namespaceSelector": {"matchNames": ["md"]},
                "endpoints": [{
                    "port": "metrics",
                    "path": "/metrics",
                    "scheme": "http",
                    "interval": "30s",
                    "scrapeTimeout": "10s",
                    "honorLabels": true,
                    "relabelings": [{"action": "replace", "sourceLabels": ["__meta_kubernetes_pod_name"], "targetLabel": "pod"}],
                    "tlsConfig": {"insecureSkipVerify": false, "ca": {"secret": {"name": "ca", "key": "ca.crt"}}}
                }]
            }
        })
    }

    /// Sets the value at a dotted path, creating nothing: the parent must exist.
    fn set(doc: &mut Value, dotted: &str, v: Value) {
        let path = FieldPath::parse(dotted);
        let (last, parents) = path.0.split_last().unwrap();
        let mut node = doc;
        for seg in parents {
            node = match seg {
                Seg::Key(k) => node.get_mut(k.as_str()).unwrap(),
                Seg::Index(i) => node.get_mut(*i).unwrap(),
            };
        }
        let Seg::Key(k) = last else {
            panic!("last segment must be a key")
        };
        node.as_object_mut().unwrap().insert(k.clone(), v);
    }

    fn paths(issues: &[SchemaIssue]) -> Vec<String> {
        issues.iter().map(|i| i.path.to_string()).collect()
    }

    #[test]
    fn valid_deployment_types_cleanly() {
        let (object, issues) = type_object(&deployment());
        assert_eq!(issues, vec![]);
        let Object::Deployment(d) = &object else {
            panic!("not a Deployment: {object:?}")
        };
        assert_eq!(d.spec.as_ref().unwrap().replicas, Some(3));
        assert_eq!(
            (object.kind(), object.api_version()),
            ("Deployment", "apps/v1")
        );
        assert_eq!(object.is_namespaced(), Some(true));
        assert_eq!(
            object.metadata().unwrap().name.as_deref(),
            Some("migratorydata")
        );
    }

    #[test]
    fn misspelled_spec_field_is_reported_and_object_still_types() {
        let mut doc = deployment();
        set(&mut doc, "spec.replicsa", json!(3));
        let (object, issues) = type_object(&doc);
        assert!(matches!(object, Object::Deployment(_)));
        assert_eq!(paths(&issues), ["spec.replicsa"]);
        assert_eq!(issues[0].message, "unknown field `replicsa`");
    }

    #[test]
    fn misspelled_container_field_has_its_full_path() {
        let mut doc = deployment();
        set(
            &mut doc,
            "spec.template.spec.containers[0].imagePullPolcy",
            json!("Always"),
        );
        let (_, issues) = type_object(&doc);
        assert_eq!(
            paths(&issues),
            ["spec.template.spec.containers[0].imagePullPolcy"]
        );
        assert!(issues[0].message.contains("unknown field"));
    }

    #[test]
    fn string_for_an_int_is_a_type_error_at_its_path() {
        let mut doc = deployment();
        set(&mut doc, "spec.replicas", json!("3"));
        let (object, issues) = type_object(&doc);
        assert!(matches!(&object, Object::Unknown { kind, .. } if kind == "Deployment"));
        assert_eq!(paths(&issues), ["spec.replicas"]);
        assert!(
            issues[0].message.contains("invalid type: string \"3\""),
            "{}",
            issues[0].message
        );
    }

    #[test]
    fn every_type_error_and_unknown_field_of_a_failed_document_is_reported() {
        let mut doc = deployment();
        set(&mut doc, "spec.replicas", json!("3"));
        set(
            &mut doc,
            "spec.template.spec.containers[0].ports[0].containerPort",
            json!("8800"),
        );
        set(
            &mut doc,
            "spec.template.spec.containers[0].imagePullPolcy",
            json!("Always"),
        );
        set(&mut doc, "spec.paused", json!("no"));
        let (_, issues) = type_object(&doc);
        let mut got = paths(&issues);
        got.sort();
        assert_eq!(
            got,
            [
                "spec.paused",
                "spec.replicas",
                "spec.template.spec.containers[0].imagePullPolcy",
                "spec.template.spec.containers[0].ports[0].containerPort",
            ]
        );
    }

    #[test]
    fn missing_selector_is_reported_on_spec() {
        let mut doc = deployment();
        doc["spec"].as_object_mut().unwrap().remove("selector");
        let (object, issues) = type_object(&doc);
        assert!(
            matches!(object, Object::Deployment(_)),
            "k8s-openapi defaults it: still typed"
        );
        assert_eq!(
            issues,
            vec![SchemaIssue::new(
                FieldPath::parse("spec"),
                "missing required field `selector`"
            )]
        );
    }

    #[test]
    fn missing_required_fields_deep_in_lists_have_their_paths() {
        let mut doc = deployment();
        set(
            &mut doc,
            "spec.template.spec.containers[0].env",
            json!([{"value": "x"}]),
        );
        doc["spec"]["template"]["spec"]["containers"][0]["ports"][0]
            .as_object_mut()
            .unwrap()
            .remove("containerPort");
        let (_, issues) = type_object(&doc);
        let got: Vec<String> = issues.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "spec.template.spec.containers[0].env[0]: missing required field `name`",
                "spec.template.spec.containers[0].ports[0]: missing required field `containerPort`",
            ]
        );
    }

    #[test]
    fn secret_key_ref_without_name_is_not_required() {
        let mut doc = deployment();
        let env = json!([{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"key": "token"}}}]);
        set(&mut doc, "spec.template.spec.containers[0].env", env);
        assert_eq!(type_object(&doc).1, vec![]);
    }

    #[test]
    fn autoscaling_v1_hpa_types_as_v2() {
        let doc = json!({
            "apiVersion": "autoscaling/v1",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "md"},
            "spec": {"minReplicas": 3, "maxReplicas": 5, "targetCPUUtilizationPercentage": 50,
                     "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "md"}}
        });
        let (object, issues) = type_object(&doc);
        assert_eq!(issues, vec![]);
        let Object::HorizontalPodAutoscaler(h) = &object else {
            panic!("not typed: {object:?}")
        };
        let spec = h.spec.as_ref().unwrap();
        assert_eq!((spec.min_replicas, spec.max_replicas), (Some(3), 5));
        assert_eq!(spec.scale_target_ref.name, "md");
        let metric = &spec.metrics.as_ref().unwrap()[0];
        assert_eq!(
            metric.resource.as_ref().unwrap().target.average_utilization,
            Some(50)
        );
        // v2's fields are not v1's: `metrics` under v1 is an unknown field.
        let mut bad = doc.clone();
        set(&mut bad, "spec.metrics", json!([]));
        assert_eq!(paths(&type_object(&bad).1), ["spec.metrics"]);
        // A missing required field is still one.
        let mut missing = doc;
        missing["spec"]
            .as_object_mut()
            .unwrap()
            .remove("maxReplicas");
        assert_eq!(paths(&type_object(&missing).1), ["spec"]);
    }

    #[test]
    fn an_unserved_hpa_version_is_told_to_use_v2() {
        let doc = json!({
            "apiVersion": "autoscaling/v2beta1",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "md"},
            "spec": {"maxReplicas": 5, "scaleTargetRef": {"kind": "StatefulSet", "name": "md"}}
        });
        let (object, issues) = type_object(&doc);
        assert!(matches!(object, Object::Unknown { .. }));
        assert_eq!(paths(&issues), ["apiVersion"]);
        assert!(issues[0].message.contains("use `autoscaling/v2`"));
    }

    #[test]
    fn autoscaling_v2_hpa_types() {
        let doc = json!({
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "md"},
            "spec": {
                "minReplicas": 3, "maxReplicas": 5,
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "md"},
                "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}}}]
            }
        });
        let (object, issues) = type_object(&doc);
        assert_eq!(issues, vec![]);
        assert!(matches!(object, Object::HorizontalPodAutoscaler(_)));
    }

    #[test]
    fn unknown_kind_is_unknown_without_issues() {
        let doc = json!({"apiVersion": "example.com/v1", "kind": "Foo", "metadata": {"name": "x"}});
        let (object, issues) = type_object(&doc);
        assert_eq!(
            object,
            Object::Unknown {
                api_version: "example.com/v1".into(),
                kind: "Foo".into()
            }
        );
        assert_eq!(object.is_namespaced(), None);
        assert_eq!(issues, vec![]);
    }

    #[test]
    fn custom_resource_named_like_a_typed_kind_is_no_mismatch() {
        let doc = json!({"apiVersion": "serving.knative.dev/v1", "kind": "Route", "spec": {}});
        let (object, issues) = type_object(&doc);
        assert_eq!(object.kind(), "Route");
        assert!(matches!(object, Object::Unknown { .. }));
        assert_eq!(issues, vec![]);
    }

    #[test]
    fn misspelled_kind_gets_a_suggestion() {
        let doc = json!({"apiVersion": "apps/v1", "kind": "Deploymnet"});
        let (_, issues) = type_object(&doc);
        assert_eq!(paths(&issues), ["kind"]);
        assert!(
            issues[0].message.contains("did you mean `Deployment`"),
            "{}",
            issues[0].message
        );
    }

    #[test]
    fn missing_header_fields_are_reported() {
        let (object, issues) = type_object(&json!({"metadata": {"name": "x"}}));
        assert!(matches!(object, Object::Unknown { .. }));
        let got: Vec<String> = issues.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "(document): missing required field `apiVersion`",
                "(document): missing required field `kind`"
            ]
        );
        let (_, issues) = type_object(&json!(["not", "a", "mapping"]));
        assert_eq!(
            issues[0].message,
            "a manifest must be a mapping, found a sequence"
        );
        let (_, issues) = type_object(&json!({"apiVersion": 1, "kind": ""}));
        let got: Vec<String> = issues.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "apiVersion: apiVersion must be a non-empty string, found a number",
                "kind: kind must be a non-empty string, found an empty one",
            ]
        );
    }

    #[test]
    fn scope_of_cluster_kinds() {
        let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "md"}});
        assert_eq!(type_object(&ns).0.is_namespaced(), Some(false));
        let crb = json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": "x"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "ServiceAccount", "name": "md", "namespace": "md"}]
        });
        let (object, issues) = type_object(&crb);
        assert_eq!(issues, vec![]);
        assert_eq!(object.is_namespaced(), Some(false));
    }

    #[test]
    fn int_or_string_quantity_and_object_meta_come_from_json_values() {
        let doc = json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "md", "annotations": {"a.b/c": "d"}, "labels": {"app": "md"}},
            "spec": {"ports": [
                {"name": "client", "port": 80, "targetPort": 8800},
                {"name": "named", "port": 81, "targetPort": "client"}
            ]}
        });
        let (object, issues) = type_object(&doc);
        assert_eq!(issues, vec![]);
        let Object::Service(svc) = object else {
            panic!()
        };
        let ports = svc.spec.unwrap().ports.unwrap();
        assert_eq!(ports[0].target_port, Some(IntOrString::Int(8800)));
        assert_eq!(
            ports[1].target_port,
            Some(IntOrString::String("client".into()))
        );
        assert_eq!(svc.metadata.annotations.unwrap()["a.b/c"], "d");

        let (object, issues) = type_object(&deployment());
        assert_eq!(issues, vec![]);
        let Object::Deployment(d) = object else {
            panic!()
        };
        let c = &d.spec.unwrap().template.spec.unwrap().containers[0];
        let res = c.resources.as_ref().unwrap();
        assert_eq!(
            res.requests.as_ref().unwrap()["cpu"],
            Quantity("0.5".into())
        );
        assert_eq!(
            res.requests.as_ref().unwrap()["memory"],
            Quantity("1Gi".into())
        );
        assert_eq!(res.limits.as_ref().unwrap()["cpu"], Quantity("2".into()));
    }

    #[test]
    fn route_types_with_int_or_string_target_port() {
        let (object, issues) = type_object(&route());
        assert_eq!(issues, vec![]);
        let Object::Route(r) = &object else {
            panic!("{object:?}")
        };
        assert_eq!(
            r.spec.port.as_ref().unwrap().target_port,
            IntOrString::String("client".into())
        );
        assert_eq!(
            r.spec.tls.as_ref().unwrap().termination,
            TlsTermination::Edge
        );
        assert_eq!(object.is_namespaced(), Some(true));

        let mut doc = route();
        set(&mut doc, "spec.port.targetPort", json!(8800));
        doc["spec"]["to"].as_object_mut().unwrap().remove("kind");
        let (object, issues) = type_object(&doc);
        assert_eq!(issues, vec![]);
        let Object::Route(r) = object else { panic!() };
        assert_eq!(r.spec.port.unwrap().target_port, IntOrString::Int(8800));
        assert_eq!(r.spec.to.kind, TargetKind::Service);
    }

    #[test]
    fn route_with_bogus_termination_is_an_issue() {
        let mut doc = route();
        set(&mut doc, "spec.tls.termination", json!("bogus"));
        let (object, issues) = type_object(&doc);
        assert!(matches!(object, Object::Unknown { .. }));
        assert_eq!(paths(&issues), ["spec.tls.termination"]);
        assert!(
            issues[0].message.contains("unknown variant `bogus`"),
            "{}",
            issues[0].message
        );
    }

    #[test]
    fn route_missing_to_is_an_issue() {
        let mut doc = route();
        doc["spec"].as_object_mut().unwrap().remove("to");
        let (object, issues) = type_object(&doc);
        assert!(matches!(object, Object::Unknown { .. }));
        assert_eq!(
            issues,
            vec![SchemaIssue::new(
                FieldPath::parse("spec"),
                "missing required field `to`"
            )]
        );
    }

    #[test]
    fn unknown_field_in_a_custom_resource_is_soft() {
        let mut doc = route();
        set(&mut doc, "spec.hostt", json!("x"));
        set(&mut doc, "spec.tls.terminaton", json!("edge"));
        let (object, issues) = type_object(&doc);
        assert!(
            matches!(object, Object::Route(_)),
            "only unknown fields: still typed"
        );
        assert_eq!(paths(&issues), ["spec.hostt", "spec.tls.terminaton"]);
        assert!(
            issues
                .iter()
                .all(|i| i.message.starts_with("unknown field"))
        );
    }

    #[test]
    fn service_monitor_types() {
        let (object, issues) = type_object(&service_monitor());
        assert_eq!(issues, vec![]);
        let Object::ServiceMonitor(sm) = object else {
            panic!()
        };
        assert_eq!(sm.spec.endpoints[0].scheme, Some(Scheme::Http));
        assert_eq!(
            sm.spec.endpoints[0].relabelings.as_ref().unwrap()[0].action,
            Some(RelabelAction::Replace)
        );
    }

    #[test]
    fn service_monitor_misspelled_endpoint_field_is_an_issue() {
        let mut doc = service_monitor();
        set(&mut doc, "spec.endpoints[0].intervall", json!("30s"));
        let (_, issues) = type_object(&doc);
        assert_eq!(paths(&issues), ["spec.endpoints[0].intervall"]);
        assert_eq!(issues[0].message, "unknown field `intervall`");
    }

    #[test]
    fn service_monitor_selector_requirement_needs_an_operator() {
        let mut doc = service_monitor();
        set(
            &mut doc,
            "spec.selector",
            json!({"matchExpressions": [{"key": "app"}]}),
        );
        let (_, issues) = type_object(&doc);
        let got: Vec<String> = issues.iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            ["spec.selector.matchExpressions[0]: missing required field `operator`"]
        );
    }

    #[test]
    fn validate_crd_accepts_valid_custom_resources() {
        assert_eq!(validate_crd(&route()), Some(vec![]));
        assert_eq!(validate_crd(&service_monitor()), Some(vec![]));
        assert_eq!(validate_crd(&deployment()), None);
    }

    #[test]
    fn validate_crd_does_not_demand_defaulted_fields() {
        let mut doc = route();
        doc["spec"]["to"].as_object_mut().unwrap().remove("kind");
        assert_eq!(validate_crd(&doc), Some(vec![]));
    }

    #[test]
    fn validate_crd_reports_route_errors() {
        let mut doc = route();
        set(&mut doc, "spec.host", json!("Not A Host!"));
        set(&mut doc, "spec.tls.termination", json!("bogus"));
        set(&mut doc, "spec.to.weight", json!(300));
        set(&mut doc, "spec.extra", json!(1));
        let issues = validate_crd(&doc).unwrap();
        let mut got = paths(&issues);
        got.sort();
        assert_eq!(
            got,
            [
                "spec.extra",
                "spec.host",
                "spec.tls.termination",
                "spec.to.weight"
            ]
        );
        let extra = issues
            .iter()
            .find(|i| i.path.to_string() == "spec.extra")
            .unwrap();
        assert_eq!(extra.message, "unknown field `extra`");
    }

    #[test]
    fn validate_crd_reports_service_monitor_errors() {
        let mut doc = service_monitor();
        set(&mut doc, "spec.endpoints[0].interval", json!("30 seconds"));
        set(&mut doc, "spec.endpoints[0].scheme", json!("ftp"));
        doc["spec"].as_object_mut().unwrap().remove("selector");
        let issues = validate_crd(&doc).unwrap();
        let got: Vec<String> = issues.iter().map(ToString::to_string).collect();
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(
            got.contains(&"spec: missing required field `selector`".to_string()),
            "{got:?}"
        );
        assert!(got.iter().any(|g| g.starts_with("spec.endpoints[0].interval: \"30 seconds\" does not match")), "{got:?}");
        assert!(
            got.iter()
                .any(|g| g.starts_with("spec.endpoints[0].scheme: \"ftp\" is not one of")),
            "{got:?}"
        );
    }

    #[test]
    fn json_pointer_keys_that_look_like_indexes_stay_keys() {
        let doc = json!({"metadata": {"labels": {"0": "x"}}, "list": [{"a": 1}]});
        assert_eq!(
            pointer_path(&doc, "/metadata/labels/0").0.last(),
            Some(&Seg::Key("0".into()))
        );
        assert_eq!(pointer_path(&doc, "/list/0/a").to_string(), "list[0].a");
        assert_eq!(pointer_path(&doc, "/a~1b").0, vec![Seg::Key("a/b".into())]);
    }

    #[test]
    fn near_misses_are_case_or_a_few_edits() {
        assert!(near_miss("StatefulSte", "StatefulSet"));
        assert!(!near_miss("Deploy", "Deployment"));
        assert!(near_miss("deployment", "Deployment"));
        assert!(!near_miss("Pod", "Job"));
    }
}
