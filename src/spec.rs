//! The cluster spec exactly as the user wrote it, and how it is read.
//!
//! `Spec` mirrors the file: every field optional where the contract says so, no defaults
//! applied (that is `model::resolve`'s job), unknown keys rejected. Doc comments here become the
//! descriptions in the JSON Schema that `gen schema` prints.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A MigratoryData cluster: what `gen render` turns into a Kubernetes bundle.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "gen cluster spec")]
pub struct Spec {
    /// Spec format version. Optional: absent means the current one,
    /// `gen.migratorydata.io/v1alpha1` (the only one so far). With `kind` and `metadata.name` it
    /// makes the spec a Kubernetes-style resource, as a kustomize generator config must be.
    pub api_version: Option<String>,
    /// `MigratoryDataCluster` (the only kind). Optional, like `apiVersion`.
    pub kind: Option<String>,
    /// Kubernetes-style metadata. `metadata.name` must equal `name` when both are given, and
    /// gives it when `name` is absent.
    pub metadata: Option<SpecMetadata>,
    /// Name of the cluster; prefixes every object. Default `metadata.name`, else `migratorydata`.
    pub name: Option<String>,
    /// Namespace every object goes to (required).
    pub namespace: Option<String>,
    /// Target platform; required unless `--platform` is given (which overrides it).
    pub platform: Option<Platform>,
    /// Container image, pinned by tag or digest. Default `migratorydata/server:6.0.24`.
    #[schemars(regex(pattern = crate::validate::image::PATTERN))]
    pub image: Option<String>,
    /// Number of cluster members (required). With `autoscale` it must lie within its bounds.
    pub replicas: Option<u32>,
    /// Native clustering only: `ClusterSeedMemberCount`. Default min(3, replicas).
    pub seed_count: Option<u32>,
    /// Horizontal Pod Autoscaler bounds; absent means no HPA.
    pub autoscale: Option<Autoscale>,
    /// How members meet: native clustering (default) or a Kafka backplane.
    pub backplane: Option<Backplane>,
    /// CPU and memory, used for both requests and limits.
    pub resources: Option<Resources>,
    /// Extra labels on every object and on the pods.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Extra annotations on every object.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// Extra labels on the pods only (e.g. `azure.workload.identity/use: "true"`).
    #[serde(default)]
    pub pod_labels: BTreeMap<String, String>,
    /// Extra annotations on the pods only.
    #[serde(default)]
    pub pod_annotations: BTreeMap<String, String>,
    /// The client-facing Service.
    pub service: Option<ServiceSpec>,
    /// The server's `LogLevel`. Default `INFO`.
    pub log_level: Option<LogLevel>,
    /// Extra server options, rendered as `-D<name>=<value>`. Options gen manages are refused.
    #[serde(default)]
    pub extra_options: BTreeMap<String, String>,
    /// Share of the container memory given to the server's `-DMemory` (the rest is JVM
    /// headroom), in percent. Default 75.
    pub memory_percent: Option<u32>,
    /// Node labels the pods must run on.
    #[serde(default)]
    pub node_selector: BTreeMap<String, String>,
    /// Taints the pods tolerate.
    #[serde(default)]
    pub tolerations: Vec<Toleration>,
    /// Spread members across zones (`topology.kubernetes.io/zone`, maxSkew 1): `true` (as
    /// `{whenUnsatisfiable: ScheduleAnyway}`) or `{whenUnsatisfiable: DoNotSchedule}` to refuse
    /// to schedule a member that would unbalance the zones. Default: no zone spread.
    pub zone_spread: Option<ZoneSpread>,
    /// Keep members off each other's node: `preferred` (default: the scheduler tries, and still
    /// places a member when nodes run short) or `required` (never two members on one node; a
    /// member stays Pending without a free node, so a node loss costs one member's clients).
    pub anti_affinity: Option<AntiAffinity>,
    /// Graceful shutdown. Default drainSeconds 30, stopSeconds 30: terminationGracePeriodSeconds 60.
    pub shutdown: Option<Shutdown>,
    /// How members start and roll. Default minReadySeconds 30, startupSeconds 300.
    pub rollout: Option<Rollout>,
    /// Ephemeral storage of each member (logs, /tmp, coordination). Default ephemeral `2Gi`.
    pub storage: Option<Storage>,
    /// TLS for clients: `certificateArn` (eks: at the NLB), or `host` with `secretName` (an
    /// Ingress) or with `gateway` (an HTTPRoute; the Gateway's listener holds the certificate).
    pub tls: Option<Tls>,
    /// Expose clients through an Ingress (with `tls.host` and `tls.secretName`); the client
    /// Service becomes ClusterIP unless `service.type` says otherwise.
    pub ingress: Option<IngressSpec>,
    /// Expose clients through an HTTPRoute attached to this existing Gateway (with `tls.host`);
    /// the client Service becomes ClusterIP unless `service.type` says otherwise.
    pub gateway: Option<GatewaySpec>,
    /// Put `secret.reloader.stakater.com/reload` on the workload naming every Secret the spec
    /// names (jaas.secretName, licenseKey, clusterPassword, the truststore), so Stakater
    /// Reloader rolls the members when one rotates: the server reads them once, at start.
    /// Default false.
    pub roll_on_secret_change: Option<bool>,
    /// Names of existing `kubernetes.io/dockerconfigjson` Secrets for pulling the image.
    #[serde(default)]
    pub image_pull_secrets: Vec<String>,
    /// The ServiceAccount the pods run as (cloud identity goes in its annotations: IRSA's
    /// `eks.amazonaws.com/role-arn`, AKS workload identity's `azure.workload.identity/client-id`).
    pub service_account: Option<ServiceAccountSpec>,
    /// The cluster's DNS domain, used in member addresses. Default `cluster.local`.
    pub cluster_domain: Option<String>,
    /// The server's `LicenseKey`, read from an existing Secret.
    pub license_key: Option<SecretKeyRef>,
    /// The server's `ClusterPassword`, read from an existing Secret.
    pub cluster_password: Option<SecretKeyRef>,
    /// Prometheus metrics on port 9900 (`/metrics`), with an optional ServiceMonitor.
    pub metrics: Option<Metrics>,
    /// Render the Namespace with Pod Security Admission labels (default true; `--no-namespace`
    /// leaves it out too).
    pub create_namespace: Option<bool>,
    /// Render a NetworkPolicy (default true).
    pub network_policy: Option<NetworkPolicySpec>,
    /// Pod hardening. Each field relaxes one default; relaxing needs a `reason`.
    pub security: Option<Security>,
    /// Render into a system namespace (`default`, `kube-*`, `openshift*`): needs
    /// `createNamespace: false` (gen must not relabel it) and a reason, which gen records on
    /// the workload.
    pub allow_system_namespace: Option<AllowSystemNamespace>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AllowSystemNamespace {
    /// Why the bundle belongs in a namespace of the cluster's own.
    pub reason: String,
}

/// The spec format's `apiVersion`.
pub const API_VERSION: &str = "gen.migratorydata.io/v1alpha1";
/// The spec format's `kind`.
pub const KIND: &str = "MigratoryDataCluster";

/// The header's `metadata`: what kustomize needs of a generator config, nothing gen renders
/// from but `name`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SpecMetadata {
    /// The cluster's name (see `name`).
    pub name: Option<String>,
    /// Must equal `namespace` when both are given, and gives it when `namespace` is absent.
    pub namespace: Option<String>,
    /// Annotations on the spec itself (tools such as kustomize add their own); not rendered.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// Labels on the spec itself; not rendered.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Aks,
    Eks,
    Openshift,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::Aks, Platform::Eks, Platform::Openshift];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Aks => "aks",
            Platform::Eks => "eks",
            Platform::Openshift => "openshift",
        }
    }

    pub fn parse(s: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Autoscale {
    /// Fewest members the HPA keeps (at least seedCount).
    pub min: u32,
    /// Most members the HPA may run; also the length of `ClusterMembers`.
    pub max: u32,
    /// Target average CPU utilisation, 1–100. Default 50.
    pub cpu_percent: Option<u32>,
    /// How fast the HPA removes members; each removed member drops all its clients, who then
    /// reconnect to the others. Default: one pod per 180 s after a 300 s stabilization window.
    pub scale_down: Option<ScalePolicy>,
    /// How fast the HPA adds members. Default: two pods per 30 s, no stabilization window.
    pub scale_up: Option<ScalePolicy>,
}

/// One direction of the HPA's `behavior`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScalePolicy {
    /// `stabilizationWindowSeconds`, 0–3600: the HPA acts on the highest (down) or lowest (up)
    /// recommendation of this window, so a short dip does not remove members.
    pub stabilization_seconds: Option<u32>,
    /// Most pods added or removed per period (at least 1).
    pub pods_per_period: Option<u32>,
    /// The policy's period, 1–1800 seconds.
    pub period_seconds: Option<u32>,
}

