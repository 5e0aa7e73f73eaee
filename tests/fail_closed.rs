//! Fail closed (issue 9): in a pipeline or a CI gate, a mistake upstream of gen is an error,
//! never exit 0. Each test is one way gen used to fail open.

mod common;

use std::process::{Command, Stdio};

use common::{Bundle, run, run_with_stdin};

const EXAMPLES: [&str; 5] = [
    "examples/native.yaml",
    "examples/native-full.yaml",
    "examples/aks-native-guide.yaml",
    "examples/aks-eventhubs-guide.yaml",
    "examples/kafka-strimzi.yaml",
];

/// Runs gen with its stdout on `stdout`; returns exit code and stderr.
fn run_to(args: &[&str], stdout: Stdio) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .expect("gen runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

// `gen render $SPEC | kubectl apply -f -` with `$SPEC` empty printed the embedded example.

#[test]
fn render_without_a_spec_is_a_usage_error_not_the_example() {
    for args in [&["render"][..], &["render", "--out", "/nonexistent/x"]] {
        let out = run(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(out.stderr.contains("no spec given"), "{}", out.stderr);
        assert!(
            out.stderr.contains("--example"),
            "the hint names the explicit form"
        );
        assert!(out.stderr.contains("`-`"), "the hint names stdin");
    }
}

#[test]
fn an_empty_spec_path_is_a_usage_error() {
    for args in [
        &["render", ""][..],
        &["render", "examples/native.yaml", ""],
        &["describe", ""],
    ] {
        let out = run(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(out.stderr.contains("empty spec path"), "{}", out.stderr);
    }
}

#[test]
fn describe_without_a_spec_is_a_usage_error() {
    let out = run(&["describe"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("--example"), "{}", out.stderr);
}

#[test]
fn the_example_is_one_flag_away_on_every_platform() {
    let file = run(&["render", "examples/native.yaml", "--platform", "eks"]);
    let example = run(&["render", "--example", "--platform", "eks"]);
    assert_eq!(example.code, 0, "{}", example.stderr);
    assert_eq!(example.stdout, file.stdout);
    let described = run(&["describe", "--example", "--platform", "openshift"]);
    assert_eq!(described.code, 0, "{}", described.stderr);
    assert!(
        described.stdout.contains("on openshift"),
        "{}",
        described.stdout
    );
    // `--example` and a file contradict each other.
    assert_eq!(
        run(&["render", "--example", "examples/native.yaml"]).code,
        2
    );
}

// A warning could never fail CI.

#[test]
fn strict_render_turns_a_warning_into_an_error_and_prints_nothing() {
    let spec = "namespace: ns\nplatform: aks\nreplicas: 3\nimage: migratorydata/server:latest\n";
    let lax = run_with_stdin(&["render", "-"], Some(spec.as_bytes()));
    assert_eq!(lax.code, 0);
    assert!(lax.stderr.contains("warning"), "{}", lax.stderr);
    let strict = run_with_stdin(&["render", "--strict", "-"], Some(spec.as_bytes()));
    assert_eq!(strict.code, 1, "{}", strict.stderr);
    assert!(strict.stdout.is_empty());
    assert!(strict.stderr.starts_with("error"), "{}", strict.stderr);
    assert!(strict.stderr.contains("--strict"), "{}", strict.stderr);
    // --quiet cannot hide what --strict made an error.
    let quiet = run_with_stdin(&["-q", "render", "--strict", "-"], Some(spec.as_bytes()));
    assert_eq!(quiet.code, 1);
    assert!(quiet.stderr.contains(":latest"), "{}", quiet.stderr);
}

#[test]
fn strict_out_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    let out = run(&[
        "render",
        "--strict",
        "examples/aks-native-guide.yaml",
        "--out",
        base.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!base.exists());
}

#[test]
fn strict_describe_fails_on_a_warning() {
    let out = run(&["describe", "--strict", "examples/aks-native-guide.yaml"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    let clean = run(&["describe", "--strict", "examples/native.yaml"]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
}

/// gen's own output must not warn about what gen does on purpose: every Secret the spec names
/// is silenced on the workload, with a reason, so the render-then-lint gate passes.
#[test]
fn gens_own_output_lints_without_external_ref_warnings() {
    for spec in EXAMPLES {
        for platform in ["aks", "eks", "openshift"] {
            let rendered = run(&["render", spec, "--platform", platform]);
            assert_eq!(rendered.code, 0, "{spec}: {}", rendered.stderr);
            let lint = run_with_stdin(
                &["lint", "--format", "json", "-"],
                Some(rendered.stdout.as_bytes()),
            );
            assert_eq!(lint.code, 0, "{spec} {platform}: {}", lint.stdout);
            assert!(
                !lint.stdout.contains("external-ref"),
                "{spec} {platform}: {}",
                lint.stdout
            );
            // A spec that renders without a warning lints clean even under --strict; one that
            // warns (the guide's drain-blocking PDB) may warn in lint about the same thing.
            if !rendered.stderr.contains("warning") {
                let strict =
                    run_with_stdin(&["lint", "--strict", "-"], Some(rendered.stdout.as_bytes()));
                assert_eq!(strict.code, 0, "{spec} {platform}: {}", strict.stdout);
            }
        }
    }
}

#[test]
fn the_external_ref_silence_names_each_secret_and_why() {
    let out = run(&["render", "examples/native-full.yaml"]);
    let bundle = Bundle::parse(&out.stdout);
    let sts = bundle.get("StatefulSet", "md-prod");
    let why = sts["metadata"]["annotations"]["lint.gen.migratorydata.io/external-ref"]
        .as_str()
        .expect("the silence annotation");
    for name in ["regcred", "migratorydata-license", "migratorydata-cluster"] {
        assert!(why.contains(name), "{why}");
    }
    // A spec naming no Secret silences nothing.
    let plain = Bundle::parse(&run(&["render", "examples/native.yaml"]).stdout);
    let sts = plain.get("StatefulSet", "migratorydata");
    assert!(sts["metadata"]["annotations"]["lint.gen.migratorydata.io/external-ref"].is_null());
}

// Writing stdout could fail unnoticed.

#[test]
fn a_failed_write_to_stdout_is_an_error() {
    let full = std::fs::File::create("/dev/full").expect("/dev/full");
    let (code, stderr) = run_to(&["render", "examples/native.yaml"], Stdio::from(full));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("cannot write to stdout"), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    // A descriptor open for reading only: EBADF, which std's Stdout would report as success.
    let read_only = std::fs::File::open("/dev/null").unwrap();
    let (code, stderr) = run_to(&["schema"], Stdio::from(read_only));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("Bad file descriptor"), "{stderr}");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let (code, stderr) = run_to(&["render", "examples/native.yaml"], Stdio::from(writer));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

// Several specs to one stream could contradict themselves.

#[test]
fn two_clusters_with_one_name_in_one_namespace_are_refused_in_one_stream() {
    let out = run(&[
        "render",
        "examples/aks-eventhubs-guide.yaml",
        "examples/aks-native-guide.yaml",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert!(
        out.stderr
            .contains("`examples/aks-eventhubs-guide.yaml` and `examples/aks-native-guide.yaml`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("namespace `migratory`"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_shared_namespace_is_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.yaml");
    let b = dir.path().join("b.yaml");
    std::fs::write(
        &a,
        "name: one\nnamespace: shared\nplatform: aks\nreplicas: 3\n",
    )
    .unwrap();
    std::fs::write(
        &b,
        "name: two\nnamespace: shared\nplatform: aks\nreplicas: 3\n",
    )
    .unwrap();
    let out = run(&["render", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let bundle = Bundle::parse(&out.stdout);
    let namespaces = bundle
        .docs
        .iter()
        .filter(|d| d["kind"] == "Namespace")
        .count();
    assert_eq!(namespaces, 1);
    assert_eq!(
        bundle.docs[0]["kind"], "Namespace",
        "the Namespace comes first"
    );
    for name in ["one", "two"] {
        bundle.get("StatefulSet", name);
    }
}

// Pasting a JAAS config into the spec printed the password in the excerpt, under a wrong
// message. No error path may show a credential-looking value.

const MARKER: &str = "MARKER-8f3a";

const HEAD: &str = "namespace: ns\nplatform: aks\nreplicas: 2\n";
const KAFKA: &str = "backplane:\n  type: kafka\n  bootstrapServers: [\"a:9093\"]\n  topics: [t]\n  securityProtocol: SASL_SSL\n  saslMechanism: PLAIN\n";

/// Specs that fail at (or next to) a credential-looking value holding [`MARKER`].
fn leaky_specs() -> Vec<(&'static str, String)> {
    let m = MARKER;
    let kafka = format!("{HEAD}{KAFKA}");
    vec![
        (
            "inline JAAS",
            format!(
                "{kafka}  jaas: 'KafkaClient {{ org.apache.kafka.common.security.plain.PlainLoginModule required username=\"$ConnectionString\" password=\"Endpoint=sb://x/;SharedAccessKey={m}\"; }};'\n"
            ),
        ),
        (
            "inline JAAS, double-quoted",
            format!(
                "{kafka}  jaas: \"org.apache.kafka.common.security.scram.ScramLoginModule required username=u password={m};\"\n"
            ),
        ),
        (
            "a managed option holding a password",
            format!("{HEAD}extraOptions: {{ClusterPassword: \"{m}\"}}\n"),
        ),
        (
            "a JAAS option with spaces",
            format!(
                "{HEAD}extraOptions:\n  sasl.jaas.config: 'org.apache.kafka.common.security.plain.PlainLoginModule required password=\"{m}\";'\n"
            ),
        ),
        (
            "an invalid label value under a token key",
            format!("{HEAD}labels:\n  token: \"{m} x\"\n"),
        ),
        (
            "an invalid node selector value under a secret key",
            format!("{HEAD}nodeSelector:\n  secret: \"{m} x\"\n"),
        ),
        (
            "a duplicate key",
            format!("{HEAD}podAnnotations:\n  api-token: {m}\n  api-token: {m}\n"),
        ),
        (
            "an unknown field",
            format!("{HEAD}licenseKey: {{secretName: lic, key: lic, password: {m}}}\n"),
        ),
        (
            "a YAML syntax error",
            format!("{HEAD}extraOptions: {{Password: \"{m}}}\n"),
        ),
        (
            "a wrong type",
            format!("namespace: ns\nplatform: aks\nreplicas: \"password={m}\"\n"),
        ),
        (
            "a duration holding a token",
            format!("{HEAD}metrics: {{interval: \"token={m}\"}}\n"),
        ),
    ]
}

#[test]
fn no_error_path_shows_a_credential() {
    for (case, spec) in leaky_specs() {
        for flags in [
            &["render"][..],
            &["--no-snippets", "render"],
            &["-v", "render"],
            &["describe"],
        ] {
            let args: Vec<&str> = flags.iter().copied().chain(["-"]).collect();
            let out = run_with_stdin(&args, Some(spec.as_bytes()));
            assert_eq!(out.code, 1, "{case} {flags:?}: {}", out.stderr);
            assert!(out.stdout.is_empty(), "{case}");
            assert!(
                !out.stderr.contains(MARKER) && !out.stderr.contains("8f3a"),
                "{case} {flags:?} shows the credential:\n{}",
                out.stderr
            );
        }
    }
}

#[test]
fn an_inline_jaas_config_gets_its_own_message() {
    let (_, spec) = &leaky_specs()[0];
    let out = run_with_stdin(&["render", "-"], Some(spec.as_bytes()));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("paste the JAAS config into a Secret or a file, not the spec"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("must be a YAML mapping"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("(backplane.jaas)"), "{}", out.stderr);
    // The excerpt still shows where: the key, with the value redacted.
    assert!(
        out.stderr.contains("jaas: 'KafkaClient {<redacted>}"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_jaas_file_with_a_password_is_never_quoted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("jaas.config"),
        format!("not a login module password=\"{MARKER}\"\n"),
    )
    .unwrap();
    let spec = dir.path().join("cluster.yaml");
    std::fs::write(
        &spec,
        format!("{HEAD}{KAFKA}  jaas: {{file: jaas.config}}\n"),
    )
    .unwrap();
    let out = run(&["-v", "render", spec.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!out.stderr.contains(MARKER), "{}", out.stderr);
}

#[test]
fn a_nested_field_that_must_be_a_mapping_says_so_not_the_whole_spec() {
    let out = run_with_stdin(
        &["render", "-"],
        Some(format!("{HEAD}autoscale: 3\n").as_bytes()),
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("`autoscale` must be a mapping"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("the spec must be a YAML mapping"),
        "{}",
        out.stderr
    );
}

// `gen schema` said "valid" to specs gen refuses.

#[test]
fn the_schema_is_draft_07_with_an_id_and_refuses_what_gen_refuses_on_one_field() {
    let out = run(&["schema"]);
    assert_eq!(out.code, 0);
    let schema: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(
        schema["$id"],
        "https://gen.migratorydata.io/schemas/v1alpha1/cluster-spec.json"
    );
    assert_eq!(
        schema["required"],
        serde_json::json!(["namespace", "replicas"])
    );
    let both = format!("{HEAD}{KAFKA}  jaas: {{secretName: s, file: jaas.config}}\n");
    for (case, spec) in [
        ("empty", "{}\n".to_string()),
        ("replicas 0", "namespace: ns\nreplicas: 0\n".to_string()),
        ("jaas secretName and file", both),
        ("jaas neither", format!("{HEAD}{KAFKA}  jaas: {{}}\n")),
        (
            "cpuPercent 101",
            format!("{HEAD}autoscale: {{min: 2, max: 3, cpuPercent: 101}}\n"),
        ),
        ("port 0", format!("{HEAD}service: {{port: 0}}\n")),
        (
            "runAsUser 0",
            format!("{HEAD}security: {{runAsUser: 0, reason: r}}\n"),
        ),
        ("a name with capitals", format!("{HEAD}name: Prod\n")),
        (
            "a bad platform",
            "namespace: ns\nreplicas: 2\nplatform: gke\n".to_string(),
        ),
        (
            "another apiVersion",
            format!("apiVersion: gen.migratorydata.io/v2\n{HEAD}"),
        ),
    ] {
        assert!(
            common::schema_verdict(&spec).is_err(),
            "the schema accepts {case}"
        );
        let rendered = run_with_stdin(&["render", "-"], Some(spec.as_bytes()));
        assert_eq!(rendered.code, 1, "gen accepts {case}");
    }
}

#[test]
fn every_example_is_valid_to_the_schema_and_to_gen() {
    for spec in EXAMPLES.iter().chain(&["examples/overlays/cluster.yaml"]) {
        let text = std::fs::read_to_string(spec).unwrap();
        assert_eq!(common::schema_verdict(&text), Ok(()), "{spec}");
        assert_eq!(run(&["render", spec]).code, 0, "{spec}");
    }
    let starter = run(&["init", "--platform", "eks", "--backplane", "kafka"]);
    assert_eq!(common::schema_verdict(&starter.stdout), Ok(()));
}

#[test]
fn every_spec_refused_here_is_refused_by_the_schema_or_for_a_listed_rule() {
    for (case, spec) in leaky_specs() {
        let out = run_with_stdin(&["render", "-"], Some(spec.as_bytes()));
        assert_eq!(out.code, 1, "{case}");
        common::refusal_agrees_with_schema(&spec, &out.stderr);
    }
}

#[test]
fn the_readme_lists_every_rule_the_schema_cannot_say() {
    let readme = include_str!("../README.md");
    let start = readme
        .find("### What the schema cannot say")
        .expect("the README section");
    let section = &readme[start..];
    let section = &section[..section[4..].find("\n#").map_or(section.len(), |e| e + 4)];
    for (field, _) in common::BEYOND_SCHEMA {
        assert!(
            section.contains(&format!("`{field}`")),
            "{field} in the README"
        );
    }
}

#[test]
fn init_writes_the_header_and_points_editors_at_the_schema() {
    for backplane in ["native", "kafka"] {
        let out = run(&["init", "--backplane", backplane]);
        assert_eq!(out.code, 0);
        assert!(
            out.stdout
                .starts_with("# yaml-language-server: $schema=./gen-spec.schema.json\n"),
            "{}",
            out.stdout
        );
        assert!(
            out.stdout
                .contains("\napiVersion: gen.migratorydata.io/v1alpha1\n")
        );
        assert!(out.stdout.contains("\nkind: MigratoryDataCluster\n"));
        let rendered = run_with_stdin(&["render", "--strict", "-"], Some(out.stdout.as_bytes()));
        assert_eq!(rendered.code, 0, "{}", rendered.stderr);
    }
}

// `--out` refused two specs sharing name and namespace on different platforms.

/// Writes `spec` for `platform` under `dir`, named after the platform; returns its path.
fn spec_for(dir: &std::path::Path, platform: &str) -> String {
    let path = dir.join(format!("{platform}.yaml"));
    std::fs::write(
        &path,
        format!("name: md\nnamespace: rt\nplatform: {platform}\nreplicas: 4\nseedCount: 3\n"),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn a_fleet_spanning_platforms_lays_out_one_directory_per_platform() {
    let dir = tempfile::tempdir().unwrap();
    let aks = spec_for(dir.path(), "aks");
    let eks = spec_for(dir.path(), "eks");
    let fleet = dir.path().join("fleet");
    let fleet_arg = fleet.to_str().unwrap();
    // One platform: today's layout, DIR/<namespace>/<name>/.
    let other = dir.path().join("other.yaml");
    std::fs::write(
        &other,
        "name: other\nnamespace: rt\nplatform: aks\nreplicas: 4\nseedCount: 3\n",
    )
    .unwrap();
    let one = run(&["render", &aks, other.to_str().unwrap(), "--out", fleet_arg]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert!(fleet.join("rt/md/kustomization.yaml").is_file());
    assert!(fleet.join("rt/other/kustomization.yaml").is_file());
    // Two platforms, same name and namespace: every spec moves under DIR/<platform>/.
    let other = other.to_str().unwrap();
    let all = ["render", &aks, &eks, other, "--out", fleet_arg];
    let two = run(&all);
    assert_eq!(two.code, 0, "{}", two.stderr);
    for base in ["aks/rt/md", "eks/rt/md", "aks/rt/other"] {
        assert!(
            fleet.join(base).join("kustomization.yaml").is_file(),
            "{base}"
        );
    }
    assert!(
        !fleet.join("rt").exists(),
        "the one-platform layout is gone"
    );
    let check = run(&[&all[..], &["--check"]].concat());
    assert_eq!(check.code, 0, "{}", check.stderr);
    // The same platform twice still needs two directories.
    let twice = run(&["render", &aks, &aks, &eks, "--out", fleet_arg]);
    assert_eq!(twice.code, 1);
    assert!(twice.stderr.contains("aks/rt/md/"), "{}", twice.stderr);
}

// The checkov skip for CKV_K8S_43 said "pinned by tag" of `:latest` and untagged images.

#[test]
fn the_image_digest_skip_tells_the_truth_about_the_tag() {
    let skip = |image: &str| {
        let spec = format!("{HEAD}image: {image}\n");
        let out = run_with_stdin(&["-q", "render", "-"], Some(spec.as_bytes()));
        assert_eq!(out.code, 0, "{}", out.stderr);
        let bundle = Bundle::parse(&out.stdout);
        let sts = bundle.get("StatefulSet", "migratorydata");
        let annotations = sts["metadata"]["annotations"].as_object()?;
        annotations
            .values()
            .filter_map(|v| v.as_str())
            .find(|v| v.starts_with("CKV_K8S_43="))
            .map(str::to_string)
    };
    for unpinned in [
        "migratorydata/server:latest",
        "migratorydata/server",
        "reg:5000/md",
    ] {
        let why = skip(unpinned).expect("a skip");
        assert!(why.contains("not pinned at all"), "{unpinned}: {why}");
        assert!(!why.contains("pinned by tag"), "{unpinned}: {why}");
    }
    let why = skip("reg:5000/migratorydata/server:6.0.24").expect("a skip");
    assert!(why.contains("pinned by tag"), "{why}");
    let digest = format!("migratorydata/server@sha256:{}", "a".repeat(64));
    assert_eq!(skip(&digest), None);
}
