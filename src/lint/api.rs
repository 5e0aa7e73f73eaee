//! `api-validation`: what the API server refuses although the OpenAPI schema lets it through
//! (enums, name and key syntax, sizes, port ranges, field combinations), for the kinds gen
//! lint types. Each check mirrors one in k8s.io/kubernetes `pkg/apis/core/validation`,
//! `pkg/apis/apps/validation`, `pkg/apis/policy/validation`, `pkg/apis/networking/validation`,
//! `pkg/apis/autoscaling/validation`, `pkg/apis/batch/validation` or
//! k8s.io/apimachinery `pkg/api/validation` (object meta, labels, annotations); the message
//! says what the API server would accept instead.

mod pod;

use std::collections::{BTreeMap, HashSet};

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;

use super::Out;
use super::docs::Doc;
use super::index::SetIndex;
use crate::path::FieldPath;
use crate::rules::Rule;
use crate::syntax;
use crate::typed::Object;

/// Collects one document's findings.
pub(crate) struct V<'o, 'a> {
    out: &'o mut Out<'a>,
    doc: usize,
}

impl V<'_, '_> {
    pub fn flag(&mut self, path: FieldPath, message: String) {
        self.out.at(self.doc, Rule::ApiValidation, path, message);
    }

    /// Reports `what` `value` with the reason `check` gives, if it fails.
    pub fn check(
        &mut self,
        path: impl FnOnce() -> FieldPath,
        what: &str,
        value: impl std::fmt::Display,
        check: Result<(), String>,
    ) {
        if let Err(why) = check {
            self.flag(path(), format!("{what} `{value}` {why}"));
        }
    }

    /// Reports a value outside the enum the API server accepts.
    pub fn one_of(
        &mut self,
        path: impl FnOnce() -> FieldPath,
        what: &str,
        value: Option<&str>,
        allowed: &[&str],
    ) {
        let Some(value) = value else { return };
        if allowed.contains(&value) {
            return;
        }
        let hint = allowed
            .iter()
            .find(|a| a.eq_ignore_ascii_case(value))
            .copied()
            .or_else(|| crate::suggest::did_you_mean(value, allowed.iter().copied()))
            .map_or_else(String::new, |a| format!(" (did you mean `{a}`?)"));
        let list: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
        self.flag(
            path(),
            format!(
                "`{value}` is not a valid {what}{hint}: the API server accepts only {} (case matters)",
                list.join(", ")
            ),
        );
    }

    /// A port given as a number or a name (`ValidatePortNumOrName`).
    pub fn port_num_or_name(
        &mut self,
        path: impl FnOnce() -> FieldPath,
        what: &str,
        port: &IntOrString,
    ) {
        match port {
            IntOrString::Int(n) => self.check(path, what, n, syntax::port_number(i64::from(*n))),
            IntOrString::String(s) => self.check(path, what, s, syntax::port_name(s)),
        }
    }
}

pub(crate) fn check(m: &SetIndex<'_>, out: &mut Out<'_>) {
    for (doc, d) in m.docs.iter().enumerate() {
        if matches!(d.object, Object::Unknown { .. }) {
            continue;
        }
        let mut v = V { out, doc };
        object_meta(&mut v, d);
        match &d.object {
            Object::Service(s) => service(&mut v, s),
            Object::PodDisruptionBudget(p) => {
                if let Some(spec) = &p.spec {
                    pdb(&mut v, spec);
                }
            }
            Object::HorizontalPodAutoscaler(h) => {
                if let Some(spec) = &h.spec {
                    hpa_bounds(&mut v, spec.min_replicas, spec.max_replicas);
                }
            }
            Object::NetworkPolicy(n) => {
                if let Some(spec) = &n.spec {
                    network_policy(&mut v, spec);
                }
            }
            Object::Ingress(i) => {
                if let Some(spec) = &i.spec {
                    ingress(&mut v, spec);
                }
            }
            Object::ConfigMap(c) => {
                let keys = c.data.iter().flatten().map(|(k, _)| ("data", k));
                let binary = c
                    .binary_data
                    .iter()
                    .flatten()
                    .map(|(k, _)| ("binaryData", k));
                data_keys(&mut v, keys.chain(binary), true);
            }
            Object::Secret(s) => {
                let keys = s.data.iter().flatten().map(|(k, _)| ("data", k));
                let string = s
                    .string_data
                    .iter()
                    .flatten()
                    .map(|(k, _)| ("stringData", k));
                // stringData overrides data key by key: a key in both is fine.
                data_keys(&mut v, keys.chain(string), false);
            }
            _ => {}
        }
    }
    for w in &m.workloads {
        if w.spec.is_some() {
            let mut v = V { out, doc: w.doc };
            pod::workload(&mut v, w, &m.docs[w.doc]);
        }
    }
}

