//! Inputs the fuzzers (fuzz/, see README "Fuzzing") and the property tests (tests/props.rs)
//! once broke gen with, kept as plain tests.
//!
//! Every file under `tests/fixtures/fuzz/spec/` goes through what the `spec` fuzz target
//! checks (and through the `gen render -` binary); every file under
//! `tests/fixtures/fuzz/lint/` through what the `lint` target checks. A new crasher is added
//! by copying `fuzz/artifacts/<target>/crash-…` there under a name saying what it broke.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use gen_core::source;

#[path = "common/fuzz_checks.rs"]
mod fuzz_checks;

use fuzz_checks::{jaas_dir, lint_bytes, spec_bytes};

fn fixtures(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no input", dir.display());
    files
}

/// What `gen <args> -` did with `bytes` on stdin.
struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

fn gen_stdin(args: &[&str], bytes: &[u8], dir: &Path) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gen runs");
    // A write error means gen stopped reading early; the callers' assertions catch it.
    let _ = child.stdin.take().expect("piped").write_all(bytes);
    let out = child.wait_with_output().expect("gen finishes");
    Run {
        code: out.status.code(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `gen render -` on `bytes`: exit 0 with a bundle, or exit 1 with nothing on stdout; never
/// a panic. Returns whether it succeeded.
fn spec_binary(bytes: &[u8], base: &Path) -> bool {
    let out = gen_stdin(&["render", "-"], bytes, base);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    match out.code {
        Some(0) => true,
        Some(1) => {
            assert!(out.stdout.is_empty(), "stdout on failure");
            assert!(out.stderr.contains("error: "), "{}", out.stderr);
            false
        }
        code => panic!("exit {code:?}: {}", out.stderr),
    }
}

#[test]
fn spec_crashers_stay_fixed() {
    let base = jaas_dir();
    for path in fixtures("spec") {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        let lib = std::panic::catch_unwind(|| spec_bytes(&bytes, base.path()))
            .unwrap_or_else(|_| panic!("{name}: the library path panicked"));
        let bin = spec_binary(&bytes, base.path());
        assert_eq!(lib, bin, "{name}: library and binary disagree");
    }
}

#[test]
fn lint_crashers_stay_fixed() {
    for path in fixtures("lint") {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        std::panic::catch_unwind(|| lint_bytes(&bytes))
            .unwrap_or_else(|_| panic!("{name}: lint panicked"));
    }
}

/// Found by tests/props.rs: gen rendered a user annotation `lint.gen.migratorydata.io/<rule>`
/// with an empty value (or an unknown rule) on every object, and `gen lint` then refused
/// gen's own bundle (rule lint-annotation). gen now refuses such a spec.
#[test]
fn silence_annotations_gen_lint_would_refuse_are_refused() {
    let base = jaas_dir();
    for (annotation, valid) in [
        ("lint.gen.migratorydata.io/openshift-fixed-ids: \"\"", false),
        (
            "lint.gen.migratorydata.io/openshift-fixed-ids: \" \"",
            false,
        ),
        ("lint.gen.migratorydata.io/no-such-rule: because", false),
        (
            "lint.gen.migratorydata.io/openshift-fixed-ids: the SCC is custom",
            true,
        ),
    ] {
        for field in ["annotations", "podAnnotations"] {
            let spec = format!(
                "namespace: ns\nplatform: openshift\nreplicas: 3\n{field}:\n  {annotation}\n"
            );
            assert_eq!(
                spec_bytes(spec.as_bytes(), base.path()),
                valid,
                "{field}: {annotation}"
            );
            assert_eq!(spec_binary(spec.as_bytes(), base.path()), valid, "{spec}");
        }
    }
}

/// Found by the `lint` fuzz target: a lone `\r` is a line break to YAML but not to the code
/// that splits documents, counts lines and shows snippets, so findings named lines past the
/// end of the input and diagnostics showed no source line (or a garbled one). Input is now
/// read with every `\r` normalised to `\n`.
#[test]
fn lone_carriage_returns_are_line_breaks() {
    assert_eq!(
        source::decode(b"a: 1\rb: 2\r\nc: 3\n".to_vec(), "x").unwrap(),
        "a: 1\nb: 2\nc: 3\n"
    );
    let base = jaas_dir();
    let out = gen_stdin(
        &["--quiet", "render", "-"],
        b"namespace: a\rplatform: aks\rreplicas: 0\r",
        base.path(),
    );
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains("<stdin>:3:11 (replicas)"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("\n3 | replicas: 0\n"), "{}", out.stderr);
}
