//! Cross-resource rules: what one object says about another must hold in the set.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, ServicePort};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::Out;
use super::index::{At, PodTemplate, SetIndex, probes as probes_of};
use crate::diag::Severity;
use crate::path::FieldPath;
use crate::rules::Rule;
use crate::typed::{Object, TargetKind};

pub(crate) fn check(m: &SetIndex<'_>, out: &mut Out<'_>) {
    workload_selectors(m, out);
    services(m, out);
    probes(m, out);
    autoscalers(m, out);
    budgets(m, out);
    service_monitors(m, out);
    routes(m, out);
    ingresses(m, out);
    references(m, out);
}

/// `k=v, k=v` for messages.
pub(crate) fn show(map: &BTreeMap<String, String>) -> String {
    let pairs: Vec<String> = map.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.join(", ")
}

pub(crate) fn show_selector(s: &LabelSelector) -> String {
    let mut parts: Vec<String> = s
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in s.match_expressions.iter().flatten() {
        let values = e.values.as_deref().unwrap_or_default().join(",");
        parts.push(format!("{} {} ({values})", e.key, e.operator));
    }
    if parts.is_empty() {
        "everything".to_string()
    } else {
        parts.join(", ")
    }
}

fn show_port(p: &IntOrString) -> String {
    match p {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(s) => format!("`{s}`"),
    }
}

/// A selector that matches no pod template in the set: an error, unless the set holds
/// custom resources whose operator creates pods (their labels are not in the set), then a
/// warning that says so.
pub(crate) fn selects_no_pods(
    m: &SetIndex<'_>,
    out: &mut Out<'_>,
    doc: usize,
    rule: Rule,
    path: impl Into<FieldPath>,
    message: String,
) {
    if m.operators.is_empty() {
        out.at(doc, rule, path, message);
        return;
    }
    let names: Vec<String> = m
        .operators
        .iter()
        .take(3)
        .map(|&i| format!("{} `{}`", m.docs[i].kind(), m.docs[i].name()))
        .collect();
    let more = m.operators.len().saturating_sub(3);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    out.at_severity(
        doc,
        rule,
        Severity::Warning,
        path,
        format!(
            "{message}; unless it is meant for the pods an operator creates for {}{more}, whose labels are not in the set: check it against them",
            names.join(", ")
        ),
    );
}

fn is_empty(s: &LabelSelector) -> bool {
    s.match_labels.as_ref().is_none_or(BTreeMap::is_empty)
        && s.match_expressions.as_ref().is_none_or(Vec::is_empty)
}

fn workload_selectors(m: &SetIndex<'_>, out: &mut Out<'_>) {
    for w in &m.workloads {
        let (Some(sel), Some(_)) = (w.selector, w.spec) else {
            continue;
        };
        if is_empty(sel) {
            out.at(
                w.doc,
                Rule::WorkloadSelector,
                ["spec", "selector"],
                format!(
                    "a {} needs a selector matching its pod template's labels; this one is empty",
                    w.kind
                ),
            );
        } else if !w.labels.matches(sel) {
            out.at(
                w.doc,
                Rule::WorkloadSelector,
                ["spec", "selector"],
                format!(
                    "selects {} but the pod template's labels do not match: make `{}` carry them",
                    show_selector(sel),
                    w.labels_path()
                ),
            );
        }
    }
}

/// Whether a container port is named `port` (a name) or numbered `port` (a number).
fn declares<'c>(mut containers: impl Iterator<Item = &'c Container>, port: &IntOrString) -> bool {
    containers.any(|c| {
        c.ports.iter().flatten().any(|p| match port {
            IntOrString::String(n) => p.name.as_deref() == Some(n.as_str()),
            IntOrString::Int(n) => p.container_port == *n,
        })
    })
}

