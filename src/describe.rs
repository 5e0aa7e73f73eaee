//! `gen describe`: what a bundle will create, at a glance.
//!
//! A plain-text table of the objects (one row per rendered document, in apply order, with the
//! numbers that matter) followed by what the bundle refers to but does not create, and a
//! diagram of how the objects refer to each other, as Mermaid (renders in a pull request) or
//! DOT (renders with graphviz). Everything is computed from the [`Model`]; nothing here reads
//! Secret data. The same model always gives the same bytes.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthStr;

use crate::model::{CLIENT_PORT, JAAS_DIR, JAAS_KEY, Model, TRUSTSTORE_DIR};
use crate::render::Document;
use crate::server_options;
use crate::spec::ServiceType;

/// The diagram formats `gen describe --diagram` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Diagram {
    /// A Mermaid flowchart (paste it into a ```` ```mermaid ```` block of a pull request).
    Mermaid,
    /// A graphviz digraph (`dot -Tpng`).
    Dot,
}

/// What `gen describe` prints: a summary line and the table, or only the diagram (so that it
/// pipes straight into a renderer).
pub fn describe(model: &Model, documents: &[Document], diagram: Option<Diagram>) -> String {
    match diagram {
        None => format!(
            "{}\n\n{}",
            summary(model, documents),
            table(model, documents)
        ),
        Some(d) => render_diagram(model, d),
    }
}

/// The diagram in the chosen format.
pub fn render_diagram(model: &Model, diagram: Diagram) -> String {
    match diagram {
        Diagram::Mermaid => mermaid(model),
        Diagram::Dot => dot(model),
    }
}

/// One line: the cluster, where it goes, and how much the bundle holds.
pub fn summary(model: &Model, documents: &[Document]) -> String {
    let engine = if kafka(model).is_some() {
        "kafka backplane"
    } else {
        "native clustering"
    };
    let external = externals(model).len();
    format!(
        "{}: {} on {}, namespace {}; {} object{}, {} external reference{}",
        model.name,
        engine,
        model.platform,
        model.namespace,
        documents.len(),
        plural(documents.len()),
        external,
        plural(external),
    )
}

/// Aligned `KIND  NAME  DETAILS` columns, like `kubectl get`: one row per document, then the
/// objects the bundle refers to but does not create (under an `EXTERNAL` header).
pub fn table(model: &Model, documents: &[Document]) -> String {
    let objects: Vec<[String; 3]> = documents
        .iter()
        .map(|d| [d.kind.to_string(), d.name.clone(), details(model, d)])
        .collect();
    let external: Vec<[String; 3]> = externals(model)
        .into_iter()
        .map(|e| [e.kind.to_string(), e.name, e.details])
        .collect();
    let header = |first: &str| [first.to_string(), "NAME".to_string(), "DETAILS".to_string()];
    let mut all = vec![header("KIND")];
    all.extend(objects.iter().cloned());
    if !external.is_empty() {
        all.push(header("EXTERNAL"));
        all.extend(external.iter().cloned());
    }
    let width = |i: usize| all.iter().map(|r| r[i].width()).max().unwrap_or(0);
    let (w0, w1) = (width(0), width(1));
    let line = |out: &mut String, r: &[String; 3]| {
        let text = format!(
            "{}{}   {}{}   {}",
            r[0],
            " ".repeat(w0 - r[0].width()),
            r[1],
            " ".repeat(w1 - r[1].width()),
            r[2]
        );
        out.push_str(text.trim_end());
        out.push('\n');
    };
    let mut out = String::new();
    line(&mut out, &header("KIND"));
    for r in &objects {
        line(&mut out, r);
    }
    if !external.is_empty() {
        out.push('\n');
        line(&mut out, &header("EXTERNAL"));
        for r in &external {
            line(&mut out, r);
        }
    }
    out
}

/// The DETAILS column of one document's row; empty for a kind describe does not know.
fn details(model: &Model, d: &Document) -> String {
    let m = model;
    let name = d.name.as_str();
    let parts = match d.kind {
        "Namespace" => namespace_details(m),
        "ServiceAccount" => service_account_details(m),
        "Secret" if m.jaas_secret.as_ref().is_some_and(|s| s.name == name) => vec![
            format!("key {JAAS_KEY} from jaas.file"),
            format!("mounted at {JAAS_DIR}"),
            "checksum rolls the pods".to_string(),
        ],
        "Service" if name == m.client_service.name => {
            let s = &m.client_service;
            let mut parts = vec![
                service_type(s.kind).to_string(),
                format!("port {}->{}/TCP", s.port, s.target_port),
            ];
            parts.extend(exposure(m));
            parts
        }
        "Service" if m.headless_service.as_deref() == Some(name) => vec![
            "headless (clusterIP None)".to_string(),
            format!(
                "ports {}/TCP",
                port_list(m.cluster_ports.iter().map(|p| p.port))
            ),
            "publishNotReadyAddresses".to_string(),
        ],
        "Service" if m.metrics.as_ref().is_some_and(|x| x.service_name == name) => {
            let x = m.metrics.as_ref().expect("matched above");
            vec![
                "ClusterIP".to_string(),
                format!("port {}/TCP {}", x.port, x.path),
            ]
        }
        kind if kind == m.workload.kind.as_str() && name == m.workload.name => workload_details(m),
        "PodDisruptionBudget" if name == m.pdb.name => pdb_facts(m),
        "HorizontalPodAutoscaler" if m.hpa.as_ref().is_some_and(|h| h.name == name) => {
            hpa_details(m)
        }
        "Route" | "Ingress" | "HTTPRoute" => front_details(m, d.kind, name),
        "ServiceMonitor" => match &m.metrics {
            Some(x) => vec![
                format!("{}:metrics {}", x.service_name, x.path),
                format!("every {}", x.interval),
            ],
            None => vec![],
        },
        "NetworkPolicy" => network_policy_details(m),
        _ => vec![],
    };
    parts.join(", ")
}

