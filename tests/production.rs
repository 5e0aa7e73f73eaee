//! Production defaults through the built binary: graceful shutdown, rollouts, HPA behaviour,
//! ephemeral storage, scheduling, egress, GitOps lifecycle, TLS and exposure on each platform,
//! the combinations a platform cannot serve, and the lint rule on shutdown timing.

mod common;

use common::{Bundle, Run, examples, run, run_with_stdin};
use serde_json::Value;

const PLATFORMS: [&str; 3] = ["aks", "eks", "openshift"];

fn kind<'a>(b: &'a Bundle, kind: &str) -> Option<&'a Value> {
    b.docs.iter().find(|d| d["kind"] == kind)
}

fn workload(b: &Bundle) -> &Value {
    kind(b, "StatefulSet")
        .or_else(|| kind(b, "Deployment"))
        .expect("a workload")
}

fn client_service(b: &Bundle) -> &Value {
    b.docs
        .iter()
        .find(|d| {
            d["kind"] == "Service"
                && d["metadata"]["name"]
                    .as_str()
                    .is_some_and(|n| n.ends_with("-cs"))
        })
        .expect("a client Service")
}

fn u64_at(v: &Value, what: &str) -> u64 {
    v.as_u64()
        .unwrap_or_else(|| panic!("{what}: not a number: {v}"))
}

/// `deregistration_delay.timeout_seconds` from the client Service's annotation.
fn deregistration_delay(svc: &Value) -> Option<u64> {
    svc["metadata"]["annotations"]
        ["service.beta.kubernetes.io/aws-load-balancer-target-group-attributes"]
        .as_str()?
        .split(',')
        .find_map(|a| a.strip_prefix("deregistration_delay.timeout_seconds="))
        .map(|v| v.parse().expect("a number"))
}

/// The numbers that must agree, on any bundle.
fn check_numbers(b: &Bundle, platform: &str, what: &str) {
    let w = workload(b);
    let pod = &w["spec"]["template"]["spec"];
    let grace = u64_at(&pod["terminationGracePeriodSeconds"], what);
    let c = &pod["containers"][0];
    let drain = u64_at(&c["lifecycle"]["preStop"]["sleep"]["seconds"], what);
    assert!(drain >= 1, "{what}: drain {drain}");
    assert!(
        grace > drain,
        "{what}: grace {grace} must outlast the preStop sleep {drain}"
    );
    // The server gets at least its own stop time after the drain.
    assert!(grace - drain >= 1, "{what}");
    // Startup probe on the client port, long enough for a JVM, and no initial delays left.
    let startup = &c["startupProbe"];
    assert_eq!(startup["tcpSocket"]["port"], "client-port", "{what}");
    let window =
        u64_at(&startup["periodSeconds"], what) * u64_at(&startup["failureThreshold"], what);
    assert!(window >= 60, "{what}: the JVM gets {window} s to start");
    for probe in ["readinessProbe", "livenessProbe"] {
        assert!(c[probe].is_object(), "{what}: {probe}");
        assert!(
            c[probe]["initialDelaySeconds"].is_null(),
            "{what}: the startup probe gates {probe}"
        );
    }
    assert_ne!(
        c["readinessProbe"], c["livenessProbe"],
        "{what}: tuned separately"
    );
    assert!(u64_at(&w["spec"]["minReadySeconds"], what) > 0, "{what}");
    // Every emptyDir has a sizeLimit; the container requests and limits ephemeral storage.
    let volumes = pod["volumes"].as_array().expect("volumes");
    let empty: Vec<&Value> = volumes
        .iter()
        .filter(|v| v.get("emptyDir").is_some())
        .collect();
    assert!(!empty.is_empty(), "{what}");
    for v in empty {
        assert!(v["emptyDir"]["sizeLimit"].is_string(), "{what}: {v}");
    }
    for side in ["requests", "limits"] {
        assert!(
            c["resources"][side]["ephemeral-storage"].is_string(),
            "{what}: {side}"
        );
    }
    // HPA behaviour: scale down one step at a time after a window, up faster.
    if let Some(h) = kind(b, "HorizontalPodAutoscaler") {
        let down = &h["spec"]["behavior"]["scaleDown"];
        let up = &h["spec"]["behavior"]["scaleUp"];
        assert!(
            u64_at(&down["stabilizationWindowSeconds"], what) > 0,
            "{what}"
        );
        assert_eq!(down["policies"][0]["type"], "Pods", "{what}");
        assert_eq!(u64_at(&down["policies"][0]["value"], what), 1, "{what}");
        let down_rate = u64_at(&down["policies"][0]["periodSeconds"], what);
        let up_rate = u64_at(&up["policies"][0]["periodSeconds"], what)
            / u64_at(&up["policies"][0]["value"], what);
        assert!(
            up_rate < down_rate,
            "{what}: scale-up is faster than scale-down"
        );
    }
    // GitOps: pruning the app never deletes the namespace.
    if let Some(ns) = kind(b, "Namespace") {
        let a = &ns["metadata"]["annotations"];
        assert_eq!(
            a["argocd.argoproj.io/sync-options"], "Prune=false,Delete=false",
            "{what}"
        );
        assert_eq!(a["kustomize.toolkit.fluxcd.io/prune"], "disabled", "{what}");
        let gate = &ns["metadata"]["labels"]["elbv2.k8s.aws/pod-readiness-gate-inject"];
        if platform == "eks" {
            assert_eq!(gate, "enabled", "{what}");
        } else {
            assert!(gate.is_null(), "{what}: only eks has the readiness gate");
        }
    }
    // EKS: the NLB's deregistration delay is the drain, below the grace period.
    let svc = client_service(b);
    match (platform, svc["spec"]["type"].as_str()) {
        ("eks", Some("LoadBalancer")) => {
            assert_eq!(deregistration_delay(svc), Some(drain), "{what}");
            assert!(drain < grace, "{what}");
        }
        _ => assert_eq!(deregistration_delay(svc), None, "{what}"),
    }
}

