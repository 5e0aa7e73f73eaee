//! The set, indexed for the rules that relate objects: objects by kind, namespace and name,
//! and every pod template with the labels its pods carry.

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::api::core::v1::{Container, PodSpec, Probe};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde_json::{Map, Value};

use super::docs::{Chunk, Doc, Parsed};
use super::{LintOptions, PssLevel, Set};
use crate::path::FieldPath;
use crate::typed::Object;

/// The labels of a pod template: typed, or read from a kind gen lint does not type (an Argo
/// Rollout, a Knative Service) so that selecting its pods is not a finding.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Labels<'a> {
    Typed(&'a BTreeMap<String, String>),
    Raw(&'a Map<String, Value>),
    None,
}

impl<'a> Labels<'a> {
    pub fn get(&self, key: &str) -> Option<&'a str> {
        match self {
            Labels::Typed(m) => m.get(key).map(String::as_str),
            Labels::Raw(m) => m.get(key).and_then(Value::as_str),
            Labels::None => None,
        }
    }

    /// Whether every pair of a Service-style selector (a plain map) is among the labels.
    pub fn has_all(&self, selector: &BTreeMap<String, String>) -> bool {
        selector
            .iter()
            .all(|(k, v)| self.get(k) == Some(v.as_str()))
    }

    /// Whether a LabelSelector selects these labels (an empty selector selects everything).
    pub fn matches(&self, selector: &LabelSelector) -> bool {
        if let Some(m) = &selector.match_labels
            && !self.has_all(m)
        {
            return false;
        }
        selector.match_expressions.iter().flatten().all(|e| {
            let value = self.get(&e.key);
            let listed = |v: &str| e.values.iter().flatten().any(|x| x == v);
            match e.operator.as_str() {
                "In" => value.is_some_and(listed),
                "NotIn" => !value.is_some_and(listed),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                _ => false,
            }
        })
    }
}

/// A workload's pod template in the set (a Deployment's, a CronJob's, a raw kind's), with the
/// workload's kind, name and namespace.
#[derive(Debug)]
pub(crate) struct PodTemplate<'a> {
    pub doc: usize,
    pub kind: &'a str,
    pub name: &'a str,
    pub namespace: Option<&'a str>,
    pub labels: Labels<'a>,
    /// Keys from the document's root to the template's metadata (`spec.template.metadata`)
    /// and to its pod spec (`spec.template.spec`).
    pub meta: &'static [&'static str],
    pub base: &'static [&'static str],
    /// Typed pod spec; `None` for a raw template (only its labels are known).
    pub spec: Option<&'a PodSpec>,
    pub selector: Option<&'a LabelSelector>,
    pub replicas: Option<i32>,
    pub service_name: Option<&'a str>,
}

/// Where a container sits: `spec.template.spec.containers[2]`, made a path only for a
/// finding.
#[derive(Clone, Copy, Debug)]
pub(crate) struct At {
    pub base: &'static [&'static str],
    pub list: &'static str,
    pub index: usize,
}

impl At {
    pub fn path(&self) -> FieldPath {
        FieldPath::from(self.base).key(self.list).index(self.index)
    }
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.path().fmt(f)
    }
}

impl<'a> PodTemplate<'a> {
    /// The template's labels: `spec.template.metadata.labels`.
    pub fn labels_path(&self) -> FieldPath {
        FieldPath::from(self.meta).key("labels")
    }

    /// The pod spec: `spec.template.spec`.
    pub fn spec_path(&self) -> FieldPath {
        FieldPath::from(self.base)
    }

