//! The contents of a jaas.file never reach stderr, whatever goes wrong, and a spec cannot make
//! gen read files outside its own directory.

mod common;

use std::path::Path;

use common::run;

const MARKER: &str = "S3CRET-MARKER-7f3a";

fn jaas(marker: &str) -> String {
    format!(
        "KafkaClient {{\norg.apache.kafka.common.security.plain.PlainLoginModule required\nusername=\"$ConnectionString\"\npassword=\"{marker}\";\n}};\n"
    )
}

fn spec(file: &str, extra: &str) -> String {
    format!(
        "namespace: migratory\nplatform: aks\nreplicas: 3\n{extra}backplane:\n  type: kafka\n  bootstrapServers: [\"evhns.servicebus.windows.net:9093\"]\n  topics: [vehicles]\n  securityProtocol: SASL_SSL\n  saslMechanism: PLAIN\n  jaas:\n    file: {file}\n"
    )
}

/// Writes `spec` and `jaas` into a fresh directory and runs `gen render` (plus `args`) on it.
fn render_in_dir(
    spec_text: &str,
    jaas_text: Option<&str>,
    args: &[&str],
) -> (common::Run, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cluster.yaml"), spec_text).unwrap();
    if let Some(j) = jaas_text {
        std::fs::write(dir.path().join("jaas.config"), j).unwrap();
    }
    let spec_path = dir.path().join("cluster.yaml");
    let mut all = vec!["render", spec_path.to_str().unwrap()];
    all.extend_from_slice(args);
    (run(&all), dir)
}

fn assert_no_marker(out: &common::Run) {
    assert!(
        !out.stderr.contains(MARKER),
        "secret on stderr:\n{}",
        out.stderr
    );
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(jaas(MARKER));
    assert!(
        !out.stderr.contains(&b64[..20]),
        "base64 of the secret on stderr"
    );
}

#[test]
fn a_valid_file_renders_a_secret_and_a_checksum_and_nothing_on_stderr() {
    let (out, _dir) = render_in_dir(&spec("jaas.config", ""), Some(&jaas(MARKER)), &["-v"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_no_marker(&out);
    assert!(out.stdout.contains("kind: Secret"));
    assert!(out.stdout.contains("checksum/jaas:"));
    assert!(
        !out.stdout.contains(MARKER),
        "the Secret holds base64, not the raw text"
    );
}

#[test]
fn a_malformed_file_fails_without_echoing_it() {
    for bad in [
        format!("password=\"{MARKER}\"\n"),
        format!("KafkaClient {{ {MARKER} }};\n"),
        format!("KafkaClient {{\nx.PlainLoginModule required\npassword=\"{MARKER}\"\n"),
        format!("\u{0}\u{1}{MARKER}\u{ff}"),
    ] {
        let (out, _dir) = render_in_dir(&spec("jaas.config", ""), Some(&bad), &[]);
        assert_eq!(out.code, 1);
        assert_eq!(out.stdout, "");
        assert!(out.stderr.contains("backplane.jaas.file"), "{}", out.stderr);
        assert_no_marker(&out);
    }
    // Not UTF-8 at all.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cluster.yaml"), spec("jaas.config", "")).unwrap();
    let mut bytes = MARKER.as_bytes().to_vec();
    bytes.extend([0xff, 0xfe]);
    std::fs::write(dir.path().join("jaas.config"), bytes).unwrap();
    let out = run(&["render", dir.path().join("cluster.yaml").to_str().unwrap()]);
    assert_eq!(out.code, 1);
    assert_no_marker(&out);
}

#[test]
fn a_later_failure_after_reading_the_file_does_not_leak_it() {
    // The file is read and embedded; an error elsewhere in the spec fails the render.
    let (out, _dir) = render_in_dir(
        &spec("jaas.config", "seedCount: 2\nimage: \"bad image\"\n"),
        Some(&jaas(MARKER)),
        &["-v"],
    );
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert_no_marker(&out);
}

#[test]
fn paths_outside_the_spec_directory_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("jaas.config"), jaas(MARKER)).unwrap();
    let abs = outside.path().join("jaas.config");
    for (file, says) in [
        ("../jaas.config", "outside the spec's directory"),
        (abs.to_str().unwrap(), "outside the spec's directory"),
        ("/etc/passwd", "outside the spec's directory"),
    ] {
        let (out, _dir) = render_in_dir(&spec(file, ""), None, &[]);
        assert_eq!(out.code, 1, "{file}");
        assert!(out.stderr.contains(says), "{file}: {}", out.stderr);
        assert_no_marker(&out);
    }
    // A symlink inside the directory that leads out of it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cluster.yaml"), spec("link.config", "")).unwrap();
    std::os::unix::fs::symlink(&abs, dir.path().join("link.config")).unwrap();
    let out = run(&["render", dir.path().join("cluster.yaml").to_str().unwrap()]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("resolves outside"), "{}", out.stderr);
    assert_no_marker(&out);
    // ...unless the user says they mean it.
    let out = run(&[
        "render",
        dir.path().join("cluster.yaml").to_str().unwrap(),
        "--allow-outside-files",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_no_marker(&out);
}

#[test]
fn a_directory_or_device_is_not_a_jaas_file() {
    let (out, dir) = render_in_dir(&spec("sub", ""), None, &[]);
    let _ = out;
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let out = run(&["render", dir.path().join("cluster.yaml").to_str().unwrap()]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
    let out = run(&[
        "render",
        "--allow-outside-files",
        write_spec(dir.path(), "/dev/zero").to_str().unwrap(),
    ]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
}

fn write_spec(dir: &Path, file: &str) -> std::path::PathBuf {
    let p = dir.join("other.yaml");
    std::fs::write(&p, spec(file, "")).unwrap();
    p
}
