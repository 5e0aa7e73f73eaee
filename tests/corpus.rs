//! `gen lint` on manifests nobody on this project wrote (tests/fixtures/corpus/: NATS,
//! Bitnami and kube-prometheus, Apache-2.0, licence beside them) and on the MigratoryData
//! vendor's own AKS manifests (tests/fixtures/vendor/).
//!
//! Every finding on every corpus file is pinned (one snapshot per file, through the built
//! binary), and every error finding must be classified as a true problem in
//! tests/fixtures/corpus/NOTES.md: a new error finding fails the test until someone decides
//! whether it is a true problem (note it) or a false alarm (fix gen lint).

mod common;

use common::run;
use serde_json::Value;

const CORPUS: &str = "tests/fixtures/corpus";
const FILES: [&str; 6] = [
    "bitnami/kafka.yaml",
    "bitnami/redis.yaml",
    "bitnami/zookeeper.yaml",
    "kube-prometheus/manifests.yaml",
    "nats/nats-cluster-jetstream.yaml",
    "nats/nats-default.yaml",
];

fn findings(path: &str) -> (i32, Vec<Value>) {
    let out = run(&["lint", "--format", "json", path]);
    assert!(out.code == 0 || out.code == 1, "{path}: {}", out.stderr);
    assert_eq!(out.stderr, "", "{path}");
    let v: Value = serde_json::from_str(&out.stdout).expect("JSON");
    (out.code, v.as_array().cloned().unwrap_or_default())
}

/// `severity rule Kind ns/name path`: how NOTES.md names a finding.
fn key(f: &Value) -> String {
    format!(
        "{} {} {} {}/{} {}",
        f["severity"].as_str().unwrap_or_default(),
        f["rule"].as_str().unwrap_or_default(),
        f["kind"].as_str().unwrap_or_default(),
        f["namespace"].as_str().unwrap_or("-"),
        f["name"].as_str().unwrap_or_default(),
        f["path"].as_str().unwrap_or_default(),
    )
}

/// NOTES.md's table rows: (file, finding key, verdict).
fn notes() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(format!("{CORPUS}/NOTES.md")).expect("NOTES.md");
    text.lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let unquote = |s: &str| s.trim_matches('`').to_string();
            (unquote(cells[1]), unquote(cells[2]), cells[3].to_string())
        })
        .collect()
}

#[test]
fn every_corpus_finding_is_pinned_and_every_error_is_a_noted_true_problem() {
    let notes = notes();
    let mut noted_seen = vec![false; notes.len()];
    for file in FILES {
        let path = format!("{CORPUS}/{file}");
        let (code, found) = findings(&path);
        let lines: Vec<String> = found
            .iter()
            .map(|f| {
                format!(
                    "{} (line {}): {}",
                    key(f),
                    f["line"],
                    f["message"].as_str().unwrap_or_default()
                )
            })
            .collect();
        let name = file.replace(['/', '.'], "-");
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("corpus-{name}"), format!("exit: {code}\n{}", lines.join("\n")));
        });
        for f in found.iter().filter(|f| f["severity"] == "error") {
            let k = key(f);
            let row = notes
                .iter()
                .position(|(nf, nk, _)| nf == file && *nk == k)
                .unwrap_or_else(|| {
                    panic!(
                        "new error finding on {file}: `{k}`: {}\nclassify it in {CORPUS}/NOTES.md (a true problem) or fix the false alarm",
                        f["message"]
                    )
                });
            assert_eq!(
                notes[row].2, "true",
                "{file}: `{k}` is noted as {}",
                notes[row].2
            );
            noted_seen[row] = true;
        }
    }
    for (row, seen) in notes.iter().zip(&noted_seen) {
        assert!(
            seen,
            "NOTES.md lists `{}` on {}, which gen lint no longer reports: remove the row",
            row.1, row.0
        );
    }
}

#[test]
fn the_corpus_has_its_licence_and_sources_beside_it() {
    let licence = std::fs::read_to_string(format!("{CORPUS}/LICENSE")).unwrap();
    assert!(licence.contains("Apache License"));
    let readme = std::fs::read_to_string(format!("{CORPUS}/README.md")).unwrap();
    for file in FILES {
        assert!(readme.contains(&format!("`{file}`")), "{file} in README.md");
    }
}

#[test]
fn the_vendors_aks_manifests_lint_without_pod_security_or_hpa_version_errors() {
    let (code, found) = findings("tests/fixtures/vendor/migratorydata-aks.yaml");
    let keys: Vec<String> = found.iter().map(key).collect();
    // The Namespace has no Pod Security label, and autoscaling/v1 is served: neither is an error.
    assert!(
        !found.iter().any(|f| {
            let rule = f["rule"].as_str().unwrap_or_default();
            rule.starts_with("pss-") || rule == "schema" || rule == "hpa-target"
        }),
        "{keys:#?}"
    );
    assert!(!found.iter().any(|f| f["severity"] == "error"), "{keys:#?}");
    assert_eq!(code, 0, "{keys:#?}");
    // The v1 HPA is typed and related to its StatefulSet: it is checked.
    assert!(
        keys.contains(
            &"warning hpa-replicas StatefulSet migratory/migratorydata spec.replicas".to_string()
        ),
        "{keys:#?}"
    );
}
