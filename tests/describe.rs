//! `gen describe`: the table and both diagrams, through the library API (no CLI wiring
//! needed). The DOT output is rendered with graphviz when `dot` is installed.

mod common;

use std::process::{Command, Stdio};

use gen_core::describe::{self, Diagram};
use gen_core::model::{self, Model, ResolveOptions};
use gen_core::render::{self, Document};
use gen_core::spec::Platform;

const EXAMPLES: [&str; 5] = [
    "aks-eventhubs-guide.yaml",
    "aks-native-guide.yaml",
    "kafka-strimzi.yaml",
    "native-full.yaml",
    "native.yaml",
];

/// Parses, resolves and renders one example, optionally on another platform.
fn bundle(example: &str, platform: Option<Platform>) -> (Model, Vec<Document>) {
    let text = std::fs::read_to_string(format!("examples/{example}")).expect("example exists");
    let spec = gen_core::spec::parse(&text).expect("example parses");
    let opts = ResolveOptions {
        platform,
        base_dir: "examples".into(),
        max_file_bytes: 1 << 20,
        ..Default::default()
    };
    let model = match model::resolve(&spec, &opts).model {
        Ok(m) => m,
        Err(e) => panic!("{example}: {e:?}"),
    };
    let documents = render::render(&model).expect("example renders");
    (model, documents)
}

/// The DETAILS of the table row whose KIND and NAME columns are `kind` and `name`.
fn row<'a>(table: &'a str, kind: &str, name: &str) -> &'a str {
    table
        .lines()
        .find_map(|l| {
            let rest = l.strip_prefix(kind)?;
            let rest = rest.strip_prefix(' ')?.trim_start();
            let rest = rest.strip_prefix(name)?;
            (rest.is_empty() || rest.starts_with(' ')).then(|| rest.trim())
        })
        .unwrap_or_else(|| panic!("no row `{kind} {name}` in\n{table}"))
}

/// Edges of a DOT graph as (from, to, label, dashed).
fn dot_edges(dot: &str) -> Vec<(String, String, String, bool)> {
    dot.lines()
        .filter_map(|l| {
            let l = l.trim();
            let (from, rest) = l.strip_prefix('"')?.split_once("\" -> \"")?;
            let (to, attrs) = rest.split_once("\" [label=\"")?;
            let (label, rest) = attrs.split_once('"')?;
            Some((
                from.to_string(),
                to.to_string(),
                label.to_string(),
                rest.contains("style=dashed"),
            ))
        })
        .collect()
}

/// Edges of a Mermaid flowchart as (from, to, label, dotted).
fn mermaid_edges(mermaid: &str) -> Vec<(String, String, String, bool)> {
    mermaid
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let (from, rest) = l.split_once(' ')?;
            let (dotted, rest) = if let Some(r) = rest.strip_prefix("-.->|\"") {
                (true, r)
            } else {
                (false, rest.strip_prefix("-->|\"")?)
            };
            let (label, to) = rest.split_once("\"| ")?;
            Some((from.to_string(), to.to_string(), label.to_string(), dotted))
        })
        .collect()
}

fn has_edge(edges: &[(String, String, String, bool)], from: &str, to: &str, label: &str) -> bool {
    edges
        .iter()
        .any(|(f, t, l, _)| f == from && t == to && l == label)
}

