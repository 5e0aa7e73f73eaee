//! What people who live in kubectl, helm and cargo meet in their first minute, through the
//! built binary: diagnostics with a caret and "did you mean", colour only on a terminal,
//! one-line findings for logs, `gen describe` (table, Mermaid, DOT), completions, the man
//! page, the fleet progress bar and summary line, `--quiet` and `-v`.
//!
//! Each test pins exit code, stdout and stderr in a snapshot and also asserts what matters on
//! its own, so a wrong snapshot accepted once still fails here. Terminal behaviour runs gen
//! under a pseudo-terminal with `script` (util-linux, in every Debian install).

mod common;

use std::path::Path;
use std::process::Command;

use common::{Run, pin, pin_run, run, run_with_stdin};

/// The run with its stdout (a bundle, pinned by the render snapshots) counted, not copied.
fn without_bundle(out: &Run) -> Run {
    Run {
        code: out.code,
        stdout: format!("<{} documents>\n", out.stdout.matches("\nkind: ").count()),
        stderr: out.stderr.clone(),
    }
}

/// Runs `gen ARGS` on a pseudo-terminal (stdout and stderr both go to it) and returns what
/// the terminal received, `\r\n` turned back into `\n`. `no_color` sets `NO_COLOR=1`.
fn on_terminal(args: &[&str], no_color: bool) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let line = std::iter::once(env!("CARGO_BIN_EXE_gen"))
        .chain(args.iter().copied())
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ");
    let mut cmd = Command::new("script");
    cmd.args(["-q", "-e", "-c", &line, "/dev/null"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TERM", "xterm")
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::null());
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let out = cmd
        .output()
        .expect("`script` (util-linux) runs gen on a pseudo-terminal");
    String::from_utf8(out.stdout)
        .expect("terminal output is UTF-8")
        .replace("\r\n", "\n")
}

const MISSPELLED_KEY: &[u8] = b"namespace: migratory\nplatform: aks\nreplica: 3\n";
const MISSPELLED_PLATFORM: &[u8] = b"namespace: migratory\nplatform: openshfit\nreplicas: 3\n";

/// The line under `line_no`'s excerpt that holds the caret, and the caret's column (1-based,
/// counted from the excerpt's source text).
fn caret_column(stderr: &str, source_line: &str) -> usize {
    let lines: Vec<&str> = stderr.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.ends_with(source_line) && l.contains(" | "))
        .unwrap_or_else(|| panic!("no excerpt of `{source_line}` in:\n{stderr}"));
    let bar = lines[i].find(" | ").unwrap() + 3;
    let caret = lines[i + 1]
        .find('^')
        .unwrap_or_else(|| panic!("no caret under `{source_line}` in:\n{stderr}"));
    caret - bar + 1
}

#[test]
fn misspelled_key_and_platform_get_a_caret_and_did_you_mean() {
    let key = run_with_stdin(&["render", "-"], Some(MISSPELLED_KEY));
    pin_run("error-did-you-mean-key", &key);
    assert_eq!((key.code, key.stdout.as_str()), (1, ""));
    assert!(
        key.stderr.contains("<stdin>:3:1 (replica)"),
        "{}",
        key.stderr
    );
    assert!(
        key.stderr.contains("did you mean `replicas`?"),
        "{}",
        key.stderr
    );
    assert_eq!(caret_column(&key.stderr, "replica: 3"), 1);

    let platform = run_with_stdin(&["render", "-"], Some(MISSPELLED_PLATFORM));
    pin_run("error-did-you-mean-platform", &platform);
    assert_eq!((platform.code, platform.stdout.as_str()), (1, ""));
    assert!(
        platform.stderr.contains("<stdin>:2:11 (platform)"),
        "{}",
        platform.stderr
    );
    assert!(
        platform.stderr.contains("did you mean `openshift`?"),
        "{}",
        platform.stderr
    );
    assert_eq!(caret_column(&platform.stderr, "platform: openshfit"), 11);
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("cluster.yaml");
    std::fs::write(&spec, MISSPELLED_KEY).unwrap();
    let spec = spec.to_str().unwrap();

    let tty = on_terminal(&["render", spec], false);
    assert!(
        tty.contains("\x1b[1m\x1b[31merror"),
        "red on a terminal: {tty:?}"
    );
    assert!(tty.contains("did you mean `replicas`?"), "{tty}");

    let no_color = on_terminal(&["render", spec], true);
    assert!(!no_color.contains('\x1b'), "NO_COLOR: {no_color:?}");
    assert!(no_color.contains("did you mean `replicas`?"), "{no_color}");
    // The same text, less the colour codes.
    assert_eq!(strip_ansi(&tty), no_color);

    let pipe = run(&["render", spec]);
    assert!(!pipe.stderr.contains('\x1b'), "no colour on a pipe");
    assert_eq!(pipe.stderr, no_color);
}