/// The Namespace: its Pod Security level, labels, and that GitOps tools leave it alone.
fn namespace_details(m: &Model) -> Vec<String> {
    let Some(ns) = &m.namespace_object else {
        return vec![];
    };
    let mut parts = vec![format!("pod-security {} (enforced)", ns.pod_security)];
    parts.extend(ns.labels.iter().map(|(k, v)| format!("{k}={v}")));
    parts.push("GitOps prune/delete off".to_string());
    parts
}

/// The ServiceAccount: no token, and the keys of its annotations (an IAM role, a workload
/// identity).
fn service_account_details(m: &Model) -> Vec<String> {
    let mut parts = vec!["no API token mounted".to_string()];
    let keys: Vec<&str> = m
        .service_account
        .annotations
        .keys()
        .map(String::as_str)
        .collect();
    if !keys.is_empty() {
        parts.push(format!("annotations {}", keys.join(",")));
    }
    parts
}

/// The StatefulSet or Deployment: how many members, the backplane, ports, resources, and how
/// it rolls and stops.
fn workload_details(m: &Model) -> Vec<String> {
    let w = &m.workload;
    let mut parts = vec![format!("replicas {}", replicas(m))];
    if !m.cluster_members.is_empty() {
        parts.push(format!("members {}", m.cluster_members.len()));
    }
    if let Some(seeds) = m.seed_count {
        parts.push(format!("seeds {seeds}"));
    }
    if let Some(k) = kafka(m) {
        parts.push(format!("kafka backplane, topics {}", k.topics.join(",")));
    }
    parts.push(format!("ports {}", container_ports(m)));
    parts.push(format!("cpu {}", w.container.cpu));
    parts.push(format!("memory {}", w.container.memory));
    if let Some(h) = &w.service_name {
        parts.push(format!("serviceName {h}"));
    }
    if w.kind == "Deployment" {
        parts.push("rolling maxSurge 1 maxUnavailable 0".to_string());
    }
    parts.extend(lifecycle(m));
    parts
}

/// The HorizontalPodAutoscaler: its target, bounds and how fast it scales each way.
fn hpa_details(m: &Model) -> Vec<String> {
    let Some(h) = &m.hpa else { return vec![] };
    let (d, u) = (h.scale_down, h.scale_up);
    vec![
        format!("{}/{}", m.workload.kind, m.workload.name),
        format!("min {}", h.min),
        format!("max {}", h.max),
        format!("cpu {}%", h.cpu_percent),
        format!(
            "down {} pod/{}s after {}s",
            d.pods_per_period, d.period_seconds, d.stabilization_seconds
        ),
        format!(
            "up {} pods/{}s after {}s",
            u.pods_per_period, u.period_seconds, u.stabilization_seconds
        ),
    ]
}

/// The Route, Ingress or HTTPRoute named `name` in front of the client Service: its TLS, host
/// and backend. Empty when the model has no such object.
fn front_details(m: &Model, kind: &str, name: &str) -> Vec<String> {
    let backend = format!("to {}:{}", m.client_service.name, m.client_service.port);
    match kind {
        "Route" => m.route.as_ref().filter(|r| r.name == name).map(|r| {
            let mut parts = vec![
                format!(
                    "{} TLS, http {}",
                    r.termination, r.insecure_edge_termination_policy
                ),
                format!("to {}:client-port", m.client_service.name),
            ];
            parts.extend(r.host.as_ref().map(|h| format!("host {h}")));
            parts
        }),
        "Ingress" => m.ingress.as_ref().filter(|i| i.name == name).map(|i| {
            vec![
                format!("class {}", i.class_name),
                format!("TLS {} from Secret {}", i.host, i.secret_name),
                backend,
            ]
        }),
        "HTTPRoute" => m.http_route.as_ref().filter(|r| r.name == name).map(|r| {
            vec![
                format!("Gateway {}/{}", r.gateway_namespace, r.gateway_name),
                format!("host {} (TLS on the Gateway)", r.host),
                backend,
            ]
        }),
        _ => None,
    }
    .unwrap_or_default()
}

/// The NetworkPolicy: who may connect, and where the pods may connect to.
fn network_policy_details(m: &Model) -> Vec<String> {
    let egress = match &m.egress {
        None => "egress open".to_string(),
        Some(e) => {
            let mut to = vec!["53 (DNS)".to_string()];
            if !m.cluster_ports.is_empty() {
                to.push(format!(
                    "{} to members",
                    port_list(m.cluster_ports.iter().map(|p| p.port))
                ));
            }
            if !e.kafka_ports.is_empty() {
                to.push(format!(
                    "{} (Kafka)",
                    port_list(e.kafka_ports.iter().copied())
                ));
            }
            format!("egress only {}", to.join("; "))
        }
    };
    vec![format!("ingress {}", ingress(m).join("; ")), egress]
}