fn declared<'c>(containers: impl Iterator<Item = &'c Container>) -> String {
    let names: Vec<String> = containers
        .flat_map(|c| c.ports.iter().flatten())
        .map(|p| match &p.name {
            Some(n) => format!("{n} ({})", p.container_port),
            None => p.container_port.to_string(),
        })
        .collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

fn services(m: &SetIndex<'_>, out: &mut Out<'_>) {
    for &i in &m.services {
        let d = &m.docs[i];
        let Object::Service(svc) = &d.object else {
            continue;
        };
        let Some(spec) = &svc.spec else { continue };
        if spec.type_.as_deref() == Some("ExternalName") {
            continue;
        }
        let Some(selector) = spec.selector.as_ref().filter(|s| !s.is_empty()) else {
            continue;
        };
        let ns = d.namespace();
        let selected = m.pods_selected_by_map(ns, selector);
        if selected.is_empty() {
            if !m.workload_failed {
                selects_no_pods(
                    m,
                    out,
                    i,
                    Rule::ServiceSelector,
                    ["spec", "selector"],
                    format!(
                        "selects {} but no pod template in the set carries these labels: the Service has no endpoints",
                        show(selector)
                    ),
                );
            }
            continue;
        }
        for (pi, port) in spec.ports.iter().flatten().enumerate() {
            service_port(out, i, pi, port, &selected);
        }
    }
}

/// A named targetPort must be a container port name of some selected pod template (each
/// endpoint resolves the name on its own pod; pods without it are left out). A number needs
/// no `containerPort`: Kubernetes sends to it whether declared or not.
fn service_port(
    out: &mut Out<'_>,
    doc: usize,
    pi: usize,
    port: &ServicePort,
    selected: &[&PodTemplate<'_>],
) {
    let Some(target @ IntOrString::String(_)) = &port.target_port else {
        return;
    };
    let typed: Vec<&&PodTemplate<'_>> = selected.iter().filter(|w| w.spec.is_some()).collect();
    if typed.is_empty()
        || typed
            .iter()
            .any(|w| declares(w.containers().map(|(_, c)| c), target))
    {
        return;
    }
    let declared: Vec<String> = typed
        .iter()
        .map(|w| {
            format!(
                "{} `{}`: {}",
                w.kind,
                w.name,
                declared(w.containers().map(|(_, c)| c))
            )
        })
        .collect();
    out.at(
        doc,
        Rule::ServiceTargetPort,
        FieldPath::from(["spec", "ports"])
            .index(pi)
            .key("targetPort"),
        format!(
            "targets port {} but no selected pod declares a container port of that name (they declare: {}): use one of those names, or a number",
            show_port(target),
            declared.join("; ")
        ),
    );
}

fn probes(m: &SetIndex<'_>, out: &mut Out<'_>) {
    for w in &m.workloads {
        for (at, c) in w.containers() {
            for (field, probe) in probes_of(c) {
                let Some(p) = probe else { continue };
                let ports = [
                    ("httpGet", p.http_get.as_ref().map(|h| h.port.clone())),
                    ("tcpSocket", p.tcp_socket.as_ref().map(|t| t.port.clone())),
                    ("grpc", p.grpc.as_ref().map(|g| IntOrString::Int(g.port))),
                ];
                for (action, port) in ports {
                    // A number is probed whether declared or not; a name must resolve.
                    let Some(port @ IntOrString::String(_)) = port else {
                        continue;
                    };
                    if !declares(std::iter::once(c), &port) {
                        out.at(
                            w.doc,
                            Rule::ProbePort,
                            at.path().keys(&[field, action, "port"]),
                            format!(
                                "probes port {} but container `{}` declares no such port (it declares: {}): probe a declared port",
                                show_port(&port),
                                c.name,
                                declared(std::iter::once(c))
                            ),
                        );
                    }
                }
            }
        }
    }
}

fn autoscalers(m: &SetIndex<'_>, out: &mut Out<'_>) {
    for (i, d, hpa) in m.each(|o| match o {
        Object::HorizontalPodAutoscaler(h) => Some(h),
        _ => None,
    }) {
        let Some(spec) = &hpa.spec else { continue };
        let target = &spec.scale_target_ref;
        let group = target
            .api_version
            .as_deref()
            .map(|v| v.rsplit_once('/').map_or("", |(g, _)| g));
        let found = m
            .find(&target.kind, d.namespace(), &target.name)
            .filter(|&t| group.is_none_or(|g| m.docs[t].group() == g));
        let Some(t) = found else {
            let names = m
                .docs
                .iter()
                .filter(|o| o.kind() == target.kind)
                .map(|o| o.name());
            let hint = crate::suggest::did_you_mean(&target.name, names)
                .map_or_else(String::new, |n| format!(" (did you mean `{n}`?)"));
            out.at(
                i,
                Rule::HpaTarget,
                ["spec", "scaleTargetRef", "name"],
                format!(
                    "scales {} `{}`, which is not in the set{hint}: name a workload of the set",
                    target.kind, target.name
                ),
            );
            continue;
        };
        if let Some(w) = m.workloads.iter().find(|w| w.doc == t)
            && w.replicas.is_some()
            && matches!(w.kind, "Deployment" | "StatefulSet")
        {
            out.at(
                t,
                Rule::HpaReplicas,
                ["spec", "replicas"],
                format!(
                    "HorizontalPodAutoscaler `{}` scales this {}: `spec.replicas` resets its choice on every apply; remove it",
                    d.name(),
                    w.kind
                ),
            );
        }
    }
}

fn budgets(m: &SetIndex<'_>, out: &mut Out<'_>) {
    for (i, d, pdb) in m.each(|o| match o {
        Object::PodDisruptionBudget(p) => Some(p),
        _ => None,
    }) {
        let Some(spec) = &pdb.spec else { continue };
        let Some(selector) = &spec.selector else {
            out.at(
                i,
                Rule::PdbTarget,
                ["spec"],
                "has no selector, so it selects no pods: add `selector.matchLabels` with the workload's pod labels".to_string(),
            );
            continue;
        };
        let hit = !m.pods_selected(d.namespace(), selector).is_empty();
        if !hit && !m.workload_failed {
            selects_no_pods(
                m,
                out,
                i,
                Rule::PdbTarget,
                ["spec", "selector"],
                format!(
                    "selects {} but no pod template in the set carries these labels: it protects nothing",
                    show_selector(selector)
                ),
            );
        }
    }
}

fn service_monitors(m: &SetIndex<'_>, out: &mut Out<'_>) {
    // The namespaces the set has Services in.
    let mut set_namespaces: Vec<&str> = m
        .services
        .iter()
        .filter_map(|&s| m.docs[s].namespace())
        .collect();
    set_namespaces.sort_unstable();
    set_namespaces.dedup();
    for (i, d, sm) in m.each(|o| match o {
        Object::ServiceMonitor(s) => Some(s),
        _ => None,
    }) {
        let spec = &sm.spec;
        // The namespaces it watches: `None` for all of them.
        let watched: Option<Vec<&str>> = match &spec.namespace_selector {
            Some(sel) if sel.any == Some(true) => None,
            Some(sel) if sel.match_names.as_ref().is_some_and(|n| !n.is_empty()) => Some(
                sel.match_names
                    .iter()
                    .flatten()
                    .map(String::as_str)
                    .collect(),
            ),
            _ => d.namespace().map(|ns| vec![ns]),
        };
        let in_scope = |ns: Option<&str>| match (&watched, ns) {
            (None, _) | (_, None) => true,
            (Some(w), Some(ns)) => w.contains(&ns),
        };
        let selected = m.services_selected(&spec.selector);
        let matched: Vec<&k8s_openapi::api::core::v1::Service> = selected
            .iter()
            .filter(|&&s| in_scope(m.docs[s].namespace()))
            .filter_map(|&s| match &m.docs[s].object {
                Object::Service(svc) => Some(svc),
                _ => None,
            })
            .collect();
        if matched.is_empty() {
            servicemonitor_misses(
                m,
                out,
                i,
                spec,
                &selected,
                watched.as_deref(),
                &set_namespaces,
            );
            continue;
        }
        for (ei, e) in spec.endpoints.iter().enumerate() {
            let Some(port) = &e.port else { continue };
            let has = matched.iter().any(|s| {
                s.spec
                    .iter()
                    .flat_map(|sp| sp.ports.iter().flatten())
                    .any(|p| p.name.as_deref() == Some(port.as_str()))
            });
            if !has {
                out.at(
                    i,
                    Rule::ServiceMonitorTarget,
                    FieldPath::from(["spec", "endpoints"]).index(ei).key("port"),
                    format!("scrapes port `{port}` but no selected Service has a port of that name: use a Service port name"),
                );
            }
        }
    }
}

/// Why a ServiceMonitor selects no Service: the namespaces it watches miss the Services its
/// labels select (a `namespace:` overlay moved them), it watches only namespaces the set has
/// no Service in (the Services live elsewhere, e.g. the API server's `kubernetes` Service in
/// `default`: an `info`), or its labels select none.
fn servicemonitor_misses(
    m: &SetIndex<'_>,
    out: &mut Out<'_>,
    i: usize,
    spec: &crate::typed::ServiceMonitorSpec,
    selected: &[usize],
    watched: Option<&[&str]>,
    set_namespaces: &[&str],
) {
    let watching = watched.map_or_else(String::new, |w| {
        w.iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    });
    if let Some(&s) = selected.first() {
        let path = if spec.namespace_selector.is_some() {
            ["spec", "namespaceSelector"]
        } else {
            ["metadata", "namespace"]
        };
        out.at(
            i,
            Rule::ServiceMonitorTarget,
            path,
            format!(
                "its labels select Service `{}` in namespace `{}`, but it watches only {watching}: Prometheus scrapes nothing; name that namespace in `spec.namespaceSelector.matchNames` (a `namespace:` overlay does not change it)",
                m.docs[s].name(),
                m.docs[s].namespace().unwrap_or_default()
            ),
        );
        return;
    }
    if watched.is_some_and(|w| w.iter().all(|n| !set_namespaces.contains(n))) {
        out.at_severity(
            i,
            Rule::ServiceMonitorTarget,
            Severity::Info,
            ["spec", "namespaceSelector"],
            format!(
                "watches {watching}, where the set has no Service: the Services it selects live elsewhere and cannot be checked here"
            ),
        );
        return;
    }
    out.at(
        i,
        Rule::ServiceMonitorTarget,
        ["spec", "selector"],
        format!(
            "selects Services labelled {} but none in the set is (in the namespaces it watches): Prometheus scrapes nothing",
            show_selector(&spec.selector)
        ),
    );
}

fn service_ports<'a>(m: &SetIndex<'a>, svc: usize) -> Option<&'a [ServicePort]> {
    match &m.docs[svc].object {
        Object::Service(s) => s.spec.as_ref()?.ports.as_deref(),
        _ => None,
    }
}

