//! Resolves a [`Spec`] against a platform [`Profile`] into the [`Model`] templates see.
//!
//! Every default is applied here, every name and option string computed, and every rule the
//! guides state only in prose checked, each with the field path it is about. Templates only
//! print what the model holds.

pub mod production;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::path::FieldPath;
use crate::profile::Profile;
use crate::rules::{LINT_SKIP_PREFIX, Rule};
use crate::server_options::{self as so, Words};
use crate::spec::{
    BackplaneType, LogLevel, Platform, SecurityProtocol, ServiceType, Spec, TaintEffect,
    TolerationOperator, TruststoreType,
};
use crate::syntax::is_dns_label;
use crate::validate::{self, is_dns_subdomain, is_qualified_name};

pub const DEFAULT_NAME: &str = "migratorydata";
pub const DEFAULT_IMAGE: &str = "migratorydata/server:6.0.24";
pub const CLIENT_PORT: u16 = 8800;
pub const CLUSTER_PORTS: [u16; 4] = [8801, 8802, 8803, 8804];
pub const METRICS_PORT: u16 = 9900;
pub const JAAS_DIR: &str = "/migratorydata/secrets";
pub const JAAS_KEY: &str = "jaas.config";
pub const TRUSTSTORE_DIR: &str = "/migratorydata/truststore";
pub const LOG_DIR: &str = "/migratorydata/logs";
pub const COORDINATION_DIR: &str = "/migratorydata/coordination";
/// Longest name gen accepts: a StatefulSet's pods carry a `controller-revision-hash` label of
/// `<name>-<10 chars>`, and label values stop at 63.
pub const MAX_NAME: usize = 52;

/// Server options gen computes itself; `extraOptions` may not set them.
pub(crate) const MANAGED_OPTIONS: &[(&str, &str)] = &[
    (so::MEMORY, "resources.memory and memoryPercent"),
    (so::LOG_LEVEL, "logLevel"),
    (
        so::LOG_FOLDER,
        "nothing: gen points it at an emptyDir volume",
    ),
    (so::CLUSTER_MEMBERS, "replicas and autoscale.max"),
    (
        so::CLUSTER_MEMBER_LISTEN,
        "nothing: gen derives it from the pod name",
    ),
    (so::CLUSTER_SEED_MEMBER_COUNT, "seedCount"),
    (
        so::CLUSTER_MEMBER_COORDINATION_FOLDER,
        "nothing: gen points it at an emptyDir volume",
    ),
    (so::CLUSTER_ENGINE, "backplane.type"),
    (so::LICENSE_KEY, "licenseKey (a Secret)"),
    (so::CLUSTER_PASSWORD, "clusterPassword (a Secret)"),
    (so::MONITOR, "metrics"),
    (so::MONITOR_HTTP_LISTEN, "metrics"),
    (
        so::CLUSTER_DELIVERY_MODE,
        "nothing: gen sets Guaranteed for native clustering",
    ),
    (so::BOOTSTRAP_SERVERS, "backplane.bootstrapServers"),
    (so::TOPICS, "backplane.topics"),
    (so::SECURITY_PROTOCOL, "backplane.securityProtocol"),
    (so::SASL_MECHANISM, "backplane.saslMechanism"),
    (so::JAAS_CONFIG, "backplane.jaas"),
    (so::TRUSTSTORE_LOCATION, "backplane.truststore"),
    (so::TRUSTSTORE_TYPE, "backplane.truststore.type"),
    (so::TRUSTSTORE_PASSWORD, "backplane.truststore.passwordKey"),
];

/// One thing wrong with (or worth saying about) a spec, at a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: FieldPath,
    pub message: String,
}

impl Problem {
    fn new(path: impl Into<FieldPath>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Text that must never reach a terminal, a log or a diff (JAAS file contents).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// How a spec is resolved, beyond the spec itself.
#[derive(Clone, Debug, Default)]
pub struct ResolveOptions {
    /// `--platform`: overrides the spec's platform.
    pub platform: Option<Platform>,
    /// `--profile FILE`, already read.
    pub profile: Option<Profile>,
    /// `--no-namespace`: leave the Namespace out.
    pub no_namespace: bool,
    /// Where relative `jaas.file` paths start: the spec's directory, or the working directory
    /// for stdin.
    pub base_dir: PathBuf,
    /// `--allow-outside-files`: let `jaas.file` point outside `base_dir`.
    pub allow_outside_files: bool,
    /// Largest jaas.file accepted, in bytes.
    pub max_file_bytes: u64,
    /// The input budget the spec was read under (`--max-expanded-bytes` and friends).
    pub budget: crate::budget::Budget,
    /// Rendering a kustomize base (`--out`): its secretGenerator's name hash rolls the pods, so
    /// no checksum of the credentials goes into committed files.
    pub kustomize_base: bool,
}

/// Everything templates need, computed. Field names are what templates use.
#[derive(Clone, Debug, Serialize)]
pub struct Model {
    pub name: String,
    pub namespace: String,
    pub platform: &'static str,
    pub namespace_object: Option<NamespaceObject>,
    /// Labels every object carries.
    pub labels: BTreeMap<String, String>,
    /// The subset of labels that selects this cluster's pods.
    pub selector: BTreeMap<String, String>,
    /// Annotations every object carries.
    pub annotations: BTreeMap<String, String>,
    pub pod_labels: BTreeMap<String, String>,
    pub pod_annotations: BTreeMap<String, String>,
    pub image: String,
    pub service_account: ServiceAccount,
    pub jaas_secret: Option<JaasSecret>,
    pub client_service: ClientService,
    pub headless_service: Option<String>,
    /// The inter-cluster ports (native only), as the headless Service and NetworkPolicy list them.
    pub cluster_ports: Vec<Port>,
    pub metrics: Option<MetricsScrape>,
    pub workload: Workload,
    pub pdb: Pdb,
    pub hpa: Option<Hpa>,
    pub route: Option<OpenShiftRoute>,
    pub network_policy: Option<String>,
    /// A restricted NetworkPolicy egress (`networkPolicy.egress: restricted`).
    pub egress: Option<production::EgressRules>,
    /// Shutdown, rollout and probe numbers.
    pub lifecycle: production::Lifecycle,
    pub scheduling: production::Scheduling,
    pub ingress: Option<production::Ingress>,
    pub http_route: Option<production::GatewayHttpRoute>,
    /// Cluster members as the server sees them (native only), in order.
    pub cluster_members: Vec<String>,
    pub seed_count: Option<u32>,
}

#[derive(Clone, Debug, Serialize)]
pub struct NamespaceObject {
    /// Pod Security Admission level enforced on the namespace.
    pub pod_security: &'static str,
    /// The platform's labels (eks: the load balancer's readiness gate).
    pub labels: BTreeMap<String, String>,
    /// GitOps lifecycle guards: pruning the app never deletes the namespace.
    pub annotations: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ServiceAccount {
    pub name: String,
    pub annotations: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct JaasSecret {
    pub name: String,
    pub key: &'static str,
    /// The file's contents, base64-encoded.
    pub data: Secret,
}

#[derive(Clone, Debug, Serialize)]
pub struct ClientService {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ServiceType,
    pub port: u16,
    pub target_port: u16,
    pub annotations: BTreeMap<String, String>,
    /// TLS terminated at the load balancer (`tls.certificateArn`).
    pub nlb_tls: bool,
}

/// The metrics endpoint and how Prometheus scrapes it: the metrics Service, the
/// ServiceMonitor when asked for, and the namespace allowed to scrape (spec: `metrics`).
#[derive(Clone, Debug, Serialize)]
pub struct MetricsScrape {
    pub service_name: String,
    pub port: u16,
    pub path: &'static str,
    pub service_monitor: bool,
    pub interval: String,
    pub scrape_namespace: String,
}

/// What runs the members: a StatefulSet (native clustering needs stable names) or a
/// Deployment (the Kafka backplane's members are stateless). Serializes as the kind's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum WorkloadKind {
    StatefulSet,
    Deployment,
}

impl WorkloadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::Deployment => "Deployment",
        }
    }
}