/// `true`, or the constraint's `whenUnsatisfiable`.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ZoneSpread {
    Enabled(bool),
    Detailed(ZoneSpreadSpec),
}

/// By hand rather than `untagged`, so a wrong value says what would be valid and a wrong
/// `whenUnsatisfiable` keeps its own message and location.
impl<'de> Deserialize<'de> for ZoneSpread {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ZoneSpread, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ZoneSpread;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "`true`, `false` or `{whenUnsatisfiable: ScheduleAnyway | DoNotSchedule}`",
                )
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<ZoneSpread, E> {
                Ok(ZoneSpread::Enabled(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<ZoneSpread, A::Error> {
                ZoneSpreadSpec::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(ZoneSpread::Detailed)
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ZoneSpreadSpec {
    /// `ScheduleAnyway` (default) or `DoNotSchedule`.
    pub when_unsatisfiable: Option<WhenUnsatisfiable>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum WhenUnsatisfiable {
    ScheduleAnyway,
    DoNotSchedule,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AntiAffinity {
    Preferred,
    Required,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Shutdown {
    /// Seconds a terminating member keeps serving (a `preStop` sleep) while endpoints, kube-proxy
    /// and load balancers stop sending it new clients; on eks also the target group's
    /// deregistration delay. Default 30, 1–600.
    pub drain_seconds: Option<u32>,
    /// Seconds the server then has to close its clients after SIGTERM, before SIGKILL.
    /// terminationGracePeriodSeconds = drainSeconds + stopSeconds. Default 30, 1–600.
    pub stop_seconds: Option<u32>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Rollout {
    /// `minReadySeconds` of the StatefulSet (Deployment): a new member must stay ready this long
    /// before the next one rolls, time to rejoin the cluster and take clients. Default 30, 0–3600.
    pub min_ready_seconds: Option<u32>,
    /// Longest the JVM may take to open the client port; the `startupProbe` allows this long
    /// before liveness applies, so a slow start is not killed. Default 300, 10–3600.
    pub startup_seconds: Option<u32>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Storage {
    /// A Kubernetes quantity: the `sizeLimit` of every emptyDir and the container's
    /// ephemeral-storage request and limit, so a runaway log evicts this pod, not its
    /// neighbours. Default `2Gi`.
    pub ephemeral: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Tls {
    /// eks only: an ACM certificate ARN; the NLB terminates TLS on the Service port (default
    /// 443) and forwards plain TCP to the client port.
    pub certificate_arn: Option<String>,
    /// The host name clients connect to (the Ingress rule, the HTTPRoute's hostnames, the
    /// OpenShift Route's host).
    pub host: Option<String>,
    /// An existing `kubernetes.io/tls` Secret the Ingress serves (refused with `gateway`: the
    /// Gateway's listener holds the certificate).
    pub secret_name: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressSpec {
    /// `ingressClassName`. Default per platform: `webapprouting.kubernetes.azure.com` on aks
    /// (the application routing add-on), `nginx` on eks (ingress-nginx).
    pub class_name: Option<String>,
    /// Annotations added to (and overriding) the platform's WebSocket timeouts.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GatewaySpec {
    /// Name of the existing Gateway.
    pub name: String,
    /// Its namespace. Default: the cluster's namespace. The Gateway's listener must allow
    /// routes from this namespace.
    pub namespace: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Backplane {
    /// `native` (default) or `kafka`.
    #[serde(rename = "type")]
    pub kind: Option<BackplaneType>,
    /// Kafka only: `host:port` bootstrap servers.
    #[serde(default)]
    pub bootstrap_servers: Vec<String>,
    /// Kafka only: the topics members exchange messages on.
    #[serde(default)]
    #[schemars(inner(regex(pattern = crate::validate::TOPIC_PATTERN)))]
    pub topics: Vec<String>,
    /// Kafka only. Default `PLAINTEXT`.
    pub security_protocol: Option<SecurityProtocol>,
    /// Kafka only; required with `SASL_*`.
    pub sasl_mechanism: Option<SaslMechanism>,
    /// Kafka only; required with `SASL_*`: where the JAAS file comes from.
    pub jaas: Option<Jaas>,
    /// Kafka only: a truststore for brokers signed by a private CA (e.g. Strimzi TLS).
    pub truststore: Option<Truststore>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum BackplaneType {
    Native,
    Kafka,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum SecurityProtocol {
    #[serde(rename = "PLAINTEXT")]
    Plaintext,
    #[serde(rename = "SSL")]
    Ssl,
    #[serde(rename = "SASL_PLAINTEXT")]
    SaslPlaintext,
    #[serde(rename = "SASL_SSL")]
    SaslSsl,
}

impl SecurityProtocol {
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityProtocol::Plaintext => "PLAINTEXT",
            SecurityProtocol::Ssl => "SSL",
            SecurityProtocol::SaslPlaintext => "SASL_PLAINTEXT",
            SecurityProtocol::SaslSsl => "SASL_SSL",
        }
    }

    pub fn is_sasl(self) -> bool {
        matches!(
            self,
            SecurityProtocol::SaslPlaintext | SecurityProtocol::SaslSsl
        )
    }

    pub fn is_tls(self) -> bool {
        matches!(self, SecurityProtocol::Ssl | SecurityProtocol::SaslSsl)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum SaslMechanism {
    #[serde(rename = "PLAIN")]
    Plain,
    #[serde(rename = "SCRAM-SHA-256")]
    ScramSha256,
    #[serde(rename = "SCRAM-SHA-512")]
    ScramSha512,
}

impl SaslMechanism {
    pub fn as_str(self) -> &'static str {
        match self {
            SaslMechanism::Plain => "PLAIN",
            SaslMechanism::ScramSha256 => "SCRAM-SHA-256",
            SaslMechanism::ScramSha512 => "SCRAM-SHA-512",
        }
    }
}

/// Exactly one of `secretName` and `file`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Jaas {
    /// An existing Secret holding the key `jaas.config` (recommended for committed bases).
    pub secret_name: Option<String>,
    /// A JAAS file, relative to the spec (to the working directory when the spec is stdin);
    /// gen renders the Secret from it.
    pub file: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Truststore {
    /// An existing Secret holding the truststore (e.g. Strimzi's `<cluster>-cluster-ca-cert`).
    pub secret_name: String,
    /// Key of the truststore file in the Secret. Default `ca.p12`.
    pub key: Option<String>,
    /// Key of the truststore password in the same Secret. Default `ca.password`.
    pub password_key: Option<String>,
    /// Truststore format: `PKCS12` (default) or `JKS`.
    #[serde(rename = "type")]
    pub kind: Option<TruststoreType>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum TruststoreType {
    #[serde(rename = "PKCS12")]
    Pkcs12,
    #[serde(rename = "JKS")]
    Jks,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Resources {
    /// CPU request and limit, a Kubernetes quantity (`500m`, `2`). Default `500m`.
    #[schemars(regex(pattern = crate::validate::quantity::PATTERN))]
    pub cpu: Option<String>,
    /// Memory request and limit, a Kubernetes quantity (`1Gi`, `512Mi`). Default `1Gi`.
    #[schemars(regex(pattern = crate::validate::quantity::PATTERN))]
    pub memory: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceSpec {
    /// Port clients connect to. Default 80.
    pub port: Option<u16>,
    /// Service type; default per platform (LoadBalancer on aks and eks, ClusterIP plus a Route
    /// on openshift).
    #[serde(rename = "type")]
    pub kind: Option<ServiceType>,
    /// Annotations added to (and overriding) the platform's load-balancer annotations.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum ServiceType {
    ClusterIP,
    NodePort,
    LoadBalancer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum LogLevel {
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Info => "INFO",
            LogLevel::Debug => "DEBUG",
            LogLevel::Trace => "TRACE",
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Toleration {
    #[schemars(regex(pattern = crate::validate::QUALIFIED_NAME_PATTERN))]
    pub key: Option<String>,
    /// `Exists` or `Equal` (default).
    pub operator: Option<TolerationOperator>,
    #[schemars(regex(pattern = crate::validate::LABEL_VALUE_PATTERN))]
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`; empty matches all effects.
    pub effect: Option<TaintEffect>,
    pub toleration_seconds: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum TolerationOperator {
    Exists,
    Equal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum TaintEffect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceAccountSpec {
    /// Annotations on the ServiceAccount (cloud identity).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecretKeyRef {
    /// An existing Secret in the namespace.
    pub secret_name: String,
    /// The key inside it.
    pub key: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Metrics {
    /// Expose Prometheus metrics on port 9900 at `/metrics` (default true when `metrics` is set).
    pub enabled: Option<bool>,
    /// Render a Prometheus Operator ServiceMonitor (default true).
    pub service_monitor: Option<bool>,
    /// Scrape interval. Default `30s`.
    pub interval: Option<String>,
    /// Namespace allowed to scrape (NetworkPolicy). Default `monitoring`.
    pub scrape_namespace: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NetworkPolicySpec {
    /// Render the NetworkPolicy (default true).
    pub enabled: Option<bool>,
    /// Why it is turned off; required with `enabled: false`.
    pub reason: Option<String>,
    /// `open` (default: no egress rules) or `restricted`: egress only to DNS, the members' own
    /// ports and the Kafka bootstrap ports.
    pub egress: Option<Egress>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Egress {
    Open,
    Restricted,
}

/// Each field relaxes one hardening default; gen then annotates the workload with the
/// lint-silence annotation carrying `reason`, so reviewers see why.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Security {
    /// Fixed user id (default 10001 on aks and eks; none on openshift, whose restricted-v2
    /// SCC assigns one).
    #[schemars(range(min = 1, max = crate::validate::MAX_ID))]
    pub run_as_user: Option<i64>,
    /// Fixed group id (default 10001 on aks and eks; none on openshift).
    #[schemars(range(min = 1, max = crate::validate::MAX_ID))]
    pub run_as_group: Option<i64>,
    /// Group owning mounted volumes (default 10001 on aks and eks; none on openshift).
    #[schemars(range(min = 1, max = crate::validate::MAX_ID))]
    pub fs_group: Option<i64>,
    /// Mount the root filesystem read-only (default true). Set false if your image writes
    /// outside the emptyDir volumes gen mounts.
    pub read_only_root_filesystem: Option<bool>,
    /// Why a default was relaxed; required when `readOnlyRootFilesystem` is false.
    pub reason: Option<String>,
}

/// Parses spec text. Errors carry serde-saphyr's location; the caller turns it into a
/// diagnostic with the field path.
pub fn parse(text: &str) -> Result<Spec, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options(text, parse_options())
}

/// The reader's own limits, past gen's input budget ([`crate::budget::check`], which runs
/// first and names the flag to raise): a spec is one document, and the rest only catches what
/// the budget does not count.
pub fn parse_options() -> serde_saphyr::Options {
    let limits = crate::budget::DEFAULT;
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = limits.max_depth;
    budget.max_aliases = limits.max_aliases as usize;
    budget.max_anchors = limits.max_nodes as usize;
    budget.max_nodes = limits.max_nodes as usize;
    budget.max_events = 2 * limits.max_nodes as usize;
    budget.max_documents = 1;
    budget.max_total_scalar_bytes = limits.max_expanded_bytes as usize;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    options.with_snippet = false;
    options
}
