//! `gen lint`'s rules through the library API.
//!
//! Every rule has a fixture, `tests/fixtures/lint/<rule>.yaml`: a minimal manifest breaking
//! it, whose `# expect: <rule> <path>` lines name the findings it must produce (`-` for the
//! document root, optionally `line N`); `# options: openshift` lints it as OpenShift. And
//! gen's own output, for every example on every platform, has no error at all.

use std::path::{Path, PathBuf};
use std::process::Command;

use gen_core::diag::{Severity, Style};
use gen_core::lint::{self, Finding, Format, Input, LintOptions, PssLevel, RULES, Rule, Set};

const PLATFORMS: [&str; 3] = ["aks", "eks", "openshift"];
const PLAIN: Style = Style {
    color: false,
    snippets: true,
};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn lint_text(name: &str, text: &str, opts: LintOptions) -> Vec<Finding> {
    lint::lint_set(&Set::single(name, text), &opts)
}

fn lint_plain(text: &str) -> Vec<Finding> {
    lint_text("test.yaml", text, LintOptions::default())
}

fn rules_of(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.rule.id()).collect()
}

fn fixture(rule: &str) -> String {
    let path = root()
        .join("tests/fixtures/lint")
        .join(format!("{rule}.yaml"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn render(example: &str, platform: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(["--quiet", "render", example, "--platform", platform])
        .current_dir(root())
        .output()
        .expect("gen runs");
    assert!(
        out.status.success(),
        "{example} on {platform}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn examples() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| format!("examples/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    v.sort();
    assert!(v.len() >= 2, "{v:?}");
    v
}

fn show(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "  {} {} {}/{} {} (line {:?}): {}\n",
                f.rule, f.severity, f.kind, f.name, f.path, f.line, f.message
            )
        })
        .collect()
}

// -------------------------------------------------------------------------------------
// One fixture per rule
// -------------------------------------------------------------------------------------

#[test]
fn every_rule_has_a_fixture_that_breaks_it() {
    for rule in RULES {
        let text = fixture(rule.id);
        let opts = LintOptions {
            platform_openshift: text.contains("# options: openshift"),
            crd_schemas: true,
            ..LintOptions::default()
        };
        let findings = lint_text(&format!("{}.yaml", rule.id), &text, opts);
        let expects: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .collect();
        assert!(!expects.is_empty(), "{}: no `# expect:` line", rule.id);
        for expect in expects {
            let mut words = expect.split_whitespace();
            let (id, path) = (words.next().unwrap(), words.next().unwrap());
            let line = match (words.next(), words.next()) {
                (Some("line"), Some(n)) => Some(n.parse::<usize>().unwrap()),
                _ => None,
            };
            assert_eq!(id, rule.id, "fixture {} expects another rule", rule.id);
            let path = if path == "-" { "(document)" } else { path };
            let hit = findings.iter().find(|f| {
                f.rule.id() == id
                    && f.path.to_string() == path
                    && line.is_none_or(|l| f.line == Some(l))
            });
            let hit = hit.unwrap_or_else(|| {
                panic!(
                    "{}: no `{id}` finding at `{path}`; found:\n{}",
                    rule.id,
                    show(&findings)
                )
            });
            assert_eq!(hit.severity, rule.severity, "{}", rule.id);
            assert!(hit.line.is_some(), "{}: a finding has a line", rule.id);
            assert!(!hit.message.is_empty());
        }
    }
}

#[test]
fn the_rule_table_has_unique_ids_and_text() {
    for (i, r) in RULES.iter().enumerate() {
        assert!(!r.why.is_empty() && !r.fix.is_empty(), "{}", r.id);
        assert!(
            RULES[i + 1..].iter().all(|o| o.id != r.id),
            "{} twice",
            r.id
        );
    }
}

/// The README documents every rule: between `<!-- lint-rules:begin -->` and
/// `<!-- lint-rules:end -->` it holds exactly `rules_markdown()`; missing markers fail.
#[test]
fn readme_documents_every_rule() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let begin = "<!-- lint-rules:begin -->\n";
    let start = readme
        .find(begin)
        .expect("README.md has the `<!-- lint-rules:begin -->` marker");
    let end = readme[start..]
        .find("<!-- lint-rules:end -->")
        .expect("README.md has the `<!-- lint-rules:end -->` marker after the begin one")
        + start;
    let table = &readme[start + begin.len()..end];
    let fresh = lint::rules_markdown();
    // `GEN_UPDATE_README=1 cargo test --test lint readme` rewrites the table (never in CI).
    if table != fresh
        && std::env::var_os("GEN_UPDATE_README").is_some()
        && std::env::var_os("CI").is_none()
    {
        let updated = format!(
            "{}{fresh}{}",
            &readme[..start + begin.len()],
            &readme[end..]
        );
        std::fs::write(root().join("README.md"), updated).unwrap();
        return;
    }
    assert_eq!(
        table, fresh,
        "README rule table is stale (GEN_UPDATE_README=1 rewrites it)"
    );
    for rule in gen_core::lint::RULES {
        assert!(
            !rule.mirrors.is_empty(),
            "rule `{}` says what it mirrors",
            rule.id
        );
    }
}

