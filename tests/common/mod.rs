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

/// Whether `program` (run with `args`, e.g. `--version`) is installed. A test that needs it
/// skips with a note on a developer's machine; where `GEN_REQUIRE_TOOLS` is set (CI sets it) a
/// missing tool fails the test instead, so CI can never pass by skipping.
pub fn tool(program: &str, args: &[&str]) -> bool {
    let found = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var_os("GEN_REQUIRE_TOOLS").is_none(),
            "`{program}` is required here (GEN_REQUIRE_TOOLS is set): install it"
        );
        eprintln!("note: `{program}` is not installed; this check is skipped");
    }
    found
}

/// Rules gen checks that `gen schema` does not express, each as (field path gen names, words
/// of its message). The README lists them under "What the schema cannot say"; a spec the
/// schema accepts may be refused only for one of these.
pub const BEYOND_SCHEMA: &[(&str, &str)] = &[
    ("platform", "or pass --platform"),
    ("replicas", "autoscale."),
    ("seedCount", "at most replicas"),
    ("seedCount", "native clustering"),
    ("autoscale.min", "seedCount"),
    ("autoscale.min", "autoscale.max"),
    ("metadata.name", "metadata.name"),
    ("metadata.namespace", "metadata.namespace"),
    ("backplane.bootstrapServers", "a kafka backplane needs"),
    ("backplane.topics", "a kafka backplane needs"),
    ("backplane.saslMechanism", "needs a saslMechanism"),
    ("backplane.jaas", "needs a JAAS file"),
    ("backplane.jaas.file", "cannot be read"),
    ("resources.memory", "heap at memoryPercent"),
    ("security.reason", "needs a reason"),
    ("networkPolicy.reason", "needs a reason"),
];

/// What `gen schema` says of `spec` (YAML text): Ok, or its complaints.
pub fn schema_verdict(spec: &str) -> Result<(), Vec<String>> {
    static VALIDATOR: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .build(&gen_core::schema::value())
            .expect("gen's schema compiles")
    });
    let value: Value = match serde_saphyr::from_str(spec) {
        Ok(v) => v,
        Err(e) => return Err(vec![format!("not YAML: {e}")]),
    };
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Asserts that gen refusing `spec` with `stderr` agrees with the schema: either the schema
/// refuses it too, or gen's reason is one of [`BEYOND_SCHEMA`].
pub fn refusal_agrees_with_schema(spec: &str, stderr: &str) {
    if schema_verdict(spec).is_err() {
        return;
    }
    let listed = BEYOND_SCHEMA
        .iter()
        .any(|(field, words)| stderr.contains(&format!("({field})")) && stderr.contains(words));
    assert!(
        listed,
        "the schema accepts this spec but gen refuses it for a rule not listed in BEYOND_SCHEMA:\n{spec}\n{stderr}"
    );
}
