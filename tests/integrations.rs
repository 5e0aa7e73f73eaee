//! gen where users already work: SARIF for code scanning, the kustomize exec plugin and its
//! installer, the KRM function, and `--expect-namespace` (the Argo CD plugin's guard), each
//! through the built binary.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{run, run_with_stdin};
use serde_json::Value;

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("not YAML ({e}):\n{text}"))
}

// ---- SARIF -----------------------------------------------------------------------------

#[test]
fn sarif_lists_every_rule_and_places_each_finding_like_json_does() {
    let file = "tests/fixtures/lint/service-selector.yaml";
    let sarif = run(&["lint", "--format", "sarif", file]);
    let plain = run(&["lint", "--format", "json", file]);
    assert_eq!(sarif.code, 1, "{}", sarif.stderr);
    assert_eq!(plain.code, 1);
    let log = json(&sarif.stdout);
    assert_eq!(log["version"], "2.1.0");
    let run0 = &log["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), gen_core::lint::RULES.len());
    for (r, doc) in rules.iter().zip(gen_core::lint::RULES) {
        assert_eq!(r["id"], doc.id);
        assert_eq!(r["fullDescription"]["text"], doc.why);
        assert_eq!(r["help"]["text"], doc.fix);
        assert_eq!(
            r["defaultConfiguration"]["level"],
            doc.severity.to_string(),
            "{}",
            doc.id
        );
    }
    let results = run0["results"].as_array().unwrap();
    let findings = json(&plain.stdout);
    let findings = findings.as_array().unwrap();
    assert_eq!(results.len(), findings.len());
    for (r, f) in results.iter().zip(findings) {
        assert_eq!(r["ruleId"], f["rule"]);
        assert_eq!(r["level"], f["severity"]);
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], f["rule"]);
        let loc = &r["locations"][0];
        let phys = &loc["physicalLocation"];
        assert_eq!(phys["artifactLocation"]["uri"], file);
        assert_eq!(phys["region"]["startLine"], f["line"]);
        assert_eq!(phys["region"]["startColumn"], f["column"]);
        assert_eq!(loc["logicalLocations"][0]["name"], f["name"]);
        assert_eq!(r["properties"]["kind"], f["kind"]);
        assert_eq!(r["properties"]["namespace"], f["namespace"]);
    }
}

#[test]
fn sarif_of_a_clean_bundle_has_no_results_and_exits_0() {
    let bundle = run(&["render", "examples/native.yaml"]);
    assert_eq!(bundle.code, 0, "{}", bundle.stderr);
    let out = run_with_stdin(
        &["lint", "--format", "sarif", "-"],
        Some(bundle.stdout.as_bytes()),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        json(&out.stdout)["runs"][0]["results"],
        Value::Array(vec![])
    );
}

#[test]
fn sarif_points_a_kustomize_built_object_at_its_origin_file() {
    let stream = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: ns\n  annotations:\n    config.kubernetes.io/origin: |\n      path: base/service.yaml\nspec:\n  selector:\n    app: nothing\n  ports:\n  - port: 80\n";
    let out = run_with_stdin(&["lint", "--format", "sarif", "-"], Some(stream.as_bytes()));
    let log = json(&out.stdout);
    let result = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "service-selector")
        .unwrap_or_else(|| panic!("no service-selector result:\n{}", out.stdout));
    let phys = &result["locations"][0]["physicalLocation"];
    assert_eq!(phys["artifactLocation"]["uri"], "base/service.yaml");
    let stream_place = &result["relatedLocations"][0]["physicalLocation"];
    assert_eq!(stream_place["artifactLocation"]["uri"], "%3Cstdin%3E");
    assert_eq!(
        stream_place["region"]["startLine"], 11,
        "the selector's value"
    );
}

// ---- kustomize exec plugin ---------------------------------------------------------------

fn gen_exe() -> &'static str {
    env!("CARGO_BIN_EXE_gen")
}

fn plugin_file(home: &Path) -> std::path::PathBuf {
    home.join("gen.migratorydata.io/v1alpha1/migratorydatacluster/MigratoryDataCluster")
}

#[test]
fn kustomize_plugin_installs_where_kustomize_looks() {
    let tmp = tempfile::tempdir().unwrap();
    let explicit = tmp.path().join("explicit");
    let out = run(&["kustomize-plugin", explicit.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout.trim(),
        plugin_file(&explicit).display().to_string()
    );
    // Without DIR: $XDG_CONFIG_HOME/kustomize/plugin when KUSTOMIZE_PLUGIN_HOME is unset.
    let xdg = tmp.path().join("xdg");
    let status = Command::new(gen_exe())
        .arg("kustomize-plugin")
        .env_remove("KUSTOMIZE_PLUGIN_HOME")
        .env("XDG_CONFIG_HOME", &xdg)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let script = plugin_file(&xdg.join("kustomize/plugin"));
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(text.starts_with("#!/bin/sh\n"), "{text}");
    assert!(text.contains("kustomize-exec \"$@\""), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&script).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
    }
}