// -------------------------------------------------------------------------------------
// gen's own output
// -------------------------------------------------------------------------------------

#[test]
fn gen_output_has_no_errors_on_any_platform() {
    for example in examples() {
        for platform in PLATFORMS {
            let text = render(&example, platform);
            let opts = LintOptions {
                platform_openshift: platform == "openshift",
                crd_schemas: true,
                ..LintOptions::default()
            };
            let findings = lint_text(&format!("{example}-{platform}"), &text, opts);
            let errors: Vec<Finding> = findings
                .into_iter()
                .filter(|f| f.severity == Severity::Error)
                .collect();
            assert!(
                errors.is_empty(),
                "{example} on {platform}:\n{}",
                show(&errors)
            );
        }
    }
}

fn native_full(platform: &str) -> String {
    render("examples/native-full.yaml", platform)
}

#[test]
fn a_namespace_overlay_that_misses_the_options_is_caught() {
    // What kustomize's `namespace: other` does: every metadata.namespace, not the options.
    let text = native_full("aks").replace("namespace: realtime-prod", "namespace: other");
    let findings = lint_plain(&text);
    let dns: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule == Rule::MdMembersDns)
        .collect();
    assert!(!dns.is_empty(), "{}", show(&findings));
    assert!(
        dns.iter()
            .any(|f| f.message.contains("namespace `realtime-prod`")
                && f.message.contains("`other`")),
        "{}",
        show(&findings)
    );
    assert_eq!(dns[0].kind, "StatefulSet");
    assert!(dns[0].line.is_some_and(|l| l > 100));
}

#[test]
fn a_name_prefix_overlay_that_misses_the_options_is_caught() {
    // kustomize `namePrefix: eu-`: object names and references change, options do not.
    let text = native_full("eks")
        .replace("name: md-prod", "name: eu-md-prod")
        .replace("serviceName: md-prod-hs", "serviceName: eu-md-prod-hs")
        .replace("name: md-prod-hs", "name: eu-md-prod-hs");
    let findings = lint_plain(&text);
    let dns: Vec<&str> = findings
        .iter()
        .filter(|f| f.rule == Rule::MdMembersDns)
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        dns.iter()
            .any(|m| m.contains("not one of StatefulSet `eu-md-prod`")),
        "{}",
        show(&findings)
    );
    assert!(
        dns.iter()
            .any(|m| m.contains("serviceName is `eu-md-prod-hs`"))
    );
}

#[test]
fn a_smaller_member_list_than_the_autoscaler_allows_is_caught() {
    let text = render("examples/native.yaml", "aks").replace("maxReplicas: 5", "maxReplicas: 7");
    let findings = lint_plain(&text);
    let f = findings
        .iter()
        .find(|f| f.rule == Rule::MdMembersCoverReplicas)
        .unwrap_or_else(|| panic!("{}", show(&findings)));
    assert!(f.message.contains("scales up to 7"), "{}", f.message);
}

#[test]
fn kafka_jaas_resolves_through_directory_and_subpath_mounts() {
    // Rendered: a directory mount with items; fine.
    let good = render("examples/kafka-strimzi.yaml", "aks");
    assert!(!rules_of(&lint_plain(&good)).contains(&"md-kafka-jaas"));
    // subPath straight onto the key.
    let sub = good.replace(
        "            - name: jaas\n              mountPath: \"/migratorydata/secrets\"\n",
        "            - name: jaas\n              mountPath: \"/migratorydata/secrets/jaas.config\"\n              subPath: jaas.config\n",
    );
    assert_ne!(sub, good);
    assert!(!rules_of(&lint_plain(&sub)).contains(&"md-kafka-jaas"));
    // The Secret lacks the key the items map.
    let no_key = good.replace("  jaas.config: \"S2Fm", "  other.config: \"S2Fm");
    assert_ne!(no_key, good);
    let findings = lint_plain(&no_key);
    assert!(
        findings
            .iter()
            .any(|f| f.rule == Rule::MdKafkaJaas && f.message.contains("no such key")),
        "{}",
        show(&findings)
    );
    // The path points where nothing is mounted.
    let moved = good.replace(
        "login.config=/migratorydata/secrets/jaas.config",
        "login.config=/etc/jaas.config",
    );
    let findings = lint_plain(&moved);
    assert!(
        findings
            .iter()
            .any(|f| f.rule == Rule::MdKafkaJaas && f.message.contains("on no volumeMount")),
        "{}",
        show(&findings)
    );
}

