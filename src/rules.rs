//! `gen lint`'s rules, and the annotation that silences one on one object.
//!
//! A leaf module (it reads only [`Severity`]): gen's spec checks (`model`) refuse a silence
//! annotation naming no rule, and `lint` reports and silences the rules, so both read the
//! table from here. Each rule is a [`Rule`]: a finding names its rule by the enum, so an
//! unknown id cannot compile. The README's table is [`rules_markdown`]'s output; a test keeps
//! the two equal.

use std::fmt;

use crate::diag::Severity;

/// Prefix of the annotation that silences one lint rule on one object: the key ends with the
/// rule id, the value says why.
pub const LINT_SKIP_PREFIX: &str = "lint.gen.migratorydata.io/";

/// One rule, as documented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleDoc {
    pub rule: Rule,
    /// What findings, the README and the silence annotation call it.
    pub id: &'static str,
    pub severity: Severity,
    pub why: &'static str,
    pub fix: &'static str,
    /// What the rule mirrors: the API-server validation, admission or controller behaviour,
    /// or MigratoryData guide it stands for: a rule fires only where that thing would act.
    pub mirrors: &'static str,
}

/// Declares [`Rule`] and [`RULES`] from one list, so that the enum and the table cannot
/// disagree: [`RULES`]`[rule as usize]` is the rule's own row.
macro_rules! rules {
    ($($rule:ident = $id:literal, $severity:ident,
        why: $why:literal,
        fix: $fix:literal,
        mirrors: $mirrors:literal;)+) => {
        /// A rule `gen lint` reports; its id, severity and documentation are [`Rule::doc`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Rule {
            $(#[doc = $why] $rule,)+
        }

        /// Every rule, in the README's order (also SARIF's `ruleIndex`).
        pub const RULES: &[RuleDoc] = &[$(RuleDoc {
            rule: Rule::$rule,
            id: $id,
            severity: Severity::$severity,
            why: $why,
            fix: $fix,
            mirrors: $mirrors,
        },)+];
    };
}

