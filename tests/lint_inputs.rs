//! `gen lint` through the built binary: what it reads (stdin, files, directories,
//! kustomizations), when it refuses to call an input clean, and how sets, severities and the
//! rules that depend on the set behave.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Run, run, run_with_stdin};
use serde_json::Value;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gen-lint-in-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn has_kubectl() -> bool {
    let ok = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("note: kubectl is not installed; skipped (CI installs it)");
    }
    ok
}

fn lint_stdin(args: &[&str], text: &str) -> Run {
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    all.push("-");
    run_with_stdin(&all, Some(text.as_bytes()))
}

fn json(out: &Run) -> Vec<Value> {
    serde_json::from_str::<Value>(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", out.stdout, out.stderr))
        .as_array()
        .cloned()
        .unwrap()
}

/// (rule, severity) of every finding.
fn rules(out: &Run) -> Vec<(String, String)> {
    json(out)
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(out: &Run, rule: &str, severity: &str) -> bool {
    rules(out).iter().any(|(r, s)| r == rule && s == severity)
}

// ---------------------------------------------------------------------------------------
// Nothing to check is a failure
// ---------------------------------------------------------------------------------------

#[test]
fn empty_stdin_fails_and_blames_the_command_before_the_pipe() {
    for text in [
        "",
        "\n\n",
        "# only a comment\n",
        "---\n---\n",
        "---\n# x\n...\n",
    ] {
        let out = run_with_stdin(&["lint", "-"], Some(text.as_bytes()));
        assert_eq!(out.code, 1, "{text:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("stdin holds no Kubernetes object")
                && out
                    .stderr
                    .contains("the command before the pipe probably failed"),
            "{text:?}: {}",
            out.stderr
        );
        assert_eq!(out.stdout, "", "{text:?}");
    }
    // Invalid YAML is not "empty": its error says what is wrong.
    let out = run_with_stdin(&["lint", "-"], Some(b"a: [1\n"));
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("not valid YAML"), "{}", out.stdout);
    assert!(
        !out.stderr.contains("holds no Kubernetes object"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_failed_kustomize_build_piped_in_fails() {
    if !has_kubectl() {
        return;
    }
    // `kubectl kustomize missing/ | gen lint -` without pipefail: gen sees empty stdin.
    let built = Command::new("kubectl")
        .args(["kustomize", "tests/no-such-overlay"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(!built.status.success());
    let out = run_with_stdin(&["lint", "--format", "json", "-"], Some(&built.stdout));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("probably failed"), "{}", out.stderr);
}

#[test]
fn an_empty_directory_or_file_fails_even_beside_a_good_one() {
    let dir = scratch("empty");
    let out = run(&["lint", dir.to_str().unwrap()]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("holds no YAML file"), "{}", out.stderr);
    // A subdirectory is not read without -R, and the message says so.
    write(
        &dir,
        "sub/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
    );
    let out = run(&["lint", dir.to_str().unwrap()]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("-R"), "{}", out.stderr);
    let out = run(&["lint", "-R", dir.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // An empty file named beside a good one: that input checked nothing.
    write(&dir, "empty.yaml", "# nothing here\n---\n");
    let good = dir.join("sub/cm.yaml");
    let empty = dir.join("empty.yaml");
    let out = run(&["lint", good.to_str().unwrap(), empty.to_str().unwrap()]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains(&format!("`{}` holds no Kubernetes object", empty.display())),
        "{}",
        out.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------
// Kustomizations are built, never read raw
// ---------------------------------------------------------------------------------------

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: app}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]
";

#[test]
fn a_kustomization_with_patches_is_built_and_its_patches_are_not_objects() {
    if !has_kubectl() {
        return;
    }
    let dir = scratch("patches");
    write(&dir, "deployment.yaml", DEPLOYMENT);
    // Read raw, this strategic-merge patch is a Deployment without selector or template,
    // and the JSON6902 patch file is no object at all.
    write(
        &dir,
        "replicas.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: app}\nspec:\n  replicas: 3\n",
    );
    write(
        &dir,
        "image.yaml",
        "- op: replace\n  path: /spec/template/spec/containers/0/image\n  value: nginx:1.27\n",
    );
    write(
        &dir,
        "kustomization.yaml",
        "resources: [deployment.yaml]\npatches:\n  - path: replicas.yaml\n  - path: image.yaml\n    target: {kind: Deployment, name: web}\n",
    );
    let out = run(&["lint", "--format", "json", dir.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(json(&out), Vec::<Value>::new());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failed_build_or_a_missing_kustomize_fails_with_the_reason() {
    if !has_kubectl() {
        return;
    }
    let dir = scratch("failed");
    write(&dir, "kustomization.yaml", "resources: [missing.yaml]\n");
    let out = run(&["lint", dir.to_str().unwrap()]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("cannot lint kustomization directory")
            && out.stderr.contains("missing.yaml"),
        "{}",
        out.stderr
    );
    write(&dir, "kustomization.yaml", "resources: []\n");
    let out = run(&[
        "lint",
        "--kustomize-command",
        "gen-no-such-kustomize build",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("`gen-no-such-kustomize` was not found"),
        "{}",
        out.stderr
    );
    // An empty build checked nothing.
    let out = run(&["lint", dir.to_str().unwrap()]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("builds no Kubernetes object"),
        "{}",
        out.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_slow_build_is_stopped_at_the_timeout() {
    let dir = scratch("slow");
    write(&dir, "kustomization.yaml", "resources: []\n");
    let script = dir.join("slow-kustomize");
    write(&dir, "slow-kustomize", "#!/bin/sh\nsleep 5\n");
    let mut perms = std::fs::metadata(&script).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&script, perms).unwrap();
    let out = run(&[
        "lint",
        "--kustomize-command",
        script.to_str().unwrap(),
        "--kustomize-timeout",
        "1",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("did not finish within 1 s"),
        "{}",
        out.stderr
    );
    // No time at all is a usage error.
    let out = run(&["lint", "--kustomize-timeout", "0", dir.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The fields a finding has whatever the input's name.
fn comparable(out: &Run) -> Vec<String> {
    json(out)
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {} {} {} {}",
                f["rule"], f["severity"], f["kind"], f["name"], f["path"], f["line"], f["message"]
            )
        })
        .collect()
}

#[test]
fn an_overlay_directory_lints_as_its_build_piped_in() {
    if !has_kubectl() {
        return;
    }
    for overlay in ["examples/overlays/prod", "examples/overlays/broken"] {
        let built = Command::new("kubectl")
            .args(["kustomize", overlay])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert!(built.status.success());
        let piped = run_with_stdin(&["lint", "--format", "json", "-"], Some(&built.stdout));
        let dir = run(&["lint", "--format", "json", &format!("{overlay}/")]);
        assert_eq!(piped.code, dir.code, "{overlay}: {}", dir.stderr);
        assert_eq!(comparable(&piped), comparable(&dir), "{overlay}");
    }
    let broken = run(&["lint", "--format", "json", "examples/overlays/broken"]);
    assert_eq!(broken.code, 1);
    for rule in ["md-members-cover-replicas", "md-pdb-seeds"] {
        assert!(has(&broken, rule, "error"), "{rule}: {}", broken.stdout);
    }
    let prod = run(&["lint", "examples/overlays/prod/"]);
    assert_eq!(prod.code, 0, "{}{}", prod.stdout, prod.stderr);
}

#[test]
fn with_origin_annotations_findings_name_the_file_the_object_came_from() {
    if !has_kubectl() {
        return;
    }
    let dir = scratch("origin");
    write(&dir, "base/deployment.yaml", DEPLOYMENT);
    write(
        &dir,
        "base/service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: app}\nspec:\n  selector: {app: webb}\n  ports: [{port: 80}]\n",
    );
    write(
        &dir,
        "base/kustomization.yaml",
        "resources: [deployment.yaml, service.yaml]\n",
    );
    write(
        &dir,
        "overlay/kustomization.yaml",
        "resources: [../base]\nnamePrefix: eu-\nbuildMetadata: [originAnnotations]\n",
    );
    let out = run(&[
        "lint",
        "--format",
        "json",
        dir.join("overlay").to_str().unwrap(),
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let findings = json(&out);
    let f = findings
        .iter()
        .find(|f| f["rule"] == "service-selector")
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert_eq!(
        f["file"].as_str().unwrap(),
        dir.join("base/service.yaml").display().to_string()
    );
    assert_eq!(f["name"], "eu-web");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(5), Some(13))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn recursive_builds_each_kustomization_it_meets_as_a_set_of_its_own() {
    if !has_kubectl() {
        return;
    }
    let dir = scratch("recursive");
    for env in ["dev", "prod"] {
        write(&dir, &format!("{env}/deployment.yaml"), DEPLOYMENT);
        write(
            &dir,
            &format!("{env}/kustomization.yaml"),
            "resources: [deployment.yaml]\n",
        );
    }
    // Two sets: the same Deployment in each is no duplicate.
    let out = run(&["lint", "--format", "json", "-R", dir.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    // The same two files given together are one set: a duplicate.
    let a = dir.join("dev/deployment.yaml");
    let b = dir.join("prod/deployment.yaml");
    let out = run(&[
        "lint",
        "--format",
        "json",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 1);
    assert!(has(&out, "duplicate-object", "error"), "{}", out.stdout);
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------
// Severities: --strict, info
// ---------------------------------------------------------------------------------------

const UNKNOWN: &str =
    "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: app}\n";

#[test]
fn strict_turns_warnings_into_errors() {
    let out = lint_stdin(&["--format", "json"], UNKNOWN);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        rules(&out),
        [("unknown-kind".to_string(), "warning".to_string())]
    );
    let out = lint_stdin(&["--strict", "--format", "json"], UNKNOWN);
    assert_eq!(out.code, 1);
    assert_eq!(
        rules(&out),
        [("unknown-kind".to_string(), "error".to_string())]
    );
}

const MONITOR_ELSEWHERE: &str = "apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: kubelet, namespace: monitoring}
spec:
  namespaceSelector: {matchNames: [kube-system]}
  selector: {matchLabels: {k8s-app: kubelet}}
  endpoints: [{port: https-metrics}]
";

#[test]
fn info_findings_inform_without_failing_even_when_strict() {
    let out = lint_stdin(&["--strict", "--format", "json"], MONITOR_ELSEWHERE);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        rules(&out),
        [("servicemonitor-target".to_string(), "info".to_string())]
    );
    let out = lint_stdin(&["--format", "github"], MONITOR_ELSEWHERE);
    assert!(
        out.stdout.starts_with("::notice file=<stdin>,line="),
        "{}",
        out.stdout
    );
}

#[test]
fn a_namespace_selector_that_misses_is_named_as_the_cause() {
    // After a `namespace: prod` overlay, the ServiceMonitor still watches `staging`.
    let text = "apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: web, namespace: prod}
spec:
  namespaceSelector: {matchNames: [staging]}
  selector: {matchLabels: {app: web}}
  endpoints: [{port: metrics}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: prod, labels: {app: web}}
spec:
  ports: [{name: metrics, port: 9900}]
";
    let out = lint_stdin(&["--format", "json"], text);
    assert_eq!(out.code, 1);
    let f = &json(&out)[0];
    assert_eq!(f["rule"], "servicemonitor-target");
    assert_eq!(f["path"], "spec.namespaceSelector");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("namespace `prod`") && message.contains("`staging`"),
        "{message}"
    );
}

// ---------------------------------------------------------------------------------------
// Pod Security: where admission would act
// ---------------------------------------------------------------------------------------

const ROOT_POD: &str = "apiVersion: v1
kind: Pod
metadata: {name: p, namespace: app}
spec:
  containers: [{name: c, image: busybox, securityContext: {privileged: true}}]
";

fn namespace(labels: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app\n  labels: {{{labels}}}\n---\n{ROOT_POD}"
    )
}

#[test]
fn pod_security_follows_the_namespace_labels_or_the_pss_flag() {
    // No Namespace in the set, no flag: nothing to mirror.
    let out = lint_stdin(&["--format", "json"], ROOT_POD);
    assert_eq!((out.code, rules(&out)), (0, vec![]), "{}", out.stdout);
    // --pss assumes an enforced level.
    let out = lint_stdin(&["--format", "json", "--pss", "baseline"], ROOT_POD);
    assert_eq!(out.code, 1);
    assert!(has(&out, "pss-baseline", "error"));
    assert!(!rules(&out).iter().any(|(r, _)| r == "pss-restricted"));
    let out = lint_stdin(&["--format", "json", "--pss", "restricted"], ROOT_POD);
    assert!(has(&out, "pss-baseline", "error") && has(&out, "pss-restricted", "error"));
    // The Namespace in the set wins over the flag.
    let privileged = namespace("pod-security.kubernetes.io/enforce: privileged");
    let out = lint_stdin(&["--format", "json", "--pss", "restricted"], &privileged);
    assert_eq!((out.code, rules(&out)), (0, vec![]), "{}", out.stdout);
    // warn and audit admit the pod: warnings.
    let warn = namespace(
        "pod-security.kubernetes.io/warn: restricted, pod-security.kubernetes.io/enforce: baseline",
    );
    let out = lint_stdin(&["--format", "json"], &warn);
    assert!(has(&out, "pss-baseline", "error"), "{}", out.stdout);
    assert!(has(&out, "pss-restricted", "warning"), "{}", out.stdout);
    let audit = namespace("pod-security.kubernetes.io/audit: restricted");
    let out = lint_stdin(&["--format", "json"], &audit);
    assert_eq!(out.code, 0);
    assert!(
        rules(&out).iter().all(|(_, s)| s == "warning"),
        "{}",
        out.stdout
    );
    assert!(has(&out, "pss-baseline", "warning"));
}

// ---------------------------------------------------------------------------------------
// Lists, ports, operators, bundle shape, HPA versions
// ---------------------------------------------------------------------------------------

const MD_DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: md, namespace: app}
spec:
  selector: {matchLabels: {app: md}}
  template:
    metadata: {labels: {app: md}}
    spec:
      volumes: [{name: conf, configMap: {name: md-conf}}]
      containers:
        - name: md
          image: migratorydata/server:6.0.24
          env: [{name: MIGRATORYDATA_EXTRA_OPTS, value: \"-DLogLevel=INFO\"}]
";

#[test]
fn list_items_are_objects_for_every_rule() {
    let list = format!(
        "{MD_DEPLOYMENT}---
apiVersion: v1
kind: ConfigMapList
items:
  - metadata: {{name: md-conf, namespace: app}}
    data: {{a: b}}
---
apiVersion: v1
kind: List
items:
  - apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {{name: everyone-admin}}
    roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}}
    subjects: [{{kind: Group, name: system:authenticated, apiGroup: rbac.authorization.k8s.io}}]
"
    );
    let out = lint_stdin(&["--format", "json"], &list);
    assert_eq!(out.code, 1);
    let findings = json(&out);
    // The ConfigMap of the list satisfies the volume; the ClusterRoleBinding is seen.
    assert!(
        !findings.iter().any(|f| f["rule"] == "external-ref"),
        "{}",
        out.stdout
    );
    let crb = findings
        .iter()
        .find(|f| f["rule"] == "cluster-scoped")
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert_eq!(crb["name"], "everyone-admin");
    assert_eq!(crb["path"], "items[0].kind");
    assert_eq!(crb["line"], 25);
}

#[test]
fn bundle_shape_rules_apply_only_to_sets_with_a_migratorydata_workload() {
    let installer = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: one}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: two}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: []\n";
    let out = lint_stdin(&["--format", "json"], installer);
    assert_eq!((out.code, rules(&out)), (0, vec![]), "{}", out.stdout);
    let bundle = format!(
        "{installer}---\n{MD_DEPLOYMENT}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: md-conf, namespace: app}}\n"
    );
    let out = lint_stdin(&["--format", "json"], &bundle);
    assert!(has(&out, "cluster-scoped", "error"), "{}", out.stdout);
    assert!(has(&out, "single-namespace", "error"), "{}", out.stdout);
}

#[test]
fn numbers_are_never_undeclared_ports_and_a_name_needs_one_selected_template() {
    let text = format!(
        "{DEPLOYMENT}---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: app}}
spec:
  selector: {{app: web}}
  ports: [{{name: a, port: 80, targetPort: 9000}}, {{name: b, port: 81, targetPort: http}}]
---
# A Helm test pod the Service also selects: it lacks the `http` port.
apiVersion: v1
kind: Pod
metadata: {{name: web-test, namespace: app, labels: {{app: web}}}}
spec:
  containers:
    - name: t
      image: busybox
      readinessProbe: {{tcpSocket: {{port: 9001}}}}
"
    );
    let out = lint_stdin(&["--format", "json"], &text);
    assert_eq!((out.code, rules(&out)), (0, vec![]), "{}", out.stdout);
    let typo = text.replace("targetPort: http", "targetPort: htttp");
    let out = lint_stdin(&["--format", "json"], &typo);
    assert_eq!(out.code, 1);
    let f = &json(&out)[0];
    assert_eq!(f["rule"], "service-target-port");
    assert_eq!(f["path"], "spec.ports[1].targetPort");
}

#[test]
fn selectors_only_an_operators_pods_could_match_are_warnings() {
    let text = "apiVersion: v1
kind: Service
metadata: {name: prometheus-k8s, namespace: monitoring}
spec:
  selector: {app.kubernetes.io/name: prometheus, prometheus: k8s}
  ports: [{name: web, port: 9090}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: prometheus-k8s, namespace: monitoring}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {prometheus: k8s}}
";
    let out = lint_stdin(&["--format", "json"], text);
    assert_eq!(out.code, 1);
    assert!(has(&out, "service-selector", "error") && has(&out, "pdb-target", "error"));
    let with_operator = format!(
        "{text}---\napiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {{name: k8s, namespace: monitoring}}\nspec: {{replicas: 2}}\n"
    );
    let out = lint_stdin(&["--format", "json"], &with_operator);
    assert!(has(&out, "service-selector", "warning"), "{}", out.stdout);
    assert!(has(&out, "pdb-target", "warning"), "{}", out.stdout);
    assert!(out.stdout.contains("Prometheus `k8s`"), "{}", out.stdout);
}

#[test]
fn autoscaling_v1_hpas_are_typed_and_checked() {
    let hpa = "apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: app}
spec:
  minReplicas: 2
  maxReplicas: 4
  targetCPUUtilizationPercentage: 50
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
";
    let text = format!("{DEPLOYMENT}---\n{hpa}");
    let out = lint_stdin(&["--format", "json"], &text);
    // Typed (no schema error), and checked: the Deployment's replicas fight the HPA.
    assert_eq!(
        rules(&out),
        [("hpa-replicas".to_string(), "warning".to_string())],
        "{}",
        out.stdout
    );
    let out = lint_stdin(
        &["--format", "json"],
        &text.replace("name: web}\n", "name: wbe}\n"),
    );
    assert!(has(&out, "hpa-target", "error"), "{}", out.stdout);
}

#[test]
fn a_resources_only_kustomization_lints_as_its_build_without_running_kustomize() {
    if !has_kubectl() {
        return;
    }
    // examples/overlays/base is what `gen render --out` writes: only `resources:`.
    let built = Command::new("kubectl")
        .args(["kustomize", "examples/overlays/base"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let broken = String::from_utf8(built.stdout)
        .unwrap()
        .replace("minAvailable: 2", "minAvailable: 1");
    let piped = lint_stdin(&["--format", "json"], &broken);
    assert!(has(&piped, "md-pdb-seeds", "error"), "{}", piped.stdout);
    let dir = scratch("resources-only");
    for entry in std::fs::read_dir("examples/overlays/base").unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    let pdb = dir.join("poddisruptionbudget-migratorydata-pdb.yaml");
    let text = std::fs::read_to_string(&pdb).unwrap();
    std::fs::write(&pdb, text.replace("minAvailable: 2", "minAvailable: 1")).unwrap();
    // A kustomize that cannot run proves it is not run; the findings are the build's.
    let out = run(&[
        "lint",
        "--format",
        "json",
        "--kustomize-command",
        "gen-no-such-kustomize",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.code, piped.code, "{}", out.stderr);
    let strip = |f: &Value| {
        format!(
            "{} {} {} {} {}",
            f["rule"], f["severity"], f["kind"], f["name"], f["message"]
        )
    };
    let mut a: Vec<String> = json(&piped).iter().map(strip).collect();
    let mut b: Vec<String> = json(&out).iter().map(strip).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    // And the finding names the file it is in.
    let f = json(&out)
        .into_iter()
        .find(|f| f["rule"] == "md-pdb-seeds")
        .unwrap();
    assert!(
        f["file"]
            .as_str()
            .unwrap()
            .ends_with("statefulset-migratorydata.yaml")
            || f["file"]
                .as_str()
                .unwrap()
                .ends_with("poddisruptionbudget-migratorydata-pdb.yaml"),
        "{f}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_resource_outside_the_kustomization_goes_to_kustomize_which_refuses_it() {
    if !has_kubectl() {
        return;
    }
    let dir = scratch("outside");
    write(&dir, "deployment.yaml", DEPLOYMENT);
    write(
        &dir,
        "overlay/kustomization.yaml",
        "resources: [../deployment.yaml]\n",
    );
    let out = run(&["lint", dir.join("overlay").to_str().unwrap()]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("is not in or below"), "{}", out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_kustomization_file_named_directly_stands_for_its_directorys_build() {
    if !has_kubectl() {
        return;
    }
    let out = run(&[
        "lint",
        "--format",
        "json",
        "examples/overlays/broken/kustomization.yaml",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    for rule in ["md-members-cover-replicas", "md-pdb-seeds"] {
        assert!(has(&out, rule, "error"), "{rule}: {}", out.stdout);
    }
    assert!(
        json(&out)
            .iter()
            .all(|f| f["file"] == "kubectl kustomize examples/overlays/broken"),
        "{}",
        out.stdout
    );
}

// ---------------------------------------------------------------------------------------
// Places: a key holding dots is one key
// ---------------------------------------------------------------------------------------

/// A Service whose label and annotation keys hold dots, beside shorter keys a dotted path
/// read back would land on (`example`, `lint`); [`DEPLOYMENT`] follows it.
const DOTTED_KEYS: &str = "\
apiVersion: v1
kind: Service
metadata:
  name: web
  labels:
    example: ok
    example.com/team: -bad-
  annotations:
    lint: x
    lint.gen.migratorydata.io/nope: because
    service.beta.kubernetes.io/aws-load-balancer-target-group-attributes: deregistration_delay.timeout_seconds=60
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
";

#[test]
fn findings_on_keys_holding_dots_point_at_that_key() {
    let set = format!("{DOTTED_KEYS}{DEPLOYMENT}");
    let out = lint_stdin(&["--format", "json"], &set);
    let findings = json(&out);
    let at = |rule: &str| {
        let f = findings
            .iter()
            .find(|f| f["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule} in {}", out.stdout));
        (f["path"].as_str().unwrap().to_string(), f["line"].as_u64())
    };
    assert_eq!(
        at("api-validation"),
        (
            r#"metadata.labels["example.com/team"]"#.to_string(),
            Some(7)
        )
    );
    assert_eq!(
        at("lint-annotation"),
        (
            r#"metadata.annotations["lint.gen.migratorydata.io/nope"]"#.to_string(),
            Some(10)
        )
    );
    assert_eq!(
        at("shutdown-timing"),
        (
            r#"metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-target-group-attributes"]"#
                .to_string(),
            Some(11)
        )
    );
    let text = lint_stdin(&[], &set);
    assert!(
        text.stdout
            .contains(r#"<stdin>:10:37 (metadata.annotations["lint.gen.migratorydata.io/nope"])"#),
        "{}",
        text.stdout
    );
}