#[test]
fn a_route_marks_the_set_as_openshift() {
    let text = format!(
        "{}---\napiVersion: route.openshift.io/v1\nkind: Route\nmetadata: {{name: web, namespace: app}}\nspec:\n  to: {{kind: Service, name: web}}\n",
        fixture("openshift-fixed-ids").replace("# options: openshift\n", "")
    );
    let rules = rules_of(&lint_plain(&text));
    assert!(rules.contains(&"openshift-fixed-ids"), "{rules:?}");
    let without = lint_plain(&fixture("openshift-fixed-ids"));
    assert!(!rules_of(&without).contains(&"openshift-fixed-ids"));
}

// -------------------------------------------------------------------------------------
// Silencing
// -------------------------------------------------------------------------------------

fn with_annotation(reason: &str) -> String {
    fixture("cluster-scoped").replace(
        "metadata: {name: reader}",
        &format!(
            "metadata:\n  name: reader\n  annotations:\n    lint.gen.migratorydata.io/cluster-scoped: {reason}"
        ),
    )
}

#[test]
fn an_annotation_with_a_reason_silences_the_rule_on_that_object() {
    let findings = lint_plain(&with_annotation("\"the platform team owns it\""));
    assert!(findings.is_empty(), "{}", show(&findings));
}

#[test]
fn an_annotation_without_a_reason_silences_nothing_and_is_a_finding() {
    for reason in ["\"\"", "\"  \""] {
        let findings = lint_plain(&with_annotation(reason));
        let rules = rules_of(&findings);
        assert!(rules.contains(&"cluster-scoped"), "{rules:?}");
        assert!(rules.contains(&"lint-annotation"), "{rules:?}");
    }
}

#[test]
fn an_annotation_silences_only_its_own_object() {
    // The second ClusterRole without the fixture's MigratoryData Deployment (no duplicate).
    let writer = fixture("cluster-scoped").replace("reader", "writer");
    let writer = writer.split("---\n").next().unwrap();
    let text = format!("{}\n---\n{writer}", with_annotation("\"platform team\""));
    let findings = lint_plain(&text);
    assert_eq!(rules_of(&findings), ["cluster-scoped"]);
    assert_eq!(findings[0].name, "writer");
    // After the reader (0) and the fixture's Deployment (1).
    assert_eq!(findings[0].document, 2);
}

// -------------------------------------------------------------------------------------
// Documents, positions and robustness
// -------------------------------------------------------------------------------------

#[test]
fn document_indices_count_empty_documents_and_yaml_errors_cost_one_document() {
    // The MigratoryData Deployment at the end makes the cluster-scoped rule apply.
    let md = fixture("cluster-scoped");
    let md = md.split("---\n").nth(1).unwrap();
    let text = format!(
        "---\n# nothing\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a, namespace: x\n---\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: r}}\n---\n{md}"
    );
    let findings = lint_plain(&text);
    assert_eq!(
        rules_of(&findings),
        ["yaml", "cluster-scoped"],
        "{}",
        show(&findings)
    );
    assert_eq!(findings[0].document, 1);
    assert!(findings[0].line.is_some_and(|l| (4..=7).contains(&l)));
    assert_eq!(findings[1].document, 3);
    assert_eq!(findings[1].line, Some(10));
    assert_eq!(findings[1].column, Some(7));
}

#[test]
fn hostile_and_odd_inputs_never_panic() {
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let bomb = "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d]\n";
    let inputs = [
        "",
        "---",
        "...\n...\n",
        "42",
        "- a\n- b\n",
        "apiVersion: v1\n",
        "kind: 7\napiVersion: []\n",
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: x}\nspec: 3\n",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          env:\n            - {name: MIGRATORYDATA_EXTRA_OPTS, value: \"-DClusterMembers=,,:,.-.:x -DClusterEngine=kafka -DClusterMemberListen=$( -D -D=\"}\n",
        "\u{feff}\t: :\n",
        deep.as_str(),
        bomb,
        "%YAML 1.2\n%TAG ! tag:x,2024:\n--- !foo\na: 1\n",
    ];
    for text in inputs {
        let _ = lint_plain(text);
        let _ = lint_text(
            "x",
            text,
            LintOptions {
                platform_openshift: true,
                crd_schemas: true,
                pss: Some(PssLevel::Restricted),
                ..LintOptions::default()
            },
        );
    }
}