fn routes(m: &SetIndex<'_>, out: &mut Out<'_>) {
    for (i, d, route) in m.each(|o| match o {
        Object::Route(r) => Some(r),
        _ => None,
    }) {
        let spec = &route.spec;
        let backends = std::iter::once((FieldPath::from(["spec", "to", "name"]), &spec.to)).chain(
            spec.alternate_backends
                .iter()
                .flatten()
                .enumerate()
                .map(|(n, b)| {
                    let path = FieldPath::from(["spec", "alternateBackends"]);
                    (path.index(n).key("name"), b)
                }),
        );
        let mut main = None;
        for (path, b) in backends {
            if b.kind != TargetKind::Service && b.kind != TargetKind::Unset {
                continue;
            }
            let found = m.find("Service", d.namespace(), &b.name);
            if main.is_none() {
                main = Some(found);
            }
            if found.is_none() {
                out.at(
                    i,
                    Rule::RouteTarget,
                    path,
                    format!(
                        "sends to Service `{}`, which is not in the set: name a Service of the set",
                        b.name
                    ),
                );
            }
        }
        let (Some(Some(svc)), Some(port)) = (main, &spec.port) else {
            continue;
        };
        let Some(ports) = service_ports(m, svc) else {
            continue;
        };
        let ok = ports.iter().any(|p| match &port.target_port {
            IntOrString::String(n) => p.name.as_deref() == Some(n.as_str()),
            IntOrString::Int(n) => match &p.target_port {
                Some(IntOrString::Int(t)) => t == n,
                Some(IntOrString::String(_)) => false,
                None => p.port == *n,
            },
        });
        if !ok {
            out.at(
                i,
                Rule::RouteTarget,
                ["spec", "port", "targetPort"],
                format!(
                    "uses port {} but Service `{}` has no such port: use one of its port names",
                    show_port(&port.target_port),
                    spec.to.name
                ),
            );
        }
    }
}

