//! Hostile input, round two: what an attacker, a full disk and the API server still found
//! after the first round (issue 10). Every reproduction runs the built binary.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::{Run, run, run_with_stdin};

const BASE: &str = "namespace: migratory\nplatform: aks\nreplicas: 3\n";

/// Runs `gen ARGS` in `dir`.
fn run_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("gen runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8"),
    }
}

/// `gen render -` refuses `spec` with an error at `field` that says `says`.
fn refused(spec: &str, field: &str, says: &str) -> Run {
    let out = run_with_stdin(&["render", "-", "--no-snippets"], Some(spec.as_bytes()));
    assert_eq!(out.code, 1, "{spec}\n{}", out.stderr);
    assert_eq!(out.stdout, "", "{spec}");
    let line = out
        .stderr
        .lines()
        .find(|l| l.starts_with("error:") && l.contains(&format!(" {field}: ")))
        .unwrap_or_else(|| panic!("no error at `{field}` for\n{spec}\n{}", out.stderr));
    assert!(line.contains(says), "`{says}` not in {line}");
    assert!(!out.stderr.contains("a bug in gen"), "{}", out.stderr);
    out
}

/// A ConfigMap whose 8 MiB value is referenced `n` times: a 8 MB file that expands to GBs.
fn alias_bomb(n: usize) -> String {
    let mut s = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: b}\ndata:\n  k0: &s \"",
    );
    s.push_str(&"x".repeat(8 * 1024 * 1024));
    s.push_str("\"\n");
    for i in 1..n {
        s.push_str(&format!("  k{i}: *s\n"));
    }
    s
}

#[test]
fn lint_alias_bomb_exits_1_under_a_256_mib_address_space() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.yaml");
    std::fs::write(&bomb, alias_bomb(1000)).unwrap();
    // prlimit (util-linux) sets RLIMIT_AS for the child: past it, allocation fails and gen
    // would abort (exit 134) instead of refusing the input.
    let out = Command::new("prlimit")
        .arg(format!("--as={}", 256 * 1024 * 1024))
        .arg(env!("CARGO_BIN_EXE_gen"))
        .args(["lint", bomb.to_str().unwrap()])
        .output()
        .expect("prlimit runs (util-linux)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(
        stderr.contains("bytes of text once aliases are expanded")
            && stderr.contains("--max-expanded-bytes"),
        "{stderr}"
    );
    assert!(!stderr.contains("xxxx"), "the value is not echoed");
}

#[test]
fn every_budget_limit_names_its_flag_and_can_be_raised() {
    let text = "a: &x [1, 2]\nb: [*x, *x, *x]\n---\nc: [[[1]]]\n";
    for (flag, low, ok) in [
        ("--max-aliases", "2", "3"),
        ("--max-expanded-bytes", "11", "12"),
        ("--max-nodes", "21", "22"),
        ("--max-depth", "3", "4"),
        ("--max-documents", "1", "2"),
    ] {
        let out = run_with_stdin(&["lint", "-", flag, low], Some(text.as_bytes()));
        assert_eq!(out.code, 1, "{flag}: {}", out.stderr);
        assert!(out.stderr.contains(flag), "{flag}: {}", out.stderr);
        let out = run_with_stdin(&["lint", "-", flag, ok], Some(text.as_bytes()));
        assert!(!out.stderr.contains(flag), "{flag} {ok}: {}", out.stderr);
    }
    for cmd in ["render", "lint"] {
        let help = run(&[cmd, "--help"]).stdout;
        for flag in [
            "--max-expanded-bytes",
            "--max-nodes",
            "--max-aliases",
            "--max-depth",
            "--max-documents",
        ] {
            assert!(help.contains(flag), "{cmd} --help lacks {flag}");
        }
    }
}

