//! Spec values checked as the API server (and the kernel, and Kafka) will check them, so a
//! bundle gen prints is one the cluster accepts and the container can start. A check of one
//! field returns its message and `model::resolve` attaches the path; a check across fields
//! (metadata, the environment) returns the [`FieldPath`] of each problem, built key by key.

use crate::path::FieldPath;
use crate::syntax::is_dns_label;

pub mod env;
pub mod file;
pub mod image;
pub mod quantity;

/// Largest uid or gid Kubernetes accepts (`runAsUser`, `runAsGroup`, `fsGroup`).
pub const MAX_ID: i64 = 2_147_483_647;

/// Total size of one object's annotations (keys and values) the API server accepts.
pub const MAX_ANNOTATION_BYTES: usize = 256 * 1024;

/// A uid or gid: root is refused (the restricted Pod Security Standard), as is what
/// Kubernetes cannot store.
pub fn id(value: i64) -> Option<String> {
    match value {
        0 => Some("0 is root; the restricted Pod Security Standard refuses it".to_string()),
        v if v < 0 => Some(format!("`{v}` is negative: use an id from 1 to {MAX_ID}")),
        v if v > MAX_ID => Some(format!(
            "`{v}` is past the largest id Kubernetes accepts: use 1 to {MAX_ID}"
        )),
        _ => None,
    }
}

/// A Kafka topic name, per Kafka's own rules.
pub fn topic(t: &str) -> Option<String> {
    let ok = !t.is_empty()
        && t.len() <= 249
        && t != "."
        && t != ".."
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    (!ok).then(|| {
        format!("`{t}` is not a Kafka topic name: 1 to 249 of letters, digits, `.`, `_` and `-`, and not `.` or `..`")
    })
}

/// A label value: at most 63 of letters, digits, `-`, `_`, `.`, starting and ending with a
/// letter or digit (or empty).
pub fn is_label_value(v: &str) -> bool {
    v.len() <= 63
        && (v.is_empty()
            || (v.starts_with(|ch: char| ch.is_ascii_alphanumeric())
                && v.ends_with(|ch: char| ch.is_ascii_alphanumeric())
                && v.chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))))
}

/// A DNS subdomain whose every dot-separated part is a DNS-1123 label (at most 63), as DNS
/// itself wants: stricter than the API server's `IsDNS1123Subdomain`
/// (`syntax::dns_subdomain`), since gen's names and hosts must also resolve.
pub fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// A label or annotation key: `[prefix/]name`, the name at most 63 of letters, digits, `-`,
/// `_` and `.`, starting and ending with a letter or digit, the prefix an
/// [`is_dns_subdomain`].
pub fn is_qualified_name(k: &str) -> bool {
    let (prefix, name) = match k.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    name_ok && prefix.is_none_or(is_dns_subdomain)
}

/// Checks a toleration's key and value as the API server does; None when both are valid.
pub fn toleration(key: Option<&str>, value: Option<&str>) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(k) = key
        && !k.is_empty()
        && !is_qualified_name(k)
    {
        out.push(("key", format!("`{k}` is not a taint key: `[prefix/]name`, the name up to 63 of letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit")));
    }
    if let Some(v) = value
        && !is_label_value(v)
    {
        out.push(("value", format!("`{v}` is not a taint value: up to 63 of letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit")));
    }
    out
}

/// Namespaces that belong to the cluster itself.
pub fn is_system_namespace(ns: &str) -> bool {
    ns == "default" || ns.starts_with("kube-") || ns.starts_with("openshift")
}

/// Bytes one object's annotations take, as the API server counts them.
pub fn annotation_bytes<'a>(maps: impl IntoIterator<Item = (&'a String, &'a String)>) -> usize {
    maps.into_iter().map(|(k, v)| k.len() + v.len()).sum()
}

/// Patterns `gen schema` carries (the grammar; gen also checks lengths and bounds).
pub const TOPIC_PATTERN: &str = r"^[a-zA-Z0-9._-]{1,249}$";
pub const LABEL_VALUE_PATTERN: &str = r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$";
pub const QUALIFIED_NAME_PATTERN: &str = r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";

type Map = std::collections::BTreeMap<String, String>;

/// The labels and annotations of every object gen renders, as the model holds them, with
/// what the user wrote where gen merges in its own.
pub struct Metadata<'a> {
    /// Labels on every object (gen's and the spec's `labels`).
    pub labels: &'a Map,
    /// Whether a Namespace object (with gen's Pod Security Admission labels) is rendered.
    pub namespace_labels: bool,
    /// The spec's `annotations`, on every object.
    pub annotations: &'a Map,
    /// The client Service's own annotations (the profile's, then `service.annotations`).
    pub service: &'a Map,
    pub service_user: &'a Map,
    pub service_account: &'a Map,
    /// The pod template's annotations, and what `podAnnotations` asked for.
    pub pod: &'a Map,
    pub pod_user: &'a Map,
    /// Annotations gen derives for the workload (recorded reasons, scanner skips).
    pub workload: &'a Map,
    /// The profile's Route annotations.
    pub route: &'a Map,
}