#[test]
fn every_example_on_every_platform_has_consistent_shutdown_rollout_and_storage_numbers() {
    for example in examples() {
        for platform in PLATFORMS {
            let out = run(&["render", &example, "--platform", platform]);
            assert_eq!(out.code, 0, "{example} on {platform}: {}", out.stderr);
            check_numbers(
                &Bundle::parse(&out.stdout),
                platform,
                &format!("{example} on {platform}"),
            );
        }
    }
}

const BASE: &str = "name: md\nnamespace: rt\nreplicas: 4\nseedCount: 3\n";

fn render(platform: &str, extra: &str) -> Run {
    let spec = format!("{BASE}platform: {platform}\n{extra}");
    run_with_stdin(&["render", "-"], Some(spec.as_bytes()))
}

fn bundle(platform: &str, extra: &str) -> Bundle {
    let out = render(platform, extra);
    assert_eq!(out.code, 0, "{extra}: {}", out.stderr);
    Bundle::parse(&out.stdout)
}

#[test]
fn defaults_suit_long_lived_websocket_clients() {
    let b = bundle("eks", "autoscale: {min: 4, max: 6}\n");
    let w = workload(&b);
    let pod = &w["spec"]["template"]["spec"];
    assert_eq!(pod["terminationGracePeriodSeconds"], 60);
    assert_eq!(
        pod["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"],
        30
    );
    assert_eq!(w["spec"]["minReadySeconds"], 30);
    assert_eq!(pod["containers"][0]["startupProbe"]["failureThreshold"], 60);
    assert_eq!(pod["volumes"][0]["emptyDir"]["sizeLimit"], "2Gi");
    let h = kind(&b, "HorizontalPodAutoscaler").unwrap();
    assert_eq!(
        h["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"],
        300
    );
    assert_eq!(
        h["spec"]["behavior"]["scaleDown"]["policies"][0]["periodSeconds"],
        180
    );
    assert_eq!(h["spec"]["behavior"]["scaleUp"]["policies"][0]["value"], 2);
    assert_eq!(deregistration_delay(client_service(&b)), Some(30));
    // Preferred anti-affinity, no zone spread, no egress rules, no reloader.
    assert!(
        pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
            .is_array()
    );
    assert!(pod["topologySpreadConstraints"].is_null());
    let np = kind(&b, "NetworkPolicy").unwrap();
    assert_eq!(np["spec"]["policyTypes"], serde_json::json!(["Ingress"]));
    assert!(w["metadata"]["annotations"]["secret.reloader.stakater.com/reload"].is_null());
}

