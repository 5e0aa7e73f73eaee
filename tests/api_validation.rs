//! `api-validation` through the built binary: a manifest the API server accepts
//! (`tests/fixtures/lint/api-validation-clean.yaml`) lints without the rule, and each value
//! the API server refuses, planted into it alone, is reported at its field.

mod common;

use common::run_with_stdin;
use serde_json::Value;

const CLEAN: &str = include_str!("fixtures/lint/api-validation-clean.yaml");

/// The `api-validation` findings on `text`, as (path, message).
fn api_findings(text: &str) -> Vec<(String, String)> {
    let out = run_with_stdin(&["lint", "--format", "json", "-"], Some(text.as_bytes()));
    assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).expect("JSON");
    v.as_array()
        .expect("an array")
        .iter()
        .filter(|f| f["rule"] == "api-validation")
        .map(|f| {
            assert_eq!(f["severity"], "error");
            assert!(f["line"].as_u64().is_some(), "{f}");
            (
                f["path"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Replaces the one occurrence of `find` after `anchor`.
fn plant(anchor: &str, find: &str, replace: &str) -> String {
    let start = CLEAN
        .find(anchor)
        .unwrap_or_else(|| panic!("anchor {anchor:?}"));
    let at = CLEAN[start..]
        .find(find)
        .unwrap_or_else(|| panic!("{find:?} after {anchor:?}"))
        + start;
    format!("{}{replace}{}", &CLEAN[..at], &CLEAN[at + find.len()..])
}

const DEPLOY: &str = "kind: Deployment";
const STS: &str = "kind: StatefulSet";
const SVC: &str = "kind: Service\nmetadata: {name: web";
const C0: &str = "spec.template.spec.containers[0]";

/// (anchor, find, replace, path, a phrase of the message).
const CASES: &[(&str, &str, &str, &str, &str)] = &[
    // Object meta
    (
        DEPLOY,
        "name: web",
        "name: Web",
        "metadata.name",
        "DNS-1123 subdomain",
    ),
    (
        DEPLOY,
        "namespace: app",
        "namespace: App",
        "metadata.namespace",
        "DNS-1123 label",
    ),
    (
        SVC,
        "name: web",
        "name: 1web",
        "metadata.name",
        "DNS-1035 label",
    ),
    (
        "kind: Namespace",
        "name: app",
        "name: app.x",
        "metadata.name",
        "DNS-1123 label",
    ),
    (
        "kind: Role",
        "system:web",
        "system/web",
        "metadata.name",
        "`/`",
    ),
    (
        "kind: CronJob",
        "name: report",
        "name: report-for-the-finance-team-every-hour-of-the-working-day",
        "metadata.name",
        "at most 52",
    ),
    (
        "kind: DaemonSet",
        "metadata: {name: agent, ",
        "metadata: {",
        "metadata",
        "needs `metadata.name`",
    ),
    (
        DEPLOY,
        "tier: backend}",
        "-tier: backend}",
        "metadata.labels.-tier",
        "label key",
    ),
    (
        DEPLOY,
        "tier: backend}",
        "tier: \"back end\"}",
        "metadata.labels.tier",
        "value",
    ),
    (
        DEPLOY,
        "note: fine",
        "\"bad key!\": fine",
        "metadata.annotations.bad key!",
        "annotation key",
    ),
    (
        DEPLOY,
        "checksum/config: abc",
        "checksum/config: abc, team owner: x",
        "spec.template.metadata.annotations.team owner",
        "annotation key",
    ),
    (
        DEPLOY,
        "labels: {app: web, tier: backend}\n      annotations",
        "labels: {app: web, tier: backend-of-the-web-application-that-serves-the-public-site-of-the-company}\n      annotations",
        "spec.template.metadata.labels.tier",
        "at most 63",
    ),
    (
        DEPLOY,
        "operator: In",
        "operator: in",
        "spec.selector.matchExpressions[0].operator",
        "did you mean `In`",
    ),
    (
        DEPLOY,
        "operator: In, values: [backend]",
        "operator: Exists, values: [backend]",
        "spec.selector.matchExpressions[0].values",
        "takes no `values`",
    ),
    // Pod spec
    (
        DEPLOY,
        "restartPolicy: Always",
        "restartPolicy: OnFailure",
        "spec.template.spec.restartPolicy",
        "`Always`",
    ),
    (
        DEPLOY,
        "dnsPolicy: ClusterFirst",
        "dnsPolicy: clusterFirst",
        "spec.template.spec.dnsPolicy",
        "did you mean `ClusterFirst`",
    ),
    (
        DEPLOY,
        "- name: log",
        "- name: web",
        "spec.template.spec.containers[1].name",
        "used twice",
    ),
    (
        DEPLOY,
        "- name: init",
        "- name: web",
        "spec.template.spec.initContainers[0].name",
        "used twice",
    ),
    (
        DEPLOY,
        "- name: log",
        "- name: Log",
        "spec.template.spec.containers[1].name",
        "DNS-1123 label",
    ),
    (
        DEPLOY,
        "- {name: tmp, emptyDir",
        "- {name: cache, emptyDir",
        "spec.template.spec.volumes[1].name",
        "used twice",
    ),
    (
        DEPLOY,
        "- {name: tmp, mountPath",
        "- {name: temp, mountPath",
        "spec.template.spec.containers[0].volumeMounts[1].name",
        "did you mean `tmp`",
    ),
    (
        DEPLOY,
        "mountPath: /tmp",
        "mountPath: /cache",
        "spec.template.spec.containers[0].volumeMounts[1].mountPath",
        "mounted twice",
    ),
    (
        DEPLOY,
        "imagePullPolicy: Always",
        "imagePullPolicy: IfPresent",
        "spec.template.spec.containers[0].imagePullPolicy",
        "`IfNotPresent`",
    ),
    (
        DEPLOY,
        "terminationMessagePolicy: File",
        "terminationMessagePolicy: file",
        "spec.template.spec.containers[0].terminationMessagePolicy",
        "did you mean `File`",
    ),
    (
        DEPLOY,
        "name: metrics, containerPort",
        "name: http, containerPort",
        "spec.template.spec.containers[0].ports[1].name",
        "used twice",
    ),
    (
        DEPLOY,
        "name: metrics, containerPort",
        "name: metrics_port, containerPort",
        "spec.template.spec.containers[0].ports[1].name",
        "IANA service name",
    ),
    (
        DEPLOY,
        "containerPort: 8080",
        "containerPort: 0",
        "spec.template.spec.containers[0].ports[0].containerPort",
        "1 to 65535",
    ),
    (
        DEPLOY,
        "containerPort: 9090}",
        "containerPort: 9090, hostPort: 70000}",
        "spec.template.spec.containers[0].ports[1].hostPort",
        "1 to 65535",
    ),
    (
        DEPLOY,
        "protocol: TCP",
        "protocol: Tcp",
        "spec.template.spec.containers[0].ports[0].protocol",
        "did you mean `TCP`",
    ),
    (
        DEPLOY,
        "name: LOG_LEVEL",
        "name: \"LOG=LEVEL\"",
        "spec.template.spec.containers[0].env[0].name",
        "other than `=`",
    ),
    (
        DEPLOY,
        "limits: {cpu: 500m",
        "limits: {cpu: \"1/2\"",
        "spec.template.spec.containers[0].resources.limits.cpu",
        "not a quantity",
    ),
    (
        DEPLOY,
        "limits: {cpu: 500m",
        "limits: {cpu: \"-1\"",
        "spec.template.spec.containers[0].resources.limits.cpu",
        "0 or more",
    ),
    (
        DEPLOY,
        "memory: 512Mi",
        "memroy: 512Mi",
        "spec.template.spec.containers[0].resources.limits.memroy",
        "not a resource",
    ),
    (
        DEPLOY,
        "requests: {cpu: 250m, memory: 256Mi}",
        "requests: {cpu: 250m, memory: 1Gi}",
        "spec.template.spec.containers[0].resources.requests.memory",
        "at most its limit",
    ),
    (
        DEPLOY,
        "port: http, scheme",
        "port: HTTP, scheme",
        "spec.template.spec.containers[0].readinessProbe.httpGet.port",
        "IANA service name",
    ),
    (
        DEPLOY,
        "scheme: HTTP}",
        "scheme: http}",
        "spec.template.spec.containers[0].readinessProbe.httpGet.scheme",
        "did you mean `HTTP`",
    ),
    (
        DEPLOY,
        "tcpSocket: {port: 8080}",
        "tcpSocket: {port: 80800}",
        "spec.template.spec.containers[0].livenessProbe.tcpSocket.port",
        "1 to 65535",
    ),
    (
        DEPLOY,
        "image: busybox:1.36\n      containers",
        "image: busybox:1.36\n          restartPolicy: OnFailure\n      containers",
        "spec.template.spec.initContainers[0].restartPolicy",
        "`Always`",
    ),
    (
        DEPLOY,
        "- name: log\n          image: busybox:1.36",
        "- name: log\n          image: busybox:1.36\n          restartPolicy: Always",
        "spec.template.spec.containers[1].restartPolicy",
        "only init containers",
    ),
    // Workloads
    (
        DEPLOY,
        "type: RollingUpdate",
        "type: Rolling",
        "spec.strategy.type",
        "`Recreate`, `RollingUpdate`",
    ),
    (
        DEPLOY,
        "type: RollingUpdate",
        "type: Recreate",
        "spec.strategy.rollingUpdate",
        "`Recreate`",
    ),
    (
        DEPLOY,
        "maxSurge: 1",
        "maxSurge: 0",
        "spec.strategy.rollingUpdate.maxUnavailable",
        "maxSurge is 0",
    ),
    (
        DEPLOY,
        "maxSurge: 1",
        "maxSurge: 150%",
        "spec.strategy.rollingUpdate.maxSurge",
        "`100%`",
    ),
    (
        DEPLOY,
        "replicas: 2",
        "replicas: -1",
        "spec.replicas",
        "0 or more",
    ),
    (
        STS,
        "type: RollingUpdate",
        "type: Rolling",
        "spec.updateStrategy.type",
        "`RollingUpdate`, `OnDelete`",
    ),
    (
        STS,
        "type: RollingUpdate",
        "type: OnDelete\n    rollingUpdate: {partition: 1}",
        "spec.updateStrategy.rollingUpdate",
        "only allowed",
    ),
    (
        STS,
        "podManagementPolicy: OrderedReady",
        "podManagementPolicy: Ordered",
        "spec.podManagementPolicy",
        "`OrderedReady`, `Parallel`",
    ),
    (
        STS,
        "- {name: data, mountPath",
        "- {name: pgdata, mountPath",
        "spec.template.spec.containers[0].volumeMounts[0].name",
        "does not have",
    ),
    (
        "kind: DaemonSet",
        "type: OnDelete",
        "type: Recreate",
        "spec.updateStrategy.type",
        "DaemonSet update strategy",
    ),
    (
        "kind: CronJob",
        "concurrencyPolicy: Forbid",
        "concurrencyPolicy: forbid",
        "spec.concurrencyPolicy",
        "did you mean `Forbid`",
    ),
    (
        "kind: CronJob",
        "restartPolicy: OnFailure",
        "restartPolicy: Always",
        "spec.jobTemplate.spec.template.spec.restartPolicy",
        "`OnFailure`, `Never`",
    ),
    // Service
    (
        SVC,
        "type: LoadBalancer",
        "type: ClusterIP",
        "spec.externalTrafficPolicy",
        "externally accessible",
    ),
    (
        SVC,
        "externalTrafficPolicy: Local",
        "externalTrafficPolicy: local",
        "spec.externalTrafficPolicy",
        "did you mean `Local`",
    ),
    (
        SVC,
        "internalTrafficPolicy: Cluster",
        "internalTrafficPolicy: Cluser",
        "spec.internalTrafficPolicy",
        "`Cluster`, `Local`",
    ),
    (
        SVC,
        "sessionAffinity: ClientIP",
        "sessionAffinity: ClientIp",
        "spec.sessionAffinity",
        "did you mean `ClientIP`",
    ),
    (
        SVC,
        "selector: {app: web}",
        "selector: {app: \"web server\"}",
        "spec.selector.app",
        "value",
    ),
    (
        SVC,
        "{name: metrics, port: 9090",
        "{name: http, port: 9090",
        "spec.ports[1].name",
        "used twice",
    ),
    (
        SVC,
        "{name: metrics, port: 9090",
        "{port: 9090",
        "spec.ports[1]",
        "several ports",
    ),
    (
        SVC,
        "{name: metrics, port: 9090",
        "{name: metrics_port, port: 9090",
        "spec.ports[1].name",
        "DNS-1123 label",
    ),
    (
        SVC,
        "port: 80,",
        "port: 0,",
        "spec.ports[0].port",
        "1 to 65535",
    ),
    (
        SVC,
        "port: 9090, targetPort",
        "port: 80, targetPort",
        "spec.ports[1].port",
        "listed twice",
    ),
    (
        SVC,
        "targetPort: http,",
        "targetPort: http_port,",
        "spec.ports[0].targetPort",
        "IANA service name",
    ),
    (
        SVC,
        "targetPort: 9090,",
        "targetPort: 90900,",
        "spec.ports[1].targetPort",
        "1 to 65535",
    ),
    (
        SVC,
        "nodePort: 30090",
        "nodePort: 300900",
        "spec.ports[1].nodePort",
        "1 to 65535",
    ),
    (
        SVC,
        "protocol: TCP}",
        "protocol: HTTP}",
        "spec.ports[0].protocol",
        "`TCP`, `UDP`, `SCTP`",
    ),
    (
        "kind: Service\nmetadata: {name: db",
        "clusterIP: None\n",
        "",
        "spec.ports",
        "at least one port",
    ),
    (
        SVC,
        "type: LoadBalancer\n  externalTrafficPolicy: Local\n",
        "type: ClusterIP\n",
        "spec.ports[1].nodePort",
        "ClusterIP",
    ),
    // PodDisruptionBudget, HPA
    (
        "kind: PodDisruptionBudget",
        "minAvailable: 50%",
        "minAvailable: 150%",
        "spec.minAvailable",
        "`100%`",
    ),
    (
        "kind: PodDisruptionBudget",
        "minAvailable: 50%",
        "minAvailable: half",
        "spec.minAvailable",
        "percentage",
    ),
    (
        "kind: PodDisruptionBudget",
        "minAvailable: 50%",
        "maxUnavailable: -1",
        "spec.maxUnavailable",
        "0 or more",
    ),
    (
        "kind: PodDisruptionBudget",
        "minAvailable: 50%",
        "minAvailable: 50%\n  maxUnavailable: 1",
        "spec.maxUnavailable",
        "not both",
    ),
    (
        "kind: PodDisruptionBudget",
        "AlwaysAllow",
        "Always",
        "spec.unhealthyPodEvictionPolicy",
        "`IfHealthyBudget`, `AlwaysAllow`",
    ),
    (
        "kind: HorizontalPodAutoscaler",
        "minReplicas: 2",
        "minReplicas: 0",
        "spec.minReplicas",
        "at least 1",
    ),
    (
        "kind: HorizontalPodAutoscaler",
        "maxReplicas: 4",
        "maxReplicas: 1",
        "spec.maxReplicas",
        "at least minReplicas",
    ),
    // NetworkPolicy, Ingress
    (
        "kind: NetworkPolicy",
        "policyTypes: [Ingress]",
        "policyTypes: [ingress]",
        "spec.policyTypes[0]",
        "did you mean `Ingress`",
    ),
    (
        "kind: NetworkPolicy",
        "endPort: 8090",
        "endPort: 8000",
        "spec.ingress[0].ports[0].endPort",
        "at least port",
    ),
    (
        "kind: NetworkPolicy",
        "protocol: TCP}",
        "protocol: tcp}",
        "spec.ingress[0].ports[0].protocol",
        "did you mean `TCP`",
    ),
    (
        "kind: NetworkPolicy",
        "{port: metrics}",
        "{port: metrics-port-of-web}",
        "spec.ingress[0].ports[1].port",
        "IANA service name",
    ),
    (
        "kind: Ingress",
        "pathType: Prefix",
        "pathType: prefix",
        "spec.rules[0].http.paths[0].pathType",
        "did you mean `Prefix`",
    ),
    (
        "kind: Ingress",
        "path: /\n",
        "path: web\n",
        "spec.rules[0].http.paths[0].path",
        "absolute",
    ),
    (
        "kind: Ingress",
        "port: {name: http}",
        "port: {name: http, number: 80}",
        "spec.rules[0].http.paths[0].backend.service.port",
        "not both",
    ),
    (
        "kind: Ingress",
        "port: {name: http}",
        "port: {number: 0}",
        "spec.rules[0].http.paths[0].backend.service.port.number",
        "1 to 65535",
    ),
    // ConfigMap, Secret
    (
        "kind: ConfigMap",
        "app.properties:",
        "conf/app.properties:",
        "data[\"conf/app.properties\"]",
        "at most 253",
    ),
    (
        "kind: ConfigMap",
        "logo.png:",
        "app.properties:",
        "binaryData[\"app.properties\"]",
        "in two maps",
    ),
    (
        "kind: Secret",
        "password:",
        "\"pass word\":",
        "stringData.pass word",
        "at most 253",
    ),
];

#[test]
fn the_clean_manifest_has_no_api_validation_finding() {
    let findings = api_findings(CLEAN);
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn each_refused_value_is_reported_at_its_field() {
    let mut failures = Vec::new();
    for &(anchor, find, replace, path, phrase) in CASES {
        let text = plant(anchor, find, replace);
        assert_ne!(text, CLEAN, "{find:?} → {replace:?} changes nothing");
        let findings = api_findings(&text);
        let hit = findings
            .iter()
            .any(|(p, m)| p == path && m.contains(phrase));
        if !hit {
            failures.push(format!(
                "{find:?} → {replace:?}: no finding at {path} with {phrase:?}; found {findings:#?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Values that look wrong but that the API server accepts (or defaults) are not reported.
#[test]
fn what_the_api_server_accepts_or_defaults_is_not_reported() {
    let accepted = [
        (SVC, "targetPort: http,", "targetPort: 0,"),
        (SVC, "targetPort: http,", "targetPort: \"\","),
        (
            SVC,
            "type: LoadBalancer",
            "type: ClusterIP\n  externalIPs: [203.0.113.10]",
        ),
        (
            "kind: Ingress",
            "path: /\n            pathType: Prefix",
            "pathType: ImplementationSpecific",
        ),
        (
            DEPLOY,
            "checksum/config: abc",
            "checksum/config: abc, Example.COM/Owner: x",
        ),
        (DEPLOY, "name: LOG_LEVEL", "name: log.level-1"),
        (
            "kind: Secret",
            "stringData: {password: s3cret}",
            "stringData: {password: s3cret}\ndata: {password: eA==}",
        ),
    ];
    for (anchor, find, replace) in accepted {
        // A ClusterIP Service has no node ports.
        let text = plant(anchor, find, replace).replacen(", nodePort: 30090", "", 1);
        assert_ne!(text, CLEAN);
        let findings = api_findings(&text);
        assert!(findings.is_empty(), "{replace:?}: {findings:#?}");
    }
}

#[test]
fn annotations_over_256_kib_in_all_are_refused() {
    let big = "x".repeat(256 * 1024);
    let text = plant(DEPLOY, "note: fine", &format!("note: fine, big: {big}"));
    let findings = api_findings(&text);
    assert!(
        findings
            .iter()
            .any(|(p, m)| p == "metadata.annotations" && m.contains("256 KiB")),
        "{findings:#?}"
    );
    // Just under the limit is fine.
    let under = "x".repeat(256 * 1024 - "note".len() - "fine".len() - "big".len());
    let text = plant(DEPLOY, "note: fine", &format!("note: fine, big: {under}"));
    assert!(api_findings(&text).is_empty());
}

#[test]
fn the_finding_names_the_object_it_is_on() {
    let text = plant(DEPLOY, "imagePullPolicy: Always", "imagePullPolicy: always");
    let out = run_with_stdin(&["lint", "--format", "json", "-"], Some(text.as_bytes()));
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let f = v
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "api-validation")
        .expect("a finding");
    assert_eq!(f["kind"], "Deployment");
    assert_eq!(f["name"], "web");
    assert_eq!(f["namespace"], "app");
    assert_eq!(f["path"], format!("{C0}.imagePullPolicy"));
    assert_eq!(out.code, 1);
}