/// How clients reach the client Service: Route, Ingress, HTTPRoute or the load balancer, with
/// its TLS and (eks) deregistration delay.
fn exposure(m: &Model) -> Vec<String> {
    let s = &m.client_service;
    let mut facts = Vec::new();
    if let Some(r) = &m.route {
        facts.push(format!("exposed by Route {}", r.name));
    } else if let Some(i) = &m.ingress {
        facts.push(format!("exposed by Ingress {} (TLS {})", i.name, i.host));
    } else if let Some(r) = &m.http_route {
        facts.push(format!(
            "exposed by HTTPRoute {} (TLS on Gateway {})",
            r.name, r.gateway_name
        ));
    } else if s.kind == ServiceType::ClusterIP {
        facts.push("in-cluster only".to_string());
    }
    if s.nlb_tls {
        facts.push(format!("TLS at the NLB on {}", s.port));
    }
    if let Some(delay) = s
        .annotations
        .get(crate::model::production::TG_ATTRIBUTES)
        .and_then(|v| {
            v.split(',')
                .find_map(|a| a.strip_prefix("deregistration_delay.timeout_seconds="))
        })
    {
        facts.push(format!("deregistration delay {delay}s"));
    }
    facts
}

/// Shutdown, rollout and scheduling numbers of the workload.
fn lifecycle(m: &Model) -> Vec<String> {
    let l = &m.lifecycle;
    let mut facts = vec![
        format!(
            "drain {}s + stop {}s = grace {}s",
            l.drain_seconds, l.stop_seconds, l.grace_seconds
        ),
        format!("minReadySeconds {}", l.min_ready_seconds),
        format!("startup up to {}s", l.startup_seconds),
        format!("ephemeral {}", m.workload.container.ephemeral),
        format!("anti-affinity {}", m.scheduling.anti_affinity),
    ];
    if let Some(z) = m.scheduling.zone_spread {
        facts.push(format!("zone spread {z}"));
    }
    facts
}

/// The PDB's bound, and whether it leaves no room for a voluntary eviction.
fn pdb_facts(m: &Model) -> Vec<String> {
    let mut facts = Vec::new();
    if let Some(n) = m.pdb.min_available {
        if m.seed_count == Some(n) {
            facts.push(format!("minAvailable {n} (seedCount)"));
        } else {
            facts.push(format!("minAvailable {n}"));
        }
        // The fewest members the workload runs: the HPA's floor, or the fixed count.
        let floor = m.hpa.as_ref().map(|h| h.min).or(m.workload.replicas);
        if let Some(f) = floor.filter(|f| *f <= n) {
            facts.push(format!("blocks node drains at {f} members"));
        }
    }
    if let Some(n) = m.pdb.max_unavailable {
        facts.push(format!("maxUnavailable {n}"));
    }
    facts
}

/// What the NetworkPolicy lets in, rule by rule.
fn ingress(m: &Model) -> Vec<String> {
    let mut rules = vec![format!("{CLIENT_PORT} from anywhere")];
    if m.headless_service.is_some() && !m.cluster_ports.is_empty() {
        rules.push(format!(
            "{} from members",
            port_list(m.cluster_ports.iter().map(|p| p.port))
        ));
    }
    if let Some(x) = &m.metrics {
        rules.push(format!("{} from ns {}", x.port, x.scrape_namespace));
    }
    rules
}

/// `3` or, when an HPA owns the count, its bounds: `3-5 (HPA)`.
fn replicas(m: &Model) -> String {
    match (&m.hpa, m.workload.replicas) {
        (Some(h), _) => format!("{}-{} (HPA)", h.min, h.max),
        (None, Some(n)) => n.to_string(),
        (None, None) => "unset".to_string(),
    }
}

/// The container's ports: client, inter-cluster (as one range), metrics.
fn container_ports(m: &Model) -> String {
    let ports = &m.workload.container.ports;
    let cluster: Vec<u16> = ports
        .iter()
        .filter(|p| p.name.starts_with("inter-cluster"))
        .map(|p| p.port)
        .collect();
    let mut parts = Vec::new();
    let mut cluster_done = false;
    for p in ports {
        if p.name.starts_with("inter-cluster") {
            if !cluster_done {
                parts.push(port_list(cluster.iter().copied()));
                cluster_done = true;
            }
        } else {
            parts.push(p.port.to_string());
        }
    }
    parts.join(",")
}

fn service_type(t: ServiceType) -> &'static str {
    match t {
        ServiceType::ClusterIP => "ClusterIP",
        ServiceType::NodePort => "NodePort",
        ServiceType::LoadBalancer => "LoadBalancer",
    }
}