#[test]
fn knobs_change_the_numbers_together() {
    let b = bundle(
        "eks",
        "shutdown: {drainSeconds: 50, stopSeconds: 20}\nrollout: {minReadySeconds: 90, startupSeconds: 120}\nstorage: {ephemeral: 5Gi}\nautoscale:\n  min: 4\n  max: 8\n  scaleDown: {stabilizationSeconds: 900, podsPerPeriod: 2, periodSeconds: 600}\n  scaleUp: {podsPerPeriod: 4}\n",
    );
    let w = workload(&b);
    let pod = &w["spec"]["template"]["spec"];
    assert_eq!(pod["terminationGracePeriodSeconds"], 70);
    assert_eq!(
        pod["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"],
        50
    );
    assert_eq!(deregistration_delay(client_service(&b)), Some(50));
    assert_eq!(w["spec"]["minReadySeconds"], 90);
    assert_eq!(pod["containers"][0]["startupProbe"]["failureThreshold"], 24);
    assert_eq!(
        pod["containers"][0]["resources"]["limits"]["ephemeral-storage"],
        "5Gi"
    );
    let h = &kind(&b, "HorizontalPodAutoscaler").unwrap()["spec"]["behavior"];
    assert_eq!(h["scaleDown"]["stabilizationWindowSeconds"], 900);
    assert_eq!(h["scaleDown"]["policies"][0]["value"], 2);
    assert_eq!(h["scaleDown"]["policies"][0]["periodSeconds"], 600);
    assert_eq!(h["scaleUp"]["policies"][0]["value"], 4);
    assert_eq!(h["scaleUp"]["policies"][0]["periodSeconds"], 30);
}