/// The name syntax the API server requires of each kind (its `Validate<Kind>Name`).
fn name_syntax(kind: &str) -> fn(&str) -> Result<(), String> {
    match kind {
        "Namespace" => syntax::dns_label,
        "Service" => syntax::dns1035_label,
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" | "Route" => {
            syntax::path_segment
        }
        _ => syntax::dns_subdomain,
    }
}

/// `ValidateObjectMeta`: name (or generateName), namespace, labels, annotations.
fn object_meta(v: &mut V<'_, '_>, d: &Doc) {
    let meta_path = FieldPath::root().key("metadata");
    let (kind, name) = (d.kind(), d.name());
    let generate = d
        .value
        .pointer("/metadata/generateName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if name.is_empty() && generate.is_empty() {
        v.flag(
            meta_path.clone(),
            format!("a {kind} needs `metadata.name` (or `generateName`): the API server refuses it without one"),
        );
    } else if !name.is_empty() {
        let path = || meta_path.key("name");
        v.check(path, &format!("{kind} name"), name, name_syntax(kind)(name));
        if kind == "CronJob" && name.len() > 52 {
            v.flag(
                path(),
                format!("CronJob name `{name}` is {} characters: at most 52 (the Jobs it creates append 11)", name.len()),
            );
        }
    }
    if let Some(ns) = d
        .value
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        && !ns.is_empty()
    {
        v.check(
            || meta_path.key("namespace"),
            "namespace",
            ns,
            syntax::dns_label(ns),
        );
    }
    if let Some(meta) = d.value.get("metadata") {
        labels_and_annotations(v, &meta_path, meta);
    }
}

/// Total size of an object's annotations (`TotalAnnotationSizeLimitB`).
const ANNOTATIONS_MAX: usize = 256 * 1024;

/// `ValidateLabels` and `ValidateAnnotations` on the metadata at `base` (an object's, or a
/// pod template's).
pub(crate) fn labels_and_annotations(v: &mut V<'_, '_>, base: &FieldPath, meta: &Value) {
    if let Some(labels) = meta.get("labels").and_then(Value::as_object) {
        let path = base.key("labels");
        for (k, value) in labels {
            let at = || path.key(k);
            v.check(at, "label key", k, syntax::qualified_name(k));
            if let Some(s) = value.as_str() {
                v.check(
                    at,
                    &format!("label `{k}`'s value"),
                    s,
                    syntax::label_value(s),
                );
            }
        }
    }
    if let Some(annotations) = meta.get("annotations").and_then(Value::as_object) {
        let path = base.key("annotations");
        let mut total = 0;
        for (k, value) in annotations {
            // The API server lowercases the key first: only the syntax counts, not the case.
            v.check(
                || path.key(k),
                "annotation key",
                k,
                if k.bytes().any(|b| b.is_ascii_uppercase()) {
                    syntax::qualified_name(&k.to_ascii_lowercase())
                } else {
                    syntax::qualified_name(k)
                },
            );
            total += k.len() + value.as_str().map_or(0, str::len);
        }
        if total > ANNOTATIONS_MAX {
            v.flag(
                path,
                format!("annotations hold {total} bytes in all: the API server accepts at most {ANNOTATIONS_MAX} (256 KiB); move large values to a ConfigMap"),
            );
        }
    }
}