#[test]
fn native_guide_table_shows_the_guides_six_objects_with_their_numbers() {
    let (m, docs) = bundle("aks-native-guide.yaml", None);
    let table = describe::table(&m, &docs);
    assert!(table.starts_with("KIND "), "{table}");
    assert_eq!(
        row(&table, "Namespace", "migratory"),
        "pod-security restricted (enforced), GitOps prune/delete off"
    );
    assert_eq!(
        row(&table, "Service", "migratorydata-cs"),
        "LoadBalancer, port 80->8800/TCP"
    );
    assert_eq!(
        row(&table, "Service", "migratorydata-hs"),
        "headless (clusterIP None), ports 8801-8804/TCP, publishNotReadyAddresses"
    );
    assert_eq!(
        row(&table, "StatefulSet", "migratorydata"),
        "replicas 3-5 (HPA), members 5, seeds 3, ports 8800,8801-8804, cpu 500m, memory 1Gi, serviceName migratorydata-hs, drain 30s + stop 30s = grace 60s, minReadySeconds 30, startup up to 300s, ephemeral 2Gi, anti-affinity preferred"
    );
    assert_eq!(
        row(&table, "PodDisruptionBudget", "migratorydata-pdb"),
        "minAvailable 3 (seedCount), blocks node drains at 3 members"
    );
    assert_eq!(
        row(&table, "HorizontalPodAutoscaler", "migratorydata-autoscale"),
        "StatefulSet/migratorydata, min 3, max 5, cpu 50%, down 1 pod/180s after 300s, up 2 pods/30s after 0s"
    );
    assert_eq!(
        row(&table, "NetworkPolicy", "migratorydata"),
        "ingress 8800 from anywhere; 8801-8804 from members, egress open"
    );
    assert_eq!(
        row(&table, "ServiceAccount", "migratorydata"),
        "no API token mounted"
    );
    // A native bundle refers to nothing it does not create.
    assert!(!table.contains("EXTERNAL"), "{table}");
    assert!(!table.contains("Kafka"), "{table}");

    let full = describe::describe(&m, &docs, None);
    assert!(
        full.starts_with(
            "migratorydata: native clustering on aks, namespace migratory; 8 objects, 0 external references\n\nKIND "
        ),
        "{full}"
    );
}

#[test]
fn native_guide_diagram_links_the_objects() {
    let (m, _) = bundle("aks-native-guide.yaml", None);
    let dot = describe::dot(&m);
    let e = dot_edges(&dot);
    for (from, to, label) in [
        ("clients", "Service/migratorydata-cs", "LoadBalancer :80"),
        (
            "Service/migratorydata-cs",
            "Pods/migratorydata",
            "selector :80->8800",
        ),
        (
            "Service/migratorydata-hs",
            "Pods/migratorydata",
            "selector, member DNS",
        ),
        (
            "StatefulSet/migratorydata",
            "Service/migratorydata-hs",
            "serviceName",
        ),
        (
            "StatefulSet/migratorydata",
            "Pods/migratorydata",
            "pod template",
        ),
        (
            "HorizontalPodAutoscaler/migratorydata-autoscale",
            "StatefulSet/migratorydata",
            "scaleTargetRef",
        ),
        (
            "PodDisruptionBudget/migratorydata-pdb",
            "Pods/migratorydata",
            "selector",
        ),
        (
            "NetworkPolicy/migratorydata",
            "Pods/migratorydata",
            "podSelector",
        ),
        (
            "Pods/migratorydata",
            "ServiceAccount/migratorydata",
            "serviceAccountName",
        ),
    ] {
        assert!(
            has_edge(&e, from, to, label),
            "{from} -> {to} [{label}]\n{dot}"
        );
    }
    assert_eq!(e.len(), 9, "{dot}");
    assert!(e.iter().all(|x| !x.3), "nothing external: {dot}");
    assert!(dot.contains("\"StatefulSet/migratorydata\" [label=\"StatefulSet migratorydata\\nreplicas 3-5 (HPA)\\nmembers 5, seeds 3\""), "{dot}");
    assert!(
        dot.contains(
            "\"Pods/migratorydata\" [label=\"Pods\\nmigratorydata-0 .. migratorydata-4\\n"
        ),
        "{dot}"
    );
    assert!(dot.contains("label=\"Namespace migratory (pod-security restricted)\";"));

    let mmd = describe::mermaid(&m);
    assert!(mmd.starts_with("flowchart LR\n"), "{mmd}");
    let me = mermaid_edges(&mmd);
    for (from, to, label) in [
        ("clients", "svc_client", "LoadBalancer :80"),
        ("svc_client", "pods", "selector :80-#gt;8800"),
        ("svc_headless", "pods", "selector, member DNS"),
        ("workload", "svc_headless", "serviceName"),
        ("hpa", "workload", "scaleTargetRef"),
        ("pdb", "pods", "selector"),
        ("netpol", "pods", "podSelector"),
        ("pods", "sa", "serviceAccountName"),
    ] {
        assert!(
            has_edge(&me, from, to, label),
            "{from} -> {to} [{label}]\n{mmd}"
        );
    }
    assert!(
        mmd.contains("    hpa(\"HorizontalPodAutoscaler migratorydata-autoscale<br/>min 3, max 5, cpu 50%\")\n"),
        "{mmd}"
    );
}