// -------------------------------------------------------------------------------------
// Output formats
// -------------------------------------------------------------------------------------

fn some_findings() -> (Set, Vec<Finding>) {
    let set = Set::single(
        "over, lay:1.yaml",
        format!(
            "{}---\n{}",
            fixture("service-selector"),
            fixture("unknown-kind")
        ),
    );
    let findings = lint::lint_set(&set, &LintOptions::default());
    assert!(findings.iter().any(|f| f.severity == Severity::Warning));
    assert!(findings.iter().any(|f| f.severity == Severity::Error));
    (set, findings)
}

#[test]
fn json_output_is_an_array_a_ci_step_can_parse() {
    let (set, findings) = some_findings();
    let out = lint::report(&findings, &[set], Format::Json, PLAIN);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let items = v.as_array().expect("an array");
    assert_eq!(items.len(), findings.len());
    for (item, f) in items.iter().zip(&findings) {
        for key in [
            "rule",
            "severity",
            "file",
            "document",
            "line",
            "column",
            "kind",
            "namespace",
            "name",
            "path",
            "message",
        ] {
            assert!(item.get(key).is_some(), "{key} in {item}");
        }
        assert_eq!(item["rule"], f.rule.id());
        assert_eq!(item["severity"], f.severity.to_string());
        assert_eq!(item["line"], serde_json::json!(f.line));
    }
    assert_eq!(lint::report(&[], &[], Format::Json, PLAIN).trim(), "[]");
}

/// `^::(error|warning) file=[^,]+,line=\d+` without a regex engine.
fn github_line_ok(line: &str) -> bool {
    let Some(rest) = line
        .strip_prefix("::error file=")
        .or_else(|| line.strip_prefix("::warning file="))
    else {
        return false;
    };
    let Some((file, rest)) = rest.split_once(',') else {
        return false;
    };
    let Some(rest) = rest.strip_prefix("line=") else {
        return false;
    };
    !file.is_empty() && rest.starts_with(|c: char| c.is_ascii_digit())
}

#[test]
fn github_output_is_workflow_commands() {
    let (set, findings) = some_findings();
    let out = lint::report(&findings, &[set], Format::Github, PLAIN);
    assert_eq!(out.lines().count(), findings.len());
    for line in out.lines() {
        assert!(github_line_ok(line), "{line}");
        assert!(line.contains(",title="), "{line}");
        let (_, message) = line[2..].split_once("::").expect("a message");
        assert!(!message.is_empty());
    }
    assert!(out.contains("file=over%2C lay%3A1.yaml,line="), "{out}");
    assert!(out.lines().any(|l| l.starts_with("::warning ")));
}

#[test]
fn text_output_names_rule_object_place_and_fix() {
    let (set, findings) = some_findings();
    let out = lint::report(&findings, std::slice::from_ref(&set), Format::Text, PLAIN);
    let f = findings
        .iter()
        .find(|f| f.rule == Rule::ServiceSelector)
        .unwrap();
    let line = f.line.unwrap();
    assert!(
        out.contains("error: service-selector: Service app/web\n"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "--> over, lay:1.yaml:{line}:{} (spec.selector)",
            f.column.unwrap()
        )),
        "{out}"
    );
    assert!(out.contains("  selector: {app: webb}"), "{out}");
    let short = lint::report(
        &findings,
        &[set],
        Format::Text,
        Style {
            color: false,
            snippets: false,
        },
    );
    assert_eq!(short.lines().count(), findings.len(), "{short}");
    assert!(short.contains("[service-selector]"), "{short}");
}

// -------------------------------------------------------------------------------------
// Sets
// -------------------------------------------------------------------------------------

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gen-lint-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn collect_opts(recursive: bool) -> lint::CollectOptions {
    lint::CollectOptions {
        max_bytes: 1 << 20,
        recursive,
        kustomize: gen_core::kustomize::Kustomize::default_with_limit(1 << 20),
    }
}