/// Most inputs are not weighed with a parser before lint reads them (they cannot reach the
/// limits but nesting); lint's reader stops at `--max-depth` and the input is weighed then. The
/// verdict is the same as for an input weighed first, and the first breach in input order wins.
#[test]
fn nesting_past_the_budget_is_found_in_inputs_read_without_weighing() {
    let dir = tempfile::tempdir().unwrap();
    let deep =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: {}\n---\nx: [[[[1]]]]\n";
    std::fs::write(dir.path().join("a-deep.yaml"), deep).unwrap();
    let aliased = "x: &a [1]\ny: [*a, *a, *a]\n";
    std::fs::write(dir.path().join("b-aliases.yaml"), aliased).unwrap();
    let out = run_in(dir.path(), &["lint", "a-deep.yaml", "--max-depth", "3"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("a-deep.yaml:7:6") && out.stderr.contains("--max-depth"),
        "{}",
        out.stderr
    );
    // The aliased file breaches --max-aliases and is weighed first, but the deep file comes
    // before it on the command line: its breach is the one reported.
    let both = [
        "lint",
        "a-deep.yaml",
        "b-aliases.yaml",
        "--max-depth",
        "3",
        "--max-aliases",
        "2",
    ];
    let out = run_in(dir.path(), &both);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("--max-depth") && !out.stderr.contains("--max-aliases"),
        "{}",
        out.stderr
    );
    let out = run_in(
        dir.path(),
        &[
            "lint",
            "b-aliases.yaml",
            "a-deep.yaml",
            "--max-depth",
            "3",
            "--max-aliases",
            "2",
        ],
    );
    assert!(
        out.stderr.contains("--max-aliases") && !out.stderr.contains("--max-depth"),
        "{}",
        out.stderr
    );
    // The document's mapping and four sequences: five levels.
    let out = run_in(dir.path(), &["lint", "a-deep.yaml", "--max-depth", "5"]);
    assert!(!out.stderr.contains("--max-depth"), "{}", out.stderr);
}

#[test]
fn spec_alias_bomb_of_annotations_is_refused_before_rendering() {
    let big = "x".repeat(4 * 1024 * 1024);
    let mut spec = format!("{BASE}annotations:\n  a0: &a \"{big}\"\n");
    for i in 1..15 {
        spec.push_str(&format!("  a{i}: *a\n"));
    }
    let out = run_with_stdin(&["render", "-"], Some(spec.as_bytes()));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("--max-expanded-bytes"),
        "{}",
        out.stderr
    );
}

#[test]
fn annotations_past_256_kib_are_refused() {
    let spec = format!("{BASE}annotations:\n  big: \"{}\"\n", "x".repeat(270_000));
    refused(&spec, "annotations", "over the 262144 bytes (256 KiB)");
    let spec = format!(
        "{BASE}podAnnotations:\n  big: \"{}\"\n",
        "x".repeat(270_000)
    );
    refused(&spec, "podAnnotations", "shrink them by");
}