/// `s` without ANSI SGR sequences (`ESC [ ... m`).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn lint_no_snippets_is_one_line_per_finding() {
    let file = "tests/fixtures/lint/md-members-cover-replicas.yaml";
    let full = run(&["lint", file]);
    let short = pin("lint-no-snippets", &["lint", "--no-snippets", file]);
    assert_eq!(short.code, 1);
    assert_eq!(full.code, 1);
    let findings: Vec<&str> = short.stdout.lines().collect();
    assert!(!findings.is_empty());
    for f in &findings {
        assert!(
            f.starts_with("error: ") || f.starts_with("warning: "),
            "one finding per line: {f}"
        );
        assert!(f.contains(&format!("{file}:")), "file:line:column: {f}");
        assert!(f.ends_with(']'), "rule id last: {f}");
    }
    assert!(
        short.stdout.contains("[md-members-cover-replicas]"),
        "{}",
        short.stdout
    );
    assert!(
        full.stdout.lines().count() > findings.len(),
        "snippets add lines"
    );
    assert!(!short.stdout.contains('\x1b') && !full.stdout.contains('\x1b'));
}

/// The guide's six objects (seed 001), each with its numbers, in `gen describe`'s table.
#[test]
fn describe_seed_001_lists_the_guides_objects_with_their_numbers() {
    let out = pin(
        "describe-aks-native-guide",
        &["describe", "examples/aks-native-guide.yaml"],
    );
    assert_eq!(out.code, 0);
    let row = |kind: &str, name: &str| -> String {
        out.stdout
            .lines()
            .find(|l| {
                let mut cols = l.split_whitespace();
                cols.next() == Some(kind) && cols.next() == Some(name)
            })
            .unwrap_or_else(|| panic!("no {kind} {name} row in:\n{}", out.stdout))
            .to_string()
    };
    assert!(row("Service", "migratorydata-cs").contains("LoadBalancer, port 80->8800"));
    assert!(row("Service", "migratorydata-hs").contains("headless (clusterIP None)"));
    let sts = row("StatefulSet", "migratorydata");
    for n in [
        "replicas 3-5 (HPA)",
        "members 5",
        "seeds 3",
        "cpu 500m",
        "memory 1Gi",
    ] {
        assert!(sts.contains(n), "{n} in {sts}");
    }
    assert!(row("PodDisruptionBudget", "migratorydata-pdb").contains("minAvailable 3"));
    assert!(
        row("HorizontalPodAutoscaler", "migratorydata-autoscale").contains("min 3, max 5, cpu 50%")
    );
    assert!(row("Namespace", "migratory").contains("pod-security restricted"));
    // The guide's PDB (minAvailable = seeds = autoscale.min) blocks drains: gen says so.
    assert!(out.stderr.contains("node drains hang"), "{}", out.stderr);
}