#[test]
fn scheduling_egress_and_reloader_knobs() {
    let b = bundle(
        "aks",
        "antiAffinity: required\nzoneSpread: {whenUnsatisfiable: DoNotSchedule}\nnetworkPolicy: {egress: restricted}\nrollOnSecretChange: true\nlicenseKey: {secretName: lic, key: k}\nclusterPassword: {secretName: pw, key: k}\n",
    );
    let w = workload(&b);
    let pod = &w["spec"]["template"]["spec"];
    let req =
        &pod["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0];
    assert_eq!(req["topologyKey"], "kubernetes.io/hostname");
    assert_eq!(
        pod["topologySpreadConstraints"][0]["whenUnsatisfiable"],
        "DoNotSchedule"
    );
    assert_eq!(
        w["metadata"]["annotations"]["secret.reloader.stakater.com/reload"],
        "lic,pw"
    );
    let np = &kind(&b, "NetworkPolicy").unwrap()["spec"];
    assert_eq!(np["policyTypes"], serde_json::json!(["Ingress", "Egress"]));
    let egress = np["egress"].as_array().unwrap();
    assert_eq!(egress[0]["ports"][0]["port"], 53);
    assert_eq!(egress[1]["ports"][0]["port"], "inter-cluster1");
    assert_eq!(egress.len(), 2, "native: DNS and the members only");
    // `zoneSpread: true` is still ScheduleAnyway.
    let b = bundle("aks", "zoneSpread: true\n");
    assert_eq!(
        workload(&b)["spec"]["template"]["spec"]["topologySpreadConstraints"][0]["whenUnsatisfiable"],
        "ScheduleAnyway"
    );
}

#[test]
fn restricted_egress_on_kafka_allows_the_bootstrap_ports() {
    let out = run(&["render", "examples/kafka-strimzi.yaml", "--platform", "aks"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let b = Bundle::parse(&out.stdout);
    let egress = kind(&b, "NetworkPolicy").unwrap()["spec"]["egress"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(egress.len(), 2, "{egress:?}");
    assert_eq!(egress[1]["ports"][0]["port"], 9093);
    assert_eq!(
        workload(&b)["metadata"]["annotations"]["secret.reloader.stakater.com/reload"],
        "migratorydata-license,my-cluster-cluster-ca-cert"
    );
}

#[test]
fn eks_tls_terminates_at_the_nlb() {
    let arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
    let b = bundle("eks", &format!("tls: {{certificateArn: \"{arn}\"}}\n"));
    let svc = client_service(&b);
    let a = &svc["metadata"]["annotations"];
    assert_eq!(
        a["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"],
        arn
    );
    assert_eq!(
        a["service.beta.kubernetes.io/aws-load-balancer-ssl-ports"],
        "443"
    );
    assert_eq!(svc["spec"]["ports"][0]["port"], 443);
    assert_eq!(svc["spec"]["ports"][0]["targetPort"], "client-port");
    assert_eq!(svc["spec"]["type"], "LoadBalancer");
}

#[test]
fn ingress_tls_on_aks_and_eks_makes_the_service_cluster_ip() {
    for (platform, class) in [
        ("aks", "webapprouting.kubernetes.azure.com"),
        ("eks", "nginx"),
    ] {
        let b = bundle(
            platform,
            "tls: {host: rt.example.com, secretName: rt-tls}\n",
        );
        let i = kind(&b, "Ingress").expect("an Ingress");
        assert_eq!(i["spec"]["ingressClassName"], class);
        assert_eq!(i["spec"]["tls"][0]["secretName"], "rt-tls");
        assert_eq!(i["spec"]["tls"][0]["hosts"][0], "rt.example.com");
        assert_eq!(i["spec"]["rules"][0]["host"], "rt.example.com");
        assert_eq!(
            i["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-read-timeout"],
            "3600"
        );
        let backend = &i["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"];
        let svc = client_service(&b);
        assert_eq!(backend["name"], svc["metadata"]["name"]);
        assert_eq!(backend["port"]["number"], svc["spec"]["ports"][0]["port"]);
        assert_eq!(
            svc["spec"]["type"], "ClusterIP",
            "{platform}: no plaintext path stays open"
        );
        assert!(
            svc["metadata"]["annotations"]
                .get("service.beta.kubernetes.io/aws-load-balancer-type")
                .is_none(),
            "{platform}: load-balancer annotations go with the LoadBalancer"
        );
        assert_eq!(deregistration_delay(svc), None);
    }
    // service.type still decides when given.
    let b = bundle(
        "aks",
        "tls: {host: rt.example.com, secretName: rt-tls}\ningress: {className: traefik}\nservice: {type: LoadBalancer}\n",
    );
    assert_eq!(client_service(&b)["spec"]["type"], "LoadBalancer");
    assert_eq!(
        kind(&b, "Ingress").unwrap()["spec"]["ingressClassName"],
        "traefik"
    );
}

#[test]
fn gateway_renders_an_http_route_to_the_existing_gateway() {
    let b = bundle(
        "eks",
        "tls: {host: rt.example.com}\ngateway: {name: public, namespace: gateways}\n",
    );
    let r = kind(&b, "HTTPRoute").expect("an HTTPRoute");
    assert_eq!(r["apiVersion"], "gateway.networking.k8s.io/v1");
    assert_eq!(r["spec"]["parentRefs"][0]["name"], "public");
    assert_eq!(r["spec"]["parentRefs"][0]["namespace"], "gateways");
    assert_eq!(r["spec"]["hostnames"][0], "rt.example.com");
    let svc = client_service(&b);
    assert_eq!(
        r["spec"]["rules"][0]["backendRefs"][0]["name"],
        svc["metadata"]["name"]
    );
    assert_eq!(svc["spec"]["type"], "ClusterIP");
    assert!(kind(&b, "Ingress").is_none());
}

#[test]
fn openshift_keeps_its_route_with_the_host() {
    let b = bundle("openshift", "tls: {host: rt.apps.example.com}\n");
    let r = kind(&b, "Route").expect("a Route");
    assert_eq!(r["spec"]["host"], "rt.apps.example.com");
    assert_eq!(r["spec"]["tls"]["termination"], "edge");
    assert!(kind(&b, "Ingress").is_none());
}

/// A refused spec: exit 1, nothing on stdout, the field located at `line` of the file (BASE
/// is lines 1-5, `extra` starts on line 6), and the reason on stderr.
fn refused(platform: &str, extra: &str, line: usize, field: &str, reason: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spec.yaml");
    std::fs::write(&path, format!("{BASE}platform: {platform}\n{extra}")).unwrap();
    let out = run(&["render", path.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{extra}: {}", out.stderr);
    assert_eq!(out.stdout, "", "{extra}");
    let here = out
        .stderr
        .lines()
        .find(|l| l.trim_start().starts_with("-->") && l.ends_with(&format!(" ({field})")))
        .unwrap_or_else(|| {
            panic!(
                "{extra}: no `--> file:line:col ({field})` in\n{}",
                out.stderr
            )
        });
    assert!(
        here.contains(&format!("spec.yaml:{line}:")),
        "{extra}: want line {line} in `{here}`"
    );
    assert!(
        out.stderr.contains(reason),
        "{extra}: want `{reason}` in\n{}",
        out.stderr
    );
}

#[test]
fn combinations_a_platform_cannot_serve_are_refused_with_the_reason() {
    let arn = "tls:\n  certificateArn: arn:aws:acm:us-east-1:1:certificate/x\n";
    refused("aks", arn, 7, "tls.certificateArn", "platform eks");
    refused("openshift", arn, 7, "tls.certificateArn", "platform eks");
    refused(
        "eks",
        "tls:\n  host: a.example.com\n  secretName: s\ngateway:\n  name: g\n",
        8,
        "tls.secretName",
        "the Gateway's HTTPS listener holds the certificate",
    );
    refused(
        "openshift",
        "tls:\n  host: a.example.com\n  secretName: s\n",
        8,
        "tls.secretName",
        "custom certificate is not supported on openshift",
    );
    refused(
        "openshift",
        "ingress:\n  className: x\n",
        7,
        "ingress",
        "Route",
    );
    refused("eks", "gateway:\n  name: g\n", 7, "gateway", "set tls.host");
    refused(
        "aks",
        "ingress:\n  className: x\n",
        7,
        "ingress",
        "set tls.host and tls.secretName",
    );
    refused(
        "aks",
        "tls:\n  host: a.example.com\n",
        7,
        "tls.host",
        "needs an Ingress",
    );
    refused(
        "eks",
        "tls:\n  certificateArn: arn:aws:acm:us-east-1:1:certificate/x\n  host: a.example.com\n  secretName: s\n",
        7,
        "tls.certificateArn",
        "not both",
    );
    refused(
        "eks",
        "service:\n  type: ClusterIP\ntls:\n  certificateArn: arn:aws:acm:us-east-1:1:certificate/x\n",
        9,
        "tls.certificateArn",
        "LoadBalancer Service",
    );
    refused(
        "eks",
        "tls:\n  certificateArn: nope\n",
        7,
        "tls.certificateArn",
        "not an ACM certificate ARN",
    );
    refused(
        "aks",
        "shutdown:\n  drainSeconds: 0\n",
        7,
        "shutdown.drainSeconds",
        "1 to 600",
    );
    refused(
        "aks",
        "rollout:\n  startupSeconds: 5\n",
        7,
        "rollout.startupSeconds",
        "10 to 3600",
    );
    refused(
        "aks",
        "storage:\n  ephemeral: lots\n",
        7,
        "storage.ephemeral",
        "not a storage quantity",
    );
    refused(
        "aks",
        "autoscale:\n  min: 4\n  max: 5\n  scaleDown:\n    podsPerPeriod: 0\n",
        10,
        "autoscale.scaleDown.podsPerPeriod",
        "at least 1",
    );
    refused(
        "aks",
        "networkPolicy:\n  enabled: false\n  reason: mesh\n  egress: restricted\n",
        9,
        "networkPolicy.egress",
        "networkPolicy.enabled",
    );
}

#[test]
fn eks_without_the_namespace_warns_to_label_it() {
    let spec = format!("{BASE}platform: eks\ncreateNamespace: false\n");
    let out = run_with_stdin(&["render", "-"], Some(spec.as_bytes()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("elbv2.k8s.aws/pod-readiness-gate-inject=enabled"),
        "{}",
        out.stderr
    );
    let out = run_with_stdin(
        &["render", "-"],
        Some(format!("{BASE}platform: aks\ncreateNamespace: false\n").as_bytes()),
    );
    assert!(!out.stderr.contains("readiness-gate"), "{}", out.stderr);
}

#[test]
fn describe_shows_the_production_numbers() {
    let spec = format!(
        "{BASE}platform: eks\nautoscale: {{min: 4, max: 6}}\ntls: {{certificateArn: \"arn:aws:acm:us-east-1:1:certificate/x\"}}\n"
    );
    let out = run_with_stdin(&["describe", "-"], Some(spec.as_bytes()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    for want in [
        "drain 30s + stop 30s = grace 60s",
        "minReadySeconds 30",
        "down 1 pod/180s after 300s",
        "TLS at the NLB on 443",
        "deregistration delay 30s",
        "elbv2.k8s.aws/pod-readiness-gate-inject=enabled",
    ] {
        assert!(
            out.stdout.contains(want),
            "want `{want}` in\n{}",
            out.stdout
        );
    }
}

fn lint(text: &str) -> Run {
    run_with_stdin(&["lint", "-"], Some(text.as_bytes()))
}

#[test]
fn lint_flags_a_grace_period_the_pre_stop_sleep_eats() {
    let out = run(&["render", "examples/native.yaml", "--platform", "eks"]);
    assert_eq!(out.code, 0);
    let clean = lint(&out.stdout);
    assert!(
        !clean.stdout.contains("shutdown-timing") && !clean.stderr.contains("shutdown-timing"),
        "{}{}",
        clean.stdout,
        clean.stderr
    );
    let broken = out.stdout.replace(
        "terminationGracePeriodSeconds: 60",
        "terminationGracePeriodSeconds: 30",
    );
    assert_ne!(broken, out.stdout);
    let r = lint(&broken);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(all.contains("shutdown-timing"), "{all}");
    assert!(all.contains("preStop sleep (30 s)"), "{all}");
    assert!(all.contains("deregistration delay (30 s)"), "{all}");
    assert!(
        all.contains("spec.template.spec.terminationGracePeriodSeconds"),
        "{all}"
    );
}

#[test]
fn zone_spread_errors_say_what_is_valid_where() {
    refused(
        "aks",
        "zoneSpread: maybe\n",
        6,
        "zoneSpread",
        "expected `true`, `false` or `{whenUnsatisfiable: ScheduleAnyway | DoNotSchedule}`",
    );
    refused(
        "aks",
        "zoneSpread:\n  whenUnsatisfiable: Never\n",
        7,
        "zoneSpread.whenUnsatisfiable",
        "expected one of ScheduleAnyway, DoNotSchedule",
    );
    refused(
        "aks",
        "antiAffinity: always\n",
        6,
        "antiAffinity",
        "expected one of preferred, required",
    );
}

#[test]
fn lint_types_http_routes_down_to_their_rules() {
    let spec = format!("{BASE}platform: eks\ntls: {{host: a.example.com}}\ngateway: {{name: g}}\n");
    let out = run_with_stdin(&["render", "-"], Some(spec.as_bytes()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(lint(&out.stdout).code, 0, "gen's own HTTPRoute lints clean");
    for (from, to, path) in [
        ("  hostnames:", "  hostname:", "(spec.hostname)"),
        (
            "          port: 80",
            "          prot: 80",
            "(spec.rules[0].backendRefs[0].prot)",
        ),
    ] {
        let broken = out.stdout.replace(from, to);
        assert_ne!(broken, out.stdout, "{from}");
        let r = lint(&broken);
        assert_eq!(r.code, 1, "{to}: {}{}", r.stdout, r.stderr);
        let all = format!("{}{}", r.stdout, r.stderr);
        assert!(all.contains("schema: HTTPRoute rt/md"), "{all}");
        assert!(all.contains(path), "want {path} in {all}");
    }
}

#[test]
fn describe_draws_the_ingress_or_http_route_in_front_of_the_service() {
    for (extra, node, to) in [
        (
            "tls: {host: a.example.com, secretName: s}\n",
            "ingress(\"Ingress md<br/>TLS a.example.com, class nginx\")",
            "ingress -->|\"to :80\"| svc_client",
        ),
        (
            "tls: {host: a.example.com}\ngateway: {name: g, namespace: gw}\n",
            "httproute(\"HTTPRoute md<br/>Gateway gw/g, host a.example.com\")",
            "httproute -->|\"to :80\"| svc_client",
        ),
    ] {
        let spec = format!("{BASE}platform: eks\n{extra}");
        let out = run_with_stdin(
            &["describe", "-", "--diagram", "mermaid"],
            Some(spec.as_bytes()),
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stdout.contains(node), "want {node} in\n{}", out.stdout);
        assert!(out.stdout.contains(to), "want {to} in\n{}", out.stdout);
        assert!(
            out.stdout.contains("clients -->|\"HTTPS\"|"),
            "{}",
            out.stdout
        );
    }
}

#[test]
fn own_target_group_attributes_keep_the_drain_delay_or_must_stay_below_the_grace() {
    let key = "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes";
    let b = bundle(
        "eks",
        &format!("service:\n  annotations:\n    {key}: stickiness.enabled=true\n"),
    );
    assert_eq!(
        client_service(&b)["metadata"]["annotations"][key],
        "stickiness.enabled=true,deregistration_delay.timeout_seconds=30"
    );
    let b = bundle(
        "eks",
        &format!("service:\n  annotations:\n    {key}: deregistration_delay.timeout_seconds=20\n"),
    );
    assert_eq!(deregistration_delay(client_service(&b)), Some(20));
    refused(
        "eks",
        &format!("service:\n  annotations:\n    {key}: deregistration_delay.timeout_seconds=300\n"),
        8,
        &format!("service.annotations[{key:?}]"),
        "below the grace period (60 s",
    );
}

#[test]
fn describe_lists_the_tls_secret_and_the_gateway_as_external() {
    for (extra, row, edge) in [
        (
            "tls: {host: a.example.com, secretName: s}\n",
            "must exist: TLS certificate for a.example.com (kubernetes.io/tls)",
            "ingress -.->|\"tls.secretName\"| ext1",
        ),
        (
            "tls: {host: a.example.com}\ngateway: {name: g, namespace: gw}\n",
            "must exist: an HTTPS listener for a.example.com with the certificate, admitting routes from namespace rt",
            "httproute -.->|\"parentRefs\"| gateway",
        ),
    ] {
        let spec = format!("{BASE}platform: eks\n{extra}");
        let table = run_with_stdin(&["describe", "-"], Some(spec.as_bytes()));
        assert_eq!(table.code, 0, "{}", table.stderr);
        assert!(table.stdout.contains("EXTERNAL"), "{}", table.stdout);
        assert!(
            table.stdout.contains(row),
            "want {row} in\n{}",
            table.stdout
        );
        let mmd = run_with_stdin(
            &["describe", "-", "--diagram", "mermaid"],
            Some(spec.as_bytes()),
        );
        assert!(mmd.stdout.contains(edge), "want {edge} in\n{}", mmd.stdout);
    }
}

/// The exposure variants no example can hold (each is refused on some platform): rendered,
/// checked like the examples, and pinned.
#[test]
fn exposure_fixtures_render_consistently_and_match_their_snapshots() {
    let mut n = 0;
    for entry in std::fs::read_dir("tests/fixtures/production").expect("fixtures") {
        let path = entry.expect("entry").path();
        let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
        let platform = stem.split('-').next().unwrap().to_string();
        let out = run(&["render", path.to_str().unwrap()]);
        assert_eq!(out.code, 0, "{stem}: {}", out.stderr);
        assert_eq!(out.stderr, "", "{stem}");
        check_numbers(&Bundle::parse(&out.stdout), &platform, &stem);
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("production-{stem}"), out.stdout);
        });
        n += 1;
    }
    assert_eq!(n, 4);
}
