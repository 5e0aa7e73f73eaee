//! `gen diff`: the plan of applying one side over another, through the built binary.

mod common;

use std::path::{Path, PathBuf};

use common::{run, run_with_stdin};
use serde_json::Value;

const NATIVE: &str = "name: md\nnamespace: rt\nplatform: aks\nreplicas: 3\nseedCount: 2\n";
const KAFKA: &str = "name: md\nnamespace: rt\nplatform: aks\nreplicas: 3\nbackplane:\n  type: kafka\n  bootstrapServers: [\"k:9093\"]\n  topics: [\"t\"]\n";
const KAFKA_JAAS: &str = "name: md\nnamespace: rt\nplatform: aks\nreplicas: 3\nbackplane:\n  type: kafka\n  bootstrapServers: [\"k:9093\"]\n  topics: [\"t\"]\n  securityProtocol: SASL_SSL\n  saslMechanism: PLAIN\n  jaas:\n    file: jaas.config\n";
const MARKER: &str = "MARKER-SECRET-7d1f";

fn jaas(password: &str) -> String {
    format!(
        "KafkaClient {{\n  org.apache.kafka.common.security.plain.PlainLoginModule required\n  username=\"md\"\n  password=\"{password}\";\n}};\n"
    )
}

/// Writes `files` into a new temporary directory.
fn dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = d.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    d
}

fn p(d: &tempfile::TempDir, name: &str) -> String {
    d.path().join(name).display().to_string()
}

/// `gen diff --format json OLD NEW`, parsed; the run must succeed.
fn plan(old: &str, new: &str, extra: &[&str]) -> Value {
    let mut args = vec!["diff", "--format", "json", old, new];
    args.extend(extra);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("JSON")
}