fn ingresses(m: &SetIndex<'_>, out: &mut Out<'_>) {
    for (i, d, ing) in m.each(|o| match o {
        Object::Ingress(x) => Some(x),
        _ => None,
    }) {
        let Some(spec) = &ing.spec else { continue };
        let default = spec
            .default_backend
            .iter()
            .map(|b| (FieldPath::from(["spec", "defaultBackend"]), b));
        let rules = spec.rules.iter().flatten().enumerate().flat_map(|(ri, r)| {
            r.http.iter().flat_map(move |h| {
                h.paths.iter().enumerate().map(move |(pi, p)| {
                    let rules = FieldPath::from(["spec", "rules"]);
                    let path = rules.index(ri).keys(&["http", "paths"]).index(pi);
                    (path.key("backend"), &p.backend)
                })
            })
        });
        for (path, backend) in default.chain(rules) {
            let Some(service) = &backend.service else {
                continue;
            };
            let Some(svc) = m.find("Service", d.namespace(), &service.name) else {
                out.at(
                    i,
                    Rule::RouteTarget,
                    path.keys(&["service", "name"]),
                    format!(
                        "sends to Service `{}`, which is not in the set: name a Service of the set",
                        service.name
                    ),
                );
                continue;
            };
            let (Some(port), Some(ports)) = (&service.port, service_ports(m, svc)) else {
                continue;
            };
            let ok = ports.iter().any(|p| {
                port.name
                    .as_deref()
                    .is_some_and(|n| p.name.as_deref() == Some(n))
                    || port.number == Some(p.port)
            });
            if !ok {
                let shown = port
                    .name
                    .clone()
                    .map(|n| format!("`{n}`"))
                    .or(port.number.map(|n| n.to_string()))
                    .unwrap_or_default();
                out.at(
                    i,
                    Rule::RouteTarget,
                    path.keys(&["service", "port"]),
                    format!("uses port {shown} but Service `{}` has no such port: use one of its port names or numbers", service.name),
                );
            }
        }
    }
}

