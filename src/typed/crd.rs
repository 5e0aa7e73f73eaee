//! The custom resources gen emits, typed by hand from their CRDs: OpenShift [`Route`],
//! Prometheus-operator [`ServiceMonitor`], Gateway API [`HttpRoute`].

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::{Metadata, NamespaceResourceScope, Resource};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `Resource` and `Metadata` for a namespaced custom resource typed here: what k8s-openapi
/// derives for its own kinds.
macro_rules! namespaced_resource {
    ($ty:ident, $group:literal, $version:literal, $kind:literal, $plural:literal) => {
        impl Resource for $ty {
            const API_VERSION: &'static str = concat!($group, "/", $version);
            const GROUP: &'static str = $group;
            const KIND: &'static str = $kind;
            const VERSION: &'static str = $version;
            const URL_PATH_SEGMENT: &'static str = $plural;
            type Scope = NamespaceResourceScope;
        }

        impl Metadata for $ty {
            type Ty = ObjectMeta;
            fn metadata(&self) -> &ObjectMeta {
                &self.metadata
            }
            fn metadata_mut(&mut self) -> &mut ObjectMeta {
                &mut self.metadata
            }
        }
    };
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

namespaced_resource!(Route, "route.openshift.io", "v1", "Route", "routes");

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

namespaced_resource!(
    ServiceMonitor,
    "monitoring.coreos.com",
    "v1",
    "ServiceMonitor",
    "servicemonitors"
);

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

namespaced_resource!(
    HttpRoute,
    "gateway.networking.k8s.io",
    "v1",
    "HTTPRoute",
    "httproutes"
);
