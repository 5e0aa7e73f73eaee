//! Resolves the production knobs of a spec: graceful shutdown, rollouts and probes, HPA
//! behaviour, ephemeral storage, scheduling, NetworkPolicy egress, client exposure and TLS
//! (Ingress, HTTPRoute, the NLB's certificate), and the GitOps lifecycle of the Namespace.
//!
//! Each concern is one function that reads the spec, applies its default (recorded for `-v`),
//! checks its rules (located at the field they are about) and returns what templates print.
//! `model::resolve` calls them; the numbers they compute are the ones `gen describe` shows.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Check;
use crate::path::FieldPath;
use crate::profile::Profile;
use crate::quantity;
use crate::spec::{
    AntiAffinity, Autoscale, Egress, ScalePolicy, ServiceType, Spec, WhenUnsatisfiable, ZoneSpread,
};

pub const DEFAULT_DRAIN_SECONDS: u32 = 30;
pub const DEFAULT_STOP_SECONDS: u32 = 30;
pub const DEFAULT_MIN_READY_SECONDS: u32 = 30;
pub const DEFAULT_STARTUP_SECONDS: u32 = 300;
pub const DEFAULT_EPHEMERAL: &str = "2Gi";
/// The startup probe's period: `startupSeconds` is turned into a failure threshold of it.
pub const STARTUP_PERIOD_SECONDS: u32 = 5;
/// Annotation of the AWS Load Balancer Controller that sets target-group attributes.
pub const TG_ATTRIBUTES: &str =
    "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes";
/// Annotation Stakater Reloader reads: roll the workload when one of these Secrets changes.
pub const RELOADER: &str = "secret.reloader.stakater.com/reload";

/// How a member stops and starts: the numbers the workload template prints.
#[derive(Clone, Debug, Serialize)]
pub struct Lifecycle {
    /// The `preStop` sleep.
    pub drain_seconds: u32,
    pub stop_seconds: u32,
    /// `terminationGracePeriodSeconds` = drain + stop.
    pub grace_seconds: u32,
    pub min_ready_seconds: u32,
    pub startup_seconds: u32,
    pub startup_period: u32,
    pub startup_failure_threshold: u32,
}

/// Where members may run.
#[derive(Clone, Debug, Serialize)]
pub struct Scheduling {
    /// `required` or `preferred` pod anti-affinity on the node.
    pub anti_affinity: &'static str,
    /// The zone spread's `whenUnsatisfiable`, when members are spread.
    pub zone_spread: Option<&'static str>,
}

/// One direction of the HPA's behaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Behavior {
    pub stabilization_seconds: u32,
    pub pods_per_period: u32,
    pub period_seconds: u32,
}

/// The client Service as exposure and TLS leave it.
pub struct Exposure {
    pub kind: ServiceType,
    pub port: u16,
    pub annotations: BTreeMap<String, String>,
    pub ingress: Option<Ingress>,
    pub http_route: Option<GatewayHttpRoute>,
    /// The OpenShift Route's host, when `tls.host` names one.
    pub route_host: Option<String>,
    /// `tls.certificateArn`: TLS terminated at the NLB.
    pub nlb_tls: bool,
}

/// The Ingress in front of the client Service (`tls.host` with `tls.secretName`; the profile
/// gives its defaults, [`crate::profile::IngressDefaults`]).
#[derive(Clone, Debug, Serialize)]
pub struct Ingress {
    pub name: String,
    pub class_name: String,
    pub annotations: BTreeMap<String, String>,
    pub host: String,
    pub secret_name: String,
}

/// The Gateway API HTTPRoute in front of the client Service (`tls.host` with `gateway`; the
/// typed object is [`crate::typed::HttpRoute`]).
#[derive(Clone, Debug, Serialize)]
pub struct GatewayHttpRoute {
    pub name: String,
    pub gateway_name: String,
    pub gateway_namespace: String,
    pub host: String,
}