/// Where in a pod template a reference sits; printed only for a finding.
#[derive(Clone, Copy, Debug)]
enum Where {
    ServiceAccount,
    PullSecret(usize),
    Volume(usize, &'static [&'static str]),
    VolumeItem(usize, &'static str, usize),
    Projected(usize, usize, &'static [&'static str]),
    ProjectedItem(usize, usize, &'static str, usize),
    Env(At, usize, &'static str),
    EnvFrom(At, usize, &'static [&'static str]),
}

impl Where {
    /// The path of the reference; `key` for the key a Secret or ConfigMap lacks, where the
    /// reference names one in its own field.
    fn path(self, w: &PodTemplate<'_>, key: bool) -> FieldPath {
        let field = if key { "key" } else { "name" };
        let base = w.spec_path();
        let volume = |v| base.key("volumes").index(v);
        let source = |v, s| volume(v).keys(&["projected", "sources"]).index(s);
        match self {
            Where::ServiceAccount => base.key("serviceAccountName"),
            Where::PullSecret(n) => base.key("imagePullSecrets").index(n).key("name"),
            Where::Volume(v, field) => volume(v).keys(field),
            Where::VolumeItem(v, kind, k) => volume(v).keys(&[kind, "items"]).index(k).key("key"),
            Where::Projected(v, s, field) => source(v, s).keys(field),
            Where::ProjectedItem(v, s, kind, k) => {
                source(v, s).keys(&[kind, "items"]).index(k).key("key")
            }
            Where::Env(at, e, kind) => {
                at.path()
                    .key("env")
                    .index(e)
                    .keys(&["valueFrom", kind, field])
            }
            Where::EnvFrom(at, e, field) => at.path().key("envFrom").index(e).keys(field),
        }
    }
}