fn has_kubectl() -> bool {
    Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn collect_builds_kustomizations_and_puts_other_files_in_one_set() {
    if !has_kubectl() {
        eprintln!("note: kubectl is not installed; skipped (CI installs it)");
        return;
    }
    let dir = scratch("collect");
    let prod = dir.join("clusters/prod");
    let dev = dir.join("clusters/dev");
    let loose = dir.join("loose");
    let deep = loose.join("deeper");
    for d in [&prod, &dev, &deep] {
        std::fs::create_dir_all(d).unwrap();
    }
    let write = |p: PathBuf, s: &str| std::fs::write(p, s).unwrap();
    write(
        prod.join("kustomization.yaml"),
        "resources: [a.yaml, b.yaml]\n",
    );
    write(prod.join("a.yaml"), &fixture("service-selector"));
    write(
        prod.join("b.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: app}\n",
    );
    // Not only resources: kustomize builds it.
    write(
        dev.join("kustomization.yaml"),
        "resources: [a.yaml]\nnamePrefix: dev-\n",
    );
    write(dev.join("a.yaml"), &fixture("service-selector"));
    write(loose.join("one.yaml"), &fixture("cluster-scoped"));
    write(loose.join("two.yaml"), &fixture("cluster-scoped"));
    write(loose.join("notes.txt"), "not yaml");
    write(
        deep.join("three.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: app}\n",
    );
    let shape = |c: &lint::Collected| -> Vec<(String, usize)> {
        c.sets
            .iter()
            .map(|s| {
                (
                    s.name.replace(&dir.display().to_string(), ""),
                    s.inputs.len(),
                )
            })
            .collect()
    };
    // Without -R: only the top level of a plain directory; subdirectories are not read.
    let flat = lint::collect(&[loose.display().to_string()], &collect_opts(false)).unwrap();
    assert_eq!(shape(&flat), [("the files given together".to_string(), 2)]);
    // With -R: dev is built (one input, kustomize's output); prod only lists resource
    // files, which are its build (two inputs, read without kustomize); the rest is one set.
    let all = lint::collect(&[dir.display().to_string()], &collect_opts(true)).unwrap();
    assert_eq!(
        shape(&all),
        [
            ("kubectl kustomize /clusters/dev".to_string(), 1),
            ("/clusters/prod".to_string(), 2),
            ("the files given together".to_string(), 3),
        ]
    );
    // The two identical files given together (a ClusterRole and a Deployment each) are one
    // set: both objects are duplicates.
    let findings = lint::lint_sets(&all.sets, &LintOptions::default());
    assert_eq!(
        findings
            .iter()
            .filter(|f| f.rule == Rule::DuplicateObject)
            .count(),
        2,
        "{}",
        show(&findings)
    );
    for file in ["kubectl kustomize ", "/clusters/prod/a.yaml"] {
        assert!(
            findings.iter().any(|f| f.rule == Rule::ServiceSelector
                && (f.file.starts_with(file) || f.file.ends_with(file))),
            "{file}: {}",
            show(&findings)
        );
    }
    assert!(
        lint::collect(
            &[dir.join("missing").display().to_string()],
            &collect_opts(false)
        )
        .is_err()
    );
    let small = lint::CollectOptions {
        max_bytes: 8,
        ..collect_opts(false)
    };
    assert!(lint::collect(&[loose.join("one.yaml").display().to_string()], &small).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_set_relates_objects_across_its_files() {
    let split = fixture("service-target-port");
    let (service, deployment) = split.split_once("---\n").unwrap();
    let set = Set {
        name: "dir".into(),
        inputs: vec![
            Input {
                name: "dir/service.yaml".into(),
                text: service.into(),
                built_from: None,
            },
            Input {
                name: "dir/deployment.yaml".into(),
                text: deployment.into(),
                built_from: None,
            },
        ],
    };
    let findings = lint::lint_set(&set, &LintOptions::default());
    let f = findings
        .iter()
        .find(|f| f.rule == Rule::ServiceTargetPort)
        .expect("found across files");
    assert_eq!(f.file, "dir/service.yaml");
    assert_eq!(f.document, 0);
}

#[test]
fn lint_sets_matches_linting_each_set_in_order() {
    let sets: Vec<Set> = RULES
        .iter()
        .map(|r| Set::single(r.id, fixture(r.id)))
        .collect();
    let opts = LintOptions::default();
    let one_by_one: Vec<Finding> = sets.iter().flat_map(|s| lint::lint_set(s, &opts)).collect();
    assert_eq!(lint::lint_sets(&sets, &opts), one_by_one);
}
