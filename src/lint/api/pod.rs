//! `api-validation` on workloads: update strategies (`pkg/apis/apps/validation`,
//! `pkg/apis/batch/validation`) and the pod template (`ValidatePodTemplateSpec`,
//! `ValidatePodSpec`, `validateContainers`, `validateContainerPorts`, `ValidateVolumes`,
//! `ValidateVolumeMounts`, `ValidateEnv`, `ValidateResourceRequirements` in
//! `pkg/apis/core/validation`).

use std::collections::{BTreeMap, HashSet};

use k8s_openapi::api::core::v1::{Container, PodSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{PROTOCOLS, V, int_or_percent, label_selector, labels_and_annotations, syntax};
use crate::lint::docs::Doc;
use crate::lint::index::{PodTemplate, probes};
use crate::path::FieldPath;
use crate::typed::Object;

pub(super) fn workload(v: &mut V<'_, '_>, w: &PodTemplate<'_>, d: &Doc) {
    let Some(spec) = w.spec else { return };
    if w.kind != "Pod"
        && let Some(value) = w.meta.iter().try_fold(&d.value, |v, k| v.get(k))
    {
        labels_and_annotations(v, &FieldPath::from(w.meta), value);
    }
    if let Some(s) = w.selector {
        label_selector(v, &FieldPath::from(["spec", "selector"]), s);
    }
    strategy(v, d);
    // A StatefulSet's pods also get a volume per claim template.
    let claims: Vec<&str> = match &d.object {
        Object::StatefulSet(o) => o
            .spec
            .iter()
            .flat_map(|s| s.volume_claim_templates.iter().flatten())
            .filter_map(|t| t.metadata.name.as_deref())
            .collect(),
        _ => Vec::new(),
    };
    pod_spec(v, w, spec, &claims);
}

/// Update strategies and the other workload-level enums.
fn strategy(v: &mut V<'_, '_>, d: &Doc) {
    let spec = FieldPath::root().key("spec");
    let replicas = |v: &mut V<'_, '_>, r: Option<i32>| {
        if let Some(r) = r.filter(|&r| r < 0) {
            v.flag(
                spec.key("replicas"),
                format!("replicas `{r}` must be 0 or more"),
            );
        }
    };
    match &d.object {
        Object::StatefulSet(o) => {
            let Some(s) = &o.spec else { return };
            replicas(v, s.replicas);
            let at = spec.key("updateStrategy");
            let ty = s.update_strategy.as_ref().and_then(|u| u.type_.as_deref());
            v.one_of(
                || at.key("type"),
                "StatefulSet update strategy",
                ty,
                &["RollingUpdate", "OnDelete"],
            );
            if ty == Some("OnDelete")
                && s.update_strategy
                    .as_ref()
                    .is_some_and(|u| u.rolling_update.is_some())
            {
                v.flag(
                    at.key("rollingUpdate"),
                    "only allowed with type `RollingUpdate`".to_string(),
                );
            }
            let policies = ["OrderedReady", "Parallel"];
            v.one_of(
                || spec.key("podManagementPolicy"),
                "podManagementPolicy",
                s.pod_management_policy.as_deref(),
                &policies,
            );
        }
        Object::Deployment(o) => {
            let Some(s) = &o.spec else { return };
            replicas(v, s.replicas);
            let at = spec.key("strategy");
            let ty = s.strategy.as_ref().and_then(|u| u.type_.as_deref());
            v.one_of(
                || at.key("type"),
                "Deployment strategy",
                ty,
                &["Recreate", "RollingUpdate"],
            );
            let rolling = s.strategy.as_ref().and_then(|u| u.rolling_update.as_ref());
            if ty == Some("Recreate") && rolling.is_some() {
                v.flag(
                    at.key("rollingUpdate"),
                    "may not be given with type `Recreate`".to_string(),
                );
            }
            if let Some(r) = rolling {
                let at = at.key("rollingUpdate");
                let zero = |x: &Option<IntOrString>| match x {
                    Some(IntOrString::Int(0)) => true,
                    Some(IntOrString::String(s)) => s == "0%",
                    _ => false,
                };
                for (field, x) in [
                    ("maxSurge", &r.max_surge),
                    ("maxUnavailable", &r.max_unavailable),
                ] {
                    if let Some(x) = x {
                        int_or_percent(v, || at.key(field), field, x);
                    }
                }
                if zero(&r.max_surge) && zero(&r.max_unavailable) {
                    v.flag(
                        at.key("maxUnavailable"),
                        "may not be 0 when maxSurge is 0: the rollout could never progress"
                            .to_string(),
                    );
                }
            }
        }
        Object::DaemonSet(o) => {
            let Some(s) = &o.spec else { return };
            let ty = s.update_strategy.as_ref().and_then(|u| u.type_.as_deref());
            v.one_of(
                || spec.key("updateStrategy").key("type"),
                "DaemonSet update strategy",
                ty,
                &["RollingUpdate", "OnDelete"],
            );
        }
        Object::CronJob(o) => {
            let Some(s) = &o.spec else { return };
            let policies = ["Allow", "Forbid", "Replace"];
            v.one_of(
                || spec.key("concurrencyPolicy"),
                "concurrencyPolicy",
                s.concurrency_policy.as_deref(),
                &policies,
            );
        }
        _ => {}
    }
}

fn pod_spec(v: &mut V<'_, '_>, w: &PodTemplate<'_>, spec: &PodSpec, claims: &[&str]) {
    let base = w.spec_path();
    let restart: &[&str] = match w.kind {
        "Job" | "CronJob" => &["OnFailure", "Never"],
        "Pod" => &["Always", "OnFailure", "Never"],
        _ => &["Always"],
    };
    let what = format!("restartPolicy for a {}", w.kind);
    v.one_of(
        || base.key("restartPolicy"),
        &what,
        spec.restart_policy.as_deref(),
        restart,
    );
    let dns = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
    v.one_of(
        || base.key("dnsPolicy"),
        "dnsPolicy",
        spec.dns_policy.as_deref(),
        &dns,
    );
    let mut volumes = HashSet::new();
    for (i, vol) in spec.volumes.iter().flatten().enumerate() {
        let at = || base.key("volumes").index(i).key("name");
        v.check(at, "volume name", &vol.name, syntax::dns_label(&vol.name));
        if !volumes.insert(vol.name.as_str()) {
            v.flag(
                at(),
                format!(
                    "volume name `{}` is used twice: each volume needs its own name",
                    vol.name
                ),
            );
        }
    }
    volumes.extend(claims.iter().copied());
    let mut names = HashSet::new();
    for (pos, c) in w.containers() {
        let at = || pos.path();
        v.check(
            || at().key("name"),
            "container name",
            &c.name,
            syntax::dns_label(&c.name),
        );
        if !names.insert(c.name.as_str()) {
            v.flag(at().key("name"), format!("container name `{}` is used twice in the pod: each container needs its own name", c.name));
        }
        if pos.list == "initContainers" {
            v.one_of(
                || at().key("restartPolicy"),
                "restartPolicy for an init container",
                c.restart_policy.as_deref(),
                &["Always"],
            );
        } else if let Some(p) = &c.restart_policy {
            v.flag(
                at().key("restartPolicy"),
                format!("`{p}`: only init containers (sidecars) take a restartPolicy"),
            );
        }
        container(v, at, c, &volumes);
    }
}

fn container(
    v: &mut V<'_, '_>,
    at: impl Fn() -> FieldPath + Copy,
    c: &Container,
    volumes: &HashSet<&str>,
) {
    let policies = ["Always", "IfNotPresent", "Never"];
    v.one_of(
        || at().key("imagePullPolicy"),
        "imagePullPolicy",
        c.image_pull_policy.as_deref(),
        &policies,
    );
    let messages = ["File", "FallbackToLogsOnError"];
    v.one_of(
        || at().key("terminationMessagePolicy"),
        "terminationMessagePolicy",
        c.termination_message_policy.as_deref(),
        &messages,
    );
    let mut ports = HashSet::new();
    for (i, p) in c.ports.iter().flatten().enumerate() {
        let pat = || at().key("ports").index(i);
        if let Some(n) = p.name.as_deref().filter(|n| !n.is_empty()) {
            v.check(|| pat().key("name"), "port name", n, syntax::port_name(n));
            if !ports.insert(n) {
                v.flag(
                    pat().key("name"),
                    format!("port name `{n}` is used twice in container `{}`", c.name),
                );
            }
        }
        let n = p.container_port;
        v.check(
            || pat().key("containerPort"),
            "containerPort",
            n,
            syntax::port_number(i64::from(n)),
        );
        if let Some(h) = p.host_port.filter(|&h| h != 0) {
            v.check(
                || pat().key("hostPort"),
                "hostPort",
                h,
                syntax::port_number(i64::from(h)),
            );
        }
        v.one_of(
            || pat().key("protocol"),
            "protocol",
            p.protocol.as_deref(),
            &PROTOCOLS,
        );
    }
    for (i, e) in c.env.iter().flatten().enumerate() {
        let name = || at().key("env").index(i).key("name");
        v.check(name, "env var name", &e.name, syntax::env_var_name(&e.name));
    }
    if let Some(r) = &c.resources {
        resources(
            v,
            &at().key("resources"),
            r.limits.as_ref(),
            r.requests.as_ref(),
        );
    }
    let mut paths = HashSet::new();
    for (i, m) in c.volume_mounts.iter().flatten().enumerate() {
        let mat = || at().key("volumeMounts").index(i);
        if !volumes.contains(m.name.as_str()) {
            let mut known: Vec<&str> = volumes.iter().copied().collect();
            known.sort_unstable();
            let hint = crate::suggest::did_you_mean(&m.name, known.iter().copied())
                .map_or_else(String::new, |n| format!(" (did you mean `{n}`?)"));
            v.flag(
                mat().key("name"),
                format!("mounts volume `{}`, which the pod does not have{hint}: name one of its volumes ({})", m.name, if known.is_empty() { "none".to_string() } else { known.join(", ") }),
            );
        }
        if !paths.insert(m.mount_path.as_str()) {
            v.flag(
                mat().key("mountPath"),
                format!(
                    "`{}` is mounted twice in container `{}`: each mountPath must be unique",
                    m.mount_path, c.name
                ),
            );
        }
    }
    for (field, probe) in probes(c) {
        let Some(p) = probe else { continue };
        let pat = || at().key(field);
        if let Some(h) = &p.http_get {
            v.port_num_or_name(|| pat().key("httpGet").key("port"), "probe port", &h.port);
            v.one_of(
                || pat().key("httpGet").key("scheme"),
                "probe scheme",
                h.scheme.as_deref(),
                &["HTTP", "HTTPS"],
            );
        }
        if let Some(t) = &p.tcp_socket {
            v.port_num_or_name(|| pat().key("tcpSocket").key("port"), "probe port", &t.port);
        }
        if let Some(g) = &p.grpc {
            v.check(
                || pat().key("grpc").key("port"),
                "probe port",
                g.port,
                syntax::port_number(i64::from(g.port)),
            );
        }
    }
}

/// Whether a container may ask for resource `name` (`validateContainerResourceName`): a
/// standard one, or an extended resource with a domain prefix.
fn container_resource(name: &str) -> bool {
    matches!(name, "cpu" | "memory" | "ephemeral-storage")
        || name.starts_with("hugepages-")
        || (name.contains('/') && syntax::qualified_name(name).is_ok())
}

fn resources(
    v: &mut V<'_, '_>,
    at: &FieldPath,
    limits: Option<&BTreeMap<String, Quantity>>,
    requests: Option<&BTreeMap<String, Quantity>>,
) {
    let mut parsed: [BTreeMap<&str, f64>; 2] = Default::default();
    for (section, map, into) in [("limits", limits, 0), ("requests", requests, 1)] {
        for (name, q) in map.into_iter().flatten() {
            let path = || at.key(section).key(name);
            if !container_resource(name) {
                v.flag(path(), format!("`{name}` is not a resource a container can have: use `cpu`, `memory`, `ephemeral-storage`, `hugepages-<size>` or a domain-prefixed extended resource"));
            }
            match crate::quantity::parse(&q.0) {
                Some(x) => {
                    parsed[into].insert(name, x);
                }
                None if q.0.starts_with('-') => v.flag(path(), format!("{section}.{name} `{}` must be 0 or more", q.0)),
                None => v.flag(path(), format!("`{}` is not a quantity: write a number with an optional suffix, e.g. `500m`, `0.5`, `512Mi`, `1Gi`", q.0)),
            }
        }
    }
    let [limits, requests] = parsed;
    for (name, req) in &requests {
        if let Some(lim) = limits.get(name)
            && req > lim
        {
            v.flag(
                at.key("requests").key(name),
                format!(
                    "requests.{name} is above limits.{name}: a request must be at most its limit"
                ),
            );
        }
    }
}