/// A ServiceAccount, Secret or ConfigMap (key) a pod uses.
struct Use<'a> {
    kind: &'static str,
    name: &'a str,
    key: Option<&'a str>,
    optional: bool,
    at: Where,
}

/// Calls `f` for every ServiceAccount, Secret and ConfigMap a pod template uses.
fn uses<'a>(w: &PodTemplate<'a>, mut f: impl FnMut(Use<'a>)) {
    let Some(spec) = w.spec else { return };
    let mut add = |kind, name: &'a str, key: Option<&'a str>, optional: Option<bool>, at| {
        if !name.is_empty() {
            f(Use {
                kind,
                name,
                key,
                optional: optional == Some(true),
                at,
            });
        }
    };
    let sa = spec
        .service_account_name
        .as_deref()
        .or(spec.service_account.as_deref());
    if let Some(sa) = sa.filter(|s| *s != "default") {
        add("ServiceAccount", sa, None, None, Where::ServiceAccount);
    }
    for (n, s) in spec.image_pull_secrets.iter().flatten().enumerate() {
        add("Secret", &s.name, None, None, Where::PullSecret(n));
    }
    for (vi, v) in spec.volumes.iter().flatten().enumerate() {
        if let Some(s) = &v.secret
            && let Some(name) = &s.secret_name
        {
            add(
                "Secret",
                name,
                None,
                s.optional,
                Where::Volume(vi, &["secret", "secretName"]),
            );
            for (k, item) in s.items.iter().flatten().enumerate() {
                let at = Where::VolumeItem(vi, "secret", k);
                add("Secret", name, Some(&item.key), s.optional, at);
            }
        }
        if let Some(c) = &v.config_map {
            add(
                "ConfigMap",
                &c.name,
                None,
                c.optional,
                Where::Volume(vi, &["configMap", "name"]),
            );
            for (k, item) in c.items.iter().flatten().enumerate() {
                let at = Where::VolumeItem(vi, "configMap", k);
                add("ConfigMap", &c.name, Some(&item.key), c.optional, at);
            }
        }
        let sources = v.projected.iter().flat_map(|p| p.sources.iter().flatten());
        for (si, src) in sources.enumerate() {
            if let Some(s) = &src.secret {
                add(
                    "Secret",
                    &s.name,
                    None,
                    s.optional,
                    Where::Projected(vi, si, &["secret", "name"]),
                );
                for (k, item) in s.items.iter().flatten().enumerate() {
                    let at = Where::ProjectedItem(vi, si, "secret", k);
                    add("Secret", &s.name, Some(&item.key), s.optional, at);
                }
            }
            if let Some(c) = &src.config_map {
                let at = Where::Projected(vi, si, &["configMap", "name"]);
                add("ConfigMap", &c.name, None, c.optional, at);
                for (k, item) in c.items.iter().flatten().enumerate() {
                    let at = Where::ProjectedItem(vi, si, "configMap", k);
                    add("ConfigMap", &c.name, Some(&item.key), c.optional, at);
                }
            }
        }
    }
    for (at, c) in w.containers() {
        for (ei, e) in c.env.iter().flatten().enumerate() {
            let Some(from) = &e.value_from else { continue };
            if let Some(s) = &from.secret_key_ref {
                let at = Where::Env(at, ei, "secretKeyRef");
                add("Secret", &s.name, Some(&s.key), s.optional, at);
            }
            if let Some(c) = &from.config_map_key_ref {
                let at = Where::Env(at, ei, "configMapKeyRef");
                add("ConfigMap", &c.name, Some(&c.key), c.optional, at);
            }
        }
        for (ei, e) in c.env_from.iter().flatten().enumerate() {
            if let Some(s) = &e.secret_ref {
                let at = Where::EnvFrom(at, ei, &["secretRef", "name"]);
                add("Secret", &s.name, None, s.optional, at);
            }
            if let Some(c) = &e.config_map_ref {
                let at = Where::EnvFrom(at, ei, &["configMapRef", "name"]);
                add("ConfigMap", &c.name, None, c.optional, at);
            }
        }
    }
}