/// Labels gen puts on the Namespace it renders.
const NAMESPACE_LABELS: [&str; 3] = [
    "pod-security.kubernetes.io/enforce",
    "pod-security.kubernetes.io/audit",
    "pod-security.kubernetes.io/warn",
];

/// A problem at a field: a whole map, or one key of it.
pub type Found = (FieldPath, String);

impl Metadata<'_> {
    /// Collisions between what the user wrote and what gen (or the profile) sets on the same
    /// object, and objects whose annotations the API server would refuse for their size.
    pub fn problems(&self) -> Vec<Found> {
        let mut out = self.collisions();
        let annotations = FieldPath::from(["annotations"]);
        let objects: [(FieldPath, &str, &Map, &Map); 6] = [
            (
                annotations.clone(),
                "Namespace",
                self.annotations,
                &Map::new(),
            ),
            (
                annotations.clone(),
                "workload",
                self.annotations,
                self.workload,
            ),
            (annotations, "Route", self.annotations, self.route),
            (
                FieldPath::from(["service", "annotations"]),
                "client Service",
                self.annotations,
                self.service,
            ),
            (
                FieldPath::from(["serviceAccount", "annotations"]),
                "ServiceAccount",
                self.annotations,
                self.service_account,
            ),
            (
                FieldPath::from(["podAnnotations"]),
                "pod template",
                &Map::new(),
                self.pod,
            ),
        ];
        for (field, object, common, own) in objects {
            let size = annotation_bytes(common.iter().filter(|(k, _)| !own.contains_key(*k)))
                + annotation_bytes(own);
            if size > MAX_ANNOTATION_BYTES && !out.iter().any(|f| f.0 == field) {
                out.push((
                    field,
                    format!(
                        "the {object}'s annotations would be {size} bytes, over the {MAX_ANNOTATION_BYTES} bytes (256 KiB) the API server accepts on one object: shrink them by {} bytes",
                        size - MAX_ANNOTATION_BYTES
                    ),
                ));
            }
        }
        out
    }

    fn collisions(&self) -> Vec<Found> {
        let mut out = Vec::new();
        if self.namespace_labels {
            let labels = FieldPath::from(["labels"]);
            for k in NAMESPACE_LABELS
                .iter()
                .filter(|k| self.labels.contains_key(**k))
            {
                out.push((
                    labels.key(k),
                    format!(
                        "gen sets `{k}` on the Namespace (Pod Security Admission, restricted); choose another key, or set createNamespace: false and label the Namespace yourself"
                    ),
                ));
            }
        }
        let annotations = FieldPath::from(["annotations"]);
        for k in self.annotations.keys() {
            let (field, why) = if self.workload.contains_key(k) {
                (
                    &annotations,
                    format!(
                        "gen sets `{k}` on the workload itself (a recorded reason or scanner skip); choose another key"
                    ),
                )
            } else if self.route.contains_key(k) {
                (
                    &annotations,
                    format!("the platform profile sets `{k}` on the Route; choose another key"),
                )
            } else if self.service_user.contains_key(k) {
                (
                    &annotations,
                    format!(
                        "`{k}` is also in service.annotations, which sets it on the client Service; set it in one place"
                    ),
                )
            } else if self.service.contains_key(k) {
                (
                    &annotations,
                    format!(
                        "the platform profile sets `{k}` on the client Service; override it in service.annotations instead"
                    ),
                )
            } else if self.service_account.contains_key(k) {
                (
                    &FieldPath::from(["serviceAccount", "annotations"]),
                    format!(
                        "`{k}` is also in annotations, which sets it on the ServiceAccount; set it in one place"
                    ),
                )
            } else {
                continue;
            };
            out.push((field.key(k), why));
        }
        let pod = FieldPath::from(["podAnnotations"]);
        for (k, v) in self.pod_user {
            if self.pod.get(k) != Some(v) {
                out.push((
                    pod.key(k),
                    format!(
                        "gen derives `{k}` itself (from backplane.jaas.file); choose another key"
                    ),
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_within_what_kubernetes_stores() {
        assert_eq!(id(10001), None);
        assert_eq!(id(MAX_ID), None);
        for bad in [0, -1, 99_999_999_999, 4_294_967_296, 2_147_483_648] {
            assert!(id(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn topics_per_kafka() {
        assert_eq!(topic("vehicles.v1_a-b"), None);
        for bad in ["", ".", "..", "a b", "a/b", &"t".repeat(250)] {
            assert!(topic(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn tolerations_per_the_api_server() {
        assert!(toleration(Some("node.kubernetes.io/unreachable"), Some("a.b-c")).is_empty());
        assert!(toleration(None, None).is_empty());
        assert_eq!(toleration(Some("a key"), Some("x!")).len(), 2);
    }

    #[test]
    fn system_namespaces() {
        for ns in [
            "default",
            "kube-system",
            "kube-public",
            "kube-node-lease",
            "openshift",
            "openshift-monitoring",
        ] {
            assert!(is_system_namespace(ns), "{ns}");
        }
        assert!(!is_system_namespace("migratory"));
        assert!(!is_system_namespace("kubex"));
    }
}