    /// Regular and init containers, each with where it sits.
    pub fn containers(&self) -> impl Iterator<Item = (At, &'a Container)> + 'a {
        let base = self.base;
        let spec = self.spec;
        let at = move |list, index| At { base, list, index };
        let regular = spec
            .into_iter()
            .flat_map(|s| s.containers.iter().enumerate())
            .map(move |(i, c)| (at("containers", i), c));
        let init = spec
            .into_iter()
            .flat_map(|s| s.init_containers.iter().flatten().enumerate())
            .map(move |(i, c)| (at("initContainers", i), c));
        regular.chain(init)
    }
}

/// Namespaces are compared leniently: an object without one is taken to share the other's
/// (the namespace rules report the difference).
pub(crate) fn same_ns(a: Option<&str>, b: Option<&str>) -> bool {
    a.is_none() || b.is_none() || a == b
}

/// A container's probes, each with its field name.
pub(crate) fn probes(c: &Container) -> [(&'static str, &Option<Probe>); 3] {
    [
        ("livenessProbe", &c.liveness_probe),
        ("readinessProbe", &c.readiness_probe),
        ("startupProbe", &c.startup_probe),
    ]
}

/// The set, indexed: what the rules relating objects look up.
pub(crate) struct SetIndex<'a> {
    pub set: &'a Set,
    pub chunks: &'a [Chunk],
    pub docs: &'a [Doc],
    /// Every workload's pod template, in document order.
    pub workloads: Vec<PodTemplate<'a>>,
    /// The set targets OpenShift (`--platform openshift`, or a Route in the set).
    pub openshift: bool,
    /// Some document of a pod-template kind failed to type: "selects no pods" is then not
    /// trusted.
    pub workload_failed: bool,
    /// Typed Services, by document.
    pub services: Vec<usize>,
    /// The Pod Security level `--pss` assumes where the Namespace is not in the set.
    pub assumed_pss: Option<PssLevel>,
    /// Custom resources whose operator creates pods (a Prometheus, an Alertmanager): their
    /// pods are not in the set, so a selector that matches nothing may be meant for them.
    pub operators: Vec<usize>,
    /// The set holds a MigratoryData workload (gen's labels, or the server's environment):
    /// the bundle-shape rules apply to it.
    pub migratorydata: bool,
    /// HorizontalPodAutoscalers (documents) by the (kind, name) they scale.
    hpas: HashMap<(&'a str, &'a str), Vec<usize>>,
    /// PodDisruptionBudgets (documents) selecting each workload's pods, by workload index.
    pdbs: HashMap<usize, Vec<usize>>,
    /// (kind, namespace, name) → first document.
    exact: HashMap<(&'a str, Option<&'a str>, &'a str), usize>,
    /// (kind, name) → first document without a namespace, and first in any namespace.
    no_ns: HashMap<(&'a str, &'a str), usize>,
    any_ns: HashMap<(&'a str, &'a str), usize>,
    /// Label pair → workloads whose pods carry it.
    pods_by_label: HashMap<(&'a str, &'a str), Vec<usize>>,
    /// Label pair → Services (documents) carrying it.
    services_by_label: HashMap<(&'a str, &'a str), Vec<usize>>,
}

impl<'a> SetIndex<'a> {
    pub fn new(set: &'a Set, parsed: &'a Parsed, opts: &LintOptions) -> SetIndex<'a> {
        let docs = &parsed.docs[..];
        let mut m = SetIndex {
            set,
            chunks: &parsed.chunks,
            docs,
            workloads: Vec::new(),
            openshift: opts.platform_openshift,
            workload_failed: false,
            services: Vec::new(),
            assumed_pss: opts.pss,
            operators: Vec::new(),
            migratorydata: false,
            hpas: HashMap::new(),
            pdbs: HashMap::new(),
            exact: HashMap::with_capacity(docs.len()),
            no_ns: HashMap::new(),
            any_ns: HashMap::with_capacity(docs.len()),
            pods_by_label: HashMap::new(),
            services_by_label: HashMap::new(),
        };
        for (i, d) in docs.iter().enumerate() {
            let (kind, name, ns) = (d.kind(), d.name(), d.namespace());
            m.exact.entry((kind, ns, name)).or_insert(i);
            m.any_ns.entry((kind, name)).or_insert(i);
            if ns.is_none() {
                m.no_ns.entry((kind, name)).or_insert(i);
            }
            m.openshift |= d.group().ends_with("openshift.io");
            if creates_pods(d) {
                m.operators.push(i);
            }
            m.workload_failed |= d.failed
                && matches!(
                    kind,
                    "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob" | "Pod"
                );
            if let Object::HorizontalPodAutoscaler(h) = &d.object
                && let Some(spec) = &h.spec
            {
                let t = &spec.scale_target_ref;
                m.hpas.entry((&t.kind, &t.name)).or_default().push(i);
            }
            if let Object::Service(s) = &d.object {
                m.services.push(i);
                for (k, v) in s.metadata.labels.iter().flatten() {
                    m.services_by_label.entry((k, v)).or_default().push(i);
                }
            }
            if let Some(w) = workload(i, d) {
                m.migratorydata |= is_migratorydata(&w);
                let n = m.workloads.len();
                match w.labels {
                    Labels::Typed(l) => {
                        for (k, v) in l {
                            m.pods_by_label.entry((k, v)).or_default().push(n);
                        }
                    }
                    Labels::Raw(l) => {
                        for (k, v) in l {
                            if let Some(v) = v.as_str() {
                                m.pods_by_label.entry((k, v)).or_default().push(n);
                            }
                        }
                    }
                    Labels::None => {}
                }
                m.workloads.push(w);
            }
        }
        let mut pdbs: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, d) in docs.iter().enumerate() {
            if let Object::PodDisruptionBudget(p) = &d.object
                && let Some(selector) = p.spec.as_ref().and_then(|s| s.selector.as_ref())
            {
                for w in m.pods_selected_indices(d.namespace(), selector) {
                    pdbs.entry(w).or_default().push(i);
                }
            }
        }
        m.pdbs = pdbs;
        m
    }

