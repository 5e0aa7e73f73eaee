//! Realistic mistakes, planted one at a time into copies of gen-rendered bundles and of
//! third-party manifests (`tests/fixtures/lint/planted/`), each caught by its rule through the
//! built binary; the vendor's own AKS manifests; and `md-heap-limit`'s floor against what gen
//! renders.
//!
//! A planted fixture starts with `# planted: <what>`, `# original: <file under planted/>` and
//! `# expect: <rule> <path>`; the rest is the original with one mistake.

mod common;

use std::path::{Path, PathBuf};

use common::{run, run_with_stdin};
use serde_json::Value;

const PLANTED: &str = "tests/fixtures/lint/planted";
const VENDOR: &str = "tests/fixtures/lint/vendor-aks-native.yaml";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The findings `gen lint --format json` reports on `args`' input.
fn lint(args: &[&str], stdin: Option<&[u8]>) -> Vec<Value> {
    let mut all = vec!["lint", "--format", "json"];
    all.extend_from_slice(args);
    let out = run_with_stdin(&all, stdin);
    assert!(
        out.code == 0 || out.code == 1,
        "gen lint exited {}: {}",
        out.code,
        out.stderr
    );
    let v: Value = serde_json::from_str(&out.stdout).expect("a JSON array");
    let findings = v.as_array().expect("an array").clone();
    let errors = findings.iter().any(|f| f["severity"] == "error");
    assert_eq!(out.code, i32::from(errors), "exit code follows the errors");
    findings
}

fn of_rule<'a>(findings: &'a [Value], rule: &str) -> Vec<&'a Value> {
    findings.iter().filter(|f| f["rule"] == rule).collect()
}

struct Plant {
    file: PathBuf,
    original: PathBuf,
    rule: String,
    path: String,
    body: String,
}

fn plants() -> Vec<Plant> {
    let dir = root().join(PLANTED);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("planted/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).expect("readable");
            let header = |key: &str| {
                text.lines()
                    .take(3)
                    .find_map(|l| l.strip_prefix(key))
                    .unwrap_or_else(|| panic!("{}: no `{key}` line", file.display()))
                    .to_string()
            };
            let (rule, path) = header("# expect: ")
                .split_once(' ')
                .map(|(r, p)| (r.to_string(), p.to_string()))
                .expect("`# expect: <rule> <path>`");
            let original = dir.join(header("# original: "));
            header("# planted: ");
            let body: String = text.split_inclusive('\n').skip(3).collect();
            Plant {
                file,
                original,
                rule,
                path,
                body,
            }
        })
        .collect()
}

/// The lines where `a` and `b` differ form one window of at most `max` lines on each side.
fn one_change(a: &str, b: &str, max: usize) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (da, db) = (a.len() - head - tail, b.len() - head - tail);
    (da > 0 || db > 0) && da <= max && db <= max
}

#[test]
fn every_planted_mistake_is_caught_by_its_rule_and_the_original_is_clean_of_it() {
    let plants = plants();
    assert!(plants.len() >= 12, "{} planted mistakes", plants.len());
    for p in &plants {
        let name = p.file.display();
        let original = std::fs::read_to_string(&p.original).expect("the original");
        assert!(
            one_change(&original, &p.body, 4),
            "{name}: not one small change from {}",
            p.original.display()
        );
        let clean = lint(&[p.original.to_str().unwrap()], None);
        assert!(
            of_rule(&clean, &p.rule).is_empty(),
            "{name}: the original already has {}: {:#?}",
            p.rule,
            of_rule(&clean, &p.rule)
        );
        let findings = lint(&[p.file.to_str().unwrap()], None);
        let hit = of_rule(&findings, &p.rule)
            .into_iter()
            .find(|f| f["path"] == p.path.as_str());
        let hit = hit.unwrap_or_else(|| {
            panic!(
                "{name}: no {} finding at {}; found: {findings:#?}",
                p.rule, p.path
            )
        });
        assert!(hit["line"].as_u64().is_some(), "{name}: a line");
        assert!(!hit["message"].as_str().unwrap().is_empty());
    }
    // The mistakes the issue names, each planted at least once.
    let rules: Vec<&str> = plants.iter().map(|p| p.rule.as_str()).collect();
    for rule in [
        "service-selector",
        "hpa-target",
        "probe-port",
        "schema",
        "pdb-target",
        "networkpolicy-target",
        "md-members-cover-replicas",
        "md-pdb-seeds",
        "servicemonitor-target",
        "route-target",
        "md-heap-limit",
        "api-validation",
        "pdb-blocks-drain",
    ] {
        assert!(rules.contains(&rule), "no planted mistake for {rule}");
    }
}

#[test]
fn one_change_means_one_small_window() {
    assert!(one_change("a\nb\nc\n", "a\nx\nc\n", 1));
    assert!(one_change("a\nb\nc\n", "a\nb\nx\ny\nc\n", 2));
    assert!(!one_change("a\nb\nc\n", "a\nb\nc\n", 4));
    assert!(!one_change("a\nb\nc\nd\n", "x\nb\nc\ny\n", 2));
}

// -------------------------------------------------------------------------------------
// The vendor's AKS manifests (seed 001)
// -------------------------------------------------------------------------------------