#[test]
fn event_hubs_bundle_shows_the_deployment_the_external_jaas_secret_and_kafka() {
    let (m, docs) = bundle("aks-eventhubs-guide.yaml", None);
    let table = describe::table(&m, &docs);
    assert_eq!(
        row(&table, "Deployment", "migratorydata"),
        "replicas 3, kafka backplane, topics vehicles, ports 8800, cpu 500m, memory 1Gi, rolling maxSurge 1 maxUnavailable 0, drain 30s + stop 30s = grace 60s, minReadySeconds 30, startup up to 300s, ephemeral 2Gi, anti-affinity preferred"
    );
    assert_eq!(
        row(&table, "PodDisruptionBudget", "migratorydata-pdb"),
        "maxUnavailable 1"
    );
    assert!(
        !table.contains("migratorydata-hs"),
        "no headless Service: {table}"
    );
    assert!(!table.contains("StatefulSet"), "{table}");
    // Below the objects: what must exist already.
    let (objects, external) = table
        .split_once("\n\nEXTERNAL ")
        .expect("an EXTERNAL section");
    assert!(
        !objects.contains("migratory-secret"),
        "gen does not render it: {objects}"
    );
    let external = format!("EXTERNAL {external}");
    assert_eq!(
        row(&external, "Secret", "migratory-secret"),
        "must exist: key jaas.config (Kafka JAAS login at /migratorydata/secrets)"
    );
    assert_eq!(
        row(
            &external,
            "Kafka",
            "evhns-migratorydata.servicebus.windows.net:9093"
        ),
        "bootstrap servers, SASL_SSL PLAIN, topics vehicles"
    );

    let dot = describe::dot(&m);
    let e = dot_edges(&dot);
    assert!(e.contains(&(
        "Pods/migratorydata".into(),
        "Secret/migratory-secret".into(),
        "volume jaas".into(),
        true
    )));
    assert!(e.contains(&(
        "Pods/migratorydata".into(),
        "Kafka/bootstrap".into(),
        "bootstrap.servers".into(),
        true
    )));
    assert!(has_edge(
        &e,
        "Deployment/migratorydata",
        "Pods/migratorydata",
        "pod template"
    ));
    assert!(!dot.contains("serviceName"), "{dot}");
    assert!(
        dot.contains("\"Kafka/bootstrap\" [label=\"Kafka bootstrap (external)\\nevhns-migratorydata.servicebus.windows.net:9093\\nSASL_SSL PLAIN, topics vehicles\", shape=cylinder"),
        "{dot}"
    );

    let me = mermaid_edges(&describe::mermaid(&m));
    assert!(me.contains(&("pods".into(), "ext1".into(), "volume jaas".into(), true)));
    assert!(me.contains(&(
        "pods".into(),
        "kafka".into(),
        "bootstrap.servers".into(),
        true
    )));
}