    /// The HorizontalPodAutoscalers (documents) scaling `kind` `name` in (or compatible
    /// with) `ns`.
    pub fn hpas_of(&self, kind: &str, name: &str, ns: Option<&str>) -> Vec<usize> {
        self.hpas
            .get(&(kind, name))
            .into_iter()
            .flatten()
            .copied()
            .filter(|&h| same_ns(self.docs[h].namespace(), ns))
            .collect()
    }

    /// The PodDisruptionBudgets (documents) selecting the pods of workload `w` (an index
    /// into `workloads`).
    pub fn pdbs_of(&self, w: usize) -> &[usize] {
        self.pdbs.get(&w).map_or(&[], Vec::as_slice)
    }

    /// The first object of `kind` named `name` in namespace `ns` (or without one; any
    /// namespace when `ns` is `None`).
    pub fn find(&self, kind: &str, ns: Option<&str>, name: &str) -> Option<usize> {
        match ns {
            Some(_) => self
                .exact
                .get(&(kind, ns, name))
                .or_else(|| self.no_ns.get(&(kind, name)))
                .copied(),
            None => self.any_ns.get(&(kind, name)).copied(),
        }
    }

    /// Typed objects of one kind: `pick` returns the typed value for the wanted variant.
    pub fn each<T: 'a>(
        &self,
        pick: impl Fn(&'a Object) -> Option<&'a T> + 'a,
    ) -> impl Iterator<Item = (usize, &'a Doc, &'a T)> + 'a {
        self.docs
            .iter()
            .enumerate()
            .filter_map(move |(i, d)| pick(&d.object).map(|t| (i, d, t)))
    }

    /// Candidates for a selector whose first pair is `first`: from the index, or all.
    fn candidates(
        index: &HashMap<(&'a str, &'a str), Vec<usize>>,
        first: Option<(&String, &String)>,
        all: usize,
    ) -> Vec<usize> {
        match first {
            Some((k, v)) => index
                .get(&(k.as_str(), v.as_str()))
                .cloned()
                .unwrap_or_default(),
            None => (0..all).collect(),
        }
    }

    /// Workloads in (or compatible with) `ns` whose pods a Service selector selects.
    pub fn pods_selected_by_map(
        &self,
        ns: Option<&str>,
        selector: &BTreeMap<String, String>,
    ) -> Vec<&PodTemplate<'a>> {
        SetIndex::candidates(
            &self.pods_by_label,
            selector.iter().next(),
            self.workloads.len(),
        )
        .into_iter()
        .map(|i| &self.workloads[i])
        .filter(|w| same_ns(w.namespace, ns) && w.labels.has_all(selector))
        .collect()
    }

    /// Workloads in (or compatible with) `ns` whose pods a LabelSelector selects.
    pub fn pods_selected(
        &self,
        ns: Option<&str>,
        selector: &LabelSelector,
    ) -> Vec<&PodTemplate<'a>> {
        self.pods_selected_indices(ns, selector)
            .into_iter()
            .map(|i| &self.workloads[i])
            .collect()
    }

    fn pods_selected_indices(&self, ns: Option<&str>, selector: &LabelSelector) -> Vec<usize> {
        let first = selector.match_labels.as_ref().and_then(|m| m.iter().next());
        let mut v = SetIndex::candidates(&self.pods_by_label, first, self.workloads.len());
        v.retain(|&i| {
            let w = &self.workloads[i];
            same_ns(w.namespace, ns) && w.labels.matches(selector)
        });
        v
    }

    /// Services (documents) whose labels a LabelSelector selects, in any namespace.
    pub fn services_selected(&self, selector: &LabelSelector) -> Vec<usize> {
        let first = selector.match_labels.as_ref().and_then(|m| m.iter().next());
        let all: Vec<usize> = match first {
            Some(_) => SetIndex::candidates(&self.services_by_label, first, 0),
            None => self.services.clone(),
        };
        all.into_iter()
            .filter(|&i| match &self.docs[i].object {
                Object::Service(s) => s
                    .metadata
                    .labels
                    .as_ref()
                    .map_or(Labels::None, Labels::Typed)
                    .matches(selector),
                _ => false,
            })
            .collect()
    }
}

