//! Helpers shared by the integration tests: run the built `gen`, parse what it printed.

#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

/// What one run of `gen` did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The specs in `examples/`, sorted: every test that renders them all starts here.
pub fn examples() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir("examples")
        .expect("examples/ exists")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| p.display().to_string())
        .collect();
    v.sort();
    assert!(v.len() >= 2, "examples/ holds the specs: {v:?}");
    v
}

/// Runs the built binary from the repository root.
pub fn run(args: &[&str]) -> Run {
    run_with_stdin(args, None)
}

pub fn run_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gen runs");
    if let Some(input) = stdin {
        // A write error means gen stopped reading early, which the test's assertions catch.
        let _ = child.stdin.take().unwrap().write_all(input);
    }
    let out = child.wait_with_output().expect("gen finishes");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Snapshots a run's exit code, stdout and stderr together under `snapshots/cli-{name}.snap`.
pub fn pin_run(name: &str, out: &Run) {
    let text = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.code, out.stdout, out.stderr
    );
    // The path is relative to this file.
    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(format!("cli-{name}"), text);
    });
}

/// Runs `gen ARGS` and pins what it did (see [`pin_run`]).
pub fn pin(name: &str, args: &[&str]) -> Run {
    let out = run(args);
    pin_run(name, &out);
    out
}

/// A rendered multi-document stream, parsed.
pub struct Bundle {
    pub docs: Vec<Value>,
}

impl Bundle {
    pub fn parse(text: &str) -> Bundle {
        let docs: Vec<Value> = serde_saphyr::from_str_multiple(text).expect("output is YAML");
        Bundle {
            docs: docs.into_iter().filter(|d| !d.is_null()).collect(),
        }
    }

    pub fn get(&self, kind: &str, name: &str) -> &Value {
        self.docs
            .iter()
            .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("no {kind} {name}"))
    }
}