#[test]
fn kustomize_plugin_fails_on_a_directory_it_cannot_create() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let out = run(&["kustomize-plugin", file.to_str().unwrap()]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("cannot create"), "{}", out.stderr);
    assert_eq!(out.stdout, "");
}

/// `kubectl kustomize --enable-alpha-plugins DIR` with the plugin installed in a fresh home.
fn kustomize_build(dir: &Path) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    let out = run(&["kustomize-plugin", home.path().to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    Command::new("kubectl")
        .args(["kustomize", "--enable-alpha-plugins"])
        .arg(dir)
        .env("KUSTOMIZE_PLUGIN_HOME", home.path())
        .stdin(Stdio::null())
        .output()
        .expect("kubectl runs (the tests need it, as .ci/run installs it)")
}

#[test]
fn the_generator_example_builds_patched_and_lints_clean() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/kustomize-generator");
    let built = kustomize_build(&dir);
    let stdout = String::from_utf8(built.stdout).unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let bundle = common::Bundle::parse(&stdout);
    let sts = bundle.get("StatefulSet", "realtime");
    assert_eq!(
        sts["spec"]["template"]["metadata"]["labels"]["sidecar.istio.io/inject"],
        "false"
    );
    assert_eq!(sts["metadata"]["labels"]["team"], "realtime");
    let lint = run_with_stdin(&["lint", "-"], Some(stdout.as_bytes()));
    assert_eq!(lint.code, 0, "{}{}", lint.stdout, lint.stderr);
}

const SPEC: &str = "apiVersion: gen.migratorydata.io/v1alpha1\nkind: MigratoryDataCluster\nmetadata:\n  name: demo\nnamespace: demo\nplatform: aks\n";

#[test]
fn plugin_errors_name_the_users_file_and_line_not_kustomizes_copy() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kustomization.yaml"),
        "generators:\n- specs.yaml\n",
    )
    .unwrap();
    // A comment first: kustomize's copy has none, so its lines differ from the user's.
    let spec = format!("# the demo cluster\n{SPEC}replicas: 0\n");
    std::fs::write(dir.path().join("specs.yaml"), spec).unwrap();
    let built = kustomize_build(dir.path());
    assert!(!built.status.success());
    let stderr = String::from_utf8_lossy(&built.stderr);
    let user_file = dir.path().join("specs.yaml").display().to_string();
    assert!(
        stderr.contains(&format!("{user_file}:8:11 (replicas)")),
        "{stderr}"
    );
    assert!(stderr.contains("must be at least 1"), "{stderr}");
    assert!(!stderr.contains("--> /tmp/kust-plugin-config"), "{stderr}");
}

#[test]
fn plugin_resolves_jaas_file_against_the_kustomization_root() {
    let root = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let spec = format!(
        "{SPEC}replicas: 3\nbackplane:\n  type: kafka\n  bootstrapServers: [\"kafka:9093\"]\n  topics: [\"t\"]\n  securityProtocol: SASL_SSL\n  saslMechanism: SCRAM-SHA-512\n  jaas:\n    file: jaas.config\n"
    );
    // kustomize's copy lives in a temporary directory, away from the kustomization.
    let copy = elsewhere.path().join("kust-plugin-config-1");
    std::fs::write(&copy, &spec).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/jaas.config"),
        root.path().join("jaas.config"),
    )
    .unwrap();
    let exec = |root: &Path| {
        Command::new(gen_exe())
            .arg("kustomize-exec")
            .arg(&copy)
            .current_dir(elsewhere.path())
            .env("KUSTOMIZE_PLUGIN_CONFIG_ROOT", root)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = exec(root.path());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("kind: Secret"), "{stdout}");
    // Not found there: the error names the generator, not the copy.
    let empty = tempfile::tempdir().unwrap();
    let out = exec(empty.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(
        stderr.contains("generator `demo` (MigratoryDataCluster)"),
        "{stderr}"
    );
    assert!(!stderr.contains("kust-plugin-config-1"), "{stderr}");
}

// ---- KRM function -------------------------------------------------------------------------

fn gen_fn(fixture: &str) -> (common::Run, Value, Value) {
    let input = std::fs::read_to_string(fixture).unwrap();
    let out = run_with_stdin(&["fn"], Some(input.as_bytes()));
    let list = yaml(&out.stdout);
    (out, yaml(&input), list)
}

#[test]
fn gen_fn_appends_the_bundle_to_the_items_and_reports_warnings() {
    let (out, input, list) = gen_fn("tests/fixtures/krm/generator.yaml");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(list["kind"], "ResourceList");
    assert_eq!(list["apiVersion"], input["apiVersion"]);
    assert_eq!(list["functionConfig"], input["functionConfig"]);
    let items = list["items"].as_array().unwrap();
    // The input items come back first, unchanged.
    assert_eq!(items[0], input["items"][0]);
    let kinds: Vec<&str> = items[1..]
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"StatefulSet"), "{kinds:?}");
    assert!(
        items[1..]
            .iter()
            .all(|i| i["metadata"]["namespace"] == "demo" || i["kind"] == "Namespace")
    );
    let results = list["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .all(|r| r["severity"] == "warning" && r["resourceRef"]["name"] == "demo"),
        "{results:?}"
    );
    assert!(!results.is_empty(), "replicas = seeds is warned about");
}