/// What a restricted egress allows besides DNS and the members' own ports.
#[derive(Clone, Debug, Serialize)]
pub struct EgressRules {
    /// Ports of the Kafka bootstrap servers, each once, in order.
    pub kafka_ports: Vec<u16>,
}

pub(crate) fn lifecycle(c: &mut Check, spec: &Spec) -> Lifecycle {
    let shutdown = spec.shutdown.clone().unwrap_or_default();
    let rollout = spec.rollout.clone().unwrap_or_default();
    let drain = seconds(
        c,
        ["shutdown", "drainSeconds"],
        shutdown.drain_seconds,
        DEFAULT_DRAIN_SECONDS,
        1..=600,
    );
    let stop = seconds(
        c,
        ["shutdown", "stopSeconds"],
        shutdown.stop_seconds,
        DEFAULT_STOP_SECONDS,
        1..=600,
    );
    let min_ready = seconds(
        c,
        ["rollout", "minReadySeconds"],
        rollout.min_ready_seconds,
        DEFAULT_MIN_READY_SECONDS,
        0..=3600,
    );
    let startup = seconds(
        c,
        ["rollout", "startupSeconds"],
        rollout.startup_seconds,
        DEFAULT_STARTUP_SECONDS,
        10..=3600,
    );
    Lifecycle {
        drain_seconds: drain,
        stop_seconds: stop,
        grace_seconds: drain + stop,
        min_ready_seconds: min_ready,
        startup_seconds: startup,
        startup_period: STARTUP_PERIOD_SECONDS,
        startup_failure_threshold: startup.div_ceil(STARTUP_PERIOD_SECONDS),
    }
}

