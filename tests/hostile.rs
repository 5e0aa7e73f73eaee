//! Input written carelessly or on purpose to break gen: every case ends in a clear error
//! (exit 1, nothing on stdout) within bounded time and memory, never a panic or a hang.

mod common;

use std::time::{Duration, Instant};

use common::{run, run_with_stdin};

/// Runs `gen render` on `input` through stdin and asserts a clean failure that mentions `says`.
fn rejects(input: &[u8], says: &str) {
    let started = Instant::now();
    let out = run_with_stdin(&["render", "-"], Some(input));
    assert_eq!(out.code, 1, "stderr: {}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.starts_with("error"),
        "an error, not a panic: {}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(
        out.stderr.contains(says),
        "expected `{says}` in: {}",
        out.stderr
    );
    // A generous bound against hangs, not a performance target.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn empty_comments_only_and_null() {
    rejects(b"", "the spec is empty");
    rejects(b"# nothing here\n\n", "the spec is empty");
    rejects(b"null\n", "must be a YAML mapping");
    rejects(b"[1, 2]\n", "must be a YAML mapping");
}

#[test]
fn a_spec_is_one_document() {
    rejects(
        b"namespace: a\nplatform: aks\nreplicas: 3\n---\nnamespace: b\n",
        "one YAML document",
    );
}

#[test]
fn alias_bomb_is_refused_early() {
    let mut bomb = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
    for (i, c) in "bcdefghi".chars().enumerate() {
        let prev = (b'a' + i as u8) as char;
        bomb.push_str(&format!("{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
    }
    // The input budget weighs the expansion before anything is built; the same bomb under a
    // known key stops there too.
    rejects(bomb.as_bytes(), "--max-nodes");
    rejects(
        format!("labels:\n  x: *i\n{bomb}")
            .replace("\na:", "\n_a:")
            .as_bytes(),
        "error",
    );
}

#[test]
fn deep_nesting_is_refused() {
    rejects("[".repeat(100_000).as_bytes(), "error");
    let deep: String = (0..100_000)
        .map(|i| format!("{}a:\n", " ".repeat(i % 4000)))
        .collect();
    rejects(deep.as_bytes(), "error");
}

#[test]
fn binary_garbage_and_invalid_utf8() {
    rejects(b"namespace: \xff\xfe\n", "not UTF-8");
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    rejects(&garbage, "error");
    rejects(b"\x00\x01\x02\x03", "error");
}

#[test]
fn duplicate_keys_are_errors_with_their_line() {
    rejects(
        b"namespace: a\nplatform: aks\nreplicas: 3\nreplicas: 4\n",
        "<stdin>:4:1",
    );
}

#[test]
fn numbers_out_of_range_negative_and_fractional() {
    rejects(
        b"namespace: a\nplatform: aks\nreplicas: 99999999999\n",
        "whole number",
    );
    rejects(
        b"namespace: a\nplatform: aks\nreplicas: -3\n",
        "whole number",
    );
    rejects(
        b"namespace: a\nplatform: aks\nreplicas: 2.5\n",
        "whole number",
    );
    rejects(
        b"namespace: a\nplatform: aks\nreplicas: 2000\n",
        "at most 1000",
    );
    rejects(
        b"namespace: a\nplatform: aks\nreplicas: 3\nservice: {port: 70000}\n",
        "whole number",
    );
}

#[test]
fn a_directory_is_not_a_spec() {
    let out = run(&["render", "examples"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.contains("is a directory"), "{}", out.stderr);
}

#[test]
fn endless_and_huge_inputs_stop_at_the_size_limit() {
    let out = run(&["render", "/dev/zero"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("larger than the input limit"),
        "{}",
        out.stderr
    );
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.yaml");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap(); // a sparse 100 MB file
    let out = run(&["render", big.to_str().unwrap()]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("larger than the input limit"),
        "{}",
        out.stderr
    );
    let out = run(&["render", big.to_str().unwrap(), "--max-input-bytes", "1000"]);
    assert!(out.stderr.contains("limit of 1000 bytes"), "{}", out.stderr);
}

#[test]
fn bom_and_crlf_render_byte_identical_output() {
    let clean = std::fs::read("examples/native-full.yaml").unwrap();
    let mut dirty = b"\xef\xbb\xbf".to_vec();
    dirty.extend(
        String::from_utf8(clean.clone())
            .unwrap()
            .replace('\n', "\r\n")
            .into_bytes(),
    );
    let a = run_with_stdin(&["render", "-"], Some(&clean));
    let b = run_with_stdin(&["render", "-"], Some(&dirty));
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(b.code, 0, "{}", b.stderr);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn a_pipe_is_read_like_a_file() {
    // /dev/stdin is what `<(cmd)` hands over: a path that is a pipe, not a regular file.
    let spec = std::fs::read("examples/native.yaml").unwrap();
    let out = run_with_stdin(&["render", "/dev/stdin"], Some(&spec));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, run(&["render", "examples/native.yaml"]).stdout);
}