/// `ValidateLabels` on a plain selector map (a Service's).
fn selector_map(v: &mut V<'_, '_>, path: &FieldPath, map: &BTreeMap<String, String>) {
    for (k, value) in map {
        let at = || path.key(k);
        v.check(at, "selector key", k, syntax::qualified_name(k));
        v.check(
            at,
            &format!("selector `{k}`'s value"),
            value,
            syntax::label_value(value),
        );
    }
}

/// `ValidateLabelSelector`.
pub(crate) fn label_selector(v: &mut V<'_, '_>, path: &FieldPath, s: &LabelSelector) {
    if let Some(m) = &s.match_labels {
        selector_map(v, &path.key("matchLabels"), m);
    }
    for (i, e) in s.match_expressions.iter().flatten().enumerate() {
        let at = || path.key("matchExpressions").index(i);
        v.check(
            || at().key("key"),
            "selector key",
            &e.key,
            syntax::qualified_name(&e.key),
        );
        let ops = ["In", "NotIn", "Exists", "DoesNotExist"];
        v.one_of(
            || at().key("operator"),
            "selector operator",
            Some(&e.operator),
            &ops,
        );
        let n = e.values.as_ref().map_or(0, Vec::len);
        match e.operator.as_str() {
            "In" | "NotIn" if n == 0 => v.flag(
                at().key("operator"),
                format!("operator `{}` needs a non-empty `values` list", e.operator),
            ),
            "Exists" | "DoesNotExist" if n > 0 => v.flag(
                at().key("values"),
                format!("operator `{}` takes no `values`: remove them", e.operator),
            ),
            _ => {}
        }
    }
}

const PROTOCOLS: [&str; 3] = ["TCP", "UDP", "SCTP"];

fn service(v: &mut V<'_, '_>, s: &Service) {
    let Some(spec) = &s.spec else { return };
    let base = FieldPath::root().key("spec");
    let types = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];
    v.one_of(
        || base.key("type"),
        "Service type",
        spec.type_.as_deref(),
        &types,
    );
    let policies = ["Cluster", "Local"];
    v.one_of(
        || base.key("externalTrafficPolicy"),
        "externalTrafficPolicy",
        spec.external_traffic_policy.as_deref(),
        &policies,
    );
    v.one_of(
        || base.key("internalTrafficPolicy"),
        "internalTrafficPolicy",
        spec.internal_traffic_policy.as_deref(),
        &policies,
    );
    v.one_of(
        || base.key("sessionAffinity"),
        "sessionAffinity",
        spec.session_affinity.as_deref(),
        &["None", "ClientIP"],
    );
    let ty = spec.type_.as_deref().unwrap_or("ClusterIP");
    // `ExternallyAccessible`: a NodePort or LoadBalancer, or a ClusterIP with externalIPs.
    let external = matches!(ty, "NodePort" | "LoadBalancer")
        || (ty == "ClusterIP" && spec.external_ips.as_ref().is_some_and(|e| !e.is_empty()));
    if spec.external_traffic_policy.is_some() && !external {
        v.flag(
            base.key("externalTrafficPolicy"),
            format!("may only be set on an externally accessible Service (NodePort, LoadBalancer, or externalIPs), not this `{ty}` one"),
        );
    }
    if let Some(sel) = &spec.selector {
        selector_map(v, &base.key("selector"), sel);
    }
    let ports = spec.ports.as_deref().unwrap_or_default();
    let headless = spec.cluster_ip.as_deref() == Some("None");
    if ports.is_empty() && !headless && ty != "ExternalName" {
        v.flag(base.key("ports"), "a Service needs at least one port (only a headless or ExternalName Service may have none)".to_string());
    }
    let mut names = HashSet::new();
    let mut pairs = HashSet::new();
    for (i, p) in ports.iter().enumerate() {
        let at = || base.key("ports").index(i);
        match p.name.as_deref().filter(|n| !n.is_empty()) {
            Some(n) => {
                v.check(
                    || at().key("name"),
                    "Service port name",
                    n,
                    syntax::dns_label(n),
                );
                if !names.insert(n) {
                    v.flag(at().key("name"), format!("port name `{n}` is used twice: each port of a Service needs its own name"));
                }
            }
            None if ports.len() > 1 => v.flag(
                at(),
                "a Service with several ports needs a `name` on each".to_string(),
            ),
            None => {}
        }
        v.check(
            || at().key("port"),
            "port",
            p.port,
            syntax::port_number(i64::from(p.port)),
        );
        v.one_of(
            || at().key("protocol"),
            "protocol",
            p.protocol.as_deref(),
            &PROTOCOLS,
        );
        // 0 and "" are defaulted to the port.
        let defaulted = |t: &IntOrString| {
            matches!(t, IntOrString::Int(0)) || *t == IntOrString::String(String::new())
        };
        if let Some(t) = p.target_port.as_ref().filter(|t| !defaulted(t)) {
            v.port_num_or_name(|| at().key("targetPort"), "targetPort", t);
        }
        if let Some(n) = p.node_port.filter(|&n| n != 0) {
            if ty == "ClusterIP" {
                v.flag(
                    at().key("nodePort"),
                    "may not be set on a ClusterIP Service".to_string(),
                );
            }
            v.check(
                || at().key("nodePort"),
                "nodePort",
                n,
                syntax::port_number(i64::from(n)),
            );
        }
        let protocol = p.protocol.as_deref().unwrap_or("TCP");
        if !pairs.insert((p.port, protocol)) {
            v.flag(
                at().key("port"),
                format!("port {}/{protocol} is listed twice", p.port),
            );
        }
    }
}

