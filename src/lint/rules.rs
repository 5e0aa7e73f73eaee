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
    /// or MigratoryData guide it stands for: a rule fires only where that thing would act.
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
    mirrors: &'static str,
) -> RuleDoc {
    RuleDoc {
        id,
        severity,
        why,
        fix,
        mirrors,
    }
}

use Severity::{Error, Warning};

pub const RULES: &[RuleDoc] = &[
    rule(
        YAML,
        Error,
        "A document that does not parse (syntax error, duplicate key, past the parser's limits) is not applied as written.",
        "Fix the YAML at the line given; merge duplicate keys into one.",
        "kubectl's YAML decoding (YAML 1.1) and the API server's strict decoding, which refuses duplicate keys",
    ),
    rule(
        SCHEMA,
        Error,
        "Every object must type into its Kubernetes 1.33 kind (Route and ServiceMonitor: their CRD schema): unknown or misspelled fields are dropped silently, wrong types and missing required fields are refused.",
        "Rename, retype or add the field named; the message gives the valid spelling or type.",
        "the API server's OpenAPI schema with strict field validation (`kubectl apply --validate=strict`, Kubernetes 1.33); the CRD schemas for Route, ServiceMonitor and HTTPRoute",
    ),
    rule(
        UNKNOWN_KIND,
        Warning,
        "An apiVersion/kind gen lint does not know is applied unchecked.",
        "Check apiVersion and kind; for a custom resource your cluster has, silence the rule on it.",
        "API discovery: the API server refuses an apiVersion/kind it does not serve (no CRD installed)",
    ),
    rule(
        LINT_ANNOTATION,
        Error,
        "A silence annotation without a reason, or naming no rule, silences nothing and hides why.",
        "Write `lint.gen.migratorydata.io/<rule-id>: <why this object is an exception>` with an id from this table.",
        "gen's own silence annotation, `lint.gen.migratorydata.io/<rule>`",
    ),
    rule(
        "duplicate-object",
        Error,
        "Two objects with one kind, namespace and name: the later silently replaces the earlier.",
        "Rename or remove one (a `namePrefix` missing from one overlay?).",
        "`kubectl apply`: one object per group, kind, namespace and name; a later document overwrites an earlier one",
    ),
    rule(
        "single-namespace",
        Error,
        "A MigratoryData bundle lives in one namespace; an object elsewhere, or without a namespace (kubectl's current one), is cut off from its Services, Secrets and NetworkPolicy. Checked only on sets holding a MigratoryData workload.",
        "Put every namespaced object in the namespace of the set (kustomize `namespace:`).",
        "kubectl's namespace defaulting (no `metadata.namespace`: the context's) and namespace-local references (Services, Secrets, NetworkPolicy)",
    ),
    rule(
        "cluster-scoped",
        Error,
        "A namespace-scoped MigratoryData bundle creates no cluster-wide objects but its Namespace: they need cluster-admin and outlive the bundle. Checked only on sets holding a MigratoryData workload.",
        "Move the cluster-scoped object to the cluster's platform configuration, or use Role/RoleBinding.",
        "Kubernetes RBAC and garbage collection: cluster-scoped objects need cluster-wide rights and outlive the namespace",
    ),
    rule(
        "workload-selector",
        Error,
        "A workload's selector must match its own pod template's labels; the API server refuses it otherwise.",
        "Make `spec.selector` select `spec.template.metadata.labels`.",
        "API-server validation of apps/v1 workloads (`selector` does not match template `labels`)",
    ),
    rule(
        "service-selector",
        Error,
        "A Service whose selector matches no pod template in the set has no endpoints (a warning when the set holds custom resources whose operator creates pods, such as a Prometheus).",
        "Make the selector a subset of the workload's pod labels (check `commonLabels` and renames).",
        "the EndpointSlice controller: a Service's endpoints are the pods its selector matches",
    ),
    rule(
        "service-target-port",
        Error,
        "A named targetPort that no selected pod template declares sends traffic nowhere (a number needs no `containerPort`).",
        "Use a `containerPort` name the selected pods declare, or the port number.",
        "the EndpointSlice controller: a named targetPort resolves against each selected pod's container ports",
    ),
    rule(
        "probe-port",
        Error,
        "A probe on a port name the container does not declare cannot resolve and fails (a number needs no `containerPort`).",
        "Point the probe at a port named in the container's `ports`, or use the number.",
        "the kubelet's prober: a named probe port must resolve to a container port",
    ),
    rule(
        "shutdown-timing",
        Warning,
        "A grace period no longer than the preStop sleep kills the server before it stops cleanly; a load-balancer deregistration delay (AWS target-group attributes) not below the grace period keeps sending clients to killed pods.",
        "Set `terminationGracePeriodSeconds` to the sleep plus the server's stop time; keep `deregistration_delay.timeout_seconds` below it (gen: `shutdown.drainSeconds`, `shutdown.stopSeconds`).",
        "the kubelet's pod termination (preStop runs inside terminationGracePeriodSeconds) and the AWS Load Balancer Controller's target-group deregistration delay",
    ),
    rule(
        "hpa-target",
        Error,
        "A HorizontalPodAutoscaler whose scaleTargetRef names no workload in the set scales nothing.",
        "Set `scaleTargetRef` apiVersion, kind and name to the workload's (renamed by a `namePrefix`?).",
        "the HorizontalPodAutoscaler controller: scaleTargetRef must name a scalable object that exists",
    ),
    rule(
        "hpa-replicas",
        Warning,
        "A workload an HPA scales that also sets `spec.replicas` is reset to that count on every apply.",
        "Remove `spec.replicas` from the workload; the HPA's `minReplicas` starts it.",
        "`kubectl apply`'s three-way merge: a `spec.replicas` in the manifest overwrites the HPA's count (Kubernetes docs: HorizontalPodAutoscaler, migrating Deployments and StatefulSets)",
    ),
    rule(
        "pdb-target",
        Error,
        "A PodDisruptionBudget whose selector matches no pod template protects nothing (a warning when an operator's pods may match it).",
        "Make `spec.selector` select the workload's pod labels.",
        "the disruption controller: a PodDisruptionBudget guards the pods its selector matches",
    ),
    rule(
        "servicemonitor-target",
        Error,
        "A ServiceMonitor must select a Service in the namespaces it watches and name one of its ports, or nothing is scraped (info when it watches only namespaces the set has no Service in).",
        "Match the Service's labels in `spec.selector` (and its namespace in `namespaceSelector`), and use a Service port name in `endpoints[].port`.",
        "the Prometheus Operator: a ServiceMonitor selects Services by label in its namespaceSelector's namespaces and scrapes a named Service port",
    ),
    rule(
        "route-target",
        Error,
        "A Route or Ingress must send to a Service in the set, on a port that Service has.",
        "Name the Service (renamed by a `namePrefix`?) and one of its port names or numbers.",
        "OpenShift's router and the Ingress controllers: the backend Service and its port must exist",
    ),
    rule(
        "external-ref",
        Warning,
        "A ServiceAccount, Secret or ConfigMap the pods use is not in the set: they stay Pending until it exists in the namespace.",
        "Create it first or add it to the set; if it is managed elsewhere, silence the rule on the workload with where it comes from.",
        "the kubelet: a pod whose ServiceAccount, Secret or ConfigMap does not exist is not started",
    ),
    rule(
        "missing-key",
        Error,
        "A key the pods read is absent from the Secret or ConfigMap in the set: the container does not start.",
        "Add the key, fix its name, or mark the reference `optional: true`.",
        "the kubelet: a missing key in a non-optional secretKeyRef, configMapKeyRef or projected item fails the container (CreateContainerConfigError)",
    ),
    rule(
        "pss-baseline",
        Error,
        "Pod Security Admission: a namespace labelled `pod-security.kubernetes.io/enforce: baseline` (or restricted) refuses pods breaking the baseline standard; `warn`/`audit` labels admit them with a warning. The Namespace in the set gives the level, else `--pss`; with neither, nothing is checked.",
        "No privileged containers, host namespaces, hostPath volumes, hostPorts, added capabilities beyond the default set, Unconfined seccomp or AppArmor, custom SELinux options, unsafe sysctls.",
        "Pod Security Admission, baseline level (k8s.io/pod-security-admission), per the Namespace's labels or `--pss`",
    ),
    rule(
        "pss-restricted",
        Error,
        "Pod Security Admission: a namespace labelled `pod-security.kubernetes.io/enforce: restricted` refuses pods breaking the restricted standard; `warn`/`audit` labels admit them with a warning. The Namespace in the set gives the level, else `--pss`; with neither, nothing is checked.",
        "runAsNonRoot true, allowPrivilegeEscalation false, capabilities drop ALL (add at most NET_BIND_SERVICE), seccompProfile RuntimeDefault, only the restricted volume types, no root uid.",
        "Pod Security Admission, restricted level (k8s.io/pod-security-admission), per the Namespace's labels or `--pss`",
    ),
    rule(
        "openshift-fixed-ids",
        Error,
        "OpenShift's restricted-v2 SCC assigns uid and fsGroup from the namespace's range and refuses pods fixing others.",
        "Remove `runAsUser` and `fsGroup` on OpenShift (gen does this for `--platform openshift`).",
        "OpenShift's restricted-v2 SecurityContextConstraints (uid MustRunAsRange, fsGroup MustRunAs from the namespace's range)",
    ),
    rule(
        "md-option-space",
        Error,
        "The server splits `MIGRATORYDATA_EXTRA_OPTS` on spaces: a value holding one becomes a stray word and the option is cut.",
        "Remove the space from the value (or from the variable `$(VAR)` expands).",
        "the MigratoryData image's start script, which splits MIGRATORYDATA_EXTRA_OPTS on spaces (vendor AKS guides)",
    ),
    rule(
        "md-members-dns",
        Error,
        "Each `-DClusterMembers` entry and `-DClusterMemberListen` must name a pod of this StatefulSet through its headless Service in its namespace; a `namespace:` or `namePrefix:` overlay renames the objects, not the options.",
        "Write each entry as `<sts>-<i>.<serviceName>.<namespace>.svc.<domain>:<port>` (re-render with gen for the new name or namespace).",
        "MigratoryData clustering (vendor AKS guide, native clustering): members reach each other at the ClusterMembers addresses, through the headless Service",
    ),
    rule(
        "md-members-order",
        Error,
        "The server identifies members by position: entry i must be pod `<sts>-i`.",
        "List `<sts>-0`, `<sts>-1`, … in order, each once.",
        "MigratoryData clustering (vendor AKS guide, native clustering): a member's identity is its position in ClusterMembers",
    ),
    rule(
        "md-members-cover-replicas",
        Error,
        "A pod beyond the `-DClusterMembers` list cannot join the cluster: the list must cover spec.replicas and the HPA's maxReplicas.",
        "List as many members as the StatefulSet can have (gen: `autoscale.max`).",
        "MigratoryData clustering (vendor AKS guide, native clustering): only listed members can join",
    ),
    rule(
        "md-headless-service",
        Error,
        "Members find each other through the StatefulSet's headless Service, before they are ready.",
        "Point `serviceName` at a Service in the set with `clusterIP: None`, `publishNotReadyAddresses: true` and a selector matching the pods.",
        "the StatefulSet controller and Service DNS: per-pod names come from the headless Service named by `serviceName`; `publishNotReadyAddresses` lets members meet before they are ready",
    ),
    rule(
        "md-pdb-seeds",
        Error,
        "A drain that leaves fewer than `-DClusterSeedMemberCount` members up loses the cluster's quorum.",
        "Set the PodDisruptionBudget's `minAvailable` to at least the seed count.",
        "MigratoryData clustering (vendor AKS guide, native clustering): ClusterSeedMemberCount seed members must stay up through voluntary disruptions",
    ),
    rule(
        "md-kafka-jaas",
        Error,
        "With `-DClusterEngine=kafka` and a `SASL_*` security.protocol, the Kafka client reads the JAAS file at `-Djava.security.auth.login.config`; it must be a key of a mounted Secret.",
        "Mount the Secret (directory or subPath) so that the path resolves to its key, e.g. `/migratorydata/secrets/jaas.config`.",
        "the Kafka client's JAAS loading (`java.security.auth.login.config`) as the vendor's Event Hubs guide sets it up",
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
    let mut out =
        String::from("| rule | severity | mirrors | why | fix |\n|---|---|---|---|---|\n");
    for r in RULES {
        let cell = |s: &str| s.replace('|', "\\|");
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            r.id,
            r.severity,
            cell(r.mirrors),
            cell(r.why),
            cell(r.fix)
        ));
    }
    out
}