#[test]
fn the_vendors_aks_manifests_report_the_drain_blocking_pdb() {
    let findings = lint(&[VENDOR], None);
    let drain = of_rule(&findings, "pdb-blocks-drain");
    assert_eq!(drain.len(), 1, "{findings:#?}");
    assert_eq!(drain[0]["severity"], "warning");
    assert_eq!(drain[0]["name"], "migratorydata-pdb");
    assert_eq!(drain[0]["path"], "spec.minAvailable");
    // minAvailable 3 equals the seeds: md-pdb-seeds is satisfied.
    assert!(
        of_rule(&findings, "md-pdb-seeds").is_empty(),
        "{findings:#?}"
    );
    // The headless Service is right; the rule ran (it needs no ClusterMembers).
    assert!(of_rule(&findings, "md-headless-service").is_empty());
    assert!(
        of_rule(&findings, "api-validation").is_empty(),
        "{findings:#?}"
    );
}

#[test]
fn the_vendors_manifests_with_a_pdb_below_the_seeds_are_an_md_pdb_seeds_error() {
    let text = std::fs::read_to_string(root().join(VENDOR)).unwrap();
    let below = text.replacen("minAvailable: 3 #", "minAvailable: 2 #", 1);
    assert_ne!(below, text);
    let findings = lint(&["-"], Some(below.as_bytes()));
    let seeds = of_rule(&findings, "md-pdb-seeds");
    assert_eq!(seeds.len(), 1, "{findings:#?}");
    assert_eq!(seeds[0]["severity"], "error");
    assert_eq!(seeds[0]["path"], "spec.minAvailable");
    assert!(
        seeds[0]["message"]
            .as_str()
            .unwrap()
            .contains("-DClusterSeedMemberCount is 3"),
        "{}",
        seeds[0]["message"]
    );
    // Below the replicas, the drain is no longer blocked.
    assert!(of_rule(&findings, "pdb-blocks-drain").is_empty());
}

#[test]
fn a_script_built_member_list_is_reported_once_as_unchecked() {
    let findings = lint(&[VENDOR], None);
    let unchecked: Vec<&Value> = findings
        .iter()
        .filter(|f| f["message"].as_str().unwrap().contains("cannot be checked"))
        .collect();
    assert_eq!(unchecked.len(), 1, "{findings:#?}");
    assert_eq!(unchecked[0]["rule"], "md-members-dns");
    assert_eq!(unchecked[0]["severity"], "info");
    assert_eq!(
        unchecked[0]["path"],
        "spec.template.spec.containers[0].command[2]"
    );
}

#[test]
fn the_vendors_headless_service_is_checked_without_cluster_members() {
    let text = std::fs::read_to_string(root().join(VENDOR)).unwrap();
    let broken = text.replacen("  publishNotReadyAddresses: true\n", "", 1);
    assert_ne!(broken, text);
    let findings = lint(&["-"], Some(broken.as_bytes()));
    let headless = of_rule(&findings, "md-headless-service");
    assert_eq!(headless.len(), 1, "{findings:#?}");
    assert_eq!(headless[0]["path"], "spec.publishNotReadyAddresses");
}

// -------------------------------------------------------------------------------------
// md-heap-limit against what gen renders
// -------------------------------------------------------------------------------------

/// Renders one bundle per (memoryPercent, memory), each in its own namespace, as one stream.
fn render_heaps(cases: &[(u32, &str)]) -> String {
    let dir = std::env::temp_dir().join(format!("gen-heap-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut specs = Vec::new();
    for (i, (percent, memory)) in cases.iter().enumerate() {
        let spec = dir.join(format!("h{i}.yaml"));
        std::fs::write(
            &spec,
            format!(
                "namespace: heap-{i}\nplatform: aks\nreplicas: 4\nseedCount: 3\nmemoryPercent: {percent}\nresources: {{cpu: 500m, memory: \"{memory}\"}}\n"
            ),
        )
        .unwrap();
        specs.push(spec.to_str().unwrap().to_string());
    }
    let mut args = vec!["--quiet", "render"];
    args.extend(specs.iter().map(String::as_str));
    let out = run(&args);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
}

#[test]
fn nothing_gen_renders_trips_md_heap_limit_up_to_the_largest_memory_percent() {
    // 135Mi is the least memory gen accepts at memoryPercent 95 (a 128 MB heap).
    let mut cases: Vec<(u32, &str)> = vec![(95, "135Mi"), (95, "1Gi"), (95, "4Gi"), (95, "3G")];
    cases.extend((10..=95).step_by(5).map(|p| (p, "2Gi")));
    let text = render_heaps(&cases);
    let findings = lint(&["-"], Some(text.as_bytes()));
    assert!(
        of_rule(&findings, "md-heap-limit").is_empty(),
        "{:#?}",
        of_rule(&findings, "md-heap-limit")
    );
}

#[test]
fn a_heap_past_the_floor_warns_and_one_at_the_limit_is_an_error() {
    let text = render_heaps(&[(95, "135Mi")]);
    assert!(
        text.contains("-DMemory=128MB "),
        "gen's heap at 95% of 135Mi"
    );
    let past = text.replacen("-DMemory=128MB ", "-DMemory=129MB ", 1);
    let findings = lint(&["-"], Some(past.as_bytes()));
    let heap = of_rule(&findings, "md-heap-limit");
    assert_eq!(heap.len(), 1, "{findings:#?}");
    assert_eq!(heap[0]["severity"], "warning");
    assert!(heap[0]["message"].as_str().unwrap().contains("5% floor"));
    let at = text.replacen("-DMemory=128MB ", "-DMemory=135MB ", 1);
    let findings = lint(&["-"], Some(at.as_bytes()));
    let heap = of_rule(&findings, "md-heap-limit");
    assert_eq!(heap.len(), 1, "{findings:#?}");
    assert_eq!(heap[0]["severity"], "error");
    assert!(heap[0]["message"].as_str().unwrap().contains("OOM-kills"));
}