#[test]
fn gen_fn_renders_what_gen_render_renders() {
    let (out, input, list) = gen_fn("tests/fixtures/krm/generator.yaml");
    assert_eq!(out.code, 0);
    let spec = serde_saphyr::to_string(&input["functionConfig"]).unwrap();
    let rendered = run_with_stdin(&["render", "-"], Some(spec.as_bytes()));
    assert_eq!(rendered.code, 0, "{}", rendered.stderr);
    let expected = common::Bundle::parse(&rendered.stdout).docs;
    assert_eq!(list["items"].as_array().unwrap()[1..], expected[..]);
}

#[test]
fn gen_fn_reports_an_invalid_spec_in_results_and_exits_1() {
    let (out, input, list) = gen_fn("tests/fixtures/krm/invalid.yaml");
    assert_eq!(out.code, 1);
    assert_eq!(list["items"], input["items"], "no bundle on an error");
    let results = list["results"].as_array().unwrap();
    let error = results
        .iter()
        .find(|r| r["severity"] == "error")
        .unwrap_or_else(|| panic!("{results:?}"));
    assert_eq!(error["field"]["path"], "replicas");
    assert_eq!(error["message"], "must be at least 1");
    assert!(out.stderr.contains("must be at least 1"), "{}", out.stderr);
}

#[test]
fn gen_fn_refuses_what_is_not_a_resource_list() {
    let out = run_with_stdin(&["fn"], Some(SPEC.as_bytes()));
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("not a ResourceList"), "{}", out.stderr);
    let list = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n";
    let out = run_with_stdin(&["fn"], Some(list.as_bytes()));
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no `functionConfig`"), "{}", out.stderr);
    assert_eq!(yaml(&out.stdout)["results"][0]["severity"], "error");
}

// ---- Argo CD guard ---------------------------------------------------------------------------

#[test]
fn expect_namespace_refuses_a_spec_for_another_namespace() {
    let wrong = run(&[
        "render",
        "examples/native.yaml",
        "--expect-namespace",
        "elsewhere",
    ]);
    assert_eq!(wrong.code, 1);
    assert_eq!(wrong.stdout, "");
    assert!(
        wrong.stderr.contains("not the expected `elsewhere`"),
        "{}",
        wrong.stderr
    );
    let ns = yaml(&std::fs::read_to_string("examples/native.yaml").unwrap())["namespace"]
        .as_str()
        .unwrap()
        .to_string();
    let right = run(&["render", "examples/native.yaml", "--expect-namespace", &ns]);
    assert_eq!(right.code, 0, "{}", right.stderr);
    assert!(right.stdout.contains("kind: StatefulSet"));
}

/// `gen lint DIR` on a kustomization whose generator is a gen spec: with the plugin it lints
/// the built bundle; with the `config.kubernetes.io/function` annotation kubectl's kustomize
/// skips the generator and prints nothing, and gen says so instead of passing an empty build.
#[test]
fn lint_of_a_generator_kustomization_fails_when_the_build_holds_no_workload() {
    if !common::tool("kubectl", &["version", "--client"]) {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let out = run(&["kustomize-plugin", home.path().to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lint = |dir: &Path| {
        let out = Command::new(gen_exe())
            .args([
                "lint",
                "--kustomize-command",
                "kubectl kustomize --enable-alpha-plugins",
            ])
            .arg(dir)
            .env("KUSTOMIZE_PLUGIN_HOME", home.path())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/kustomize-generator");
    let (code, stdout, stderr) = lint(&example);
    assert_eq!(code, Some(0), "{stdout}{stderr}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        example.join("kustomization.yaml"),
        dir.path().join("kustomization.yaml"),
    )
    .unwrap();
    let spec = std::fs::read_to_string(example.join("cluster.yaml")).unwrap();
    let annotated = spec.replacen(
        "metadata:\n",
        "metadata:\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: gen\n",
        1,
    );
    assert_ne!(annotated, spec, "the example spec has a metadata block");
    std::fs::write(dir.path().join("cluster.yaml"), annotated).unwrap();
    let (code, stdout, stderr) = lint(dir.path());
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("holds no StatefulSet or Deployment")
            && stderr.contains("config.kubernetes.io/function"),
        "{stderr}"
    );
    // `gen diff` builds the directory the same way and refuses the empty build too.
    let diff = Command::new(gen_exe())
        .args([
            "diff",
            "--kustomize-command",
            "kubectl kustomize --enable-alpha-plugins",
        ])
        .arg(&example)
        .arg(dir.path())
        .env("KUSTOMIZE_PLUGIN_HOME", home.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&diff.stderr);
    assert_eq!(diff.status.code(), Some(1), "{stderr}");
    assert!(diff.stdout.is_empty());
    assert!(
        stderr.contains("holds no StatefulSet or Deployment"),
        "{stderr}"
    );
}