/// Custom resources whose operator creates pods gen lint cannot see: the Prometheus
/// operator's (monitoring.coreos.com) and Strimzi's (kafka.strimzi.io).
const POD_OPERATORS: &[(&str, &[&str])] = &[
    (
        "monitoring.coreos.com",
        &[
            "Prometheus",
            "Alertmanager",
            "ThanosRuler",
            "PrometheusAgent",
        ],
    ),
    (
        "kafka.strimzi.io",
        &[
            "Kafka",
            "KafkaConnect",
            "KafkaMirrorMaker2",
            "KafkaBridge",
            "KafkaNodePool",
        ],
    ),
];

fn creates_pods(d: &Doc) -> bool {
    POD_OPERATORS
        .iter()
        .any(|(g, kinds)| d.group() == *g && kinds.contains(&d.kind()))
}

/// gen's labels (`app.kubernetes.io/name: migratorydata`, `managed-by: gen`) on the pods, or
/// a container with the server's `MIGRATORYDATA_EXTRA_OPTS`.
fn is_migratorydata(w: &PodTemplate<'_>) -> bool {
    let labelled = w.labels.get("app.kubernetes.io/name") == Some("migratorydata")
        || w.labels.get("app.kubernetes.io/managed-by") == Some("gen");
    labelled
        || w.containers().any(|(_, c)| {
            c.env
                .iter()
                .flatten()
                .any(|e| e.name == crate::server_options::EXTRA_OPTS)
        })
}

fn workload(doc: usize, d: &Doc) -> Option<PodTemplate<'_>> {
    fn meta(m: &Option<ObjectMeta>) -> Labels<'_> {
        m.as_ref()
            .and_then(|m| m.labels.as_ref())
            .map_or(Labels::None, Labels::Typed)
    }
    let mut w = PodTemplate {
        doc,
        kind: d.kind(),
        name: d.name(),
        namespace: d.namespace(),
        labels: Labels::None,
        meta: &["spec", "template", "metadata"],
        base: &["spec", "template", "spec"],
        spec: None,
        selector: None,
        replicas: None,
        service_name: None,
    };
    match &d.object {
        Object::Deployment(o) => {
            let s = o.spec.as_ref()?;
            w.labels = meta(&s.template.metadata);
            w.spec = s.template.spec.as_ref();
            w.selector = Some(&s.selector);
            w.replicas = s.replicas;
        }
        Object::StatefulSet(o) => {
            let s = o.spec.as_ref()?;
            w.labels = meta(&s.template.metadata);
            w.spec = s.template.spec.as_ref();
            w.selector = Some(&s.selector);
            w.replicas = s.replicas;
            w.service_name = s.service_name.as_deref();
        }
        Object::DaemonSet(o) => {
            let s = o.spec.as_ref()?;
            w.labels = meta(&s.template.metadata);
            w.spec = s.template.spec.as_ref();
            w.selector = Some(&s.selector);
        }
        Object::Job(o) => {
            let s = o.spec.as_ref()?;
            w.labels = meta(&s.template.metadata);
            w.spec = s.template.spec.as_ref();
        }
        Object::CronJob(o) => {
            let s = o.spec.as_ref()?.job_template.spec.as_ref()?;
            w.labels = meta(&s.template.metadata);
            w.spec = s.template.spec.as_ref();
            w.meta = &["spec", "jobTemplate", "spec", "template", "metadata"];
            w.base = &["spec", "jobTemplate", "spec", "template", "spec"];
        }
        Object::Pod(o) => {
            w.labels = o
                .metadata
                .labels
                .as_ref()
                .map_or(Labels::None, Labels::Typed);
            w.spec = o.spec.as_ref();
            w.meta = &["metadata"];
            w.base = &["spec"];
        }
        Object::Unknown { .. } => {
            // Any other kind with a pod template: its labels only.
            let labels = d
                .value
                .get("spec")?
                .get("template")?
                .get("metadata")?
                .get("labels")?
                .as_object()?;
            w.labels = Labels::Raw(labels);
        }
        _ => return None,
    }
    Some(w)
}