impl PartialEq<&str> for WorkloadKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for WorkloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Workload {
    pub kind: WorkloadKind,
    pub name: String,
    /// None when an HPA owns the replica count (Kubernetes' guidance: leave it out).
    pub replicas: Option<u32>,
    /// StatefulSet only: the headless Service that gives members stable DNS names.
    pub service_name: Option<String>,
    pub annotations: BTreeMap<String, String>,
    pub container: Container,
    pub volumes: Vec<Volume>,
    pub security: PodSecurity,
    pub node_selector: BTreeMap<String, String>,
    pub tolerations: Vec<PodToleration>,
    pub image_pull_secrets: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Container {
    pub name: &'static str,
    /// `Always` for a tag (a registry may move it), `IfNotPresent` for a digest.
    pub image_pull_policy: &'static str,
    pub ports: Vec<Port>,
    pub env: Vec<Env>,
    pub cpu: String,
    pub memory: String,
    /// Ephemeral-storage request and limit, and every emptyDir's sizeLimit.
    pub ephemeral: String,
    pub mounts: Vec<Mount>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Port {
    pub name: String,
    pub port: u16,
}

/// One container environment variable.
#[derive(Clone, Debug)]
pub struct Env {
    pub name: &'static str,
    pub source: EnvSource,
}

/// Where an environment variable's value comes from.
#[derive(Clone, Debug)]
pub enum EnvSource {
    /// A literal value.
    Value(String),
    /// A pod field (`fieldRef.fieldPath`).
    Field(&'static str),
    /// A Secret key (`secretKeyRef`).
    Secret(SecretRef),
}

impl Env {
    /// The literal value, if the variable has one.
    pub fn value(&self) -> Option<&str> {
        match &self.source {
            EnvSource::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The Secret key the variable reads, if it reads one.
    pub fn secret(&self) -> Option<&SecretRef> {
        match &self.source {
            EnvSource::Secret(r) => Some(r),
            _ => None,
        }
    }
}

/// Templates see `name`, `value`, `field_path` and `secret`, exactly one of the last three set.
impl Serialize for Env {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (value, field_path, secret) = match &self.source {
            EnvSource::Value(v) => (Some(v), None, None),
            EnvSource::Field(f) => (None, Some(*f), None),
            EnvSource::Secret(r) => (None, None, Some(r)),
        };
        let mut st = s.serialize_struct("Env", 4)?;
        st.serialize_field("name", self.name)?;
        st.serialize_field("value", &value)?;
        st.serialize_field("field_path", &field_path)?;
        st.serialize_field("secret", &secret)?;
        st.end()
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct SecretRef {
    pub name: String,
    pub key: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Volume {
    pub name: &'static str,
    /// None: an emptyDir.
    pub secret: Option<String>,
    /// Secret keys projected into the volume.
    pub items: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Mount {
    pub name: &'static str,
    pub path: &'static str,
    pub read_only: bool,
}

/// The pod's and container's security context (the profile gives the ids'
/// defaults, [`crate::profile::PodSecurityDefaults`]).
#[derive(Clone, Debug, Serialize)]
pub struct PodSecurity {
    pub run_as_user: Option<i64>,
    pub run_as_group: Option<i64>,
    pub fs_group: Option<i64>,
    pub read_only_root_filesystem: bool,
}

/// One toleration as the pod template prints it (the spec's `tolerations`, checked).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodToleration {
    pub key: Option<String>,
    pub operator: Option<&'static str>,
    pub value: Option<String>,
    pub effect: Option<&'static str>,
    pub toleration_seconds: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Pdb {
    pub name: String,
    pub min_available: Option<u32>,
    pub max_unavailable: Option<u32>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Hpa {
    pub name: String,
    pub min: u32,
    pub max: u32,
    pub cpu_percent: u32,
    pub scale_down: production::Behavior,
    pub scale_up: production::Behavior,
}

/// The OpenShift Route in front of the client Service (the profile gives its defaults,
/// [`crate::profile::RouteDefaults`]; the typed object is [`crate::typed::Route`]).
#[derive(Clone, Debug, Serialize)]
pub struct OpenShiftRoute {
    pub name: String,
    pub annotations: BTreeMap<String, String>,
    pub termination: String,
    pub insecure_edge_termination_policy: String,
    /// `tls.host`; none lets the router assign one.
    pub host: Option<String>,
}

/// What resolving produced: the model, or every error found; warnings either way.
pub struct Resolved {
    pub model: Result<Model, Vec<Problem>>,
    pub warnings: Vec<Problem>,
    /// One line per default applied, for `-v`.
    pub defaults: Vec<String>,
}

/// Collects errors, warnings and applied defaults while resolving.
#[derive(Default)]
pub(crate) struct Check {
    errors: Vec<Problem>,
    warnings: Vec<Problem>,
    defaults: Vec<String>,
}

/// Paths are built, never parsed from text: `c.error(["autoscale", "min"], ..)` for fixed
/// fields, `FieldPath::from(["labels"]).key(k)` or `.index(i)` where a key or index comes from
/// the spec (a key may hold dots: `labels["example.com/team"]`).
impl Check {
    pub(crate) fn error(&mut self, path: impl Into<FieldPath>, message: impl Into<String>) {
        self.errors.push(Problem::new(path, message));
    }

    pub(crate) fn warn(&mut self, path: impl Into<FieldPath>, message: impl Into<String>) {
        self.warnings.push(Problem::new(path, message));
    }

    pub(crate) fn defaulted<T>(&mut self, value: T, what: impl FnOnce() -> String) -> T {
        self.defaults.push(what());
        value
    }

    /// The given string, or `default` recorded as applied.
    fn given_or(
        &mut self,
        given: Option<&String>,
        default: &str,
        what: impl FnOnce() -> String,
    ) -> String {
        match given {
            Some(v) => v.clone(),
            None => self.defaulted(default.to_string(), what),
        }
    }
}

/// Applies defaults and checks every rule; returns all errors at once.
pub fn resolve(spec: &Spec, opts: &ResolveOptions) -> Resolved {
    let mut c = Check::default();
    let model = build(spec, opts, &mut c);
    let model = match model {
        Some(m) if c.errors.is_empty() => Ok(m),
        _ => Err(std::mem::take(&mut c.errors)),
    };
    Resolved {
        model,
        warnings: c.warnings,
        defaults: c.defaults,
    }
}

/// Who the cluster is: platform, profile, name and namespace.
struct Identity {
    platform: Platform,
    profile: Profile,
    name: String,
    namespace: String,
}

/// How many members run: replicas, native seeds and the autoscaler.
struct Scaling {
    replicas: u32,
    seed_count: Option<u32>,
    hpa: Option<Hpa>,
}

/// The labels and annotations objects and pods carry.
struct LabelSet {
    labels: BTreeMap<String, String>,
    selector: BTreeMap<String, String>,
    pod_labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
    pod_annotations: BTreeMap<String, String>,
}

/// Container resources and the heap derived from them.
struct Sizing {
    cpu: String,
    memory: String,
    heap_mb: u64,
}

/// The Kafka backplane's parts: its options string and the JAAS Secret gen renders.
struct KafkaParts {
    env: Option<String>,
    jaas_secret: Option<JaasSecret>,
}

/// Pod security and the workload annotations that record every relaxation.
struct Hardening {
    security: PodSecurity,
    workload_annotations: BTreeMap<String, String>,
    network_policy_on: bool,
    digest: bool,
}

/// Assembles the model from one function per concern. Longer than the others on purpose: the
/// order of the calls is the order errors, warnings and applied defaults (`-v`) are reported
/// in, so the whole sequence stays in one place; the `Model` literal alone is ~65 lines.
fn build(spec: &Spec, opts: &ResolveOptions, c: &mut Check) -> Option<Model> {
    let Identity {
        platform,
        profile,
        name,
        namespace,
    } = identity(spec, opts, c)?;
    let backplane = spec.backplane.as_ref().and_then(|b| b.kind);
    let kafka = backplane == Some(BackplaneType::Kafka);
    if backplane.is_none() {
        c.defaulted((), || "backplane absent: native clustering".to_string());
    }
    let scaling = scaling(spec, c, kafka, &name)?;
    let image = image(spec, c);
    let LabelSet {
        labels,
        selector,
        pod_labels,
        annotations,
        mut pod_annotations,
    } = labels_and_annotations(spec, c, &name);
    let cluster_domain = cluster_domain(spec, c);
    let Sizing {
        cpu,
        memory,
        heap_mb,
    } = resources(spec, c);

    let site = Site {
        name: &name,
        namespace: &namespace,
        cluster_domain: &cluster_domain,
        kafka,
    };
    let PodEnv {
        headless,
        cluster_members,
        env,
        metrics,
        volumes,
        mounts,
        jaas_secret,
    } = pod_env(
        c,
        spec,
        opts,
        &site,
        &scaling,
        heap_mb,
        &mut pod_annotations,
    );
    let Scaling {
        replicas,
        seed_count,
        hpa,
    } = scaling;
    let (cluster_ports, ports) = ports(kafka, metrics.is_some());

    let Hardening {
        security,
        mut workload_annotations,
        network_policy_on,
        digest,
    } = hardening(spec, c, platform, &profile, &image, &env, kafka);
    let tolerations = tolerations(spec, c);
    let node_selector = check_labels(c, ["nodeSelector"], &spec.node_selector);
    for (i, s) in spec.image_pull_secrets.iter().enumerate() {
        check_name(
            c,
            FieldPath::from(["imagePullSecrets"]).index(i),
            s,
            253,
            false,
        );
    }

    let lifecycle = production::lifecycle(c, spec);
    let service = spec.service.clone().unwrap_or_default();
    let exposure = production::exposure(
        c,
        spec,
        &profile,
        &name,
        &namespace,
        lifecycle.drain_seconds,
    );
    let user_annotations = check_annotations(c, ["service", "annotations"], &service.annotations);
    let client_annotations =
        production::client_annotations(c, exposure.annotations, user_annotations, &lifecycle);
    let client_service = ClientService {
        name: format!("{name}-cs"),
        kind: exposure.kind,
        port: exposure.port,
        target_port: CLIENT_PORT,
        annotations: client_annotations,
        nlb_tls: exposure.nlb_tls,
    };
    if let Some(names) = production::reload_secrets(c, spec) {
        workload_annotations.insert(production::RELOADER.to_string(), names);
    }
    let egress = production::egress(c, spec, network_policy_on);

    let sa_annotations = spec
        .service_account
        .as_ref()
        .map(|s| check_annotations(c, ["serviceAccount", "annotations"], &s.annotations));
    let pdb = pdb(c, &name, kafka, seed_count, hpa.as_ref(), replicas);

    let create_namespace = !opts.no_namespace && spec.create_namespace != Some(false);
    let (ns_labels, ns_annotations) = production::namespace_metadata(
        c,
        &profile,
        create_namespace,
        &namespace,
        &spec.annotations,
    );

    let route = route(&profile, &name, exposure.route_host.clone());
    let empty = BTreeMap::new();
    let metadata = validate::Metadata {
        labels: &labels,
        namespace_labels: create_namespace,
        annotations: &annotations,
        service: &client_service.annotations,
        service_user: &service.annotations,
        service_account: sa_annotations.as_ref().unwrap_or(&empty),
        pod: &pod_annotations,
        pod_user: &spec.pod_annotations,
        workload: &workload_annotations,
        route: route.as_ref().map_or(&empty, |r| &r.annotations),
    };
    check_metadata(c, &metadata);

    Some(Model {
        namespace_object: create_namespace.then_some(NamespaceObject {
            pod_security: "restricted",
            labels: ns_labels,
            annotations: ns_annotations,
        }),
        labels,
        selector,
        annotations,
        pod_labels,
        pod_annotations,
        image,
        service_account: ServiceAccount {
            name: name.clone(),
            annotations: sa_annotations.unwrap_or_default(),
        },
        jaas_secret,
        client_service,
        headless_service: (!kafka).then(|| headless.clone()),
        cluster_ports,
        metrics,
        workload: Workload {
            kind: if kafka {
                WorkloadKind::Deployment
            } else {
                WorkloadKind::StatefulSet
            },
            name: name.clone(),
            replicas: if hpa.is_some() { None } else { Some(replicas) },
            service_name: (!kafka).then_some(headless),
            annotations: workload_annotations,
            container: Container {
                name: "migratorydata",
                image_pull_policy: if digest { "IfNotPresent" } else { "Always" },
                ports,
                env,
                cpu,
                memory,
                ephemeral: production::ephemeral(c, spec),
                mounts,
            },
            volumes,
            security,
            node_selector,
            tolerations,
            image_pull_secrets: spec.image_pull_secrets.clone(),
        },
        pdb,
        hpa,
        route,
        network_policy: network_policy_on.then(|| name.clone()),
        egress,
        lifecycle,
        scheduling: production::scheduling(spec),
        ingress: exposure.ingress,
        http_route: exposure.http_route,
        cluster_members,
        seed_count,
        platform: platform.as_str(),
        name,
        namespace,
    })
}

/// Names the members' addresses are made of, and the backplane.
struct Site<'a> {
    name: &'a str,
    namespace: &'a str,
    cluster_domain: &'a str,
    kafka: bool,
}

/// The container's environment and what comes with it: the server options (in a fixed order),
/// the metrics endpoint, the volumes and the Kafka backplane's JAAS Secret.
struct PodEnv {
    headless: String,
    cluster_members: Vec<String>,
    env: Vec<Env>,
    metrics: Option<MetricsScrape>,
    volumes: Vec<Volume>,
    mounts: Vec<Mount>,
    jaas_secret: Option<JaasSecret>,
}

fn pod_env(
    c: &mut Check,
    spec: &Spec,
    opts: &ResolveOptions,
    site: &Site<'_>,
    scaling: &Scaling,
    heap_mb: u64,
    pod_annotations: &mut BTreeMap<String, String>,
) -> PodEnv {
    let Site {
        name,
        namespace,
        cluster_domain,
        kafka,
    } = *site;
    let backplane = spec.backplane.clone().unwrap_or_default();
    let (replicas, seed_count, hpa) = (scaling.replicas, scaling.seed_count, &scaling.hpa);
    let headless = format!("{name}-hs");
    let members = if kafka {
        0
    } else {
        hpa.as_ref().map_or(replicas, |h| h.max)
    };
    let cluster_members: Vec<String> = (0..members)
        .map(|i| {
            format!(
                "{name}-{i}.{headless}.{namespace}.svc.{cluster_domain}:{}",
                CLUSTER_PORTS[0]
            )
        })
        .collect();
    let mut env = Vec::new();
    let mut options = base_options(spec, heap_mb);
    if kafka {
        options.set(so::CLUSTER_ENGINE, "kafka");
    } else {
        env.push(Env {
            name: "POD_NAME",
            source: EnvSource::Field("metadata.name"),
        });
        let listen = format!("$(POD_NAME).{headless}.{namespace}.svc.{cluster_domain}");
        native_options(&mut options, &listen, &cluster_members, seed_count);
    }
    secret_options(spec, c, &mut env, &mut options);
    let metrics = metrics(spec, c, name);
    if metrics.is_some() {
        options.set(so::MONITOR, "PROMETHEUS");
        options.set(
            so::MONITOR_HTTP_LISTEN,
            format_args!("0.0.0.0:{METRICS_PORT}"),
        );
    }
    extra_options(spec, c, &mut options);

    let (mut volumes, mut mounts) = scratch_volumes(kafka);
    let KafkaParts {
        env: kafka_env,
        jaas_secret,
    } = if kafka {
        let mut pod = PodParts {
            env: &mut env,
            volumes: &mut volumes,
            mounts: &mut mounts,
            pod_annotations,
        };
        kafka_backplane(c, &backplane, name, opts, &mut pod)
    } else {
        refuse_kafka_fields(c, &backplane);
        KafkaParts {
            env: None,
            jaas_secret: None,
        }
    };
    env.push(Env {
        name: so::EXTRA_OPTS,
        source: EnvSource::Value(options.value()),
    });
    if let Some(k) = kafka_env {
        env.push(Env {
            name: so::KAFKA_EXTRA_OPTS,
            source: EnvSource::Value(k),
        });
    }
    check_env(
        spec,
        c,
        &env,
        hpa.is_some(),
        (!kafka).then_some(cluster_members.as_slice()),
    );
    PodEnv {
        headless,
        cluster_members,
        env,
        metrics,
        volumes,
        mounts,
        jaas_secret,
    }
}

/// The image, defaulted to a pinned one, and checked.
fn image(spec: &Spec, c: &mut Check) -> String {
    let image = c.given_or(spec.image.as_ref(), DEFAULT_IMAGE, || {
        format!("image absent: pinned default `{DEFAULT_IMAGE}`")
    });
    check_image(c, &image);
    image
}

/// The OpenShift Route, when the profile has one.
fn route(profile: &Profile, name: &str, host: Option<String>) -> Option<OpenShiftRoute> {
    profile.route.as_ref().map(|r| OpenShiftRoute {
        name: name.to_string(),
        annotations: r.annotations.clone(),
        termination: r.termination.clone(),
        insecure_edge_termination_policy: r.insecure_edge_termination_policy.clone(),
        host,
    })
}

/// Sizes and reserved keys across all the labels and annotations of the bundle.
fn check_metadata(c: &mut Check, metadata: &validate::Metadata<'_>) {
    for (path, why) in metadata.problems() {
        c.error(path, why);
    }
}

/// Platform and profile, then the header, name and namespace; None without a platform.
fn identity(spec: &Spec, opts: &ResolveOptions, c: &mut Check) -> Option<Identity> {
    let platform = match (opts.platform, spec.platform) {
        (Some(p), _) | (None, Some(p)) => p,
        (None, None) => {
            c.error(
                ["platform"],
                "missing field `platform`: set aks, eks or openshift here or pass --platform",
            );
            return None;
        }
    };
    let profile = opts
        .profile
        .clone()
        .unwrap_or_else(|| Profile::builtin(platform));

    check_header(spec, c);
    let name = match (
        &spec.name,
        spec.metadata.as_ref().and_then(|m| m.name.as_ref()),
    ) {
        (Some(n), _) => n.clone(),
        (None, Some(n)) => c.defaulted(n.clone(), || {
            format!("name absent: using metadata.name `{n}`")
        }),
        (None, None) => c.defaulted(DEFAULT_NAME.to_string(), || {
            format!("name absent: using `{DEFAULT_NAME}`")
        }),
    };
    check_name(c, ["name"], &name, MAX_NAME, true);
    let namespace = match (
        &spec.namespace,
        spec.metadata.as_ref().and_then(|m| m.namespace.as_ref()),
    ) {
        (Some(n), _) | (None, Some(n)) => n.clone(),
        (None, None) => {
            c.error(
                ["namespace"],
                "missing field `namespace`: every object gen renders is namespaced",
            );
            String::new()
        }
    };
    let namespace_given = spec.namespace.is_some()
        || spec
            .metadata
            .as_ref()
            .is_some_and(|m| m.namespace.is_some());
    if namespace_given {
        check_name(c, ["namespace"], &namespace, 63, false);
        check_system_namespace(c, spec, opts, &namespace);
    }
    Some(Identity {
        platform,
        profile,
        name,
        namespace,
    })
}

/// Replicas, seed members (native only) and the autoscaler; None without replicas.
fn scaling(spec: &Spec, c: &mut Check, kafka: bool, name: &str) -> Option<Scaling> {
    let Some(replicas) = spec.replicas else {
        c.error(
            ["replicas"],
            "missing field `replicas`: how many members the cluster runs (at least 1)",
        );
        return None;
    };
    if replicas == 0 {
        c.error(["replicas"], "must be at least 1");
    }
    if replicas > 1000 {
        c.error(
            ["replicas"],
            format!("`{replicas}` members is more than gen supports (at most 1000)"),
        );
    }

    let seed_count = if kafka {
        if spec.seed_count.is_some() {
            c.error(
                ["seedCount"],
                "seed members belong to native clustering; remove seedCount for a kafka backplane",
            );
        }
        None
    } else {
        let seeds = match spec.seed_count {
            Some(s) => s,
            None => c.defaulted(replicas.min(3), || {
                format!("seedCount absent: min(3, replicas) = {}", replicas.min(3))
            }),
        };
        if seeds == 0 {
            c.error(["seedCount"], "must be at least 1");
        } else if seeds > replicas {
            c.error(
                ["seedCount"],
                format!(
                    "must be at most replicas ({replicas}): every seed member is a running member"
                ),
            );
        }
        Some(seeds)
    };
    let hpa = spec
        .autoscale
        .as_ref()
        .map(|a| autoscaler(c, a, name, replicas, seed_count));
    if hpa.is_none() {
        c.defaulted((), || {
            "autoscale absent: no HorizontalPodAutoscaler rendered".to_string()
        });
    }
    Some(Scaling {
        replicas,
        seed_count,
        hpa,
    })
}

fn autoscaler(
    c: &mut Check,
    a: &crate::spec::Autoscale,
    name: &str,
    replicas: u32,
    seed_count: Option<u32>,
) -> Hpa {
    let cpu = match a.cpu_percent {
        Some(p) => p,
        None => c.defaulted(50, || "autoscale.cpuPercent absent: 50".to_string()),
    };
    if a.min == 0 {
        c.error(["autoscale", "min"], "must be at least 1");
    }
    if a.min > a.max {
        c.error(
            ["autoscale", "min"],
            format!("must be at most autoscale.max ({})", a.max),
        );
    }
    if replicas < a.min {
        c.error(
            ["replicas"],
            format!("must be at least autoscale.min ({})", a.min),
        );
    }
    if replicas > a.max {
        c.error(
            ["replicas"],
            format!("must be at most autoscale.max ({})", a.max),
        );
    }
    if a.max > 1000 {
        c.error(["autoscale", "max"], "must be at most 1000");
    }
    if let Some(seeds) = seed_count
        && a.min < seeds
    {
        c.error(
            ["autoscale", "min"],
            format!("must be at least seedCount ({seeds}): a PodDisruptionBudget keeps {seeds} seed members available"),
        );
    }
    if !(1..=100).contains(&cpu) {
        c.error(
            ["autoscale", "cpuPercent"],
            format!("`{cpu}` is not a percentage: use 1 to 100"),
        );
    }
    let (scale_down, scale_up) = production::behavior(c, a);
    Hpa {
        name: format!("{name}-autoscale"),
        min: a.min,
        max: a.max,
        cpu_percent: cpu,
        scale_down,
        scale_up,
    }
}

/// gen's own labels, the selector they imply, and the user's labels and annotations on top.
fn labels_and_annotations(spec: &Spec, c: &mut Check, name: &str) -> LabelSet {
    let labels_user = check_labels(c, ["labels"], &spec.labels);
    let mut labels = BTreeMap::new();
    labels.insert(
        "app.kubernetes.io/name".to_string(),
        "migratorydata".to_string(),
    );
    labels.insert("app.kubernetes.io/instance".to_string(), name.to_string());
    labels.insert(
        "app.kubernetes.io/managed-by".to_string(),
        "gen".to_string(),
    );
    let selector = labels
        .iter()
        .filter(|(k, _)| *k != "app.kubernetes.io/managed-by")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect::<BTreeMap<_, _>>();
    for (k, v) in labels_user {
        match labels.entry(k) {
            std::collections::btree_map::Entry::Occupied(e) => c.error(
                FieldPath::from(["labels"]).key(e.key()),
                "gen sets this label itself (it selects the pods); choose another key",
            ),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(v);
            }
        }
    }
    let mut pod_labels = labels.clone();
    for (k, v) in check_labels(c, ["podLabels"], &spec.pod_labels) {
        if selector.contains_key(&k) {
            c.error(
                FieldPath::from(["podLabels"]).key(&k),
                "gen sets this label itself (it selects the pods); choose another key",
            );
        } else {
            pod_labels.insert(k, v);
        }
    }
    let annotations = check_annotations(c, ["annotations"], &spec.annotations);
    let pod_annotations = check_annotations(c, ["podAnnotations"], &spec.pod_annotations);
    LabelSet {
        labels,
        selector,
        pod_labels,
        annotations,
        pod_annotations,
    }
}

fn cluster_domain(spec: &Spec, c: &mut Check) -> String {
    let cluster_domain = c.given_or(spec.cluster_domain.as_ref(), "cluster.local", || {
        "clusterDomain absent: `cluster.local`".to_string()
    });
    if !is_dns_subdomain(&cluster_domain) {
        c.error(
            ["clusterDomain"],
            format!(
                "`{cluster_domain}` is not a DNS domain (lowercase letters, digits, `-` and `.`)"
            ),
        );
    }
    cluster_domain
}

/// CPU and memory (defaults applied) and the heap: memoryPercent of the memory, at least 128 MB.
fn resources(spec: &Spec, c: &mut Check) -> Sizing {
    let res = spec.resources.clone().unwrap_or_default();
    let res_memory = res.memory.clone();
    let cpu = res.cpu.unwrap_or_else(|| {
        c.defaulted("500m".to_string(), || {
            "resources.cpu absent: `500m`".to_string()
        })
    });
    let memory = res.memory.unwrap_or_else(|| {
        c.defaulted("1Gi".to_string(), || {
            "resources.memory absent: `1Gi`".to_string()
        })
    });
    if let Err(why) = validate::quantity::cpu_millis(&cpu) {
        c.error(["resources", "cpu"], why);
    }
    let memory_percent = spec.memory_percent.unwrap_or(75);
    if !(10..=95).contains(&memory_percent) {
        c.error(
            ["memoryPercent"],
            format!("`{memory_percent}` leaves no sane heap or headroom: use 10 to 95"),
        );
    }
    let heap_mb = match validate::quantity::memory_bytes(&memory) {
        Ok(bytes) => {
            let mb = (u128::from(bytes) * u128::from(memory_percent) / 100 / 1_048_576) as u64;
            if mb < 128 {
                // Point at what the user wrote: the memory, or the share of a default one.
                let (field, default) = match (&res_memory, spec.memory_percent) {
                    (None, Some(_)) => (
                        FieldPath::from(["memoryPercent"]),
                        " (default applied: resources.memory `1Gi`)",
                    ),
                    (None, None) => (
                        FieldPath::from(["resources", "memory"]),
                        " (default applied: `1Gi`)",
                    ),
                    _ => (FieldPath::from(["resources", "memory"]), ""),
                };
                c.error(
                    field,
                    format!("`{memory}`{default} gives the server a {mb} MB heap at memoryPercent {memory_percent}; it needs at least 128 MB (e.g. `256Mi`)"),
                );
            }
            mb
        }
        Err(why) => {
            c.error(["resources", "memory"], why);
            0
        }
    };
    Sizing {
        cpu,
        memory,
        heap_mb,
    }
}

/// The options every member gets: heap, log level and folder, connection offload.
fn base_options(spec: &Spec, heap_mb: u64) -> Words {
    let log_level = spec.log_level.unwrap_or(LogLevel::Info);
    let mut options = Words::default();
    options.set(so::MEMORY, format_args!("{heap_mb}MB"));
    options.set(so::LOG_LEVEL, log_level.as_str());
    options.set(so::LOG_FOLDER, LOG_DIR);
    // gen's default, unless extraOptions sets it (once: the server would see two otherwise).
    if !spec
        .extra_options
        .keys()
        .any(|k| k.eq_ignore_ascii_case(so::CONNECTION_OFFLOAD))
    {
        options.set(so::CONNECTION_OFFLOAD, true);
    }
    options
}

/// Native clustering's options: how members find each other. `listen` is this member's
/// address without the port.
fn native_options(
    options: &mut Words,
    listen: &str,
    cluster_members: &[String],
    seed_count: Option<u32>,
) {
    options.set(so::CLUSTER_DELIVERY_MODE, "Guaranteed");
    options.set(
        so::CLUSTER_MEMBER_LISTEN,
        format_args!("{listen}:{}", CLUSTER_PORTS[0]),
    );
    options.set(so::CLUSTER_MEMBERS, cluster_members.join(","));
    options.set(so::CLUSTER_SEED_MEMBER_COUNT, seed_count.unwrap_or(1));
    options.set(so::CLUSTER_MEMBER_COORDINATION_FOLDER, COORDINATION_DIR);
}

/// licenseKey and clusterPassword: a Secret-backed env var each, and the option reading it.
fn secret_options(spec: &Spec, c: &mut Check, env: &mut Vec<Env>, options: &mut Words) {
    for (field, option, var, r) in [
        (
            "licenseKey",
            so::LICENSE_KEY,
            "MIGRATORYDATA_LICENSE_KEY",
            &spec.license_key,
        ),
        (
            "clusterPassword",
            so::CLUSTER_PASSWORD,
            "MIGRATORYDATA_CLUSTER_PASSWORD",
            &spec.cluster_password,
        ),
    ] {
        if let Some(r) = r {
            check_secret_ref(c, [field], &r.secret_name, &r.key);
            env.push(Env {
                name: var,
                source: EnvSource::Secret(SecretRef {
                    name: r.secret_name.clone(),
                    key: r.key.clone(),
                }),
            });
            options.set(option, format_args!("$({var})"));
        }
    }
}

/// The Prometheus endpoint, unless metrics are absent or turned off.
fn metrics(spec: &Spec, c: &mut Check, name: &str) -> Option<MetricsScrape> {
    let m = spec.metrics.clone()?;
    if m.enabled == Some(false) {
        return None;
    }
    let interval = m.interval.unwrap_or_else(|| "30s".to_string());
    if !is_duration(&interval) {
        c.error(
            ["metrics", "interval"],
            format!("`{interval}` is not a Prometheus duration: use e.g. `30s` or `1m`"),
        );
    }
    let scrape_namespace = m
        .scrape_namespace
        .unwrap_or_else(|| "monitoring".to_string());
    check_name(
        c,
        ["metrics", "scrapeNamespace"],
        &scrape_namespace,
        63,
        false,
    );
    Some(MetricsScrape {
        service_name: format!("{name}-metrics"),
        port: METRICS_PORT,
        path: "/metrics",
        service_monitor: m.service_monitor != Some(false),
        interval,
        scrape_namespace,
    })
}

/// The user's `extraOptions`, each checked: not one gen manages, a name, a value without spaces.
fn extra_options(spec: &Spec, c: &mut Check, options: &mut Words) {
    for (k, v) in &spec.extra_options {
        let path = FieldPath::from(["extraOptions"]).key(k);
        if let Some((_, instead)) = MANAGED_OPTIONS
            .iter()
            .find(|(o, _)| o.eq_ignore_ascii_case(k))
        {
            c.error(path, format!("gen manages `{k}`; set {instead} instead"));
        } else if !is_option_name(k) {
            c.error(path, format!("`{k}` is not a server option name (letters, digits, `.` and `_`, starting with a letter)"));
        } else if v.is_empty() || v.chars().any(char::is_whitespace) {
            c.error(path, "the value must be non-empty and hold no spaces: the server splits its options on spaces");
        } else {
            options.set(k, v);
        }
    }
}

/// The emptyDir volumes and their mounts: logs, /tmp, and the coordination folder (native).
fn scratch_volumes(kafka: bool) -> (Vec<Volume>, Vec<Mount>) {
    let mut names = vec![("logs", LOG_DIR), ("tmp", "/tmp")];
    if !kafka {
        names.push(("coordination", COORDINATION_DIR));
    }
    let volumes = names
        .iter()
        .map(|&(name, _)| Volume {
            name,
            secret: None,
            items: vec![],
        })
        .collect();
    let mounts = names
        .iter()
        .map(|&(name, path)| Mount {
            name,
            path,
            read_only: false,
        })
        .collect();
    (volumes, mounts)
}

/// What the Kafka backplane adds to the pod.
struct PodParts<'a> {
    env: &'a mut Vec<Env>,
    volumes: &'a mut Vec<Volume>,
    mounts: &'a mut Vec<Mount>,
    pod_annotations: &'a mut BTreeMap<String, String>,
}

/// The Kafka backplane: its options, the JAAS and truststore volumes, the JAAS Secret.
fn kafka_backplane(
    c: &mut Check,
    backplane: &crate::spec::Backplane,
    name: &str,
    opts: &ResolveOptions,
    pod: &mut PodParts<'_>,
) -> KafkaParts {
    let (kopts, secret, truststore) = kafka_options(c, backplane, name, opts, pod.env);
    let mut jaas_secret = None;
    if let Some((secret_name, data)) = secret {
        pod.volumes.push(Volume {
            name: "jaas",
            secret: Some(secret_name.clone()),
            items: vec![JAAS_KEY.to_string()],
        });
        pod.mounts.push(Mount {
            name: "jaas",
            path: JAAS_DIR,
            read_only: true,
        });
        if let Some(data) = data {
            // Roll the pods when the JAAS content changes: the Kafka client reads it once.
            if !opts.kustomize_base {
                pod.pod_annotations
                    .insert("checksum/jaas".to_string(), sha256_hex(data.0.as_bytes()));
            }
            jaas_secret = Some(JaasSecret {
                name: secret_name,
                key: JAAS_KEY,
                data: Secret(base64(&data.0)),
            });
        }
    }
    if let Some((secret_name, key)) = truststore {
        pod.volumes.push(Volume {
            name: "truststore",
            secret: Some(secret_name),
            items: vec![key],
        });
        pod.mounts.push(Mount {
            name: "truststore",
            path: TRUSTSTORE_DIR,
            read_only: true,
        });
    }
    KafkaParts {
        env: Some(kopts.value()),
        jaas_secret,
    }
}

/// Native clustering: every Kafka-only field is an error.
fn refuse_kafka_fields(c: &mut Check, backplane: &crate::spec::Backplane) {
    for (set, field) in [
        (!backplane.bootstrap_servers.is_empty(), "bootstrapServers"),
        (!backplane.topics.is_empty(), "topics"),
        (backplane.security_protocol.is_some(), "securityProtocol"),
        (backplane.sasl_mechanism.is_some(), "saslMechanism"),
        (backplane.jaas.is_some(), "jaas"),
        (backplane.truststore.is_some(), "truststore"),
    ] {
        if set {
            c.error(
                ["backplane", field],
                "belongs to a kafka backplane; set `backplane.type: kafka` or remove it",
            );
        }
    }
}

/// The environment's sizes; `native_members` is the member list of native clustering.
fn check_env(
    spec: &Spec,
    c: &mut Check,
    env: &[Env],
    autoscaled: bool,
    native_members: Option<&[String]>,
) {
    let values: Vec<(&str, &str)> = env
        .iter()
        .filter_map(|e| Some((e.name, e.value()?)))
        .collect();
    let members = native_members.map(|entries| validate::env::Members {
        field: if autoscaled {
            FieldPath::from(["autoscale", "max"])
        } else {
            FieldPath::from(["replicas"])
        },
        entries,
        extra_bytes: spec
            .extra_options
            .iter()
            .map(|(k, v)| k.len() + v.len() + 4)
            .sum(),
    });
    for (field, why) in validate::env::check(&values, members.as_ref()) {
        c.error(field, why);
    }
}

/// The inter-cluster ports (native only), and every container port.
fn ports(kafka: bool, metrics: bool) -> (Vec<Port>, Vec<Port>) {
    let cluster_ports: Vec<Port> = if kafka {
        vec![]
    } else {
        CLUSTER_PORTS
            .iter()
            .enumerate()
            .map(|(i, p)| Port {
                name: format!("inter-cluster{}", i + 1),
                port: *p,
            })
            .collect()
    };
    let mut ports = vec![Port {
        name: "client-port".to_string(),
        port: CLIENT_PORT,
    }];
    ports.extend(cluster_ports.iter().cloned());
    if metrics {
        ports.push(Port {
            name: "metrics".to_string(),
            port: METRICS_PORT,
        });
    }
    (cluster_ports, ports)
}

/// Pod security from the profile, relaxed only on purpose and with a reason; the reasons and
/// every scanner check that does not apply, recorded on the workload.
fn hardening(
    spec: &Spec,
    c: &mut Check,
    platform: Platform,
    profile: &Profile,
    image: &str,
    env: &[Env],
    kafka: bool,
) -> Hardening {
    let sec = spec.security.clone().unwrap_or_default();
    let mut workload_annotations = BTreeMap::new();
    if let Some(a) = &spec.allow_system_namespace {
        workload_annotations.insert(
            "gen.migratorydata.io/system-namespace".to_string(),
            a.reason.clone(),
        );
    }
    let security = PodSecurity {
        run_as_user: sec.run_as_user.or(profile.pod_security.run_as_user),
        run_as_group: sec.run_as_group.or(profile.pod_security.run_as_group),
        fs_group: sec.fs_group.or(profile.pod_security.fs_group),
        read_only_root_filesystem: sec.read_only_root_filesystem.unwrap_or(true),
    };
    for (field, v) in [
        ("runAsUser", sec.run_as_user),
        ("runAsGroup", sec.run_as_group),
        ("fsGroup", sec.fs_group),
    ] {
        if let Some(why) = v.and_then(validate::id) {
            c.error(["security", field], why);
        }
    }
    let fixed_ids =
        sec.run_as_user.is_some() || sec.run_as_group.is_some() || sec.fs_group.is_some();
    let low_uid = security.run_as_user.is_some_and(|u| u < 10_000);
    let openshift_ids = fixed_ids && platform == Platform::Openshift;
    let relaxed = !security.read_only_root_filesystem || openshift_ids || low_uid;
    // Checks an independent scanner (checkov) would fail, each with why it does not apply.
    let mut scanner_skips: Vec<(&str, String)> = Vec::new();
    if relaxed {
        match &sec.reason {
            None => c.error(
                ["security", "reason"],
                "relaxing a hardening default needs a reason: gen records it on the workload for reviewers",
            ),
            Some(reason) => {
                check_reason(c, ["security", "reason"], reason);
                if !security.read_only_root_filesystem {
                    scanner_skips.push(("CKV_K8S_22", reason.clone()));
                }
                if low_uid {
                    scanner_skips.push(("CKV_K8S_40", reason.clone()));
                }
                if openshift_ids {
                    workload_annotations
                        .insert(format!("{LINT_SKIP_PREFIX}openshift-fixed-ids"), reason.clone());
                }
            }
        }
    }
    if security.run_as_user.is_none() {
        scanner_skips.push((
            "CKV_K8S_40",
            "no fixed uid: the platform's admission (OpenShift restricted-v2 SCC) assigns one from the namespace's high range".to_string(),
        ));
    }
    let digest = image.contains("@sha256:");
    if !digest {
        let why = match unpinned(image) {
            true => {
                "the image is not pinned at all (the tag `latest` or none, which gen warns about and --strict refuses); give image as name:version, or name@sha256:digest to pin it by content"
            }
            false => {
                "the image is pinned by tag; give image as name@sha256:digest to pin it by content"
            }
        };
        scanner_skips.push(("CKV_K8S_43", why.to_string()));
    }
    if env.iter().any(|e| matches!(e.source, EnvSource::Secret(_))) {
        scanner_skips.push((
            "CKV_K8S_35",
            "the server reads LicenseKey, ClusterPassword and the truststore password only as options; secretKeyRef keeps them out of the manifest".to_string(),
        ));
    }
    let network_policy = spec.network_policy.clone().unwrap_or_default();
    let network_policy_on = network_policy.enabled != Some(false);
    if !network_policy_on {
        match &network_policy.reason {
            None => c.error(
                ["networkPolicy", "reason"],
                "turning the NetworkPolicy off needs a reason: gen records it on the workload for reviewers",
            ),
            Some(reason) => {
                check_reason(c, ["networkPolicy", "reason"], reason);
                scanner_skips.push(("CKV2_K8S_6", reason.clone()));
            }
        }
    }
    for (i, (id, reason)) in scanner_skips.iter().enumerate() {
        workload_annotations.insert(
            format!("checkov.io/skip{}", i + 1),
            format!("{id}={reason}"),
        );
    }
    if let Some(why) = external_secrets(spec, kafka) {
        workload_annotations.insert(format!("{LINT_SKIP_PREFIX}external-ref"), why);
    }
    Hardening {
        security,
        workload_annotations,
        network_policy_on,
        digest,
    }
}

fn tolerations(spec: &Spec, c: &mut Check) -> Vec<PodToleration> {
    spec.tolerations
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if t.operator == Some(TolerationOperator::Exists) && t.value.is_some() {
                c.error(
                    FieldPath::from(["tolerations"]).index(i).key("value"),
                    "must be empty when operator is Exists",
                );
            }
            if t.key.is_none() && t.operator != Some(TolerationOperator::Exists) {
                c.error(
                    FieldPath::from(["tolerations"]).index(i).key("key"),
                    "required unless operator is Exists",
                );
            }
            for (field, why) in validate::toleration(t.key.as_deref(), t.value.as_deref()) {
                c.error(FieldPath::from(["tolerations"]).index(i).key(field), why);
            }
            if t.toleration_seconds.is_some() && t.effect != Some(TaintEffect::NoExecute) {
                c.error(
                    FieldPath::from(["tolerations"])
                        .index(i)
                        .key("tolerationSeconds"),
                    "only applies with effect NoExecute",
                );
            }
            PodToleration {
                key: t.key.clone(),
                operator: t.operator.map(|o| match o {
                    TolerationOperator::Exists => "Exists",
                    TolerationOperator::Equal => "Equal",
                }),
                value: t.value.clone(),
                effect: t.effect.map(|e| match e {
                    TaintEffect::NoSchedule => "NoSchedule",
                    TaintEffect::PreferNoSchedule => "PreferNoSchedule",
                    TaintEffect::NoExecute => "NoExecute",
                }),
                toleration_seconds: t.toleration_seconds,
            }
        })
        .collect()
}

/// The PDB: keep the seeds up (native), or lose at most one stateless replica (kafka).
fn pdb(
    c: &mut Check,
    name: &str,
    kafka: bool,
    seed_count: Option<u32>,
    hpa: Option<&Hpa>,
    replicas: u32,
) -> Pdb {
    let floor = hpa.map_or(replicas, |h| h.min);
    if let Some(seeds) = seed_count
        && seeds == floor
    {
        let field = if hpa.is_some() {
            FieldPath::from(["autoscale", "min"])
        } else {
            FieldPath::from(["replicas"])
        };
        c.warn(
            &field,
            format!(
                "the PodDisruptionBudget keeps {seeds} seed members available and {field} is {floor}: no voluntary eviction is possible, so node drains hang; run more members than seeds"
            ),
        );
    }
    Pdb {
        name: format!("{name}-pdb"),
        min_available: seed_count,
        max_unavailable: if kafka { Some(1) } else { None },
    }
}

/// A system namespace (`default`, `kube-*`, `openshift*`) only on purpose: never relabelled by
/// a Namespace object gen renders, and with a reason recorded on the workload.
fn check_system_namespace(c: &mut Check, spec: &Spec, opts: &ResolveOptions, namespace: &str) {
    if !validate::is_system_namespace(namespace) {
        return;
    }
    let Some(allow) = &spec.allow_system_namespace else {
        c.error(
            ["namespace"],
            format!("`{namespace}` is a system namespace (`default`, `kube-*`, `openshift*`): use a namespace of its own, or set createNamespace: false and allowSystemNamespace: {{reason: \"…\"}}"),
        );
        return;
    };
    check_reason(c, ["allowSystemNamespace", "reason"], &allow.reason);
    if spec.create_namespace != Some(false) && !opts.no_namespace {
        c.error(
            ["allowSystemNamespace"],
            format!("needs createNamespace: false: gen's Namespace object would relabel `{namespace}` to enforce the restricted Pod Security Standard on the cluster's own pods"),
        );
    }
}

/// At least one bootstrap server, each `host:port`; at least one topic, each a topic name.
fn check_brokers_and_topics(c: &mut Check, b: &crate::spec::Backplane) {
    if b.bootstrap_servers.is_empty() {
        c.error(
            ["backplane", "bootstrapServers"],
            "a kafka backplane needs at least one `host:port` bootstrap server",
        );
    }
    for (i, s) in b.bootstrap_servers.iter().enumerate() {
        if !is_host_port(s) {
            c.error(
                FieldPath::from(["backplane", "bootstrapServers"]).index(i),
                format!("`{s}` is not `host:port`"),
            );
        }
    }
    if b.topics.is_empty() {
        c.error(
            ["backplane", "topics"],
            "a kafka backplane needs at least one topic",
        );
    }
    for (i, t) in b.topics.iter().enumerate() {
        if let Some(why) = validate::topic(t) {
            c.error(FieldPath::from(["backplane", "topics"]).index(i), why);
        }
    }
}

/// Kafka options, the JAAS Secret (name, and contents when gen renders it) and the
/// truststore (Secret name, key).
#[allow(clippy::type_complexity)]
fn kafka_options(
    c: &mut Check,
    b: &crate::spec::Backplane,
    name: &str,
    opts: &ResolveOptions,
    env: &mut Vec<Env>,
) -> (
    Words,
    Option<(String, Option<Secret>)>,
    Option<(String, String)>,
) {
    check_brokers_and_topics(c, b);
    let protocol = b.security_protocol.unwrap_or(SecurityProtocol::Plaintext);
    let mut o = Words::default();
    o.set(so::BOOTSTRAP_SERVERS, b.bootstrap_servers.join(","));
    o.set(so::TOPICS, b.topics.join(","));
    o.set(so::SECURITY_PROTOCOL, protocol.as_str());
    let mut secret = None;
    if protocol.is_sasl() {
        match b.sasl_mechanism {
            Some(m) => o.set(so::SASL_MECHANISM, m.as_str()),
            None => c.error(
                ["backplane", "saslMechanism"],
                format!(
                    "{} needs a saslMechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512",
                    protocol.as_str()
                ),
            ),
        }
        o.set(so::JAAS_CONFIG, format_args!("{JAAS_DIR}/{JAAS_KEY}"));
        match &b.jaas {
            None => c.error(
                ["backplane", "jaas"],
                format!(
                    "{} needs a JAAS file: set jaas.secretName (an existing Secret) or jaas.file",
                    protocol.as_str()
                ),
            ),
            Some(j) => match (&j.secret_name, &j.file) {
                (Some(s), None) => {
                    check_name(c, ["backplane", "jaas", "secretName"], s, 253, false);
                    secret = Some((s.clone(), None));
                }
                (None, Some(f)) => {
                    if let Some(text) = load_jaas(c, f, opts) {
                        secret = Some((format!("{name}-jaas"), Some(text)));
                    }
                }
                _ => c.error(
                    ["backplane", "jaas"],
                    "set exactly one of secretName and file",
                ),
            },
        }
    } else {
        if b.sasl_mechanism.is_some() {
            c.error(
                ["backplane", "saslMechanism"],
                format!(
                    "only applies with SASL_PLAINTEXT or SASL_SSL, not {}",
                    protocol.as_str()
                ),
            );
        }
        if b.jaas.is_some() {
            c.error(
                ["backplane", "jaas"],
                format!(
                    "only applies with SASL_PLAINTEXT or SASL_SSL, not {}",
                    protocol.as_str()
                ),
            );
        }
    }
    let mut truststore = None;
    if let Some(t) = &b.truststore {
        if !protocol.is_tls() {
            c.error(
                ["backplane", "truststore"],
                format!(
                    "only applies with SSL or SASL_SSL, not {}",
                    protocol.as_str()
                ),
            );
        }
        let key = t.key.clone().unwrap_or_else(|| "ca.p12".to_string());
        let password_key = t
            .password_key
            .clone()
            .unwrap_or_else(|| "ca.password".to_string());
        check_secret_ref(c, ["backplane", "truststore"], &t.secret_name, &key);
        let kind = match t.kind.unwrap_or(TruststoreType::Pkcs12) {
            TruststoreType::Pkcs12 => "PKCS12",
            TruststoreType::Jks => "JKS",
        };
        env.push(Env {
            name: "KAFKA_TRUSTSTORE_PASSWORD",
            source: EnvSource::Secret(SecretRef {
                name: t.secret_name.clone(),
                key: password_key,
            }),
        });
        o.set(
            so::TRUSTSTORE_LOCATION,
            format_args!("{TRUSTSTORE_DIR}/{key}"),
        );
        o.set(so::TRUSTSTORE_TYPE, kind);
        o.set(so::TRUSTSTORE_PASSWORD, "$(KAFKA_TRUSTSTORE_PASSWORD)");
        truststore = Some((t.secret_name.clone(), key));
    }
    (o, secret, truststore)
}

/// Reads and checks a jaas.file. Errors never quote the file's contents.
fn load_jaas(c: &mut Check, file: &str, opts: &ResolveOptions) -> Option<Secret> {
    const FIELD: [&str; 3] = ["backplane", "jaas", "file"];
    let path = Path::new(file);
    let joined = opts.base_dir.join(path);
    if !opts.allow_outside_files {
        let escapes = path.is_absolute()
            || path
                .components()
                .any(|p| matches!(p, std::path::Component::ParentDir));
        if escapes {
            c.error(FIELD, format!("`{file}` points outside the spec's directory; use a path inside it, or pass --allow-outside-files"));
            return None;
        }
    }
    let limit = opts.max_file_bytes.min(1024 * 1024);
    let bytes = match crate::validate::file::read_inside(
        &joined,
        &opts.base_dir,
        !opts.allow_outside_files,
        limit,
    ) {
        Ok(b) => b,
        Err(why) => {
            c.error(FIELD, format!("`{file}` {why}"));
            return None;
        }
    };
    let Ok(text) = String::from_utf8(bytes) else {
        c.error(
            FIELD,
            format!("`{file}` is not UTF-8 text, so not a JAAS file"),
        );
        return None;
    };
    if let Err(why) = check_jaas_shape(&text) {
        c.error(FIELD, format!("`{file}` is not a JAAS file for the Kafka client: {why} (its contents are not shown)"));
        return None;
    }
    Some(Secret(text))
}

/// The shape the Kafka client needs: `KafkaClient { <LoginModule> required ...; };`.
/// Returns a reason that never quotes the text.
pub fn check_jaas_shape(text: &str) -> Result<(), &'static str> {
    let t = text.trim_start_matches('\u{feff}');
    let Some(start) = t.find("KafkaClient") else {
        return Err("no `KafkaClient` section");
    };
    let rest = t[start + "KafkaClient".len()..].trim_start();
    let Some(body) = rest.strip_prefix('{') else {
        return Err("`KafkaClient` is not followed by `{`");
    };
    let Some(end) = section_end(body)? else {
        return Err("the `KafkaClient` section does not end with `};`");
    };
    let body = &body[..end];
    let module = body.split_whitespace().next().unwrap_or("");
    if !module.contains("LoginModule") {
        return Err("the section does not start with a login module class");
    }
    let flag = body
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .trim_end_matches(';');
    if !["required", "requisite", "sufficient", "optional"].contains(&flag) {
        return Err("the login module has no control flag (`required`)");
    }
    if !body.trim_end().ends_with(';') {
        return Err("the login module options do not end with `;`");
    }
    Ok(())
}

/// Where `};` closes a section, outside quoted values; an unclosed quote is an error.
fn section_end(body: &str) -> Result<Option<usize>, &'static str> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, ch) in body.char_indices() {
        match ch {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '}' if !quoted && body[i + 1..].trim_start().starts_with(';') => return Ok(Some(i)),
            _ => {}
        }
    }
    if quoted {
        return Err("a quoted value is not closed");
    }
    Ok(None)
}

/// A reason recorded in annotations: one line, and no `=` (checkov's skip annotation is
/// `ID=reason` and fails on a second `=`).
fn check_reason(c: &mut Check, path: impl Into<FieldPath>, reason: &str) {
    if reason.trim().is_empty() || reason.contains(['=', '\n', '\r']) {
        c.error(path, "must be one non-empty line without `=`");
    }
}

/// The reason for silencing `external-ref` on the workload: every Secret the spec names and
/// gen does not render, with the field naming it. None when the spec names none.
fn external_secrets(spec: &Spec, kafka: bool) -> Option<String> {
    let mut named: Vec<String> = Vec::new();
    let backplane = spec.backplane.as_ref().filter(|_| kafka);
    if let Some(n) = backplane
        .and_then(|b| b.jaas.as_ref())
        .and_then(|j| j.secret_name.as_ref())
    {
        named.push(format!("`{n}` (backplane.jaas.secretName)"));
    }
    if let Some(t) = backplane.and_then(|b| b.truststore.as_ref()) {
        named.push(format!("`{}` (backplane.truststore)", t.secret_name));
    }
    for (field, r) in [
        ("licenseKey", &spec.license_key),
        ("clusterPassword", &spec.cluster_password),
    ] {
        if let Some(r) = r {
            named.push(format!("`{}` ({field})", r.secret_name));
        }
    }
    for n in &spec.image_pull_secrets {
        named.push(format!("`{n}` (imagePullSecrets)"));
    }
    (!named.is_empty()).then(|| {
        format!(
            "the spec names Secrets managed outside this bundle; create them in the namespace first: {}",
            named.join(", ")
        )
    })
}

/// True when `image` (no digest) has no tag or the tag `latest`: it moves with every push.
fn unpinned(image: &str) -> bool {
    let last = image.rsplit('/').next().unwrap_or(image);
    matches!(last.split_once(':'), None | Some((_, "latest")))
}

fn check_image(c: &mut Check, image: &str) {
    if let Some(why) = validate::image::problem(image) {
        c.error(["image"], why);
        return;
    }
    if image.contains('@') {
        return;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        None => c.warn(["image"], format!("`{image}` has no tag, so it means `:latest`: pin a version (e.g. `{DEFAULT_IMAGE}`)")),
        Some((_, "latest")) => c.warn(["image"], format!("`{image}` is not pinned: pin a version (e.g. `{DEFAULT_IMAGE}`)")),
        _ => {}
    }
}

/// A DNS-1123 label (`service_name`: a DNS-1035 label, which must start with a letter).
/// The optional Kubernetes-style header: `apiVersion`, `kind` and `metadata` must name this
/// spec format and agree with the fields they repeat.
fn check_header(spec: &Spec, c: &mut Check) {
    if let Some(v) = &spec.api_version
        && v != crate::spec::API_VERSION
    {
        c.error(
            ["apiVersion"],
            format!(
                "unsupported apiVersion `{v}`: this gen reads `{}` (or no apiVersion)",
                crate::spec::API_VERSION
            ),
        );
    }
    if let Some(k) = &spec.kind
        && k != crate::spec::KIND
    {
        c.error(
            ["kind"],
            format!(
                "unsupported kind `{k}`: this gen reads `{}` (or no kind)",
                crate::spec::KIND
            ),
        );
    }
    let Some(meta) = &spec.metadata else { return };
    if let (Some(m), Some(n)) = (&meta.name, &spec.name)
        && m != n
    {
        c.error(
            ["metadata", "name"],
            format!("metadata.name `{m}` differs from name `{n}`: give one, or the same in both"),
        );
    }
    if let (Some(m), Some(n)) = (&meta.namespace, &spec.namespace)
        && m != n
    {
        c.error(
            ["metadata", "namespace"],
            format!("metadata.namespace `{m}` differs from namespace `{n}`: give one, or the same in both"),
        );
    }
}

pub(crate) fn check_name(
    c: &mut Check,
    path: impl Into<FieldPath>,
    s: &str,
    max: usize,
    service_name: bool,
) {
    let path = path.into();
    let what = if max == 253 {
        "a DNS subdomain"
    } else {
        "a DNS label"
    };
    let ok = if max == 253 {
        is_dns_subdomain(s)
    } else {
        is_dns_label(s)
    };
    if !ok {
        c.error(path, format!("`{s}` is not {what}: lowercase letters, digits and `-`, starting and ending with a letter or digit"));
    } else if service_name && !s.starts_with(|ch: char| ch.is_ascii_lowercase()) {
        c.error(
            path,
            format!("`{s}` must start with a letter: it names Services"),
        );
    } else if s.len() > max {
        c.error(path, format!("`{s}` is {} characters; at most {max} fit every object and pod name derived from it", s.len()));
    }
}

fn check_secret_ref(c: &mut Check, path: impl Into<FieldPath>, name: &str, key: &str) {
    let path = path.into();
    check_name(c, path.key("secretName"), name, 253, false);
    let ok = !key.is_empty()
        && key.len() <= 253
        && key
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-._".contains(ch));
    if !ok {
        c.error(
            path.key("key"),
            format!("`{key}` is not a Secret key (letters, digits, `-`, `_`, `.`)"),
        );
    }
}

fn check_labels(
    c: &mut Check,
    path: impl Into<FieldPath>,
    m: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let path = path.into();
    for (k, v) in m {
        if !is_qualified_name(k) {
            c.error(path.key(k), format!("`{k}` is not a label key: `[prefix/]name`, name up to 63 of letters, digits, `-`, `_`, `.`"));
        }
        if !validate::is_label_value(v) {
            c.error(path.key(k), format!("`{v}` is not a label value: up to 63 letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit"));
        }
    }
    m.clone()
}

pub(crate) fn check_annotations(
    c: &mut Check,
    path: impl Into<FieldPath>,
    m: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let path = path.into();
    for (k, v) in m {
        if !is_qualified_name(k) {
            c.error(path.key(k), format!("`{k}` is not an annotation key: `[prefix/]name`, name up to 63 of letters, digits, `-`, `_`, `.`"));
        } else if let Some(id) = k.strip_prefix(LINT_SKIP_PREFIX) {
            // What `gen lint` refuses (rule lint-annotation) gen must not render.
            if Rule::from_id(id).is_none() {
                c.error(
                    path.key(k),
                    format!("`{id}` is no rule of gen lint: the annotation would silence nothing"),
                );
            } else if v.trim().is_empty() {
                c.error(
                    path.key(k),
                    format!("silencing `{id}` needs a reason as the value"),
                );
            }
        }
    }
    m.clone()
}

fn is_option_name(k: &str) -> bool {
    k.starts_with(|c: char| c.is_ascii_alphabetic())
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
}

fn is_host_port(s: &str) -> bool {
    let Some((host, port)) = s.rsplit_once(':') else {
        return false;
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    host_ok && port.parse::<u16>().is_ok_and(|p| p > 0)
}

fn is_duration(s: &str) -> bool {
    let digits = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &s[digits.len()..];
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && ["ms", "s", "m", "h"].contains(&unit)
}

pub(crate) fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(data);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn base64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Autoscale, Backplane, Jaas};