#[test]
fn strimzi_bundle_on_openshift_shows_route_rendered_jaas_truststore_and_license() {
    let (m, docs) = bundle("kafka-strimzi.yaml", None);
    let table = describe::table(&m, &docs);
    assert_eq!(
        row(&table, "Route", "md-kafka"),
        "edge TLS, http Redirect, to md-kafka-cs:client-port"
    );
    assert_eq!(
        row(&table, "Service", "md-kafka-cs"),
        "ClusterIP, port 80->8800/TCP, exposed by Route md-kafka"
    );
    assert_eq!(
        row(&table, "Secret", "md-kafka-jaas"),
        "key jaas.config from jaas.file, mounted at /migratorydata/secrets, checksum rolls the pods"
    );
    assert_eq!(
        row(&table, "HorizontalPodAutoscaler", "md-kafka-autoscale"),
        "Deployment/md-kafka, min 2, max 6, cpu 70%, down 1 pod/300s after 600s, up 2 pods/30s after 0s"
    );
    assert_eq!(
        row(&table, "ServiceMonitor", "md-kafka"),
        "md-kafka-metrics:metrics /metrics, every 15s"
    );
    assert_eq!(
        row(&table, "NetworkPolicy", "md-kafka"),
        "ingress 8800 from anywhere; 9900 from ns openshift-monitoring, egress only 53 (DNS); 9093 (Kafka)"
    );
    assert!(row(&table, "Deployment", "md-kafka").starts_with(
        "replicas 2-6 (HPA), kafka backplane, topics vehicles,alerts, ports 8800,9900,"
    ));
    assert_eq!(
        row(&table, "Secret", "my-cluster-cluster-ca-cert"),
        "must exist: key ca.p12 (Kafka truststore at /migratorydata/truststore), key ca.password (truststore password)"
    );
    assert_eq!(
        row(&table, "Secret", "migratorydata-license"),
        "must exist: key license (LicenseKey)"
    );
    assert_eq!(
        row(&table, "Kafka", "my-cluster-kafka-bootstrap.kafka.svc:9093"),
        "bootstrap servers, SASL_SSL SCRAM-SHA-512, topics vehicles,alerts"
    );

    let e = dot_edges(&describe::dot(&m));
    assert!(has_edge(&e, "clients", "Route/md-kafka", "HTTPS"));
    assert!(has_edge(
        &e,
        "Route/md-kafka",
        "Service/md-kafka-cs",
        "to :client-port"
    ));
    assert!(has_edge(
        &e,
        "ServiceMonitor/md-kafka",
        "Service/md-kafka-metrics",
        "selector"
    ));
    assert!(has_edge(
        &e,
        "Service/md-kafka-metrics",
        "Pods/md-kafka",
        "selector :9900"
    ));
    // The rendered Secret is part of the bundle (solid); the others are references (dashed).
    assert!(e.contains(&(
        "Pods/md-kafka".into(),
        "Secret/md-kafka-jaas".into(),
        "volume jaas".into(),
        false
    )));
    assert!(e.contains(&(
        "Pods/md-kafka".into(),
        "Secret/my-cluster-cluster-ca-cert".into(),
        "volume truststore, secretKeyRef ca.password".into(),
        true
    )));
    assert!(e.contains(&(
        "Pods/md-kafka".into(),
        "Secret/migratorydata-license".into(),
        "secretKeyRef license".into(),
        true
    )));
}

#[test]
fn describe_never_shows_secret_data() {
    let (m, docs) = bundle("kafka-strimzi.yaml", None);
    let jaas = m.jaas_secret.as_ref().expect("jaas.file renders a Secret");
    let raw = std::fs::read_to_string("examples/jaas.config").unwrap();
    let outputs = [
        describe::describe(&m, &docs, None),
        describe::mermaid(&m),
        describe::dot(&m),
    ];
    for out in &outputs {
        assert!(!out.contains(&jaas.data.0), "base64 data leaked");
        for line in raw
            .lines()
            .filter(|l| l.contains("password") || l.contains("username"))
        {
            assert!(!out.contains(line.trim()), "JAAS content leaked");
        }
    }
}