/// An IntOrString count or percentage: a non-negative integer, or `N%` with N from 0 to 100
/// (`ValidatePositiveIntOrPercent`, `IsNotMoreThan100Percent`).
pub(crate) fn int_or_percent(
    v: &mut V<'_, '_>,
    path: impl FnOnce() -> FieldPath,
    what: &str,
    x: &IntOrString,
) {
    match x {
        IntOrString::Int(n) if *n < 0 => v.flag(path(), format!("{what} `{n}` must be 0 or more")),
        IntOrString::Int(_) => {}
        IntOrString::String(s) => {
            let pct = s.strip_suffix('%').and_then(|n| n.parse::<u32>().ok());
            if pct.is_none_or(|p| p > 100) {
                v.flag(
                    path(),
                    format!("{what} `{s}` must be an integer or a percentage from `0%` to `100%`"),
                );
            }
        }
    }
}

fn pdb(v: &mut V<'_, '_>, spec: &k8s_openapi::api::policy::v1::PodDisruptionBudgetSpec) {
    let base = FieldPath::root().key("spec");
    if let Some(min) = &spec.min_available {
        int_or_percent(v, || base.key("minAvailable"), "minAvailable", min);
    }
    if let Some(max) = &spec.max_unavailable {
        int_or_percent(v, || base.key("maxUnavailable"), "maxUnavailable", max);
    }
    if spec.min_available.is_some() && spec.max_unavailable.is_some() {
        v.flag(
            base.key("maxUnavailable"),
            "a PodDisruptionBudget sets either minAvailable or maxUnavailable, not both: the API server refuses it; keep one".to_string(),
        );
    }
    let policies = ["IfHealthyBudget", "AlwaysAllow"];
    v.one_of(
        || base.key("unhealthyPodEvictionPolicy"),
        "unhealthyPodEvictionPolicy",
        spec.unhealthy_pod_eviction_policy.as_deref(),
        &policies,
    );
    if let Some(s) = &spec.selector {
        label_selector(v, &base.key("selector"), s);
    }
}

fn hpa_bounds(v: &mut V<'_, '_>, min: Option<i32>, max: i32) {
    let base = FieldPath::root().key("spec");
    if let Some(min) = min.filter(|&m| m < 1) {
        v.flag(
            base.key("minReplicas"),
            format!("minReplicas `{min}` must be at least 1"),
        );
    }
    let floor = min.unwrap_or(1).max(1);
    if max < floor {
        v.flag(
            base.key("maxReplicas"),
            format!("maxReplicas `{max}` must be at least minReplicas ({floor})"),
        );
    }
}