    fn spec() -> Spec {
        Spec {
            namespace: Some("migratory".into()),
            platform: Some(Platform::Aks),
            replicas: Some(3),
            ..Spec::default()
        }
    }

    /// Asserts that one of `errors` starts with `prefix`.
    #[track_caller]
    fn assert_has(errors: &[String], prefix: &str) {
        assert!(
            errors.iter().any(|e| e.starts_with(prefix)),
            "no `{prefix}` in {errors:?}"
        );
    }

    fn errors(s: &Spec) -> Vec<String> {
        match resolve(s, &ResolveOptions::default()).model {
            Ok(_) => vec![],
            Err(e) => e
                .iter()
                .map(|p| format!("{}: {}", p.path, p.message))
                .collect(),
        }
    }

    fn model(s: &Spec) -> Model {
        resolve(s, &ResolveOptions::default())
            .model
            .expect("valid spec")
    }

    #[test]
    fn cluster_members_follow_autoscale_max() {
        let mut s = spec();
        s.autoscale = Some(Autoscale {
            min: 3,
            max: 5,
            cpu_percent: None,
            scale_down: None,
            scale_up: None,
        });
        let m = model(&s);
        assert_eq!(m.cluster_members.len(), 5);
        assert_eq!(
            m.cluster_members[4],
            "migratorydata-4.migratorydata-hs.migratory.svc.cluster.local:8801"
        );
        assert_eq!(m.workload.replicas, None, "an HPA owns the replica count");
        assert_eq!(
            m.hpa.as_ref().map(|h| (h.min, h.max, h.cpu_percent)),
            Some((3, 5, 50))
        );
    }