rules! {
    Yaml = "yaml", Error,
        why: "A document that does not parse (syntax error, duplicate key, past the parser's limits) is not applied as written.",
        fix: "Fix the YAML at the line given; merge duplicate keys into one.",
        mirrors: "kubectl's YAML decoding (YAML 1.1) and the API server's strict decoding, which refuses duplicate keys";
    Schema = "schema", Error,
        why: "Every object must type into its Kubernetes 1.33 kind (Route and ServiceMonitor: their CRD schema): unknown or misspelled fields are dropped silently, wrong types and missing required fields are refused.",
        fix: "Rename, retype or add the field named; the message gives the valid spelling or type.",
        mirrors: "the API server's OpenAPI schema with strict field validation (`kubectl apply --validate=strict`, Kubernetes 1.33); the CRD schemas for Route, ServiceMonitor and HTTPRoute";
    UnknownKind = "unknown-kind", Warning,
        why: "An apiVersion/kind gen lint does not know is applied unchecked.",
        fix: "Check apiVersion and kind; for a custom resource your cluster has, silence the rule on it.",
        mirrors: "API discovery: the API server refuses an apiVersion/kind it does not serve (no CRD installed)";
    LintAnnotation = "lint-annotation", Error,
        why: "A silence annotation without a reason, or naming no rule, silences nothing and hides why.",
        fix: "Write `lint.gen.migratorydata.io/<rule-id>: <why this object is an exception>` with an id from this table.",
        mirrors: "gen's own silence annotation, `lint.gen.migratorydata.io/<rule>`";
    DuplicateObject = "duplicate-object", Error,
        why: "Two objects with one kind, namespace and name: the later silently replaces the earlier.",
        fix: "Rename or remove one (a `namePrefix` missing from one overlay?).",
        mirrors: "`kubectl apply`: one object per group, kind, namespace and name; a later document overwrites an earlier one";
    SingleNamespace = "single-namespace", Error,
        why: "A MigratoryData bundle lives in one namespace; an object elsewhere, or without a namespace (kubectl's current one), is cut off from its Services, Secrets and NetworkPolicy. Checked only on sets holding a MigratoryData workload.",
        fix: "Put every namespaced object in the namespace of the set (kustomize `namespace:`).",
        mirrors: "kubectl's namespace defaulting (no `metadata.namespace`: the context's) and namespace-local references (Services, Secrets, NetworkPolicy)";
    ClusterScoped = "cluster-scoped", Error,
        why: "A namespace-scoped MigratoryData bundle creates no cluster-wide objects but its Namespace: they need cluster-admin and outlive the bundle. Checked only on sets holding a MigratoryData workload.",
        fix: "Move the cluster-scoped object to the cluster's platform configuration, or use Role/RoleBinding.",
        mirrors: "Kubernetes RBAC and garbage collection: cluster-scoped objects need cluster-wide rights and outlive the namespace";
    WorkloadSelector = "workload-selector", Error,
        why: "A workload's selector must match its own pod template's labels; the API server refuses it otherwise.",
        fix: "Make `spec.selector` select `spec.template.metadata.labels`.",
        mirrors: "API-server validation of apps/v1 workloads (`selector` does not match template `labels`)";
    ServiceSelector = "service-selector", Error,
        why: "A Service whose selector matches no pod template in the set has no endpoints (a warning when the set holds custom resources whose operator creates pods, such as a Prometheus).",
        fix: "Make the selector a subset of the workload's pod labels (check `commonLabels` and renames).",
        mirrors: "the EndpointSlice controller: a Service's endpoints are the pods its selector matches";
    ServiceTargetPort = "service-target-port", Error,
        why: "A named targetPort that no selected pod template declares sends traffic nowhere (a number needs no `containerPort`).",
        fix: "Use a `containerPort` name the selected pods declare, or the port number.",
        mirrors: "the EndpointSlice controller: a named targetPort resolves against each selected pod's container ports";
    ProbePort = "probe-port", Error,
        why: "A probe on a port name the container does not declare cannot resolve and fails (a number needs no `containerPort`).",
        fix: "Point the probe at a port named in the container's `ports`, or use the number.",
        mirrors: "the kubelet's prober: a named probe port must resolve to a container port";
    ShutdownTiming = "shutdown-timing", Warning,
        why: "A grace period no longer than the preStop sleep kills the server before it stops cleanly; a load-balancer deregistration delay (AWS target-group attributes) not below the grace period keeps sending clients to killed pods.",
        fix: "Set `terminationGracePeriodSeconds` to the sleep plus the server's stop time; keep `deregistration_delay.timeout_seconds` below it (gen: `shutdown.drainSeconds`, `shutdown.stopSeconds`).",
        mirrors: "the kubelet's pod termination (preStop runs inside terminationGracePeriodSeconds) and the AWS Load Balancer Controller's target-group deregistration delay";
    HpaTarget = "hpa-target", Error,
        why: "A HorizontalPodAutoscaler whose scaleTargetRef names no workload in the set scales nothing.",
        fix: "Set `scaleTargetRef` apiVersion, kind and name to the workload's (renamed by a `namePrefix`?).",
        mirrors: "the HorizontalPodAutoscaler controller: scaleTargetRef must name a scalable object that exists";
    HpaReplicas = "hpa-replicas", Warning,
        why: "A workload an HPA scales that also sets `spec.replicas` is reset to that count on every apply.",
        fix: "Remove `spec.replicas` from the workload; the HPA's `minReplicas` starts it.",
        mirrors: "`kubectl apply`'s three-way merge: a `spec.replicas` in the manifest overwrites the HPA's count (Kubernetes docs: HorizontalPodAutoscaler, migrating Deployments and StatefulSets)";
    PdbTarget = "pdb-target", Error,
        why: "A PodDisruptionBudget whose selector matches no pod template protects nothing (a warning when an operator's pods may match it).",
        fix: "Make `spec.selector` select the workload's pod labels.",
        mirrors: "the disruption controller: a PodDisruptionBudget guards the pods its selector matches";
    ServiceMonitorTarget = "servicemonitor-target", Error,
        why: "A ServiceMonitor must select a Service in the namespaces it watches and name one of its ports, or nothing is scraped (info when it watches only namespaces the set has no Service in).",
        fix: "Match the Service's labels in `spec.selector` (and its namespace in `namespaceSelector`), and use a Service port name in `endpoints[].port`.",
        mirrors: "the Prometheus Operator: a ServiceMonitor selects Services by label in its namespaceSelector's namespaces and scrapes a named Service port";
    RouteTarget = "route-target", Error,
        why: "A Route or Ingress must send to a Service in the set, on a port that Service has.",
        fix: "Name the Service (renamed by a `namePrefix`?) and one of its port names or numbers.",
        mirrors: "OpenShift's router and the Ingress controllers: the backend Service and its port must exist";
    ExternalRef = "external-ref", Warning,
        why: "A ServiceAccount, Secret or ConfigMap the pods use is not in the set: they stay Pending until it exists in the namespace.",
        fix: "Create it first or add it to the set; if it is managed elsewhere, silence the rule on the workload with where it comes from.",
        mirrors: "the kubelet: a pod whose ServiceAccount, Secret or ConfigMap does not exist is not started";
    MissingKey = "missing-key", Error,
        why: "A key the pods read is absent from the Secret or ConfigMap in the set: the container does not start.",
        fix: "Add the key, fix its name, or mark the reference `optional: true`.",
        mirrors: "the kubelet: a missing key in a non-optional secretKeyRef, configMapKeyRef or projected item fails the container (CreateContainerConfigError)";
    PssBaseline = "pss-baseline", Error,
        why: "Pod Security Admission: a namespace labelled `pod-security.kubernetes.io/enforce: baseline` (or restricted) refuses pods breaking the baseline standard; `warn`/`audit` labels admit them with a warning. The Namespace in the set gives the level, else `--pss`; with neither, nothing is checked.",
        fix: "No privileged containers, host namespaces, hostPath volumes, hostPorts, added capabilities beyond the default set, Unconfined seccomp or AppArmor, custom SELinux options, unsafe sysctls.",
        mirrors: "Pod Security Admission, baseline level (k8s.io/pod-security-admission), per the Namespace's labels or `--pss`";
    PssRestricted = "pss-restricted", Error,
        why: "Pod Security Admission: a namespace labelled `pod-security.kubernetes.io/enforce: restricted` refuses pods breaking the restricted standard; `warn`/`audit` labels admit them with a warning. The Namespace in the set gives the level, else `--pss`; with neither, nothing is checked.",
        fix: "runAsNonRoot true, allowPrivilegeEscalation false, capabilities drop ALL (add at most NET_BIND_SERVICE), seccompProfile RuntimeDefault, only the restricted volume types, no root uid.",
        mirrors: "Pod Security Admission, restricted level (k8s.io/pod-security-admission), per the Namespace's labels or `--pss`";
    OpenshiftFixedIds = "openshift-fixed-ids", Error,
        why: "OpenShift's restricted-v2 SCC assigns uid and fsGroup from the namespace's range and refuses pods fixing others.",
        fix: "Remove `runAsUser` and `fsGroup` on OpenShift (gen does this for `--platform openshift`).",
        mirrors: "OpenShift's restricted-v2 SecurityContextConstraints (uid MustRunAsRange, fsGroup MustRunAs from the namespace's range)";
    MdOptionSpace = "md-option-space", Error,
        why: "The server splits `MIGRATORYDATA_EXTRA_OPTS` on spaces: a value holding one becomes a stray word and the option is cut.",
        fix: "Remove the space from the value (or from the variable `$(VAR)` expands).",
        mirrors: "the MigratoryData image's start script, which splits MIGRATORYDATA_EXTRA_OPTS on spaces (vendor AKS guides)";
    MdMembersDns = "md-members-dns", Error,
        why: "Each `-DClusterMembers` entry and `-DClusterMemberListen` must name a pod of this StatefulSet through its headless Service in its namespace; a `namespace:` or `namePrefix:` overlay renames the objects, not the options.",
        fix: "Write each entry as `<sts>-<i>.<serviceName>.<namespace>.svc.<domain>:<port>` (re-render with gen for the new name or namespace).",
        mirrors: "MigratoryData clustering (vendor AKS guide, native clustering): members reach each other at the ClusterMembers addresses, through the headless Service";
    MdMembersOrder = "md-members-order", Error,
        why: "The server identifies members by position: entry i must be pod `<sts>-i`.",
        fix: "List `<sts>-0`, `<sts>-1`, … in order, each once.",
        mirrors: "MigratoryData clustering (vendor AKS guide, native clustering): a member's identity is its position in ClusterMembers";
    MdMembersCoverReplicas = "md-members-cover-replicas", Error,
        why: "A pod beyond the `-DClusterMembers` list cannot join the cluster: the list must cover spec.replicas and the HPA's maxReplicas.",
        fix: "List as many members as the StatefulSet can have (gen: `autoscale.max`).",
        mirrors: "MigratoryData clustering (vendor AKS guide, native clustering): only listed members can join";
    MdHeadlessService = "md-headless-service", Error,
        why: "Members find each other through the StatefulSet's headless Service, before they are ready.",
        fix: "Point `serviceName` at a Service in the set with `clusterIP: None`, `publishNotReadyAddresses: true` and a selector matching the pods.",
        mirrors: "the StatefulSet controller and Service DNS: per-pod names come from the headless Service named by `serviceName`; `publishNotReadyAddresses` lets members meet before they are ready";
    MdPdbSeeds = "md-pdb-seeds", Error,
        why: "A drain that leaves fewer than `-DClusterSeedMemberCount` members up loses the cluster's quorum.",
        fix: "Set the PodDisruptionBudget's `minAvailable` to at least the seed count.",
        mirrors: "MigratoryData clustering (vendor AKS guide, native clustering): ClusterSeedMemberCount seed members must stay up through voluntary disruptions";
    MdKafkaJaas = "md-kafka-jaas", Error,
        why: "With `-DClusterEngine=kafka` and a `SASL_*` security.protocol, the Kafka client reads the JAAS file at `-Djava.security.auth.login.config`; it must be a key of a mounted Secret.",
        fix: "Mount the Secret (directory or subPath) so that the path resolves to its key, e.g. `/migratorydata/secrets/jaas.config`.",
        mirrors: "the Kafka client's JAAS loading (`java.security.auth.login.config`) as the vendor's Event Hubs guide sets it up";
    ApiValidation = "api-validation", Error,
        why: "The API server refuses objects the OpenAPI schema lets through: an enum value in the wrong case (`imagePullPolicy: always`, `protocol: tcp`, `updateStrategy: {type: Rolling}`), an uppercase name, a bad label or annotation key or value (annotations over 256 KiB in all), a quantity like `cpu: half`, a port outside 1–65535 or a port name that is no IANA service name, a PDB with both `minAvailable` and `maxUnavailable`, duplicate container, volume or port names, a volumeMount naming no volume, an env var name with `=`.",
        fix: "Use the value the message names; the path points at the field.",
        mirrors: "API-server field validation: k8s.io/kubernetes pkg/apis/{core,apps,batch,policy,networking,autoscaling}/validation and k8s.io/apimachinery pkg/api/validation (ValidateObjectMeta, ValidateLabels, ValidateAnnotations), Kubernetes 1.33";
    PdbBlocksDrain = "pdb-blocks-drain", Warning,
        why: "A PodDisruptionBudget whose `minAvailable` is at least the fewest pods its workload runs (`spec.replicas`, or the HPA's `minReplicas`), or whose `maxUnavailable` is 0, allows no eviction: every node drain (cluster upgrades, node autoscaling) hangs on its pods.",
        fix: "Run more replicas than `minAvailable` (raise `spec.replicas` or the HPA's `minReplicas`) or lower `minAvailable`; never `maxUnavailable: 0`.",
        mirrors: "the disruption controller and the eviction API (pkg/controller/disruption, pkg/registry/core/pod/storage/eviction.go): an eviction is allowed only while currentHealthy exceeds minAvailable (percentages rounded up)";
    NetworkPolicyTarget = "networkpolicy-target", Warning,
        why: "A NetworkPolicy applies to the pods its `podSelector` selects in its namespace; a non-empty selector that matches no pod template of the set isolates nothing, and the pods it was written for stay open.",
        fix: "Make `spec.podSelector` select the workload's pod labels (check `commonLabels` and renames).",
        mirrors: "the NetworkPolicy API (networking.k8s.io/v1): the network plugin applies a policy to the pods of its namespace that podSelector selects";
    MdHeapLimit = "md-heap-limit", Error,
        why: "The JVM needs memory beyond its `-DMemory` heap (metaspace, threads, direct buffers): a heap at or above the container's memory limit gets the pod OOM-killed (error), and one leaving less than 5% of the limit (gen's largest `memoryPercent`, 95) is a warning.",
        fix: "Keep `-DMemory` at most 95% of `resources.limits.memory` (gen: `memoryPercent`, default 75); an overlay that lowers the limit must lower the heap too.",
        mirrors: "the kubelet's memory limit (the container's cgroup: over it the kernel OOM-kills the JVM) and MigratoryData's `Memory` option, the heap size";
}

impl Rule {
    /// The rule's row of [`RULES`].
    pub fn doc(self) -> &'static RuleDoc {
        &RULES[self as usize]
    }

    /// The rule's id: what findings print and the silence annotation's key ends with.
    pub fn id(self) -> &'static str {
        self.doc().id
    }

    /// The severity of the rule's findings, unless a finding says otherwise.
    pub fn severity(self) -> Severity {
        self.doc().severity
    }

    /// The rule with this id.
    pub fn from_id(id: &str) -> Option<Rule> {
        RULES.iter().find(|r| r.id == id).map(|r| r.rule)
    }
}

/// The rule's id.
impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
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

#[cfg(test)]
mod tests {
    use super::{RULES, Rule};

    #[test]
    fn each_rule_is_its_own_row_and_its_id_finds_it() {
        for (i, r) in RULES.iter().enumerate() {
            assert_eq!(r.rule as usize, i, "{}", r.id);
            assert_eq!(r.rule.doc(), r);
            assert_eq!(Rule::from_id(r.id), Some(r.rule));
            assert_eq!(r.rule.to_string(), r.id);
        }
        assert_eq!(Rule::from_id("no-such-rule"), None);
    }
}