#[test]
fn describe_diagrams_link_the_objects_and_dot_draws_a_png() {
    let mermaid = pin(
        "describe-aks-native-guide-mermaid",
        &[
            "--quiet",
            "describe",
            "examples/aks-native-guide.yaml",
            "--diagram",
            "mermaid",
        ],
    );
    assert_eq!(mermaid.code, 0);
    assert!(mermaid.stdout.starts_with("flowchart LR\n"));
    for edge in [
        "clients -->|\"LoadBalancer :80\"| svc_client",
        "hpa -->|\"scaleTargetRef\"| workload",
        "pdb -->|\"selector\"| pods",
        "workload -->|\"serviceName\"| svc_headless",
    ] {
        assert!(
            mermaid.stdout.contains(edge),
            "{edge} in:\n{}",
            mermaid.stdout
        );
    }

    let dot = pin(
        "describe-aks-native-guide-dot",
        &[
            "--quiet",
            "describe",
            "examples/aks-native-guide.yaml",
            "--diagram",
            "dot",
        ],
    );
    assert_eq!(dot.code, 0);
    assert!(
        dot.stdout.contains("\ndigraph \"migratorydata\" {\n"),
        "{}",
        dot.stdout
    );
    assert!(dot.stdout.trim_end().ends_with('}'));
    assert!(dot.stdout.contains("->"), "edges");

    let png = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-describe-aks-native-guide.png");
    if !common::tool("dot", &["-V"]) {
        return;
    }
    let graphviz = Command::new("dot")
        .arg("-Tpng")
        .arg("-o")
        .arg(&png)
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let mut child = match graphviz {
        Ok(c) => c,
        Err(e) => panic!("graphviz `dot` answered -V but cannot start: {e}"),
    };
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot.stdout.as_bytes())
        .unwrap();
    let done = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(
        done.status.success() && stderr.trim().is_empty(),
        "dot: {stderr}"
    );
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10_000);
}

#[test]
fn completions_and_man_page_come_from_the_clap_definition() {
    let subcommands = [
        "render",
        "describe",
        "lint",
        "schema",
        "init",
        "completions",
        "man",
    ];
    for (shell, marker) in [
        ("bash", "complete -F _gen"),
        ("zsh", "#compdef gen"),
        ("fish", "complete -c gen"),
    ] {
        let out = pin(&format!("completions-{shell}"), &["completions", shell]);
        assert_eq!((out.code, out.stderr.as_str()), (0, ""));
        assert!(out.stdout.contains(marker), "{shell}");
        for sub in subcommands {
            assert!(out.stdout.contains(sub), "{shell} completes `{sub}`");
        }
        // Flags and enum values complete too.
        assert!(
            out.stdout.contains("platform") && out.stdout.contains("openshift"),
            "{shell}"
        );
    }
    let man = pin("man", &["man"]);
    assert_eq!((man.code, man.stderr.as_str()), (0, ""));
    assert!(man.stdout.starts_with(".ie \\n(.g .ds Aq"), "roff");
    assert!(man.stdout.contains(".TH gen 1"), "section 1 page");
    for sub in subcommands {
        assert!(
            man.stdout.contains(&format!("gen\\-{sub}")),
            "man names `{sub}`"
        );
    }
}

/// Two specs rendered to one directory: gen's own test specs, each its own cluster.
fn fleet_specs(dir: &Path) -> Vec<String> {
    let mut specs = Vec::new();
    for (i, name) in ["alpha", "beta", "gamma"].iter().enumerate() {
        let path = dir.join(format!("{name}.yaml"));
        let warn = if i == 2 {
            "image: migratorydata/server:latest\n"
        } else {
            ""
        };
        std::fs::write(
            &path,
            format!("name: {name}\nnamespace: tenant-{i}\nplatform: aks\nreplicas: 4\n{warn}"),
        )
        .unwrap();
        specs.push(path.to_str().unwrap().to_string());
    }
    specs
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                count_files(&e.path())
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn fleet_prints_a_summary_line_off_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let specs = fleet_specs(dir.path());
    let out_dir = dir.path().join("out");
    let mut args = vec![
        "render",
        "--no-snippets",
        "--out",
        out_dir.to_str().unwrap(),
    ];
    args.extend(specs.iter().map(String::as_str));
    let out = run(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(!out.stderr.contains('\r'), "no progress bar off a terminal");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "one warning, one summary: {}", out.stderr);
    assert!(lines[0].starts_with("warning: ") && lines[0].contains(":latest"));
    let summary = lines[1];
    // Each spec: Namespace, ServiceAccount, two Services, StatefulSet, PDB, NetworkPolicy.
    let files = count_files(&out_dir);
    let prefix = format!(
        "wrote 3 specs (21 objects, {files} files, 1 warning) to {} in ",
        out_dir.display()
    );
    assert!(
        files >= 21 + 3,
        "objects and a kustomization.yaml per spec: {files}"
    );
    assert!(summary.starts_with(&prefix), "{summary}");
    let time = &summary[prefix.len()..];
    assert!(
        time.ends_with("ms") || time.ends_with('s') || time.ends_with("µs"),
        "elapsed time: {time}"
    );
    // The snapshot with the directory and time masked.
    let masked = Run {
        code: out.code,
        stdout: out.stdout.clone(),
        stderr: format!(
            "{}\n{}<TIME>\n",
            lines[0].replace(dir.path().to_str().unwrap(), "<TMP>"),
            prefix.replace(out_dir.to_str().unwrap(), "<DIR>"),
        ),
    };
    pin_run("fleet-summary", &masked);
    for (i, name) in ["alpha", "beta", "gamma"].iter().enumerate() {
        assert!(
            out_dir
                .join(format!("tenant-{i}/{name}/kustomization.yaml"))
                .is_file()
        );
    }

    // --quiet: neither the warning nor the summary.
    let quiet_dir = dir.path().join("quiet");
    let mut args = vec!["--quiet", "render", "--out", quiet_dir.to_str().unwrap()];
    args.extend(specs.iter().map(String::as_str));
    let quiet = run(&args);
    assert_eq!(
        (quiet.code, quiet.stdout.as_str(), quiet.stderr.as_str()),
        (0, "", "")
    );
}