fn object<'a>(plan: &'a Value, kind: &str, name: &str) -> &'a Value {
    plan["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == kind && o["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in {plan:#}"))
}

fn effects(o: &Value) -> Vec<&str> {
    o["effects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect()
}

#[test]
fn identical_specs_change_nothing() {
    let rendered = run(&["render", "examples/native.yaml"])
        .stdout
        .matches("---\n")
        .count();
    let r = run(&[
        "diff",
        "--exit-code",
        "examples/native.yaml",
        "examples/native.yaml",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let summary = format!(
        "0 restarts, 0 orphans, 0 recreate (0 scale, 0 in-place, 0 added, {rendered} unchanged)\n"
    );
    assert_eq!(r.stdout, summary);
    let plan = plan("examples/native.yaml", "examples/native.yaml", &[]);
    let objects = plan["objects"].as_array().unwrap();
    assert_eq!(objects.len(), rendered);
    for o in objects {
        assert_eq!(o["change"], "unchanged");
        assert_eq!(o["effects"], serde_json::json!([]));
        assert_eq!(o["fields"], serde_json::json!([]));
        for key in ["apiVersion", "kind", "namespace", "name"] {
            assert!(o[key].is_string(), "{key} in {o}");
        }
    }
}

#[test]
fn a_label_restarts_every_member_from_the_highest_ordinal() {
    let d = dir(&[
        ("old.yaml", NATIVE),
        (
            "new.yaml",
            &format!("{NATIVE}labels:\n  cost-center: \"42\"\n"),
        ),
    ]);
    let plan = plan(&p(&d, "old.yaml"), &p(&d, "new.yaml"), &[]);
    let sts = object(&plan, "StatefulSet", "md");
    assert_eq!(effects(sts), ["restart", "in-place"]);
    assert_eq!(sts["pods"], serde_json::json!(["md-2", "md-1", "md-0"]));
    assert_eq!(
        sts["reasons"][0],
        "pod label `cost-center` added: `labels.cost-center` (none) → 42"
    );
    // Labels outside a pod template change in place.
    assert_eq!(effects(object(&plan, "Service", "md-cs")), ["in-place"]);
    assert_eq!(plan["summary"]["restart"], 1);
    let r = run(&[
        "diff",
        "--exit-code",
        &p(&d, "old.yaml"),
        &p(&d, "new.yaml"),
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("1 restart, 0 orphans, 0 recreate"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "restarts 3 pods (md-2, md-1, md-0): one at a time from the highest ordinal down"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn an_extra_option_named_with_dots_is_traced_to_its_spec_field() {
    let spec = |v: &str| format!("{NATIVE}extraOptions:\n  X.ConnectionOffload: \"{v}\"\n");
    let d = dir(&[("old.yaml", &spec("false")), ("new.yaml", &spec("true"))]);
    let plan = plan(&p(&d, "old.yaml"), &p(&d, "new.yaml"), &[]);
    let sts = object(&plan, "StatefulSet", "md");
    assert_eq!(
        sts["reasons"],
        serde_json::json!([
            "`-DX.ConnectionOffload` changed: `extraOptions[\"X.ConnectionOffload\"]` false → true"
        ])
    );
}

#[test]
fn raising_autoscale_max_rolls_every_member_and_changes_the_hpa_in_place() {
    let old = std::fs::read_to_string("examples/native.yaml").unwrap();
    let d = dir(&[
        ("old.yaml", &old),
        ("new.yaml", &old.replace("max: 5", "max: 7")),
    ]);
    let plan = plan(&p(&d, "old.yaml"), &p(&d, "new.yaml"), &[]);
    let sts = object(&plan, "StatefulSet", "migratorydata");
    assert_eq!(effects(sts), ["restart"]);
    assert_eq!(sts["podsUpTo"], 7);
    assert!(sts.get("pods").is_none());
    assert_eq!(
        sts["reasons"],
        serde_json::json!(["`-DClusterMembers` changed: `autoscale.max` 5 → 7"])
    );
    let field = &sts["fields"][0];
    assert!(
        field["path"]
            .as_str()
            .unwrap()
            .ends_with("[-DClusterMembers]"),
        "{field}"
    );
    let hpa = object(&plan, "HorizontalPodAutoscaler", "migratorydata-autoscale");
    assert_eq!(effects(hpa), ["in-place"]);
    assert_eq!(
        hpa["fields"],
        serde_json::json!([{"path": "spec.maxReplicas", "old": 5, "new": 7}])
    );
}

#[test]
fn scaling_a_kafka_deployment_restarts_nothing() {
    let d = dir(&[
        ("old.yaml", KAFKA),
        ("new.yaml", &KAFKA.replace("replicas: 3", "replicas: 4")),
    ]);
    let plan = plan(&p(&d, "old.yaml"), &p(&d, "new.yaml"), &[]);
    let dep = object(&plan, "Deployment", "md");
    assert_eq!(effects(dep), ["scale"]);
    assert!(dep.get("pods").is_none() && dep.get("podCount").is_none());
    assert_eq!(plan["summary"]["restart"], 0);
    assert_eq!(plan["summary"]["scale"], 1);
    let r = run(&["diff", &p(&d, "old.yaml"), &p(&d, "new.yaml")]);
    assert!(
        r.stdout.contains("scale: replicas 3 → 4; no pod restarts"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_rename_orphans_the_old_objects_and_adds_new_ones() {
    let d = dir(&[
        ("old.yaml", NATIVE),
        ("new.yaml", &NATIVE.replace("name: md", "name: md2")),
    ]);
    let plan = plan(&p(&d, "old.yaml"), &p(&d, "new.yaml"), &[]);
    let sts = object(&plan, "StatefulSet", "md");
    assert_eq!(sts["change"], "removed");
    assert_eq!(effects(sts), ["orphan"]);
    assert_eq!(sts["delete"], "kubectl delete statefulset.apps md -n rt");
    assert!(
        sts["warning"]
            .as_str()
            .unwrap()
            .starts_with("a second cluster keeps running")
    );
    assert_eq!(object(&plan, "StatefulSet", "md2")["change"], "added");
    assert_eq!(object(&plan, "Service", "md-cs")["change"], "removed");
    assert_eq!(object(&plan, "Service", "md2-cs")["change"], "added");
    // The Namespace keeps its name: only its labels change.
    assert_eq!(effects(object(&plan, "Namespace", "rt")), ["in-place"]);
    assert_eq!(plan["summary"]["orphan"], plan["summary"]["added"]);
}

#[test]
fn native_to_kafka_warns_about_the_orphaned_statefulset() {
    let d = dir(&[("old.yaml", NATIVE), ("new.yaml", KAFKA)]);
    let plan = plan(&p(&d, "old.yaml"), &p(&d, "new.yaml"), &[]);
    let sts = object(&plan, "StatefulSet", "md");
    assert_eq!(effects(sts), ["orphan"]);
    let warning = sts["warning"].as_str().unwrap();
    assert!(
        warning.starts_with("two backplanes at once: StatefulSet `md`"),
        "{warning}"
    );
    assert!(warning.contains("Deployment `md`"), "{warning}");
    assert_eq!(object(&plan, "Deployment", "md")["change"], "added");
    let r = run(&["diff", &p(&d, "old.yaml"), &p(&d, "new.yaml")]);
    assert!(
        r.stdout.contains("warning: two backplanes at once"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_changed_service_name_needs_the_statefulset_recreated() {
    let bundle = run(&["render", "examples/native.yaml"]).stdout;
    let changed = bundle.replace("serviceName: migratorydata-hs", "serviceName: other-hs");
    assert_ne!(bundle, changed);
    let d = dir(&[("old.yaml", &bundle), ("new.yaml", &changed)]);
    let new = p(&d, "new.yaml");
    let plan = plan(&p(&d, "old.yaml"), &new, &[]);
    let sts = object(&plan, "StatefulSet", "migratorydata");
    assert_eq!(effects(sts), ["recreate"]);
    assert_eq!(
        sts["recreate"]["commands"],
        serde_json::json!([
            "kubectl delete statefulset.apps migratorydata -n migratory --cascade=orphan",
            format!("kubectl apply -f {new}")
        ])
    );
    assert!(
        sts["recreate"]["why"][0]
            .as_str()
            .unwrap()
            .contains("serviceName is immutable")
    );
    assert!(
        sts["recreate"]["cost"]
            .as_str()
            .unwrap()
            .starts_with("no pod stops")
    );
    let md = run(&["diff", "--format", "markdown", &p(&d, "old.yaml"), &new]);
    assert!(
        md.stdout.contains(
            "- run: `kubectl delete statefulset.apps migratorydata -n migratory --cascade=orphan`"
        ),
        "{}",
        md.stdout
    );
}

/// No trace of the JAAS file (its text, base64 or SHA-256) in `s`.
fn assert_no_secret(s: &str, jaas: &str) {
    use base64::Engine;
    use sha2::Digest;
    assert!(!s.contains(MARKER), "{s}");
    let b64 = base64::engine::general_purpose::STANDARD.encode(jaas);
    assert!(!s.contains(&b64[..40]), "{s}");
    let sum: String = sha2::Sha256::digest(jaas.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(!s.contains(&sum), "{s}");
}

#[test]
fn a_changed_jaas_file_is_redacted_and_restarts_through_the_checksum() {
    let (old, new) = (jaas("old-password-1234"), jaas(MARKER));
    let d = dir(&[
        ("old/spec.yaml", KAFKA_JAAS),
        ("old/jaas.config", &old),
        ("new/spec.yaml", KAFKA_JAAS),
        ("new/jaas.config", &new),
    ]);
    let (a, b) = (p(&d, "old/spec.yaml"), p(&d, "new/spec.yaml"));
    let plan = plan(&a, &b, &[]);
    let secret = object(&plan, "Secret", "md-jaas");
    assert_eq!(
        secret["fields"],
        serde_json::json!([{"path": "data[\"jaas.config\"]", "old": "(redacted)", "new": "(redacted)"}])
    );
    let dep = object(&plan, "Deployment", "md");
    assert_eq!(effects(dep), ["restart"]);
    assert_eq!(dep["podCount"], 3);
    assert_eq!(
        dep["reasons"],
        serde_json::json!(["the JAAS file changed (`checksum/jaas`)"])
    );
    for format in ["text", "json", "markdown"] {
        let r = run(&["diff", "--format", format, &a, &b]);
        assert_eq!(r.code, 0);
        for (s, what) in [(&r.stdout, "stdout"), (&r.stderr, "stderr")] {
            for j in [&old, &new] {
                assert_no_secret(s, j);
            }
            assert!(!s.is_empty() || what == "stderr");
        }
    }
}

/// The plan's objects, each restart reason cut before the spec fields it names (only two
/// specs name them: a directory does not say which spec field made it).
fn objects(plan: &Value) -> Value {
    let mut objects = plan["objects"].clone();
    for o in objects.as_array_mut().unwrap() {
        if let Some(reasons) = o.get_mut("reasons").and_then(Value::as_array_mut) {
            for r in reasons {
                let cut = r.as_str().unwrap().split(": `").next().unwrap().to_string();
                *r = Value::String(cut);
            }
        }
    }
    objects
}

fn render_out(spec: &str, dir: &Path) {
    let r = run(&["render", spec, "--out", &dir.display().to_string()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn an_out_directory_plans_exactly_as_its_spec() {
    for (old, new) in [
        (
            NATIVE.to_string(),
            format!("{NATIVE}labels:\n  cost-center: \"42\"\n"),
        ),
        (
            KAFKA_JAAS.to_string(),
            KAFKA_JAAS.replace("replicas: 3", "replicas: 5"),
        ),
    ] {
        let d = dir(&[
            ("old.yaml", &old),
            ("new.yaml", &new),
            ("jaas.config", &jaas(MARKER)),
        ]);
        let base: PathBuf = d.path().join("base");
        render_out(&p(&d, "old.yaml"), &base);
        let from_specs = plan(&p(&d, "old.yaml"), &p(&d, "new.yaml"), &[]);
        let from_dir = plan(&base.display().to_string(), &p(&d, "new.yaml"), &[]);
        assert_eq!(objects(&from_specs), objects(&from_dir));
        assert_eq!(from_specs["summary"], from_dir["summary"]);
        assert!(from_specs["summary"]["changed"].as_u64().unwrap() > 0);
        // And the directory against its own spec: nothing changes.
        let same = plan(&base.display().to_string(), &p(&d, "old.yaml"), &[]);
        assert_eq!(
            same["summary"]["unchanged"],
            same["objects"].as_array().unwrap().len()
        );
    }
}

#[test]
fn a_jaas_file_changed_behind_an_out_directory_restarts_the_pods() {
    let d = dir(&[
        ("spec.yaml", KAFKA_JAAS),
        ("jaas.config", &jaas("old-password-1234")),
    ]);
    let base = d.path().join("base");
    render_out(&p(&d, "spec.yaml"), &base);
    std::fs::write(d.path().join("jaas.config"), jaas(MARKER)).unwrap();
    let r = run(&["diff", &base.display().to_string(), &p(&d, "spec.yaml")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("1 restart, 0 orphans, 0 recreate"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("why: the JAAS file changed (`checksum/jaas`)"),
        "{}",
        r.stdout
    );
    assert_no_secret(&r.stdout, &jaas(MARKER));
}

#[test]
fn check_prints_what_the_drift_would_do() {
    let old = std::fs::read_to_string("examples/native.yaml").unwrap();
    let d = dir(&[("spec.yaml", &old)]);
    let base = d.path().join("base").display().to_string();
    render_out(&p(&d, "spec.yaml"), Path::new(&base));
    std::fs::write(d.path().join("spec.yaml"), old.replace("max: 5", "max: 7")).unwrap();
    let r = run(&["render", &p(&d, "spec.yaml"), "--out", &base, "--check"]);
    assert_eq!(r.code, 1);
    let (_, plan) = r
        .stdout
        .split_once("\nApplying it would do:\n")
        .expect(&r.stdout);
    assert!(
        plan.starts_with("1 restart, 0 orphans, 0 recreate (0 scale, 1 in-place"),
        "{plan}"
    );
    assert!(plan.contains("why: `-DClusterMembers` changed"), "{plan}");
}

#[test]
fn a_kustomization_directory_is_built_and_compared() {
    let plan = plan("examples/overlays/base", "examples/overlays/prod", &[]);
    let hpa = object(&plan, "HorizontalPodAutoscaler", "migratorydata-autoscale");
    assert_eq!(effects(hpa), ["in-place"]);
    assert!(
        hpa["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "spec.minReplicas")
    );
    // The overlay's label stays off the pod template: nothing restarts.
    assert_eq!(plan["summary"]["restart"], 0);
    let r = run(&[
        "diff",
        "--kustomize-command",
        "no-such-kustomize-xyz",
        "examples/overlays/base",
        "examples/overlays/prod",
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("`no-such-kustomize-xyz"), "{}", r.stderr);
}

#[test]
fn stdin_is_one_side_at_most_and_bad_input_fails() {
    let bundle = run(&["render", "examples/native.yaml"]).stdout;
    let r = run_with_stdin(
        &["diff", "-", "examples/native.yaml"],
        Some(bundle.as_bytes()),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("0 restarts, 0 orphans, 0 recreate"),
        "{}",
        r.stdout
    );
    let r = run(&["diff", "-", "-"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    let r = run(&["diff", "examples/native.yaml", "no/such/file.yaml"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.is_empty() && r.stderr.contains("no/such/file.yaml"),
        "{}",
        r.stderr
    );
    let r = run_with_stdin(
        &["diff", "-", "examples/native.yaml"],
        Some(b"kind: Service\n: [\n"),
    );
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("document 1 (line"), "{}", r.stderr);
    let r = run(&["diff", "--format", "yaml", "a", "b"]);
    assert_eq!(r.code, 2);
}

/// A manifest side is weighed against the input budget before it is parsed, as in lint.
#[test]
fn a_side_past_the_input_budget_is_refused_with_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.yaml");
    std::fs::write(
        &bomb,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\ndata:\n  a: &x \"v\"\n  b: *x\n  c: *x\n",
    )
    .unwrap();
    let bomb = bomb.to_str().unwrap();
    let out = common::run(&["diff", "--max-aliases", "1", bomb, bomb]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("--max-aliases"), "{}", out.stderr);
    let out = common::run(&["diff", bomb, bomb]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}
