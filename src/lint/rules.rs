//! The rule table: every id `gen lint` reports, its severity, why it matters and how to fix
//! it. The README's table is [`rules_markdown`]'s output; a test keeps the two equal.

use crate::diag::Severity;

/// One rule, as documented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleDoc {
    pub id: &'static str,
    pub severity: Severity,
    pub why: &'static str,
    pub fix: &'static str,
    /// What the rule mirrors: the API-server validation, admission or controller behaviour,
    /// or MigratoryData guide it stands for (empty: not yet written down).
    pub mirrors: &'static str,
}

pub(crate) const YAML: &str = "yaml";
pub(crate) const SCHEMA: &str = "schema";
pub(crate) const UNKNOWN_KIND: &str = "unknown-kind";
pub(crate) const LINT_ANNOTATION: &str = "lint-annotation";

const fn rule(
    id: &'static str,
    severity: Severity,
    why: &'static str,
    fix: &'static str,
) -> RuleDoc {
    RuleDoc {
        id,
        severity,
        why,
        fix,
        mirrors: "",
    }
}

use Severity::{Error, Warning};

pub const RULES: &[RuleDoc] = &[
    rule(
        YAML,
        Error,
        "A document that does not parse (syntax error, duplicate key, past the parser's limits) is not applied as written.",
        "Fix the YAML at the line given; merge duplicate keys into one.",
    ),
    rule(
        SCHEMA,
        Error,
        "Every object must type into its Kubernetes 1.33 kind (Route and ServiceMonitor: their CRD schema): unknown or misspelled fields are dropped silently, wrong types and missing required fields are refused.",
        "Rename, retype or add the field named; the message gives the valid spelling or type.",
    ),
    rule(
        UNKNOWN_KIND,
        Warning,
        "An apiVersion/kind gen lint does not know is applied unchecked.",
        "Check apiVersion and kind; for a custom resource your cluster has, silence the rule on it.",
    ),
    rule(
        LINT_ANNOTATION,
        Error,
        "A silence annotation without a reason, or naming no rule, silences nothing and hides why.",
        "Write `lint.gen.migratorydata.io/<rule-id>: <why this object is an exception>` with an id from this table.",
    ),
    rule(
        "duplicate-object",
        Error,
        "Two objects with one kind, namespace and name: the later silently replaces the earlier.",
        "Rename or remove one (a `namePrefix` missing from one overlay?).",
    ),
    rule(
        "single-namespace",
        Error,
        "A bundle lives in one namespace; an object elsewhere, or without a namespace (kubectl's current one), is cut off from its Services, Secrets and NetworkPolicy.",
        "Put every namespaced object in the namespace of the set (kustomize `namespace:`).",
    ),
    rule(
        "cluster-scoped",
        Error,
        "A namespace-scoped bundle creates no cluster-wide objects but its Namespace: they need cluster-admin and outlive the bundle.",
        "Move the cluster-scoped object to the cluster's platform configuration, or use Role/RoleBinding.",
    ),
    rule(
        "workload-selector",
        Error,
        "A workload's selector must match its own pod template's labels; the API server refuses it otherwise.",
        "Make `spec.selector` select `spec.template.metadata.labels`.",
    ),
    rule(
        "service-selector",
        Error,
        "A Service whose selector matches no pod template in the set has no endpoints.",
        "Make the selector a subset of the workload's pod labels (check `commonLabels` and renames).",
    ),
    rule(
        "service-target-port",
        Error,
        "A Service targetPort that names or numbers no container port of the selected pods sends traffic nowhere.",
        "Use a `containerPort` name or number the selected pods declare.",
    ),
    rule(
        "probe-port",
        Error,
        "A probe on a port the container does not declare fails, or probes another listener.",
        "Point the probe at a port named or numbered in the container's `ports`.",
    ),
    rule(
        "hpa-target",
        Error,
        "A HorizontalPodAutoscaler whose scaleTargetRef names no workload in the set scales nothing.",
        "Set `scaleTargetRef` apiVersion, kind and name to the workload's (renamed by a `namePrefix`?).",
    ),
    rule(
        "hpa-replicas",
        Warning,
        "A workload an HPA scales that also sets `spec.replicas` is reset to that count on every apply.",
        "Remove `spec.replicas` from the workload; the HPA's `minReplicas` starts it.",
    ),
    rule(
        "pdb-target",
        Error,
        "A PodDisruptionBudget whose selector matches no pod template protects nothing.",
        "Make `spec.selector` select the workload's pod labels.",
    ),
    rule(
        "servicemonitor-target",
        Error,
        "A ServiceMonitor must select a Service in the set and name one of its ports, or nothing is scraped.",
        "Match the Service's labels in `spec.selector` (and its namespace in `namespaceSelector`), and use a Service port name in `endpoints[].port`.",
    ),
    rule(
        "route-target",
        Error,
        "A Route or Ingress must send to a Service in the set, on a port that Service has.",
        "Name the Service (renamed by a `namePrefix`?) and one of its port names or numbers.",
    ),
    rule(
        "external-ref",
        Warning,
        "A ServiceAccount, Secret or ConfigMap the pods use is not in the set: they stay Pending until it exists in the namespace.",
        "Create it first or add it to the set; if it is managed elsewhere, silence the rule on the workload with where it comes from.",
    ),
    rule(
        "missing-key",
        Error,
        "A key the pods read is absent from the Secret or ConfigMap in the set: the container does not start.",
        "Add the key, fix its name, or mark the reference `optional: true`.",
    ),
    rule(
        "pss-restricted",
        Error,
        "Namespaces labelled `pod-security.kubernetes.io/enforce: restricted` refuse pods breaking the restricted Pod Security Standard.",
        "runAsNonRoot true, allowPrivilegeEscalation false, capabilities drop ALL (add at most NET_BIND_SERVICE), seccompProfile RuntimeDefault; no privileged, host namespaces, hostPath, hostPort, root uid.",
    ),
    rule(
        "openshift-fixed-ids",
        Error,
        "OpenShift's restricted-v2 SCC assigns uid and fsGroup from the namespace's range and refuses pods fixing others.",
        "Remove `runAsUser` and `fsGroup` on OpenShift (gen does this for `--platform openshift`).",
    ),
    rule(
        "md-option-space",
        Error,
        "The server splits `MIGRATORYDATA_EXTRA_OPTS` on spaces: a value holding one becomes a stray word and the option is cut.",
        "Remove the space from the value (or from the variable `$(VAR)` expands).",
    ),
    rule(
        "md-members-dns",
        Error,
        "Each `-DClusterMembers` entry and `-DClusterMemberListen` must name a pod of this StatefulSet through its headless Service in its namespace; a `namespace:` or `namePrefix:` overlay renames the objects, not the options.",
        "Write each entry as `<sts>-<i>.<serviceName>.<namespace>.svc.<domain>:<port>` (re-render with gen for the new name or namespace).",
    ),
    rule(
        "md-members-order",
        Error,
        "The server identifies members by position: entry i must be pod `<sts>-i`.",
        "List `<sts>-0`, `<sts>-1`, … in order, each once.",
    ),
    rule(
        "md-members-cover-replicas",
        Error,
        "A pod beyond the `-DClusterMembers` list cannot join the cluster: the list must cover spec.replicas and the HPA's maxReplicas.",
        "List as many members as the StatefulSet can have (gen: `autoscale.max`).",
    ),
    rule(
        "md-headless-service",
        Error,
        "Members find each other through the StatefulSet's headless Service, before they are ready.",
        "Point `serviceName` at a Service in the set with `clusterIP: None`, `publishNotReadyAddresses: true` and a selector matching the pods.",
    ),
    rule(
        "md-pdb-seeds",
        Error,
        "A drain that leaves fewer than `-DClusterSeedMemberCount` members up loses the cluster's quorum.",
        "Set the PodDisruptionBudget's `minAvailable` to at least the seed count.",
    ),
    rule(
        "md-kafka-jaas",
        Error,
        "With `-DClusterEngine=kafka` and a `SASL_*` security.protocol, the Kafka client reads the JAAS file at `-Djava.security.auth.login.config`; it must be a key of a mounted Secret.",
        "Mount the Secret (directory or subPath) so that the path resolves to its key, e.g. `/migratorydata/secrets/jaas.config`.",
    ),
    super::api::RULE,
    super::drain::RULE,
    super::netpol::RULE,
    super::heap::RULE,
];

/// The rule with this id.
pub(crate) fn find(id: &str) -> Option<&'static RuleDoc> {
    RULES.iter().find(|r| r.id == id)
}

/// The README's rule table (Markdown), one row per rule.
pub fn rules_markdown() -> String {
    let mut out = String::from("| rule | severity | why | fix |\n|---|---|---|---|\n");
    for r in RULES {
        let cell = |s: &str| s.replace('|', "\\|");
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            r.id,
            r.severity,
            cell(r.why),
            cell(r.fix)
        ));
    }
    out
}