#[test]
fn the_long_name_bundle_is_refused_with_the_field_to_shrink() {
    let spec = "name: migratorydata-realtime-vehicle-telemetry\nnamespace: telemetry-platform-production-westeurope\nplatform: aks\nreplicas: 3\nautoscale: {min: 3, max: 1000}\n";
    let out = refused(
        spec,
        "autoscale.max",
        "over Linux's limit for one environment string",
    );
    assert!(
        out.stderr.contains("MIGRATORYDATA_EXTRA_OPTS"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("lower autoscale.max to at most"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("shorten name by"), "{}", out.stderr);
    // What the message says fits does fit.
    let at_most: u32 = out
        .stderr
        .split("lower autoscale.max to at most ")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .and_then(|n| n.parse().ok())
        .expect("a count");
    let fits = spec.replace("max: 1000", &format!("max: {at_most}"));
    let out = run_with_stdin(&["render", "-"], Some(fits.as_bytes()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let over = spec.replace("max: 1000", &format!("max: {}", at_most + 1));
    refused(&over, "autoscale.max", "E2BIG");
}

#[test]
fn an_extra_option_past_the_kernel_limit_is_refused() {
    let spec = format!("{BASE}extraOptions: {{Big: {}}}\n", "x".repeat(140_000));
    let out = refused(
        &spec,
        "extraOptions",
        "over Linux's limit for one environment string",
    );
    assert!(
        out.stderr.contains("shorten extraOptions"),
        "{}",
        out.stderr
    );
}

#[test]
fn values_the_api_server_refuses_are_refused_with_their_field() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "tolerations: [{key: \"a b\", operator: Equal, value: v}]",
            "tolerations[0].key",
            "not a taint key",
        ),
        (
            "tolerations: [{key: k, value: \"v!\"}]",
            "tolerations[0].value",
            "not a taint value",
        ),
        (
            "security: {runAsUser: 99999999999}",
            "security.runAsUser",
            "use 1 to 2147483647",
        ),
        (
            "security: {runAsGroup: 4294967296}",
            "security.runAsGroup",
            "use 1 to 2147483647",
        ),
        (
            "security: {fsGroup: 2147483648}",
            "security.fsGroup",
            "use 1 to 2147483647",
        ),
        ("image: \"-app\"", "image", "lowercase"),
        ("image: \"app:\"", "image", "a tag is 1 to 128"),
        ("image: \"app::tag\"", "image", "a tag is 1 to 128"),
        ("image: \"http://app:1\"", "image", "not an image reference"),
        ("image: \"app@sha256:XYZ\"", "image", "lowercase hex"),
        ("image: \"Migratorydata/Server:1\"", "image", "lowercase"),
        (
            "resources: {memory: \"123456789012345678901234567890\"}",
            "resources.memory",
            "at most `8Ei`",
        ),
        ("resources: {cpu: 1Gi}", "resources.cpu", "not cores"),
        (
            "resources: {cpu: 0.0000001m}",
            "resources.cpu",
            "finer than one millicore",
        ),
        (
            "extraOptions: {ClusterDeliveryMode: Direct}",
            "extraOptions.ClusterDeliveryMode",
            "gen manages",
        ),
        (
            "extraOptions: {java.security.auth.login.config: /x}",
            "extraOptions[\"java.security.auth.login.config\"]",
            "backplane.jaas",
        ),
        (
            "labels: {\"pod-security.kubernetes.io/enforce\": privileged}",
            "labels[\"pod-security.kubernetes.io/enforce\"]",
            "on the Namespace",
        ),
        (
            "annotations: {\"checkov.io/skip1\": x}",
            "annotations[\"checkov.io/skip1\"]",
            "on the workload",
        ),
    ];
    for (extra, field, says) in cases {
        refused(&format!("{BASE}{extra}\n"), field, says);
    }
    let kafka = "backplane: {type: kafka, bootstrapServers: [\"b:9092\"], topics: [\"..\"]}";
    refused(
        &format!("{BASE}{kafka}\n"),
        "backplane.topics[0]",
        "not `.` or `..`",
    );
}

#[test]
fn system_namespaces_need_a_reason_and_no_namespace_object() {
    for ns in [
        "default",
        "kube-system",
        "kube-public",
        "kube-node-lease",
        "openshift-monitoring",
    ] {
        let spec = BASE.replace("migratory", ns);
        refused(&spec, "namespace", "is a system namespace");
        let half =
            format!("{spec}allowSystemNamespace: {{reason: \"the platform team's choice\"}}\n");
        refused(
            &half,
            "allowSystemNamespace",
            "needs createNamespace: false",
        );
    }
    let spec = format!(
        "{}createNamespace: false\nallowSystemNamespace: {{reason: \"the platform team's choice\"}}\n",
        BASE.replace("migratory", "kube-system")
    );
    let out = run_with_stdin(&["render", "-"], Some(spec.as_bytes()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("kind: Namespace"));
    assert!(
        out.stdout
            .contains("gen.migratorydata.io/system-namespace: \"the platform team's choice\""),
        "the reason is recorded on the workload"
    );
}

#[test]
fn a_profile_annotation_key_with_a_space_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let profile = std::fs::read_to_string("profiles/aks.yaml")
        .unwrap()
        .replace(
            "service.beta.kubernetes.io/azure-load-balancer-tcp-idle-timeout",
            "bad key",
        );
    std::fs::write(dir.path().join("p.yaml"), profile).unwrap();
    std::fs::write(dir.path().join("s.yaml"), BASE).unwrap();
    let out = run_in(dir.path(), &["render", "s.yaml", "--profile", "p.yaml"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("invalid profile `p.yaml`"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("p.yaml:9:"), "{}", out.stderr);
    assert!(
        out.stderr.contains("`bad key` is not an annotation key"),
        "{}",
        out.stderr
    );
}

#[test]
fn lint_text_never_shows_secret_values() {
    let secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: n}\nstringData:\n  a: hunter2-one\n  a: hunter2-two\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: t, namespace: n}\ndata: {k: \"hunter2-base64!\", bogus: 1}\n";
    for format in ["text", "json", "github"] {
        let out = run_with_stdin(&["lint", "-", "--format", format], Some(secret.as_bytes()));
        assert_eq!(out.code, 1, "{}", out.stdout);
        assert!(!out.stdout.contains("hunter2"), "{format}: {}", out.stdout);
        assert!(!out.stderr.contains("hunter2"), "{format}: {}", out.stderr);
    }
    let out = run_with_stdin(&["lint", "-"], Some(secret.as_bytes()));
    assert!(
        out.stdout.contains("it is part of a Secret"),
        "{}",
        out.stdout
    );
}

#[test]
fn jaas_with_an_unterminated_quote_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("jaas.config"),
        "KafkaClient {\n  org.apache.kafka.common.security.plain.PlainLoginModule required\n  username=\"u\"\n  password=\"p;\n};\n",
    )
    .unwrap();
    let spec = format!(
        "{BASE}backplane: {{type: kafka, bootstrapServers: [\"b:9093\"], topics: [t], securityProtocol: SASL_SSL, saslMechanism: PLAIN, jaas: {{file: jaas.config}}}}\n"
    );
    std::fs::write(dir.path().join("s.yaml"), spec).unwrap();
    let out = run_in(dir.path(), &["render", "s.yaml"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("a quoted value is not closed"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("password"), "{}", out.stderr);
}

#[test]
fn jaas_file_swapped_for_a_symlink_is_never_embedded() {
    let root = tempfile::tempdir().unwrap();
    let base = root.path().join("base");
    std::fs::create_dir(&base).unwrap();
    let inside = "KafkaClient {\n  org.apache.kafka.common.security.plain.PlainLoginModule required\n  username=\"inside\"\n  password=\"p\";\n};\n";
    let outside = inside.replace("inside", "OUTSIDE-MARKER");
    std::fs::write(root.path().join("outside.config"), &outside).unwrap();
    std::fs::write(base.join("good.config"), inside).unwrap();
    let spec = format!(
        "{BASE}backplane: {{type: kafka, bootstrapServers: [\"b:9093\"], topics: [t], securityProtocol: SASL_SSL, saslMechanism: PLAIN, jaas: {{file: jaas.config}}}}\n"
    );
    std::fs::write(base.join("s.yaml"), spec).unwrap();
    let jaas = base.join("jaas.config");
    std::fs::copy(base.join("good.config"), &jaas).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (stop, base) = (stop.clone(), base.clone());
        std::thread::spawn(move || {
            let (link, file) = (base.join("link.tmp"), base.join("file.tmp"));
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = std::fs::remove_file(&link);
                let _ = std::os::unix::fs::symlink("../outside.config", &link);
                let _ = std::fs::rename(&link, base.join("jaas.config"));
                let _ = std::fs::copy(base.join("good.config"), &file);
                let _ = std::fs::rename(&file, base.join("jaas.config"));
            }
        })
    };
    let (mut rendered, mut refused) = (0, 0);
    for _ in 0..1000 {
        let out = run_in(&base, &["render", "s.yaml"]);
        let embedded = embedded_jaas(&out.stdout);
        assert!(
            embedded.iter().all(|j| !j.contains("OUTSIDE-MARKER")),
            "embedded the outside file"
        );
        match out.code {
            0 => {
                assert_eq!(embedded.len(), 1, "the Secret is rendered");
                rendered += 1;
            }
            1 => refused += 1,
            c => panic!("exit {c}: {}", out.stderr),
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    swapper.join().unwrap();
    // Both paths ran: some renders saw the file, some the symlink.
    assert!(
        rendered > 0 && refused > 0,
        "{rendered} rendered, {refused} refused"
    );
}

/// The JAAS texts a rendered bundle embeds, decoded from its Secret's data.
fn embedded_jaas(stdout: &str) -> Vec<String> {
    use base64::Engine;
    stdout
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("\"jaas.config\": ")
                .or(l.trim().strip_prefix("jaas.config: "))
        })
        .map(|v| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(v.trim_matches('"'))
                .expect("base64 data");
            String::from_utf8(bytes).expect("UTF-8")
        })
        .collect()
}

#[test]
fn library_words_never_reach_the_user() {
    let out = run_with_stdin(
        &["render", "-"],
        Some(format!("{BASE}labels: {{a: x, a: y}}\n").as_bytes()),
    );
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("duplicate key `a`"), "{}", out.stderr);
    assert!(!out.stderr.contains("DuplicateKeyPolicy"), "{}", out.stderr);
    let out = run_with_stdin(
        &["render", "-"],
        Some(format!("{BASE}labels: {{a: ~}}\n").as_bytes()),
    );
    assert_eq!(out.code, 1);
    assert!(!out.stderr.contains("Option<"), "{}", out.stderr);
    assert!(
        out.stderr.contains("found nothing (null)"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_error_about_a_default_points_at_what_the_user_wrote() {
    let out = run_with_stdin(
        &["render", "-"],
        Some(format!("{BASE}memoryPercent: 10\n").as_bytes()),
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("<stdin>:4:16 (memoryPercent)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("default applied: resources.memory `1Gi`"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_option_gen_defaults_is_rendered_once() {
    let out = run(&["render", "examples/native-full.yaml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.matches("-DX.ConnectionOffload=").count(), 1);
    assert!(out.stdout.contains("-DX.ConnectionOffload=false"));
}
