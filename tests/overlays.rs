//! examples/overlays: the committed base is still what gen renders, the prod overlay lints
//! clean and the broken one fails with both of its findings (through `kubectl kustomize`).

mod common;

use std::process::Command;

use common::{run, run_with_stdin};

#[test]
fn committed_base_has_not_drifted() {
    let out = run(&[
        "render",
        "examples/overlays/cluster.yaml",
        "--out",
        "examples/overlays/base",
        "--check",
    ]);
    assert_eq!(
        out.code, 0,
        "run `gen render examples/overlays/cluster.yaml --out examples/overlays/base`:\n{}{}",
        out.stdout, out.stderr
    );
}

fn kustomize(overlay: &str) -> Option<Vec<u8>> {
    if !common::tool("kubectl", &["version", "--client"]) {
        return None;
    }
    let out = Command::new("kubectl")
        .args(["kustomize", overlay])
        .output()
        .expect("kubectl runs");
    assert!(
        out.status.success(),
        "kubectl kustomize {overlay}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(out.stdout)
}

#[test]
fn prod_lints_clean_and_broken_fails_with_both_findings() {
    let Some(prod) = kustomize("examples/overlays/prod") else {
        return;
    };
    let out = run_with_stdin(&["lint", "-"], Some(&prod));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let broken = kustomize("examples/overlays/broken").unwrap();
    let out = run_with_stdin(&["lint", "--format", "json", "-"], Some(&broken));
    assert_eq!(out.code, 1, "{}", out.stderr);
    let findings: serde_json::Value = serde_json::from_str(&out.stdout).expect("a JSON array");
    let rules: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for rule in ["md-members-cover-replicas", "md-pdb-seeds"] {
        assert!(rules.contains(&rule), "{rule} in {rules:?}");
    }
}