/// Ports in order, runs of consecutive ports collapsed: `8800,8801-8804,9900`.
fn port_list(ports: impl IntoIterator<Item = u16>) -> String {
    let mut runs: Vec<(u16, u16)> = Vec::new();
    for p in ports {
        match runs.last_mut() {
            Some((_, end)) if end.checked_add(1) == Some(p) => *end = p,
            _ => runs.push((p, p)),
        }
    }
    runs.iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The Kafka backplane, as the workload's options carry it.
struct Kafka {
    servers: Vec<String>,
    topics: Vec<String>,
    protocol: String,
    mechanism: Option<String>,
}

fn kafka(m: &Model) -> Option<Kafka> {
    let value = m
        .workload
        .container
        .env
        .iter()
        .find(|e| e.name == server_options::KAFKA_EXTRA_OPTS)?
        .value()?;
    let opts = server_options::parse(value);
    let get = |name: &str| server_options::last(&opts, name).map(str::to_string);
    let list = |name: &str| {
        get(name)
            .map(|v| v.split(',').map(str::to_string).collect())
            .unwrap_or_default()
    };
    Some(Kafka {
        servers: list(server_options::BOOTSTRAP_SERVERS),
        topics: list(server_options::TOPICS),
        protocol: get(server_options::SECURITY_PROTOCOL).unwrap_or_else(|| "PLAINTEXT".to_string()),
        mechanism: get(server_options::SASL_MECHANISM),
    })
}

/// Something the bundle refers to but does not create.
struct External {
    kind: &'static str,
    name: String,
    details: String,
    /// The diagram's label, below the first line (`Secret <name>`, `Kafka bootstrap`).
    lines: Vec<String>,
    /// How the pods refer to it (the diagram's edge label).
    reference: String,
    /// Referred to by the Ingress or HTTPRoute in front of the Service, not by the pods.
    by_front: bool,
}

/// One Secret the pods read that gen does not render, gathered from every reference.
#[derive(Default)]
struct SecretUse {
    name: String,
    keys: Vec<String>,
    uses: Vec<String>,
    references: Vec<String>,
}

/// Secrets the pods read that gen does not render (volumes, then environment, then image
/// pull Secrets), then the Kafka bootstrap servers.
fn externals(m: &Model) -> Vec<External> {
    let mut secrets: Vec<SecretUse> = Vec::new();
    let mut add = |name: &str, keys: &[String], use_: String, reference: String| {
        let i = match secrets.iter().position(|s| s.name == name) {
            Some(i) => i,
            None => {
                secrets.push(SecretUse {
                    name: name.to_string(),
                    ..SecretUse::default()
                });
                secrets.len() - 1
            }
        };
        let s = &mut secrets[i];
        for k in keys {
            if !s.keys.contains(k) {
                s.keys.push(k.clone());
            }
        }
        s.uses.push(use_);
        s.references.push(reference);
    };
    let rendered = m.jaas_secret.as_ref().map(|s| s.name.as_str());
    let w = &m.workload;
    for v in &w.volumes {
        let Some(secret) = v.secret.as_deref() else {
            continue;
        };
        if Some(secret) == rendered {
            continue;
        }
        let what = match v.name {
            "jaas" => format!("Kafka JAAS login at {JAAS_DIR}"),
            "truststore" => format!("Kafka truststore at {TRUSTSTORE_DIR}"),
            other => format!("volume {other}"),
        };
        add(
            secret,
            &v.items,
            format!("key {} ({what})", v.items.join(",")),
            format!("volume {}", v.name),
        );
    }
    for e in &w.container.env {
        let Some(s) = e.secret() else { continue };
        if Some(s.name.as_str()) == rendered {
            continue;
        }
        let what = match e.name {
            "MIGRATORYDATA_LICENSE_KEY" => server_options::LICENSE_KEY,
            "MIGRATORYDATA_CLUSTER_PASSWORD" => server_options::CLUSTER_PASSWORD,
            "KAFKA_TRUSTSTORE_PASSWORD" => "truststore password",
            other => other,
        };
        add(
            &s.name,
            std::slice::from_ref(&s.key),
            format!("key {} ({what})", s.key),
            format!("secretKeyRef {}", s.key),
        );
    }
    for p in &w.image_pull_secrets {
        add(
            p,
            &[],
            "image pull credentials".to_string(),
            "imagePullSecrets".to_string(),
        );
    }
    let mut out: Vec<External> = secrets
        .into_iter()
        .map(|s| {
            let mut lines = vec!["external, must exist".to_string()];
            if !s.keys.is_empty() {
                lines.push(format!("keys {}", s.keys.join(",")));
            }
            External {
                kind: "Secret",
                details: format!("must exist: {}", s.uses.join(", ")),
                lines,
                reference: s.references.join(", "),
                name: s.name,
                by_front: false,
            }
        })
        .collect();
    if let Some(k) = kafka(m) {
        let mut security = k.protocol.clone();
        if let Some(mech) = &k.mechanism {
            security.push(' ');
            security.push_str(mech);
        }
        let topics = format!("topics {}", k.topics.join(","));
        let mut lines = k.servers.clone();
        lines.push(format!("{security}, {topics}"));
        out.push(External {
            kind: "Kafka",
            name: k.servers.join(","),
            details: format!("bootstrap servers, {security}, {topics}"),
            lines,
            reference: server_options::BOOTSTRAP_SERVERS.to_string(),
            by_front: false,
        });
    }
    out.extend(front_externals(m));
    out
}

/// The TLS Secret an Ingress serves and the Gateway an HTTPRoute attaches to.
fn front_externals(m: &Model) -> Vec<External> {
    let mut out = Vec::new();
    if let Some(i) = &m.ingress {
        out.push(External {
            kind: "Secret",
            name: i.secret_name.clone(),
            details: format!(
                "must exist: TLS certificate for {} (kubernetes.io/tls)",
                i.host
            ),
            lines: vec![
                "external, must exist".to_string(),
                format!("TLS for {}", i.host),
            ],
            reference: "tls.secretName".to_string(),
            by_front: true,
        });
    }
    if let Some(r) = &m.http_route {
        out.push(External {
            kind: "Gateway",
            name: format!("{}/{}", r.gateway_namespace, r.gateway_name),
            details: format!(
                "must exist: an HTTPS listener for {} with the certificate, admitting routes from namespace {}",
                r.host, m.namespace
            ),
            lines: vec![format!("HTTPS listener for {}", r.host)],
            reference: "parentRefs".to_string(),
            by_front: true,
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The diagram: one graph, two notations.

/// What a diagram node stands for, which decides how each notation draws it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NodeShape {
    /// Who connects from outside the cluster.
    Clients,
    Service,
    Workload,
    Pods,
    /// HPA, PDB, NetworkPolicy, ServiceMonitor, ServiceAccount, rendered Secret, Route.
    Object,
    /// A Secret the bundle refers to but does not create.
    ExternalSecret,
    /// The Kafka bootstrap servers.
    Kafka,
}

/// One box of the diagram.
struct DiagramNode {
    /// Mermaid node id: a fixed role name or `ext<N>`, so always safe characters.
    key: String,
    /// DOT node id (`Kind/name`), printed quoted and escaped.
    id: String,
    /// Label lines, unescaped.
    lines: Vec<String>,
    shape: NodeShape,
    /// Inside the namespace box.
    namespaced: bool,
}

struct Edge {
    from: usize,
    to: usize,
    label: String,
    /// A reference to something outside the bundle.
    external: bool,
}

struct Graph {
    title: String,
    namespace_label: String,
    nodes: Vec<DiagramNode>,
    edges: Vec<Edge>,
}

impl Graph {
    fn node(
        &mut self,
        key: &str,
        id: String,
        lines: Vec<String>,
        shape: NodeShape,
        namespaced: bool,
    ) -> usize {
        self.nodes.push(DiagramNode {
            key: key.to_string(),
            id,
            lines,
            shape,
            namespaced,
        });
        self.nodes.len() - 1
    }

    fn edge(&mut self, from: usize, to: usize, label: impl Into<String>) {
        let external = matches!(
            self.nodes[to].shape,
            NodeShape::ExternalSecret | NodeShape::Kafka
        );
        self.edges.push(Edge {
            from,
            to,
            label: label.into(),
            external,
        });
    }
}

/// What stands in front of the client Service: a Route, an Ingress or an HTTPRoute.
struct Front {
    key: &'static str,
    id: String,
    lines: Vec<String>,
    /// The edge label to the client Service.
    to: String,
}

fn front(m: &Model) -> Option<Front> {
    let port = m.client_service.port;
    if let Some(r) = &m.route {
        return Some(Front {
            key: "route",
            id: format!("Route/{}", r.name),
            lines: vec![
                format!("Route {}", r.name),
                format!(
                    "{} TLS, http {}",
                    r.termination, r.insecure_edge_termination_policy
                ),
            ],
            to: "to :client-port".to_string(),
        });
    }
    if let Some(i) = &m.ingress {
        return Some(Front {
            key: "ingress",
            id: format!("Ingress/{}", i.name),
            lines: vec![
                format!("Ingress {}", i.name),
                format!("TLS {}, class {}", i.host, i.class_name),
            ],
            to: format!("to :{port}"),
        });
    }
    m.http_route.as_ref().map(|r| Front {
        key: "httproute",
        id: format!("HTTPRoute/{}", r.name),
        lines: vec![
            format!("HTTPRoute {}", r.name),
            format!(
                "Gateway {}/{}, host {}",
                r.gateway_namespace, r.gateway_name, r.host
            ),
        ],
        to: format!("to :{port}"),
    })
}

/// The objects and their references: Route/LoadBalancer -> Service -> pods <- HPA (through
/// the workload), PDB, NetworkPolicy; pods -> ServiceAccount, Secrets, Kafka.
fn graph(m: &Model) -> Graph {
    let mut g = Graph {
        title: format!("{} in namespace {} on {}", m.name, m.namespace, m.platform),
        namespace_label: namespace_label(m),
        nodes: vec![],
        edges: vec![],
    };
    let front = front(m);
    let entry = entry(m, front.is_some());
    // The nodes are added, and so listed in the diagram, in the order written here.
    let nodes = Nodes {
        clients: entry.as_ref().map(|_| {
            g.node(
                "clients",
                "clients".to_string(),
                vec!["Clients".to_string()],
                NodeShape::Clients,
                false,
            )
        }),
        front: front.as_ref().map(|f| {
            g.node(
                f.key,
                f.id.clone(),
                f.lines.clone(),
                NodeShape::Object,
                true,
            )
        }),
        services: service_nodes(&mut g, m),
        workload: workload_nodes(&mut g, m),
        objects: object_nodes(&mut g, m),
        externals: external_nodes(&mut g, m),
    };
    edges(&mut g, m, &nodes, entry, front.as_ref());
    g
}

/// The namespace box's label.
fn namespace_label(m: &Model) -> String {
    match &m.namespace_object {
        Some(ns) => format!(
            "Namespace {} (pod-security {})",
            m.namespace, ns.pod_security
        ),
        None => format!("Namespace {} (not created by gen)", m.namespace),
    }
}

/// How clients come in (the label of the edge from them); None when the client Service is
/// reachable only inside the cluster.
fn entry(m: &Model, has_front: bool) -> Option<String> {
    let s = &m.client_service;
    match (has_front, s.kind) {
        (true, _) => Some("HTTPS".to_string()),
        (false, ServiceType::LoadBalancer) if s.nlb_tls => {
            Some(format!("LoadBalancer :{} (TLS)", s.port))
        }
        (false, ServiceType::LoadBalancer) => Some(format!("LoadBalancer :{}", s.port)),
        (false, ServiceType::NodePort) => Some("NodePort".to_string()),
        (false, ServiceType::ClusterIP) => None,
    }
}

/// Every node of the diagram, by role (indices into [`Graph::nodes`]).
struct Nodes {
    /// Who connects from outside, when anyone can.
    clients: Option<usize>,
    /// The Route, Ingress or HTTPRoute in front of the client Service.
    front: Option<usize>,
    services: ServiceNodes,
    workload: WorkloadNodes,
    objects: ObjectNodes,
    externals: Vec<ExternalNode>,
}

struct ServiceNodes {
    client: usize,
    headless: Option<usize>,
    metrics: Option<usize>,
    /// The ServiceMonitor that scrapes the metrics Service.
    monitor: Option<usize>,
}

struct WorkloadNodes {
    /// The StatefulSet or Deployment.
    workload: usize,
    pods: usize,
}

/// The objects that act on the pods, and those the pods use.
struct ObjectNodes {
    hpa: Option<usize>,
    pdb: usize,
    netpol: Option<usize>,
    service_account: usize,
    /// The JAAS Secret gen renders.
    jaas: Option<usize>,
}

/// Something the bundle refers to but does not create.
struct ExternalNode {
    node: usize,
    /// The label of the edge to it.
    reference: String,
    /// Referred to by the object in front of the client Service, not by the pods.
    by_front: bool,
}

/// The client, headless and metrics Services, and the ServiceMonitor.
fn service_nodes(g: &mut Graph, m: &Model) -> ServiceNodes {
    let s = &m.client_service;
    let client = g.node(
        "svc_client",
        format!("Service/{}", s.name),
        vec![
            format!("Service {}", s.name),
            format!("{} {}->{}", service_type(s.kind), s.port, s.target_port),
        ],
        NodeShape::Service,
        true,
    );
    let headless = m.headless_service.as_ref().map(|h| {
        g.node(
            "svc_headless",
            format!("Service/{h}"),
            vec![
                format!("Service {h}"),
                format!(
                    "headless {}",
                    port_list(m.cluster_ports.iter().map(|p| p.port))
                ),
            ],
            NodeShape::Service,
            true,
        )
    });
    let metrics = m.metrics.as_ref().map(|x| {
        g.node(
            "svc_metrics",
            format!("Service/{}", x.service_name),
            vec![
                format!("Service {}", x.service_name),
                format!("ClusterIP {} {}", x.port, x.path),
            ],
            NodeShape::Service,
            true,
        )
    });
    let monitor = m.metrics.as_ref().filter(|x| x.service_monitor).map(|x| {
        g.node(
            "servicemonitor",
            format!("ServiceMonitor/{}", m.name),
            vec![
                format!("ServiceMonitor {}", m.name),
                format!("every {}", x.interval),
            ],
            NodeShape::Object,
            true,
        )
    });
    ServiceNodes {
        client,
        headless,
        metrics,
        monitor,
    }
}

/// The workload and its pods.
fn workload_nodes(g: &mut Graph, m: &Model) -> WorkloadNodes {
    let w = &m.workload;
    let mut workload_lines = vec![
        format!("{} {}", w.kind, w.name),
        format!("replicas {}", replicas(m)),
    ];
    match (m.cluster_members.len(), m.seed_count) {
        (0, _) => {}
        (n, Some(seeds)) => workload_lines.push(format!("members {n}, seeds {seeds}")),
        (n, None) => workload_lines.push(format!("members {n}")),
    }
    let workload = g.node(
        "workload",
        format!("{}/{}", w.kind, w.name),
        workload_lines,
        NodeShape::Workload,
        true,
    );
    let pod_names = match (w.kind.as_str(), m.cluster_members.len()) {
        ("StatefulSet", n) if n > 1 => format!("{0}-0 .. {0}-{1}", w.name, n - 1),
        ("StatefulSet", _) => format!("{}-0", w.name),
        _ => format!("{}-<hash>", w.name),
    };
    let pods = g.node(
        "pods",
        format!("Pods/{}", w.name),
        vec![
            "Pods".to_string(),
            pod_names,
            format!("ports {}", container_ports(m)),
            format!("cpu {}, memory {}", w.container.cpu, w.container.memory),
        ],
        NodeShape::Pods,
        true,
    );
    WorkloadNodes { workload, pods }
}

/// The HPA, PDB, NetworkPolicy, ServiceAccount and rendered JAAS Secret.
fn object_nodes(g: &mut Graph, m: &Model) -> ObjectNodes {
    let hpa = m.hpa.as_ref().map(|h| {
        g.node(
            "hpa",
            format!("HorizontalPodAutoscaler/{}", h.name),
            vec![
                format!("HorizontalPodAutoscaler {}", h.name),
                format!("min {}, max {}, cpu {}%", h.min, h.max, h.cpu_percent),
            ],
            NodeShape::Object,
            true,
        )
    });
    let pdb = g.node(
        "pdb",
        format!("PodDisruptionBudget/{}", m.pdb.name),
        std::iter::once(format!("PodDisruptionBudget {}", m.pdb.name))
            .chain(pdb_facts(m))
            .collect(),
        NodeShape::Object,
        true,
    );
    let netpol = m.network_policy.as_ref().map(|n| {
        let mut lines = vec![format!("NetworkPolicy {n}")];
        lines.extend(ingress(m));
        g.node(
            "netpol",
            format!("NetworkPolicy/{n}"),
            lines,
            NodeShape::Object,
            true,
        )
    });
    let service_account = g.node(
        "sa",
        format!("ServiceAccount/{}", m.service_account.name),
        vec![
            format!("ServiceAccount {}", m.service_account.name),
            "no API token".to_string(),
        ],
        NodeShape::Object,
        true,
    );
    let jaas = m.jaas_secret.as_ref().map(|j| {
        g.node(
            "jaas",
            format!("Secret/{}", j.name),
            vec![
                format!("Secret {}", j.name),
                format!("{} (rendered)", j.key),
            ],
            NodeShape::Object,
            true,
        )
    });
    ObjectNodes {
        hpa,
        pdb,
        netpol,
        service_account,
        jaas,
    }
}

/// What the bundle refers to but does not create, outside the namespace box: Secrets
/// (`ext1`, `ext2`, ...), the Gateway and the Kafka bootstrap servers.
fn external_nodes(g: &mut Graph, m: &Model) -> Vec<ExternalNode> {
    let mut secret_count = 0;
    externals(m)
        .into_iter()
        .map(|e| {
            let (shape, key, id, first) = if e.kind == "Kafka" {
                (
                    NodeShape::Kafka,
                    "kafka".to_string(),
                    "Kafka/bootstrap".to_string(),
                    "Kafka bootstrap (external)".to_string(),
                )
            } else if e.kind == "Gateway" {
                (
                    NodeShape::ExternalSecret,
                    "gateway".to_string(),
                    format!("Gateway/{}", e.name),
                    format!("Gateway {} (external)", e.name),
                )
            } else {
                secret_count += 1;
                (
                    NodeShape::ExternalSecret,
                    format!("ext{secret_count}"),
                    format!("Secret/{}", e.name),
                    format!("Secret {}", e.name),
                )
            };
            let lines = std::iter::once(first).chain(e.lines).collect();
            ExternalNode {
                node: g.node(&key, id, lines, shape, false),
                reference: e.reference,
                by_front: e.by_front,
            }
        })
        .collect()
}

/// The references, in the order the diagram lists them: traffic first, then the
/// controllers, then what the pods read.
fn edges(g: &mut Graph, m: &Model, n: &Nodes, entry: Option<String>, front: Option<&Front>) {
    let (s, w, o) = (&n.services, &n.workload, &n.objects);
    let client = &m.client_service;
    if let (Some(c), Some(label)) = (n.clients, entry) {
        g.edge(c, n.front.unwrap_or(s.client), label);
    }
    if let (Some(r), Some(f)) = (n.front, front) {
        g.edge(r, s.client, f.to.clone());
    }
    g.edge(
        s.client,
        w.pods,
        format!("selector :{}->{}", client.port, client.target_port),
    );
    if let Some(h) = s.headless {
        g.edge(h, w.pods, "selector, member DNS");
    }
    if let Some(x) = s.monitor
        && let Some(ms) = s.metrics
    {
        g.edge(x, ms, "selector");
    }
    if let Some(ms) = s.metrics {
        g.edge(
            ms,
            w.pods,
            format!("selector :{}", m.metrics.as_ref().map_or(0, |x| x.port)),
        );
    }
    if let Some(h) = o.hpa {
        g.edge(h, w.workload, "scaleTargetRef");
    }
    if let Some(h) = s.headless
        && m.workload.service_name.is_some()
    {
        g.edge(w.workload, h, "serviceName");
    }
    g.edge(w.workload, w.pods, "pod template");
    g.edge(o.pdb, w.pods, "selector");
    if let Some(netpol) = o.netpol {
        g.edge(netpol, w.pods, "podSelector");
    }
    g.edge(w.pods, o.service_account, "serviceAccountName");
    if let Some(j) = o.jaas {
        g.edge(w.pods, j, "volume jaas");
    }
    for e in &n.externals {
        let from = match e.by_front {
            true => n.front.unwrap_or(w.pods),
            false => w.pods,
        };
        g.edge(from, e.node, e.reference.clone());
    }
}

/// A Mermaid flowchart. Node ids are fixed role names (safe characters only); every label is
/// quoted, with `"`, `#`, `<` and `>` written as Mermaid entity codes.
pub fn mermaid(model: &Model) -> String {
    let g = graph(model);
    let label = |lines: &[String]| {
        lines
            .iter()
            .map(|l| mermaid_escape(l))
            .collect::<Vec<_>>()
            .join("<br/>")
    };
    let node = |n: &DiagramNode| {
        let l = label(&n.lines);
        let (open, close) = match n.shape {
            NodeShape::Clients => ("((", "))"),
            NodeShape::Service => ("([", "])"),
            NodeShape::Workload => ("[", "]"),
            NodeShape::Pods => ("[[", "]]"),
            NodeShape::Object => ("(", ")"),
            NodeShape::ExternalSecret => ("[/", "/]"),
            NodeShape::Kafka => ("[(", ")]"),
        };
        format!("{}{open}\"{l}\"{close}", n.key)
    };
    let mut out = String::new();
    out.push_str("flowchart LR\n");
    let _ = writeln!(out, "  %% gen describe: {}", mermaid_comment(&g.title));
    let _ = writeln!(
        out,
        "  subgraph ns[\"{}\"]",
        mermaid_escape(&g.namespace_label)
    );
    for n in g.nodes.iter().filter(|n| n.namespaced) {
        let _ = writeln!(out, "    {}", node(n));
    }
    out.push_str("  end\n");
    for n in g.nodes.iter().filter(|n| !n.namespaced) {
        let _ = writeln!(out, "  {}", node(n));
    }
    for e in &g.edges {
        let arrow = if e.external { "-.->" } else { "-->" };
        let _ = writeln!(
            out,
            "  {} {arrow}|\"{}\"| {}",
            g.nodes[e.from].key,
            mermaid_escape(&e.label),
            g.nodes[e.to].key
        );
    }
    let external: Vec<&str> = g
        .nodes
        .iter()
        .filter(|n| matches!(n.shape, NodeShape::ExternalSecret | NodeShape::Kafka))
        .map(|n| n.key.as_str())
        .collect();
    if !external.is_empty() {
        out.push_str("  classDef external stroke-dasharray: 5 5\n");
        let _ = writeln!(out, "  class {} external", external.join(","));
    }
    out
}

/// Text inside a quoted Mermaid label: characters that end the string or start markup become
/// entity codes (`#quot;`, `#35;`, `#lt;`, `#gt;`); line breaks become spaces.
fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A Mermaid `%%` comment ends at the line's end: keep it on one line.
fn mermaid_comment(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// A graphviz digraph. Every id is a quoted DOT string with `\` and `"` escaped; labels are
/// DOT strings whose lines are joined with `\n`.
pub fn dot(model: &Model) -> String {
    let g = graph(model);
    let label = |lines: &[String]| {
        lines
            .iter()
            .map(|l| dot_escape(l))
            .collect::<Vec<_>>()
            .join("\\n")
    };
    let node = |n: &DiagramNode| {
        let attrs = match n.shape {
            NodeShape::Clients => "shape=oval, fillcolor=\"#ffffff\"",
            NodeShape::Service => "fillcolor=\"#dbeafe\"",
            NodeShape::Workload => "fillcolor=\"#dcfce7\"",
            NodeShape::Pods => "shape=box3d, style=filled, fillcolor=\"#bbf7d0\"",
            NodeShape::Object => "fillcolor=\"#f3f4f6\"",
            NodeShape::ExternalSecret => {
                "shape=note, style=\"dashed,filled\", fillcolor=\"#fef9c3\""
            }
            NodeShape::Kafka => "shape=cylinder, style=\"dashed,filled\", fillcolor=\"#fef9c3\"",
        };
        format!(
            "\"{}\" [label=\"{}\", {attrs}];",
            dot_escape(&n.id),
            label(&n.lines)
        )
    };
    let mut out = String::new();
    let _ = writeln!(out, "// gen describe: {}", mermaid_comment(&g.title));
    let _ = writeln!(out, "digraph \"{}\" {{", dot_escape(&model.name));
    out.push_str(
        "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, nodesep=0.35, ranksep=0.7];\n",
    );
    out.push_str("  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10, margin=\"0.15,0.06\"];\n");
    out.push_str(
        "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#4b5563\", fontcolor=\"#374151\"];\n",
    );
    for n in g
        .nodes
        .iter()
        .filter(|n| !n.namespaced && n.shape == NodeShape::Clients)
    {
        let _ = writeln!(out, "  {}", node(n));
    }
    out.push_str("  subgraph \"cluster_namespace\" {\n");
    let _ = writeln!(out, "    label=\"{}\";", dot_escape(&g.namespace_label));
    out.push_str("    style=\"rounded,dashed\";\n    color=\"#6b7280\";\n    labelloc=b;\n    labeljust=l;\n");
    for n in g.nodes.iter().filter(|n| n.namespaced) {
        let _ = writeln!(out, "    {}", node(n));
    }
    out.push_str("  }\n");
    for n in g
        .nodes
        .iter()
        .filter(|n| !n.namespaced && n.shape != NodeShape::Clients)
    {
        let _ = writeln!(out, "  {}", node(n));
    }
    for e in &g.edges {
        let style = if e.external { ", style=dashed" } else { "" };
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [label=\"{}\"{style}];",
            dot_escape(&g.nodes[e.from].id),
            dot_escape(&g.nodes[e.to].id),
            dot_escape(&e.label)
        );
    }
    out.push_str("}\n");
    out
}

/// The inside of a DOT double-quoted string: `\` and `"` escaped, line breaks as `\n`.
fn dot_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_lists_collapse_runs() {
        assert_eq!(
            port_list([8800, 8801, 8802, 8803, 8804, 9900]),
            "8800-8804,9900"
        );
        assert_eq!(port_list([80]), "80");
        assert_eq!(port_list([]), "");
        assert_eq!(port_list([65535, 1]), "65535,1");
    }

    #[test]
    fn escaping() {
        assert_eq!(dot_escape(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(dot_escape("x\ny"), "x\\ny");
        assert_eq!(
            mermaid_escape(r#"a"b<c>#d|e"#),
            "a#quot;b#lt;c#gt;#35;d#124;e"
        );
    }
}
