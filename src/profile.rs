//! Platform profiles: the data that makes a bundle an AKS, EKS or OpenShift bundle.
//!
//! The three built-in profiles are the files in `profiles/`, embedded in the binary so `gen`
//! works from any directory; `--profile FILE` reads a user's own file of the same shape.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::spec::{Platform, SaslMechanism, SecurityProtocol, ServiceType};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Profile {
    pub platform: Platform,
    pub client_service: ClientServiceDefaults,
    /// Present on platforms that expose the client Service through an OpenShift Route.
    pub route: Option<RouteDefaults>,
    /// Labels the platform needs on the Namespace (eks: the load balancer's readiness gate).
    #[serde(default)]
    pub namespace_labels: BTreeMap<String, String>,
    /// The Ingress gen renders with `tls.secretName` (none on openshift, which has its Route).
    pub ingress: Option<IngressDefaults>,
    pub pod_security: PodSecurityDefaults,
    pub kafka_starter: KafkaStarter,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClientServiceDefaults {
    #[serde(rename = "type")]
    pub kind: ServiceType,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// Set the load balancer's deregistration delay from `shutdown.drainSeconds` (the AWS
    /// Load Balancer Controller's target-group attributes).
    #[serde(default)]
    pub deregistration_delay: bool,
    /// Annotations that terminate TLS at the load balancer with `tls.certificateArn`.
    pub tls_annotations: Option<TlsAnnotations>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TlsAnnotations {
    /// Annotation holding the certificate.
    pub certificate: String,
    /// Annotation listing the ports served with TLS.
    pub ports: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct IngressDefaults {
    pub class_name: String,
    /// What the platform's usual controller needs for WebSocket connections.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RouteDefaults {
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    pub termination: String,
    pub insecure_edge_termination_policy: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PodSecurityDefaults {
    pub run_as_user: Option<i64>,
    pub run_as_group: Option<i64>,
    pub fs_group: Option<i64>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KafkaStarter {
    pub bootstrap_servers: Vec<String>,
    pub topics: Vec<String>,
    pub security_protocol: SecurityProtocol,
    pub sasl_mechanism: SaslMechanism,
    pub comment: String,
}

const AKS: &str = include_str!("../profiles/aks.yaml");
const EKS: &str = include_str!("../profiles/eks.yaml");
const OPENSHIFT: &str = include_str!("../profiles/openshift.yaml");

impl Profile {
    /// The embedded profile for `platform`, parsed once per process (a fleet resolves it for
    /// every spec).
    pub fn builtin(platform: Platform) -> Profile {
        static PARSED: [OnceLock<Profile>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let (slot, text) = match platform {
            Platform::Aks => (0, AKS),
            Platform::Eks => (1, EKS),
            Platform::Openshift => (2, OPENSHIFT),
        };
        PARSED[slot]
            .get_or_init(|| {
                // The embedded files are checked by the `builtin_profiles_parse` test, so this
                // cannot fail in a released binary.
                Profile::parse(text).expect("embedded profile is valid")
            })
            .clone()
    }

    pub fn parse(text: &str) -> Result<Profile, serde_saphyr::Error> {
        serde_saphyr::from_str_with_options(text, crate::spec::parse_options())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profiles_parse() {
        for p in Platform::ALL {
            let profile = Profile::parse(match p {
                Platform::Aks => AKS,
                Platform::Eks => EKS,
                Platform::Openshift => OPENSHIFT,
            })
            .unwrap_or_else(|e| panic!("{}: {e}", p.as_str()));
            assert_eq!(profile.platform, p, "profile file names its own platform");
        }
    }

    #[test]
    fn only_openshift_has_a_route_and_no_fixed_ids() {
        for p in Platform::ALL {
            let profile = Profile::builtin(p);
            let openshift = p == Platform::Openshift;
            assert_eq!(profile.route.is_some(), openshift);
            assert_eq!(profile.pod_security.run_as_user.is_none(), openshift);
            assert_eq!(profile.pod_security.fs_group.is_none(), openshift);
        }
    }
}