#[test]
fn openshift_and_eks_change_the_exposure() {
    let (m, docs) = bundle("aks-native-guide.yaml", Some(Platform::Openshift));
    let table = describe::table(&m, &docs);
    assert_eq!(
        row(&table, "Service", "migratorydata-cs"),
        "ClusterIP, port 80->8800/TCP, exposed by Route migratorydata"
    );
    assert!(row(&table, "Route", "migratorydata").starts_with("edge TLS"));
    let e = dot_edges(&describe::dot(&m));
    assert!(has_edge(&e, "clients", "Route/migratorydata", "HTTPS"));

    let (m, docs) = bundle("native-full.yaml", None);
    let table = describe::table(&m, &docs);
    assert_eq!(
        row(&table, "Service", "md-prod-cs"),
        "LoadBalancer, port 443->8800/TCP, deregistration delay 45s"
    );
    assert_eq!(
        row(&table, "StatefulSet", "md-prod"),
        "replicas 5, members 5, seeds 3, ports 8800,8801-8804,9900, cpu 2, memory 4Gi, serviceName md-prod-hs, drain 45s + stop 60s = grace 105s, minReadySeconds 60, startup up to 180s, ephemeral 4Gi, anti-affinity required, zone spread DoNotSchedule"
    );
    assert_eq!(
        row(&table, "PodDisruptionBudget", "md-prod-pdb"),
        "minAvailable 3 (seedCount)"
    );
    assert_eq!(
        row(&table, "Secret", "regcred"),
        "must exist: image pull credentials"
    );
    assert_eq!(
        row(&table, "Secret", "migratorydata-cluster"),
        "must exist: key password (ClusterPassword)"
    );
    let e = dot_edges(&describe::dot(&m));
    assert!(e.contains(&(
        "Pods/md-prod".into(),
        "Secret/regcred".into(),
        "imagePullSecrets".into(),
        true
    )));
}

#[test]
fn every_example_on_every_platform_is_listed_whole_aligned_and_deterministic() {
    for example in EXAMPLES {
        for platform in Platform::ALL {
            let what = format!("{example} on {}", platform.as_str());
            let (m, docs) = bundle(example, Some(platform));
            let table = describe::table(&m, &docs);
            assert_eq!(table, describe::table(&m, &docs), "{what}");
            assert_eq!(describe::dot(&m), describe::dot(&m), "{what}");
            assert_eq!(describe::mermaid(&m), describe::mermaid(&m), "{what}");
            // A fresh resolve gives the same bytes too.
            let (m2, docs2) = bundle(example, Some(platform));
            assert_eq!(
                describe::describe(&m, &docs, Some(Diagram::Dot)),
                describe::describe(&m2, &docs2, Some(Diagram::Dot))
            );
            assert_eq!(table, describe::table(&m2, &docs2), "{what}");

            // One row per document, in apply order, before any EXTERNAL section.
            let objects = table.split("\n\n").next().unwrap();
            let lines: Vec<&str> = objects.lines().collect();
            assert_eq!(lines.len(), docs.len() + 1, "{what}:\n{table}");
            for (line, d) in lines[1..].iter().zip(&docs) {
                let mut cols = line.split_whitespace();
                assert_eq!(cols.next(), Some(d.kind), "{what}: {line}");
                assert_eq!(cols.next(), Some(d.name.as_str()), "{what}: {line}");
                assert!(cols.next().is_some(), "{what}: {line} has details");
            }
            // Columns line up under their headers; plain text, no trailing blanks.
            for section in table.split("\n\n") {
                let header = section.lines().next().unwrap();
                let name_at = header.find("NAME").unwrap();
                let details_at = header.find("DETAILS").unwrap();
                for line in section.lines().skip(1) {
                    assert_eq!(&line[name_at - 3..name_at], "   ", "{what}: {line}");
                    assert_ne!(&line[name_at..name_at + 1], " ", "{what}: {line}");
                    assert_eq!(&line[details_at - 3..details_at], "   ", "{what}: {line}");
                }
            }
            assert!(table.lines().all(|l| l == l.trim_end()), "{what}");
            assert!(!table.contains('\x1b'), "{what}: no colour");
            assert!(table.ends_with('\n') && !table.ends_with("\n\n"), "{what}");

            // Both notations draw the same edges.
            let d: Vec<(String, bool)> = dot_edges(&describe::dot(&m))
                .into_iter()
                .map(|e| (e.2, e.3))
                .collect();
            let mm: Vec<(String, bool)> = mermaid_edges(&describe::mermaid(&m))
                .into_iter()
                .map(|e| (e.2.replace("-#gt;", "->"), e.3))
                .collect();
            assert_eq!(d, mm, "{what}");
            assert!(d.len() >= 6, "{what}");
        }
    }
}

