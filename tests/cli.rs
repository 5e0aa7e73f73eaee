//! The command line as people meet it: help, version, completions, man page, init, schema,
//! --quiet and -v. Each runs the built binary; exit code, stdout and stderr are pinned.

mod common;

use common::{pin, pin_run, run, run_with_stdin};

#[test]
fn every_subcommand_help_shows_a_real_example() {
    for sub in [
        "render",
        "describe",
        "diff",
        "schema",
        "init",
        "completions",
        "man",
    ] {
        let out = pin(&format!("help-{sub}"), &[sub, "--help"]);
        assert_eq!(out.code, 0);
        assert!(
            out.stdout.contains("Example"),
            "{sub} --help has an example"
        );
        assert!(out.stdout.contains("gen "), "{sub} --help example runs gen");
    }
}

#[test]
fn version_names_the_kubernetes_version() {
    let out = pin("version", &["--version"]);
    assert!(out.stdout.contains("Kubernetes 1.33"), "{}", out.stdout);
}

#[test]
fn usage_errors_exit_2() {
    let out = run(&["render", "--platform", "gcp"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("aks"), "{}", out.stderr);
    assert_eq!(run(&["frobnicate"]).code, 2);
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef gen"),
        ("fish", "complete -c gen"),
    ] {
        let out = run(&["completions", shell]);
        assert_eq!(out.code, 0);
        assert!(
            out.stdout.contains(marker),
            "{shell}: {}",
            &out.stdout[..200.min(out.stdout.len())]
        );
        assert!(
            out.stdout.contains("render"),
            "{shell} completes subcommands"
        );
    }
}

#[test]
fn man_page_is_roff_with_every_subcommand() {
    let out = run(&["man"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.starts_with(".ie") || out.stdout.contains(".TH gen 1"),
        "roff"
    );
    for sub in ["render", "schema", "init"] {
        assert!(out.stdout.contains(sub), "man page lists {sub}");
    }
}

#[test]
fn init_starters_render_as_they_are() {
    for platform in ["aks", "eks", "openshift"] {
        for backplane in ["native", "kafka"] {
            let starter = run(&["init", "--platform", platform, "--backplane", backplane]);
            assert_eq!(starter.code, 0);
            assert!(starter.stdout.contains(&format!("platform: {platform}")));
            let rendered = run_with_stdin(&["render", "-"], Some(starter.stdout.as_bytes()));
            assert_eq!(
                rendered.code, 0,
                "{platform}/{backplane}: {}",
                rendered.stderr
            );
            assert_eq!(
                rendered.stderr, "",
                "{platform}/{backplane}: a starter renders without warnings"
            );
            let workload = if backplane == "kafka" {
                "kind: Deployment"
            } else {
                "kind: StatefulSet"
            };
            assert!(rendered.stdout.contains(workload));
        }
    }
    pin(
        "init-eks-kafka",
        &["init", "--platform", "eks", "--backplane", "kafka"],
    );
}

#[test]
fn schema_is_json_schema_with_descriptions_and_no_unknown_keys() {
    let out = run(&["schema"]);
    assert_eq!(out.code, 0);
    let schema: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(
        schema["additionalProperties"], false,
        "unknown keys are errors"
    );
    let props = schema["properties"].as_object().unwrap();
    for key in [
        "name",
        "namespace",
        "platform",
        "image",
        "replicas",
        "seedCount",
        "autoscale",
        "backplane",
        "resources",
        "metrics",
        "tolerations",
    ] {
        assert!(props.contains_key(key), "schema documents `{key}`");
        assert!(
            props[key]["description"].is_string(),
            "`{key}` has a description"
        );
    }
}

#[test]
fn quiet_silences_warnings_and_verbose_explains_defaults() {
    let warned = run(&["render", "examples/aks-native-guide.yaml"]);
    assert!(warned.stderr.contains("warning"), "{}", warned.stderr);
    let quiet = run(&["--quiet", "render", "examples/aks-native-guide.yaml"]);
    assert_eq!(quiet.stderr, "");
    assert_eq!(quiet.stdout, warned.stdout, "warnings never change stdout");
    let verbose = run(&["render", "-v", "examples/native.yaml"]);
    assert!(
        verbose.stderr.contains("image absent: pinned default"),
        "{}",
        verbose.stderr
    );
    assert!(
        verbose
            .stderr
            .contains("backplane absent: native clustering"),
        "{}",
        verbose.stderr
    );
    let verbose = run(&["render", "-v", "examples/aks-eventhubs-guide.yaml"]);
    assert!(
        verbose
            .stderr
            .contains("autoscale absent: no HorizontalPodAutoscaler rendered"),
        "{}",
        verbose.stderr
    );
}

#[test]
fn no_snippets_gives_one_line_per_error_and_no_colour_without_a_terminal() {
    let out = run_with_stdin(
        &["render", "--no-snippets", "-"],
        Some(b"namespace: x\nplatform: aks\nreplica: 3\n"),
    );
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr.starts_with("error: <stdin>:3:1:"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains('\u{1b}'), "no colour on a pipe");
    pin_stdin_error();
}

fn pin_stdin_error() {
    let out = run_with_stdin(
        &["render", "-"],
        Some(b"namespace: x\nplatform: aks\nreplicas: 3\nautoscale:\n  min: 2\n  max: 5\n"),
    );
    pin_run("error-autoscale-min", &out);
}