#[test]
fn fleet_shows_a_progress_bar_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let specs = fleet_specs(dir.path());
    let out_dir = dir.path().join("out");
    let mut args = vec!["--quiet", "render", "--out", out_dir.to_str().unwrap()];
    args.extend(specs.iter().map(String::as_str));
    let tty = on_terminal(&args, true);
    for step in ["1/3 specs", "2/3 specs", "3/3 specs"] {
        assert!(tty.contains(step), "{step} in {tty:?}");
    }
    assert!(
        tty.contains(&format!("\r[{}] 3/3 specs", "#".repeat(30))),
        "{tty:?}"
    );
    // The bar's line is erased when rendering ends; --quiet leaves nothing else.
    assert!(tty.ends_with("\r\x1b[2K"), "{tty:?}");
    assert!(out_dir.join("tenant-2/gamma/kustomization.yaml").is_file());

    // One spec: no bar (nothing to wait for).
    let one = dir.path().join("one");
    let tty = on_terminal(
        &[
            "--quiet",
            "render",
            "--out",
            one.to_str().unwrap(),
            &specs[0],
        ],
        true,
    );
    assert!(!tty.contains("specs"), "{tty:?}");
}

#[test]
fn quiet_and_verbose() {
    let verbose = run(&["-v", "render", "examples/native.yaml"]);
    pin_run("verbose-native", &without_bundle(&verbose));
    assert_eq!(verbose.code, 0);
    let info: Vec<&str> = verbose.stderr.lines().collect();
    assert!(info.len() >= 3, "{}", verbose.stderr);
    for line in &info {
        assert!(
            line.starts_with("info: examples/native.yaml: "),
            "each default explained on its own line: {line}"
        );
    }
    assert!(
        verbose
            .stderr
            .contains("backplane absent: native clustering")
    );
    let plain = run(&["render", "examples/native.yaml"]);
    assert_eq!(plain.stderr, "", "no -v, no defaults explained");
    assert_eq!(plain.stdout, verbose.stdout, "-v never changes stdout");

    let quiet = run(&["--quiet", "render", "examples/aks-native-guide.yaml"]);
    pin_run("quiet-aks-native-guide", &without_bundle(&quiet));
    assert_eq!((quiet.code, quiet.stderr.as_str()), (0, ""));
    let warned = run(&["render", "examples/aks-native-guide.yaml"]);
    assert!(warned.stderr.starts_with("warning: "));
    assert_eq!(warned.stdout, quiet.stdout);
}

#[test]
fn a_rendered_secret_headed_for_a_terminal_is_warned_about() {
    let spec = "examples/kafka-strimzi.yaml";
    let tty = on_terminal(&["render", spec], true);
    assert!(
        tty.contains(
            "warning: the rendered Secret holds the JAAS credentials and stdout is a terminal"
        ),
        "{tty}"
    );
    let pipe = run(&["render", spec]);
    assert_eq!(pipe.code, 0);
    assert!(pipe.stdout.contains("kind: Secret"));
    assert!(
        !pipe.stderr.contains("JAAS"),
        "no warning into a pipe: {}",
        pipe.stderr
    );
}