    #[test]
    fn members_without_autoscale_are_replicas() {
        let m = model(&spec());
        assert_eq!(m.cluster_members.len(), 3);
        assert_eq!(m.workload.replicas, Some(3));
        assert_eq!(m.seed_count, Some(3));
        assert_eq!(m.pdb.min_available, Some(3));
    }

    #[test]
    fn seed_count_rules() {
        let mut s = spec();
        s.seed_count = Some(4);
        assert_has(&errors(&s), "seedCount: must be at most replicas (3)");
        s.seed_count = Some(0);
        assert_has(&errors(&s), "seedCount: must be at least 1");
        s.seed_count = Some(2);
        s.autoscale = Some(Autoscale {
            min: 1,
            max: 5,
            cpu_percent: Some(50),
            scale_down: None,
            scale_up: None,
        });
        assert_has(&errors(&s), "autoscale.min: must be at least seedCount (2)");
    }

    #[test]
    fn autoscale_bounds_rules() {
        let mut s = spec();
        s.autoscale = Some(Autoscale {
            min: 4,
            max: 5,
            cpu_percent: Some(0),
            scale_down: None,
            scale_up: None,
        });
        let e = errors(&s);
        assert_has(&e, "replicas: must be at least autoscale.min (4)");
        assert_has(&e, "autoscale.cpuPercent:");
        s.autoscale = Some(Autoscale {
            min: 3,
            max: 2,
            cpu_percent: Some(101),
            scale_down: None,
            scale_up: None,
        });
        let e = errors(&s);
        assert_has(&e, "autoscale.min: must be at most autoscale.max (2)");
        assert_has(&e, "replicas: must be at most autoscale.max (2)");
    }