/// A number of seconds within `range`, or its default (recorded for `-v`).
fn seconds(
    c: &mut Check,
    path: [&str; 2],
    value: Option<u32>,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> u32 {
    let path = FieldPath::from(path);
    let v = match value {
        Some(v) => v,
        None => c.defaulted(default, || format!("{path} absent: {default}")),
    };
    if !range.contains(&v) {
        c.error(
            path,
            format!(
                "`{v}` is out of range: use {} to {} seconds",
                range.start(),
                range.end()
            ),
        );
    }
    v
}

/// The HPA's scale-down and scale-up behaviour.
pub(crate) fn behavior(c: &mut Check, a: &Autoscale) -> (Behavior, Behavior) {
    let down = policy(
        c,
        ["autoscale", "scaleDown"],
        a.scale_down.as_ref(),
        Behavior {
            stabilization_seconds: 300,
            pods_per_period: 1,
            period_seconds: 180,
        },
    );
    let up = policy(
        c,
        ["autoscale", "scaleUp"],
        a.scale_up.as_ref(),
        Behavior {
            stabilization_seconds: 0,
            pods_per_period: 2,
            period_seconds: 30,
        },
    );
    (down, up)
}

fn policy(c: &mut Check, path: [&str; 2], p: Option<&ScalePolicy>, d: Behavior) -> Behavior {
    let path = FieldPath::from(path);
    if p.is_none() {
        c.defaulted((), || {
            format!(
                "{path} absent: {} pod(s) per {} s after a {} s stabilization window",
                d.pods_per_period, d.period_seconds, d.stabilization_seconds
            )
        });
    }
    let p = p.cloned().unwrap_or_default();
    let b = Behavior {
        stabilization_seconds: p.stabilization_seconds.unwrap_or(d.stabilization_seconds),
        pods_per_period: p.pods_per_period.unwrap_or(d.pods_per_period),
        period_seconds: p.period_seconds.unwrap_or(d.period_seconds),
    };
    if b.stabilization_seconds > 3600 {
        c.error(
            path.key("stabilizationSeconds"),
            format!(
                "`{}` is out of range: use 0 to 3600 seconds (the HPA's limit)",
                b.stabilization_seconds
            ),
        );
    }
    if b.pods_per_period == 0 {
        c.error(
            path.key("podsPerPeriod"),
            "must be at least 1: a policy of 0 pods never scales",
        );
    }
    if !(1..=1800).contains(&b.period_seconds) {
        c.error(
            path.key("periodSeconds"),
            format!(
                "`{}` is out of range: use 1 to 1800 seconds (the HPA's limit)",
                b.period_seconds
            ),
        );
    }
    b
}

/// The ephemeral-storage quantity: every emptyDir's sizeLimit and the container's request
/// and limit.
pub(crate) fn ephemeral(c: &mut Check, spec: &Spec) -> String {
    let q = match spec.storage.as_ref().and_then(|s| s.ephemeral.clone()) {
        Some(q) => q,
        None => c.defaulted(DEFAULT_EPHEMERAL.to_string(), || {
            format!("storage.ephemeral absent: `{DEFAULT_EPHEMERAL}`")
        }),
    };
    match quantity::parse(&q) {
        Some(bytes) if bytes >= 64.0 * 1048576.0 => {}
        Some(_) => c.error(
            ["storage", "ephemeral"],
            format!("`{q}` is too little for the server's logs: use at least `64Mi`"),
        ),
        None => c.error(
            ["storage", "ephemeral"],
            format!("`{q}` is not a storage quantity: use e.g. `1Gi` or `500Mi`"),
        ),
    }
    q
}

pub fn scheduling(spec: &Spec) -> Scheduling {
    let anti_affinity = match spec.anti_affinity.unwrap_or(AntiAffinity::Preferred) {
        AntiAffinity::Preferred => "preferred",
        AntiAffinity::Required => "required",
    };
    let when = |w: Option<WhenUnsatisfiable>| match w.unwrap_or(WhenUnsatisfiable::ScheduleAnyway) {
        WhenUnsatisfiable::ScheduleAnyway => "ScheduleAnyway",
        WhenUnsatisfiable::DoNotSchedule => "DoNotSchedule",
    };
    let zone_spread = match &spec.zone_spread {
        None | Some(ZoneSpread::Enabled(false)) => None,
        Some(ZoneSpread::Enabled(true)) => Some(when(None)),
        Some(ZoneSpread::Detailed(d)) => Some(when(d.when_unsatisfiable)),
    };
    Scheduling {
        anti_affinity,
        zone_spread,
    }
}

/// A restricted egress's rules, or `None` for `open` (the default) or no NetworkPolicy.
pub(crate) fn egress(c: &mut Check, spec: &Spec, network_policy_on: bool) -> Option<EgressRules> {
    let egress = spec.network_policy.as_ref().and_then(|n| n.egress);
    if egress != Some(Egress::Restricted) {
        return None;
    }
    if !network_policy_on {
        c.error(
            ["networkPolicy", "egress"],
            "a restricted egress is a NetworkPolicy rule; it needs `networkPolicy.enabled: true`",
        );
        return None;
    }
    let mut kafka_ports = Vec::new();
    for s in spec.backplane.iter().flat_map(|b| &b.bootstrap_servers) {
        if let Some(port) = s.rsplit_once(':').and_then(|(_, p)| p.parse::<u16>().ok())
            && !kafka_ports.contains(&port)
        {
            kafka_ports.push(port);
        }
    }
    Some(EgressRules { kafka_ports })
}

/// The Secrets the spec names, for Stakater Reloader; `None` unless `rollOnSecretChange`.
pub(crate) fn reload_secrets(c: &mut Check, spec: &Spec) -> Option<String> {
    if spec.roll_on_secret_change != Some(true) {
        return None;
    }
    let b = spec.backplane.as_ref();
    let named = [
        b.and_then(|b| b.jaas.as_ref())
            .and_then(|j| j.secret_name.clone()),
        spec.license_key.as_ref().map(|r| r.secret_name.clone()),
        spec.cluster_password
            .as_ref()
            .map(|r| r.secret_name.clone()),
        b.and_then(|b| b.truststore.as_ref())
            .map(|t| t.secret_name.clone()),
    ];
    let mut names: Vec<String> = Vec::new();
    for n in named.into_iter().flatten() {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    if names.is_empty() {
        c.warn(
            ["rollOnSecretChange"],
            "the spec names no Secret (jaas.secretName, licenseKey, clusterPassword, truststore): nothing to reload",
        );
        return None;
    }
    Some(names.join(","))
}

/// Namespace labels and annotations gen adds: the platform's (EKS: the readiness-gate
/// injection) and the GitOps lifecycle guards. Warns when gen does not render the Namespace
/// but the platform needs a label on it.
pub(crate) fn namespace_metadata(
    c: &mut Check,
    profile: &Profile,
    created: bool,
    namespace: &str,
    user: &BTreeMap<String, String>,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let labels = profile.namespace_labels.clone();
    if !created {
        for (k, v) in &labels {
            c.warn(
                ["createNamespace"],
                format!("gen does not render the Namespace: label it yourself (`kubectl label namespace {namespace} {k}={v}`), or the load balancer may route to pods before they are registered"),
            );
        }
    }
    let mut annotations = BTreeMap::new();
    let argo = "argocd.argoproj.io/sync-options";
    annotations.insert(
        argo.to_string(),
        merge_sync_options(
            "Prune=false,Delete=false",
            user.get(argo).map(String::as_str),
        ),
    );
    // The user's own Flux setting (from `annotations`) stands as written.
    let flux = "kustomize.toolkit.fluxcd.io/prune";
    if !user.contains_key(flux) {
        annotations.insert(flux.to_string(), "disabled".to_string());
    }
    (labels, annotations)
}

/// Argo CD's `sync-options` is one comma-separated list: gen's guards and the options the
/// spec's `annotations` give are merged into one value, the spec's winning for an option both
/// set (`Prune=true` there means the user wants pruning).
fn merge_sync_options(ours: &str, user: Option<&str>) -> String {
    let mut options: Vec<(String, String)> = Vec::new();
    let items = ours.split(',').chain(user.unwrap_or_default().split(','));
    for item in items.map(str::trim).filter(|i| !i.is_empty()) {
        let (key, value) = item.split_once('=').unwrap_or((item, ""));
        match options.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.to_string(),
            None => options.push((key.to_string(), value.to_string())),
        }
    }
    options
        .iter()
        .map(|(k, v)| {
            if v.is_empty() {
                k.clone()
            } else {
                format!("{k}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The client Service's type, port and annotations, and the Ingress or HTTPRoute in front of
/// it, with every combination the platform cannot serve refused.
pub(crate) fn exposure(
    c: &mut Check,
    spec: &Spec,
    profile: &Profile,
    name: &str,
    namespace: &str,
    drain_seconds: u32,
) -> Exposure {
    let tls = spec.tls.clone().unwrap_or_default();
    let service = spec.service.clone().unwrap_or_default();
    let openshift = profile.route.is_some();
    let platform = profile.platform.as_str();
    refuse_unservable(c, spec, profile, &tls, openshift, platform);
    let ingress = exposure_ingress(c, spec, profile, &tls, name);
    let http_route = exposure_route(c, spec, &tls, name, namespace);
    let fronted = ingress.is_some() || http_route.is_some();
    let kind = match service.kind {
        Some(k) => k,
        None if fronted => c.defaulted(ServiceType::ClusterIP, || {
            "service.type absent with an Ingress or HTTPRoute: ClusterIP, so no plaintext path stays open".to_string()
        }),
        None => profile.client_service.kind,
    };
    let nlb_tls = tls.certificate_arn.is_some() && profile.client_service.tls_annotations.is_some();
    let port = match service.port {
        Some(p) => p,
        None if nlb_tls => 443,
        None => 80,
    };
    if port == 0 {
        c.error(["service", "port"], "must be a port number, 1 to 65535");
    }
    // The platform's load-balancer annotations only mean something on its own Service type.
    let mut annotations = BTreeMap::new();
    if kind == profile.client_service.kind {
        annotations.extend(profile.client_service.annotations.clone());
        if kind == ServiceType::LoadBalancer && profile.client_service.deregistration_delay {
            annotations.insert(
                TG_ATTRIBUTES.to_string(),
                format!("deregistration_delay.timeout_seconds={drain_seconds}"),
            );
        }
    }
    if let (Some(arn), Some(t)) = (
        &tls.certificate_arn,
        &profile.client_service.tls_annotations,
    ) {
        annotations.insert(t.certificate.clone(), arn.clone());
        annotations.insert(t.ports.clone(), port.to_string());
    }
    if nlb_tls && kind != ServiceType::LoadBalancer {
        c.error(
            ["tls", "certificateArn"],
            "the NLB terminates TLS only for a LoadBalancer Service; remove service.type or set it to LoadBalancer",
        );
    }
    Exposure {
        kind,
        port,
        annotations,
        ingress,
        http_route,
        route_host: if openshift { tls.host.clone() } else { None },
        nlb_tls,
    }
}

/// The client Service's annotations: gen's, then the user's over them. A user's own
/// target-group attributes keep gen's deregistration delay unless they set one, which must
/// stay below the grace period.
pub(crate) fn client_annotations(
    c: &mut Check,
    mut ours: BTreeMap<String, String>,
    user: BTreeMap<String, String>,
    life: &Lifecycle,
) -> BTreeMap<String, String> {
    const DELAY: &str = "deregistration_delay.timeout_seconds=";
    for (k, v) in user {
        let merged = match ours.get(&k) {
            Some(ours_value) if k == TG_ATTRIBUTES => {
                let theirs = v.split(',').find_map(|a| a.trim().strip_prefix(DELAY));
                match theirs.map(str::parse::<u32>) {
                    None => format!("{v},{ours_value}"),
                    Some(Ok(d)) if d < life.grace_seconds => v,
                    _ => {
                        c.error(
                            FieldPath::from(["service", "annotations"]).key(&k),
                            format!("the deregistration delay must be a number of seconds below the grace period ({} s = shutdown.drainSeconds + shutdown.stopSeconds): leave it out and gen sets shutdown.drainSeconds", life.grace_seconds),
                        );
                        v
                    }
                }
            }
            _ => v,
        };
        ours.insert(k, merged);
    }
    ours
}

/// Refuses what the platform cannot serve, each with the reason.
fn refuse_unservable(
    c: &mut Check,
    spec: &Spec,
    profile: &Profile,
    tls: &crate::spec::Tls,
    openshift: bool,
    platform: &str,
) {
    if tls.certificate_arn.is_some() && profile.client_service.tls_annotations.is_none() {
        c.error(
            ["tls", "certificateArn"],
            format!("an ACM certificate is for the AWS NLB (platform eks); on {platform} use tls.host and tls.secretName with an Ingress"),
        );
    }
    if tls.certificate_arn.is_some()
        && (spec.ingress.is_some() || spec.gateway.is_some() || tls.secret_name.is_some())
    {
        c.error(
            ["tls", "certificateArn"],
            "TLS is terminated either at the NLB (certificateArn) or by an Ingress/Gateway, not both: remove one",
        );
    }
    if openshift {
        for (set, field, why) in [
            (
                tls.secret_name.is_some(),
                FieldPath::from(["tls", "secretName"]),
                "a custom certificate is not supported on openshift yet: the Route uses edge TLS with the router's default certificate (refused rather than silently ignored)",
            ),
            (
                spec.ingress.is_some(),
                FieldPath::from(["ingress"]),
                "openshift exposes clients through its Route (edge TLS on the router); remove ingress",
            ),
            (
                spec.gateway.is_some(),
                FieldPath::from(["gateway"]),
                "openshift exposes clients through its Route (edge TLS on the router); remove gateway",
            ),
        ] {
            if set {
                c.error(field, why);
            }
        }
    }
    if spec.ingress.is_some() && spec.gateway.is_some() {
        c.error(
            ["gateway"],
            "choose one of ingress and gateway: both would expose the same Service twice",
        );
    }
    if spec.gateway.is_some() && tls.secret_name.is_some() {
        c.error(
            ["tls", "secretName"],
            "with gateway, the Gateway's HTTPS listener holds the certificate (its certificateRefs); remove tls.secretName",
        );
    }
    if !openshift
        && spec.gateway.is_none()
        && spec.ingress.is_none()
        && tls.host.is_some()
        && tls.secret_name.is_none()
    {
        c.error(
            ["tls", "host"],
            "a host needs an Ingress (set tls.secretName) or a Gateway (set gateway) to serve it",
        );
    }
    if let Some(h) = &tls.host
        && !crate::validate::is_dns_subdomain(h)
    {
        c.error(
            ["tls", "host"],
            format!("`{h}` is not a DNS host name (lowercase letters, digits, `-` and `.`)"),
        );
    }
    if let Some(arn) = &tls.certificate_arn
        && !(arn.starts_with("arn:aws")
            && arn.contains(":acm:")
            && !arn.contains(char::is_whitespace))
    {
        c.error(
            ["tls", "certificateArn"],
            format!("`{arn}` is not an ACM certificate ARN (`arn:aws:acm:<region>:<account>:certificate/<id>`)"),
        );
    }
}

fn exposure_ingress(
    c: &mut Check,
    spec: &Spec,
    profile: &Profile,
    tls: &crate::spec::Tls,
    name: &str,
) -> Option<Ingress> {
    if profile.route.is_some() || spec.gateway.is_some() {
        return None;
    }
    if spec.ingress.is_none() && tls.secret_name.is_none() {
        return None;
    }
    let spec_ingress = spec.ingress.clone().unwrap_or_default();
    let (Some(host), Some(secret)) = (&tls.host, &tls.secret_name) else {
        let missing = match (&spec.tls, &tls.host) {
            (None, _) => FieldPath::from(["ingress"]),
            (Some(_), None) => FieldPath::from(["tls", "host"]),
            (Some(_), Some(_)) => FieldPath::from(["tls", "secretName"]),
        };
        c.error(
            missing,
            "an Ingress serves TLS for one host from an existing Secret, so set tls.host and tls.secretName",
        );
        return None;
    };
    super::check_name(c, ["tls", "secretName"], secret, 253, false);
    let Some(p) = &profile.ingress else {
        c.error(
            ["ingress"],
            format!(
                "the {} profile sets no ingress class or timeouts",
                profile.platform.as_str()
            ),
        );
        return None;
    };
    let class_name = spec_ingress
        .class_name
        .clone()
        .unwrap_or_else(|| p.class_name.clone());
    super::check_name(c, ["ingress", "className"], &class_name, 253, false);
    let mut annotations = p.annotations.clone();
    annotations.extend(super::check_annotations(
        c,
        ["ingress", "annotations"],
        &spec_ingress.annotations,
    ));
    Some(Ingress {
        name: name.to_string(),
        class_name,
        annotations,
        host: host.clone(),
        secret_name: secret.clone(),
    })
}

fn exposure_route(
    c: &mut Check,
    spec: &Spec,
    tls: &crate::spec::Tls,
    name: &str,
    namespace: &str,
) -> Option<GatewayHttpRoute> {
    let g = spec.gateway.as_ref()?;
    let Some(host) = &tls.host else {
        // Located at `tls` when it is written, else at the `gateway` that needs it.
        let at = if spec.tls.is_some() {
            FieldPath::from(["tls", "host"])
        } else {
            FieldPath::from(["gateway"])
        };
        c.error(
            at,
            "an HTTPRoute needs the host name clients connect to: set tls.host",
        );
        return None;
    };
    super::check_name(c, ["gateway", "name"], &g.name, 253, false);
    let gateway_namespace = g.namespace.clone().unwrap_or_else(|| namespace.to_string());
    if g.namespace.is_some() {
        super::check_name(c, ["gateway", "namespace"], &gateway_namespace, 63, false);
    }
    Some(GatewayHttpRoute {
        name: name.to_string(),
        gateway_name: g.name.clone(),
        gateway_namespace,
        host: host.clone(),
    })
}

#[cfg(test)]
mod tests {
    use crate::model::{Model, ResolveOptions, resolve};

    #[test]
    fn sync_options_merge_with_the_users() {
        let merge = super::merge_sync_options;
        assert_eq!(
            merge("Prune=false,Delete=false", None),
            "Prune=false,Delete=false"
        );
        assert_eq!(
            merge(
                "Prune=false,Delete=false",
                Some("ServerSideApply=true, Prune=true")
            ),
            "Prune=true,Delete=false,ServerSideApply=true"
        );
        assert_eq!(merge("Prune=false", Some("")), "Prune=false");
    }
    use crate::spec::{
        Backplane, BackplaneType, Jaas, NetworkPolicySpec, Rollout, SecretKeyRef, Spec,
    };

    fn spec() -> Spec {
        Spec {
            namespace: Some("rt".into()),
            platform: Some(crate::spec::Platform::Eks),
            replicas: Some(4),
            seed_count: Some(3),
            ..Spec::default()
        }
    }

    fn model(s: &Spec) -> Model {
        resolve(s, &ResolveOptions::default())
            .model
            .expect("valid spec")
    }

    fn secret(name: &str) -> Option<SecretKeyRef> {
        Some(SecretKeyRef {
            secret_name: name.into(),
            key: "k".into(),
        })
    }

    #[test]
    fn startup_window_rounds_up_to_whole_periods() {
        let mut s = spec();
        s.rollout = Some(Rollout {
            min_ready_seconds: None,
            startup_seconds: Some(301),
        });
        let l = model(&s).lifecycle;
        assert_eq!((l.startup_period, l.startup_failure_threshold), (5, 61));
        assert_eq!(l.grace_seconds, l.drain_seconds + l.stop_seconds);
    }

    #[test]
    fn reload_names_each_secret_once_in_spec_order() {
        let mut s = spec();
        s.roll_on_secret_change = Some(true);
        s.license_key = secret("shared");
        s.cluster_password = secret("shared");
        s.backplane = Some(Backplane {
            kind: Some(BackplaneType::Kafka),
            bootstrap_servers: vec!["a:9093".into(), "b:9093".into(), "c:9094".into()],
            topics: vec!["t".into()],
            security_protocol: Some(crate::spec::SecurityProtocol::SaslSsl),
            sasl_mechanism: Some(crate::spec::SaslMechanism::Plain),
            jaas: Some(Jaas {
                secret_name: Some("jaas".into()),
                file: None,
            }),
            truststore: None,
        });
        s.seed_count = None;
        s.network_policy = Some(NetworkPolicySpec {
            egress: Some(crate::spec::Egress::Restricted),
            ..NetworkPolicySpec::default()
        });
        let m = model(&s);
        assert_eq!(
            m.workload
                .annotations
                .get(super::RELOADER)
                .map(String::as_str),
            Some("jaas,shared")
        );
        assert_eq!(m.egress.expect("restricted").kafka_ports, [9093, 9094]);
    }

    #[test]
    fn reload_without_a_named_secret_warns_and_adds_nothing() {
        let mut s = spec();
        s.roll_on_secret_change = Some(true);
        let r = resolve(&s, &ResolveOptions::default());
        assert!(
            r.warnings
                .iter()
                .any(|w| w.path.to_string() == "rollOnSecretChange")
        );
        let m = r.model.expect("valid");
        assert!(!m.workload.annotations.contains_key(super::RELOADER));
    }
}