/// The keys of a typed Secret or ConfigMap; `None` when the object is not typed.
pub(crate) fn has_key(object: &Object, key: &str) -> Option<bool> {
    match object {
        Object::Secret(s) => Some(
            s.data.as_ref().is_some_and(|d| d.contains_key(key))
                || s.string_data.as_ref().is_some_and(|d| d.contains_key(key)),
        ),
        Object::ConfigMap(c) => Some(
            c.data.as_ref().is_some_and(|d| d.contains_key(key))
                || c.binary_data.as_ref().is_some_and(|d| d.contains_key(key)),
        ),
        _ => None,
    }
}

pub(crate) fn keys(object: &Object) -> String {
    let names: Vec<&str> = match object {
        Object::Secret(s) => s
            .data
            .iter()
            .flat_map(|d| d.keys())
            .chain(s.string_data.iter().flat_map(|d| d.keys()))
            .map(String::as_str)
            .collect(),
        Object::ConfigMap(c) => c
            .data
            .iter()
            .flat_map(|d| d.keys())
            .chain(c.binary_data.iter().flat_map(|d| d.keys()))
            .map(String::as_str)
            .collect(),
        _ => Vec::new(),
    };
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

fn references(m: &SetIndex<'_>, out: &mut Out<'_>) {
    for w in &m.workloads {
        let mut reported: Vec<(&str, &str)> = Vec::new();
        uses(w, |r| match m.find(r.kind, w.namespace, r.name) {
            None => {
                if r.optional || reported.contains(&(r.kind, r.name)) {
                    return;
                }
                reported.push((r.kind, r.name));
                let ns = w.namespace.map_or_else(
                    || "the namespace".to_string(),
                    |n| format!("namespace `{n}`"),
                );
                out.at(
                    w.doc,
                    Rule::ExternalRef,
                    r.at.path(w, false),
                    format!(
                        "{} `{}` is not in this set: the pods wait until it exists in {ns}; add it to the set, or silence `external-ref` on this {} saying where it comes from",
                        r.kind, r.name, w.kind
                    ),
                );
            }
            Some(found) => {
                let Some(key) = r.key else { return };
                let object = &m.docs[found].object;
                if !r.optional && has_key(object, key) == Some(false) {
                    out.at(
                        w.doc,
                        Rule::MissingKey,
                        r.at.path(w, true),
                        format!(
                            "{} `{}` has no key `{key}` (it has: {}): add the key, fix the name, or mark the reference optional",
                            r.kind,
                            r.name,
                            keys(object)
                        ),
                    );
                }
            }
        });
    }
}