    #[test]
    fn kafka_rules() {
        let mut s = spec();
        s.backplane = Some(Backplane {
            kind: Some(BackplaneType::Kafka),
            ..Backplane::default()
        });
        s.seed_count = Some(1);
        let e = errors(&s);
        assert_has(&e, "seedCount:");
        assert_has(&e, "backplane.bootstrapServers:");
        assert_has(&e, "backplane.topics:");
        s.seed_count = None;
        s.backplane = Some(Backplane {
            kind: Some(BackplaneType::Kafka),
            bootstrap_servers: vec!["b:9093".into()],
            topics: vec!["t".into()],
            security_protocol: Some(SecurityProtocol::SaslSsl),
            ..Backplane::default()
        });
        let e = errors(&s);
        assert_has(&e, "backplane.saslMechanism:");
        assert_has(&e, "backplane.jaas:");
    }

    #[test]
    fn kafka_options_match_the_event_hubs_guide() {
        let mut s = spec();
        s.backplane = Some(Backplane {
            kind: Some(BackplaneType::Kafka),
            bootstrap_servers: vec!["evhns-migratorydata.servicebus.windows.net:9093".into()],
            topics: vec!["vehicles".into()],
            security_protocol: Some(SecurityProtocol::SaslSsl),
            sasl_mechanism: Some(crate::spec::SaslMechanism::Plain),
            jaas: Some(Jaas {
                secret_name: Some("migratory-secret".into()),
                file: None,
            }),
            truststore: None,
        });
        let m = model(&s);
        let kafka = m
            .workload
            .container
            .env
            .iter()
            .find(|e| e.name == "MIGRATORYDATA_KAFKA_EXTRA_OPTS")
            .unwrap();
        assert_eq!(
            kafka.value(),
            Some(
                "-Dbootstrap.servers=evhns-migratorydata.servicebus.windows.net:9093 -Dtopics=vehicles -Dsecurity.protocol=SASL_SSL -Dsasl.mechanism=PLAIN -Djava.security.auth.login.config=/migratorydata/secrets/jaas.config"
            )
        );
        assert_eq!(m.workload.kind, "Deployment");
        assert_eq!(m.pdb.max_unavailable, Some(1));
        assert!(
            m.workload
                .volumes
                .iter()
                .any(|v| v.secret.as_deref() == Some("migratory-secret"))
        );
    }