fn network_policy(v: &mut V<'_, '_>, spec: &k8s_openapi::api::networking::v1::NetworkPolicySpec) {
    let base = FieldPath::root().key("spec");
    if let Some(s) = &spec.pod_selector {
        label_selector(v, &base.key("podSelector"), s);
    }
    for (i, t) in spec.policy_types.iter().flatten().enumerate() {
        v.one_of(
            || base.key("policyTypes").index(i),
            "policy type",
            Some(t),
            &["Ingress", "Egress"],
        );
    }
    let ingress = spec.ingress.iter().flatten().map(|r| &r.ports);
    let egress = spec.egress.iter().flatten().map(|r| &r.ports);
    let rules = ingress
        .enumerate()
        .map(|(i, p)| ("ingress", i, p))
        .chain(egress.enumerate().map(|(i, p)| ("egress", i, p)));
    for (dir, i, ports) in rules {
        for (j, p) in ports.iter().flatten().enumerate() {
            let at = || base.key(dir).index(i).key("ports").index(j);
            v.one_of(
                || at().key("protocol"),
                "protocol",
                p.protocol.as_deref(),
                &PROTOCOLS,
            );
            if let Some(port) = &p.port {
                v.port_num_or_name(|| at().key("port"), "port", port);
            }
            if let (Some(end), Some(IntOrString::Int(start))) = (p.end_port, &p.port)
                && end < *start
            {
                v.flag(
                    at().key("endPort"),
                    format!("endPort `{end}` must be at least port ({start})"),
                );
            }
        }
    }
}

fn ingress(v: &mut V<'_, '_>, spec: &k8s_openapi::api::networking::v1::IngressSpec) {
    let base = FieldPath::root().key("spec");
    let backend =
        |v: &mut V<'_, '_>, at: FieldPath, b: &k8s_openapi::api::networking::v1::IngressBackend| {
            let Some(port) = b.service.as_ref().and_then(|s| s.port.as_ref()) else {
                return;
            };
            let at = at.key("service").key("port");
            match (&port.name, port.number) {
                (Some(_), Some(_)) => v.flag(
                    at,
                    "a backend port has a `name` or a `number`, not both".to_string(),
                ),
                (Some(n), None) => v.check(|| at.key("name"), "port name", n, syntax::port_name(n)),
                (None, Some(n)) => v.check(
                    || at.key("number"),
                    "port",
                    n,
                    syntax::port_number(i64::from(n)),
                ),
                (None, None) => {}
            }
        };
    if let Some(b) = &spec.default_backend {
        backend(v, base.key("defaultBackend"), b);
    }
    for (i, r) in spec.rules.iter().flatten().enumerate() {
        for (j, p) in r.http.iter().flat_map(|h| h.paths.iter()).enumerate() {
            let at = || base.key("rules").index(i).key("http").key("paths").index(j);
            let types = ["Exact", "Prefix", "ImplementationSpecific"];
            v.one_of(
                || at().key("pathType"),
                "pathType",
                Some(&p.path_type),
                &types,
            );
            // Exact and Prefix need an absolute path; ImplementationSpecific one when given.
            let path = p.path.as_deref().unwrap_or_default();
            let needed = matches!(p.path_type.as_str(), "Exact" | "Prefix") || !path.is_empty();
            if needed && !path.starts_with('/') {
                v.flag(
                    at().key("path"),
                    format!("path `{path}` must be absolute (start with `/`)"),
                );
            }
            backend(v, at().key("backend"), &p.backend);
        }
    }
}

/// ConfigMap and Secret keys (`IsConfigMapKey`); a ConfigMap's are unique across `data` and
/// `binaryData`.
fn data_keys<'k>(
    v: &mut V<'_, '_>,
    keys: impl Iterator<Item = (&'static str, &'k String)>,
    unique: bool,
) {
    let mut seen: HashSet<&str> = HashSet::new();
    for (field, k) in keys {
        let at = || FieldPath::root().key(field).key(k);
        v.check(at, "key", k, syntax::config_key(k));
        if !seen.insert(k) && unique {
            v.flag(
                at(),
                format!("key `{k}` is in two maps: each key may appear once"),
            );
        }
    }
}