#[test]
fn mermaid_ids_are_safe_and_labels_quoted_even_for_odd_names() {
    let (mut m, _) = bundle("kafka-strimzi.yaml", None);
    let odd = "a\"b\\c<d>#e|f`g\nh";
    m.client_service.name = odd.to_string();
    m.workload.name = odd.to_string();
    m.namespace = odd.to_string();
    let mmd = describe::mermaid(&m);
    for line in mmd.lines().map(str::trim) {
        if line.starts_with("%%") || line.starts_with("class") || line == "end" {
            continue;
        }
        let id: String = line
            .trim_start_matches("subgraph ")
            .chars()
            .take_while(|c| !"[(/ ".contains(*c))
            .collect();
        assert!(
            !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "id `{id}` in {line}"
        );
        // Every label is one quoted string: exactly two quotes per label, none inside.
        assert_eq!(line.matches('"').count() % 2, 0, "{line}");
        for (i, part) in line.split('"').enumerate() {
            if i % 2 == 1 {
                let text = part.replace("<br/>", "");
                assert!(!text.contains(['<', '>', '|', '`', '\n']), "{line}");
            }
        }
    }
    assert!(
        mmd.contains("a#quot;b\\c#lt;d#gt;#35;e#124;f#96;g h"),
        "{mmd}"
    );
    assert_eq!(
        mmd.lines().filter(|l| l.trim() == "end").count(),
        1,
        "{mmd}"
    );

    let dot = describe::dot(&m);
    assert!(
        dot.contains("\"Service/a\\\"b\\\\c<d>#e|f`g\\nh\""),
        "{dot}"
    );
    assert!(dot.lines().all(|l| !l.ends_with('\\')), "{dot}");
    if let Some(png) = dot_to_png(&dot, "odd-names") {
        assert!(png.len() > 1000);
    }
}

/// Renders DOT with graphviz; None (with a note) when `dot` is not installed. Fails on any
/// graphviz error or warning.
fn dot_to_png(dot: &str, name: &str) -> Option<Vec<u8>> {
    if !common::tool("dot", &["-V"]) {
        eprintln!("note: skipping the DOT -> PNG check for {name} (apt-get install -y graphviz)");
        return None;
    }
    let path =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("describe-{name}.png"));
    let mut child = Command::new("dot")
        .args(["-Tpng", "-o"])
        .arg(&path)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dot runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "dot failed for {name}: {stderr}\n{dot}"
    );
    assert!(stderr.trim().is_empty(), "dot warned for {name}: {stderr}");
    let png = std::fs::read(&path).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}: not a PNG");
    Some(png)
}

#[test]
fn dot_renders_to_png_with_graphviz() {
    for example in EXAMPLES {
        for platform in Platform::ALL {
            let (m, _) = bundle(example, Some(platform));
            let name = format!(
                "{}-{}",
                example.trim_end_matches(".yaml"),
                platform.as_str()
            );
            let dot = describe::render_diagram(&m, Diagram::Dot);
            match dot_to_png(&dot, &name) {
                Some(png) => assert!(png.len() > 10_000, "{name}: a real picture"),
                None => return,
            }
        }
    }
}