    #[test]
    fn names_must_fit_dns_and_pod_hostnames() {
        let mut s = spec();
        s.name = Some("1abc".into());
        assert_has(&errors(&s), "name: `1abc` must start with a letter");
        s.name = Some("a".repeat(53));
        assert!(errors(&s).iter().any(|e| e.contains("at most 52")));
        s.name = Some("Upper".into());
        assert_has(&errors(&s), "name: `Upper` is not a DNS label");
        s.name = Some("yes".into());
        s.namespace = Some("on".into());
        assert!(errors(&s).is_empty(), "YAML 1.1 booleans are valid names");
    }

    #[test]
    fn heap_is_derived_from_memory_with_headroom() {
        let m = model(&spec());
        let opts = m
            .workload
            .container
            .env
            .iter()
            .find(|e| e.name == "MIGRATORYDATA_EXTRA_OPTS")
            .unwrap();
        assert!(
            opts.value().unwrap().starts_with("-DMemory=768MB "),
            "{opts:?}"
        );
        let mut s = spec();
        s.resources = Some(crate::spec::Resources {
            cpu: None,
            memory: Some("100Mi".into()),
        });
        assert_has(&errors(&s), "resources.memory:");
    }

    #[test]
    fn extra_options_cannot_override_managed_ones_or_hold_spaces() {
        let mut s = spec();
        s.extra_options.insert("ClusterMembers".into(), "x".into());
        s.extra_options.insert("Foo".into(), "a b".into());
        let e = errors(&s);
        assert_has(&e, "extraOptions.ClusterMembers: gen manages");
        assert_has(&e, "extraOptions.Foo: the value");
    }

    #[test]
    fn pdb_that_blocks_drains_is_a_warning() {
        let r = resolve(&spec(), &ResolveOptions::default());
        assert!(r.warnings.iter().any(|w| w.path.to_string() == "replicas" && w.message.contains("node drains hang")));
        let mut s = spec();
        s.replicas = Some(4);
        assert!(resolve(&s, &ResolveOptions::default()).warnings.is_empty());
    }

    #[test]
    fn jaas_shape() {
        let ok = "KafkaClient {\norg.apache.kafka.common.security.plain.PlainLoginModule required\nusername=\"$ConnectionString\"\npassword=\"x\";\n};\n";
        assert_eq!(check_jaas_shape(ok), Ok(()));
        assert!(check_jaas_shape("hello").is_err());
        assert!(check_jaas_shape("KafkaClient { foo required; };").is_err());
        assert!(
            check_jaas_shape("KafkaClient {\nx.PlainLoginModule required\nusername=\"a\"\n")
                .is_err()
        );
    }

    #[test]
    fn secret_debug_is_redacted() {
        assert_eq!(
            format!("{:?}", Secret("hunter2".into())),
            "Secret(<redacted>)"
        );
    }
}
