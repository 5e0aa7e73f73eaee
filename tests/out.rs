//! `gen render --out DIR` / `--check`, through the library API (`gen_core::out`): layout,
//! ownership, the atomic swap under injected faults and crashes, secrets, and kustomize.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use gen_core::model::{self, Model};
use gen_core::out::{self, Bundle, FaultyFs, OutError, PlannedFile, RealFs};
use gen_core::render::{self, Document};

/// A credential that must never show up in a diff.
const MARKER: &str = "MARKER-pa55w0rd-7f1d2c";

fn jaas_text(password: &str) -> String {
    format!(
        "KafkaClient {{\norg.apache.kafka.common.security.scram.ScramLoginModule required\nusername=\"migratorydata\"\npassword=\"{password}\";\n}};\n"
    )
}

const NATIVE: &str = "name: md\nnamespace: rt\nplatform: aks\nreplicas: 3\n";
const NATIVE_HPA: &str =
    "name: md\nnamespace: rt\nplatform: aks\nreplicas: 3\nautoscale: {min: 3, max: 5}\n";

fn kafka_spec(name: &str, namespace: &str) -> String {
    format!(
        "name: {name}\nnamespace: {namespace}\nplatform: aks\nreplicas: 2\nbackplane:\n  type: kafka\n  bootstrapServers: [\"kafka:9093\"]\n  topics: [vehicles]\n  securityProtocol: SASL_SSL\n  saslMechanism: SCRAM-SHA-512\n  jaas:\n    file: jaas.config\n"
    )
}

/// One spec, resolved and rendered; `jaas` is written beside it first.
struct Rendered {
    model: Model,
    documents: Vec<Document>,
    _specs: tempfile::TempDir,
}

fn render_spec(spec_text: &str, jaas: Option<&str>) -> Rendered {
    let specs = tempfile::tempdir().unwrap();
    if let Some(j) = jaas {
        std::fs::write(specs.path().join("jaas.config"), j).unwrap();
    }
    let spec = gen_core::spec::parse(spec_text).expect("spec parses");
    let opts = model::ResolveOptions {
        base_dir: specs.path().to_path_buf(),
        max_file_bytes: gen_core::source::DEFAULT_MAX_BYTES,
        ..Default::default()
    };
    let model = model::resolve(&spec, &opts)
        .model
        .unwrap_or_else(|e| panic!("spec resolves: {e:?}"));
    let documents = render::render(&model).expect("renders");
    Rendered {
        model,
        documents,
        _specs: specs,
    }
}

fn bundle(r: &Rendered) -> Bundle<'_> {
    Bundle {
        platform: r.model.platform,
        namespace: &r.model.namespace,
        name: &r.model.name,
        documents: &r.documents,
        jaas: r.model.jaas_secret.as_ref(),
    }
}

fn plan1(r: &Rendered) -> Vec<PlannedFile> {
    out::plan(&[bundle(r)], false).expect("plans")
}

/// `--check` as `gen render --check` runs it: the file diff, then `gen diff`'s summary.
fn check(dir: &Path, files: &[PlannedFile]) -> Result<Option<String>, OutError> {
    out::check(dir, files, gen_core::diff::check_summary)
}

fn plan_many(rs: &[&Rendered]) -> Vec<PlannedFile> {
    let bundles: Vec<Bundle> = rs.iter().map(|r| bundle(r)).collect();
    out::plan(&bundles, true).expect("plans")
}

/// Everything under `dir`: relative path → type, mode and contents (or link target).
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    use std::os::unix::fs::PermissionsExt;
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let mode = m.permissions().mode() & 0o7777;
            if m.file_type().is_symlink() {
                let t = std::fs::read_link(&p).unwrap();
                out.insert(rel, format!("link -> {}", t.display()));
            } else if m.is_dir() {
                out.insert(rel, format!("dir {mode:o}"));
                walk(root, &p, out);
            } else {
                let bytes = std::fs::read(&p).unwrap();
                out.insert(
                    rel,
                    format!("file {mode:o} {}", String::from_utf8_lossy(&bytes)),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out
}

/// The entries beside `dir` gen would leave behind after trouble.
fn leftovers(dir: &Path) -> Vec<String> {
    let name = dir.file_name().unwrap().to_str().unwrap().to_string();
    let mut v: Vec<String> = std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_str().unwrap().to_string())
        .filter(|n| n.starts_with(&format!("{name}.gen-")))
        .collect();
    v.sort();
    v
}

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p).unwrap()
}

/// A directory beside which gen may create its siblings, cleaned up at the end.
fn workdir() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("base");
    (t, dir)
}

/// DIR with the user's own things in it: a file, a directory with a nested file, a `.git`, a
/// symlink and a `.gitignore`.
fn add_user_files(dir: &Path) {
    std::fs::write(dir.join("NOTES.md"), "mine\n").unwrap();
    std::fs::create_dir_all(dir.join("overlays/prod")).unwrap();
    std::fs::write(
        dir.join("overlays/prod/kustomization.yaml"),
        "resources: [../..]\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join(".git/objects/ab")).unwrap();
    std::fs::write(dir.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    std::fs::write(dir.join(".git/objects/ab/cdef"), "blob").unwrap();
    std::os::unix::fs::symlink("NOTES.md", dir.join("notes-link")).unwrap();
    std::fs::write(dir.join(".gitignore"), "*.tmp\n").unwrap();
}

#[test]
fn out_then_check_is_equal_and_the_layout_is_a_kustomize_base() {
    let (_t, dir) = workdir();
    let r = render_spec(NATIVE, None);
    let files = plan1(&r);
    let report = out::write(&dir, &files, &RealFs).unwrap();
    assert_eq!(report.written, files.len() + 1, "{report:?}");
    assert_eq!(check(&dir, &files).unwrap(), None);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_str().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".gen-owned",
            "kustomization.yaml",
            "namespace-rt.yaml",
            "networkpolicy-md.yaml",
            "poddisruptionbudget-md-pdb.yaml",
            "service-md-cs.yaml",
            "service-md-hs.yaml",
            "serviceaccount-md.yaml",
            "statefulset-md.yaml",
        ]
    );
    // Files are the documents, byte for byte; the kustomization lists them in apply order.
    for d in &r.documents {
        let f = dir.join(format!("{}-{}.yaml", d.kind.to_lowercase(), d.name));
        assert_eq!(read(f), d.text);
    }
    let k = read(dir.join("kustomization.yaml"));
    let listed: Vec<&str> = k.lines().filter_map(|l| l.strip_prefix("  - ")).collect();
    let expected: Vec<String> = r
        .documents
        .iter()
        .map(|d| format!("{}-{}.yaml", d.kind.to_lowercase(), d.name))
        .collect();
    assert_eq!(listed, expected);
    assert!(k.contains("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"));
    assert!(!k.contains("secretGenerator"));
    assert!(
        !dir.join(".gitignore").exists(),
        "no credentials, no .gitignore"
    );
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
    // Writing again changes nothing.
    let before = snapshot(&dir);
    out::write(&dir, &files, &RealFs).unwrap();
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn editing_one_file_makes_check_show_a_diff_naming_it() {
    let (_t, dir) = workdir();
    let r = render_spec(NATIVE, None);
    let files = plan1(&r);
    out::write(&dir, &files, &RealFs).unwrap();
    let f = dir.join("service-md-cs.yaml");
    let edited = read(&f).replace("port: 80", "port: 8080");
    std::fs::write(&f, edited).unwrap();
    let diff = check(&dir, &files).unwrap().expect("differs");
    assert!(
        diff.contains("--- a/service-md-cs.yaml\n+++ b/service-md-cs.yaml\n@@ "),
        "{diff}"
    );
    assert!(
        diff.contains("\n-      port: 8080\n+      port: 80\n"),
        "{diff}"
    );
    assert_eq!(diff.matches("--- ").count(), 1, "only that file: {diff}");
    // A deleted file shows as added back; a missing DIR as all of it.
    std::fs::remove_file(dir.join("statefulset-md.yaml")).unwrap();
    let diff = check(&dir, &files).unwrap().unwrap();
    assert!(
        diff.contains("--- /dev/null\n+++ b/statefulset-md.yaml\n"),
        "{diff}"
    );
    let diff = check(&dir.join("nope"), &files).unwrap().unwrap();
    assert!(diff.contains("+++ b/kustomization.yaml"), "{diff}");
    // Writing repairs it.
    out::write(&dir, &files, &RealFs).unwrap();
    assert_eq!(check(&dir, &files).unwrap(), None);
}

#[test]
fn the_users_files_survive_and_stay_out_of_the_kustomization() {
    let (_t, dir) = workdir();
    let r = render_spec(NATIVE, None);
    let files = plan1(&r);
    out::write(&dir, &files, &RealFs).unwrap();
    add_user_files(&dir);
    let user: BTreeMap<String, String> = snapshot(&dir)
        .into_iter()
        .filter(|(k, _)| !files.iter().any(|f| &f.path == k) && k != ".gen-owned")
        .collect();
    assert!(user.len() >= 9, "{user:?}");
    let report = out::write(&dir, &files, &RealFs).unwrap();
    assert!(report.carried >= 5, "{report:?}");
    let after = snapshot(&dir);
    for (k, v) in &user {
        assert_eq!(after.get(k), Some(v), "{k} carried as it was");
    }
    assert_eq!(
        check(&dir, &files).unwrap(),
        None,
        "user files are not compared"
    );
    let k = read(dir.join("kustomization.yaml"));
    assert!(!k.contains("NOTES") && !k.contains("overlays"), "{k}");
    assert!(!read(dir.join(".gen-owned")).contains("NOTES"));
}

#[test]
fn a_file_gen_no_longer_renders_is_removed() {
    let (_t, dir) = workdir();
    let with_hpa = render_spec(NATIVE_HPA, None);
    out::write(&dir, &plan1(&with_hpa), &RealFs).unwrap();
    assert!(
        dir.join("horizontalpodautoscaler-md-autoscale.yaml")
            .exists()
    );
    add_user_files(&dir);
    // The user keeps a yaml of their own: not in the manifest, so never gen's to remove.
    std::fs::write(dir.join("extra.yaml"), "kind: ConfigMap\n").unwrap();
    let without = render_spec(NATIVE, None);
    let files = plan1(&without);
    // --check says what --out would remove.
    let diff = check(&dir, &files).unwrap().unwrap();
    assert!(
        diff.contains("--- a/horizontalpodautoscaler-md-autoscale.yaml\n+++ /dev/null\n"),
        "{diff}"
    );
    let report = out::write(&dir, &files, &RealFs).unwrap();
    assert_eq!(
        report.removed,
        ["horizontalpodautoscaler-md-autoscale.yaml"]
    );
    assert!(
        !dir.join("horizontalpodautoscaler-md-autoscale.yaml")
            .exists()
    );
    assert!(!read(dir.join("kustomization.yaml")).contains("horizontalpodautoscaler"));
    assert_eq!(read(dir.join("extra.yaml")), "kind: ConfigMap\n");
    assert_eq!(read(dir.join("NOTES.md")), "mine\n");
    assert_eq!(check(&dir, &files).unwrap(), None);
}

#[test]
fn a_file_gen_did_not_write_is_never_overwritten_unless_identical() {
    let (_t, dir) = workdir();
    let r = render_spec(NATIVE, None);
    let files = plan1(&r);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("service-md-cs.yaml"), "mine\n").unwrap();
    std::fs::write(dir.join("kustomization.yaml"), "resources: [a.yaml]\n").unwrap();
    let before = snapshot(&dir);
    let e = out::write(&dir, &files, &RealFs).unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(e, OutError::Conflict(ref v) if v.len() == 2),
        "{msg}"
    );
    assert!(
        msg.contains("service-md-cs.yaml: exists and gen did not write it"),
        "{msg}"
    );
    assert_eq!(snapshot(&dir), before);
    assert!(leftovers(&dir).is_empty());
    let diff = check(&dir, &files).unwrap().unwrap();
    assert!(
        diff.contains("kustomization.yaml: exists and gen did not write it"),
        "{diff}"
    );
    // Byte-identical files (a base from before the manifest existed) are adopted.
    std::fs::remove_file(dir.join("service-md-cs.yaml")).unwrap();
    std::fs::remove_file(dir.join("kustomization.yaml")).unwrap();
    for f in &files[..3] {
        std::fs::write(dir.join(&f.path), &f.bytes).unwrap();
    }
    out::write(&dir, &files, &RealFs).unwrap();
    assert!(read(dir.join(".gen-owned")).contains(&files[0].path));
}

#[test]
fn an_injected_write_failure_at_any_step_leaves_dir_byte_identical() {
    let (_t, dir) = workdir();
    let old = render_spec(NATIVE_HPA, None);
    out::write(&dir, &plan1(&old), &RealFs).unwrap();
    add_user_files(&dir);
    let before = snapshot(&dir);
    let new = render_spec(&kafka_spec("md", "rt"), Some(&jaas_text(MARKER)));
    let files = plan1(&new);
    let mut n = 1;
    loop {
        let fs = FaultyFs::new(n);
        let result = out::write(&dir, &files, &fs);
        if fs.calls() < n {
            result.expect("no fault reached: the write succeeds");
            break;
        }
        match result {
            Err(e) => {
                assert!(e.to_string().contains("injected failure"), "#{n}: {e}");
                assert_eq!(
                    snapshot(&dir),
                    before,
                    "DIR changed after failing change #{n}"
                );
                assert!(leftovers(&dir).is_empty(), "#{n}: {:?}", leftovers(&dir));
            }
            // Only removing the old tree comes after the swap: DIR is new, the rest a note.
            Ok(report) => {
                assert_eq!(report.notes.len(), 1, "#{n}: {report:?}");
                assert_eq!(check(&dir, &files).unwrap(), None);
                out::write(&dir, &plan1(&old), &RealFs).unwrap();
                assert_eq!(snapshot(&dir), before, "reset after #{n}");
            }
        }
        n += 1;
    }
    assert!(n > 20, "every change was tried: {n}");
    assert_eq!(check(&dir, &files).unwrap(), None);
    let after = snapshot(&dir);
    assert_eq!(after["NOTES.md"], before["NOTES.md"]);
    assert_eq!(
        after[".git/objects/ab/cdef"],
        before[".git/objects/ab/cdef"]
    );
}

#[test]
fn a_crash_at_any_step_is_repaired_by_the_next_run() {
    let (_t, dir) = workdir();
    let old = render_spec(NATIVE_HPA, None);
    let old_files = plan1(&old);
    out::write(&dir, &old_files, &RealFs).unwrap();
    add_user_files(&dir);
    let before = snapshot(&dir);
    let new = render_spec(NATIVE, None);
    let files = plan1(&new);
    out::write(&dir, &files, &RealFs).unwrap();
    let wanted = snapshot(&dir);
    out::write(&dir, &old_files, &RealFs).unwrap();
    let mut n = 1;
    loop {
        let fs = FaultyFs::crash_at(n);
        let result = out::write(&dir, &files, &fs);
        if fs.calls() < n {
            result.unwrap();
            break;
        }
        // Right after the crash: DIR is old or new, or missing with the old tree beside it.
        let now = snapshot(&dir);
        let old_tree = dir.with_file_name("base.gen-old");
        if dir.exists() {
            assert!(now == before || now == wanted, "#{n}: DIR is half-written");
        } else {
            assert_eq!(
                snapshot(&old_tree),
                before,
                "#{n}: the old tree is complete"
            );
            assert!(matches!(
                check(&dir, &files),
                Err(OutError::Interrupted { .. })
            ));
        }
        // The next run repairs and writes.
        let report = out::write(&dir, &files, &RealFs).unwrap();
        assert_eq!(snapshot(&dir), wanted, "#{n}: {report:?}");
        assert!(leftovers(&dir).is_empty(), "#{n}: {:?}", leftovers(&dir));
        out::write(&dir, &old_files, &RealFs).unwrap();
        assert_eq!(snapshot(&dir), before);
        n += 1;
    }
}

#[test]
fn the_jaas_file_is_0600_git_ignored_and_generated_not_written_as_a_secret() {
    use std::os::unix::fs::PermissionsExt;
    let (_t, dir) = workdir();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(".gitignore"), "*.tmp\n# keep\n").unwrap();
    let jaas = jaas_text(MARKER);
    let r = render_spec(&kafka_spec("md", "rt"), Some(&jaas));
    let files = plan1(&r);
    out::write(&dir, &files, &RealFs).unwrap();
    let secret = dir.join("jaas.config");
    assert_eq!(read(&secret), jaas);
    let mode = std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(!dir.join("secret-md-jaas.yaml").exists());
    let tree = snapshot(&dir);
    let b64 = base64_of(&jaas);
    for (path, content) in &tree {
        if path != "jaas.config" {
            assert!(
                !content.contains(MARKER) && !content.contains(&b64),
                "{path}"
            );
        }
    }
    assert_eq!(
        read(dir.join(".gitignore")),
        "*.tmp\n# keep\n# BEGIN gen: credentials for kustomize's secretGenerator; never commit them\n/jaas.config\n# END gen\n"
    );
    let k = read(dir.join("kustomization.yaml"));
    assert!(
        k.contains("secretGenerator:\n  - name: md-jaas\n    namespace: rt\n    type: Opaque\n    files:\n      - \"jaas.config=jaas.config\"\n    options:\n      labels:\n        app.kubernetes.io/instance: md\n"),
        "{k}"
    );
    assert!(!k.contains("secret-md-jaas"), "{k}");
    // Git agrees that it is ignored (and that the rest is not).
    if common::tool("git", &["--version"]) {
        let git = |args: &[&str]| {
            Command::new("git")
                .args(args)
                .current_dir(&dir)
                .output()
                .unwrap()
        };
        assert!(git(&["init", "-q"]).status.success());
        assert!(git(&["check-ignore", "-q", "jaas.config"]).status.success());
        assert!(
            !git(&["check-ignore", "-q", "kustomization.yaml"])
                .status
                .success()
        );
    } else {
        eprintln!("note: git not installed; skipped `git check-ignore`");
    }
    // Turning jaas.file off takes gen's block out and leaves the user's lines.
    let plain = render_spec(NATIVE, None);
    let report = out::write(&dir, &plan1(&plain), &RealFs).unwrap();
    assert!(
        report.removed.contains(&"jaas.config".to_string()),
        "{report:?}"
    );
    assert!(!secret.exists());
    assert_eq!(read(dir.join(".gitignore")), "*.tmp\n# keep\n");
    assert!(
        dir.join(".git/HEAD").exists(),
        "the git repository is carried"
    );
}

#[test]
fn the_kustomization_with_a_secret_generator_is_pinned_byte_for_byte() {
    // Labels and annotations reach the generator's options, sorted, each scalar quoted as
    // YAML needs it ("on", "0755"); the resources follow in apply order.
    let spec = format!(
        "{}labels: {{team: realtime, env: \"on\"}}\nannotations: {{owner.example.com/contact: \"0755\"}}\n",
        kafka_spec("md", "rt")
    );
    let r = render_spec(&spec, Some(&jaas_text(MARKER)));
    let files = plan1(&r);
    let k = files
        .iter()
        .find(|f| f.path == "kustomization.yaml")
        .expect("a kustomization");
    assert_eq!(
        String::from_utf8(k.bytes.clone()).unwrap(),
        "# Written by `gen render --out`; edits are lost on the next run. Customise in an overlay
# that lists this directory under `resources`.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - namespace-rt.yaml
  - serviceaccount-md.yaml
  - service-md-cs.yaml
  - deployment-md.yaml
  - poddisruptionbudget-md-pdb.yaml
  - networkpolicy-md.yaml
secretGenerator:
  - name: md-jaas
    namespace: rt
    type: Opaque
    files:
      - \"jaas.config=jaas.config\"
    options:
      labels:
        app.kubernetes.io/instance: md
        app.kubernetes.io/managed-by: gen
        app.kubernetes.io/name: migratorydata
        env: \"on\"
        team: realtime
      annotations:
        owner.example.com/contact: \"0755\"
"
    );
}

#[test]
fn a_gitignore_gen_created_goes_when_its_block_does() {
    let (_t, dir) = workdir();
    let r = render_spec(&kafka_spec("md", "rt"), Some(&jaas_text(MARKER)));
    out::write(&dir, &plan1(&r), &RealFs).unwrap();
    assert!(dir.join(".gitignore").exists());
    let plain = render_spec(NATIVE, None);
    let files = plan1(&plain);
    let diff = check(&dir, &files).unwrap().unwrap();
    assert!(
        diff.contains("jaas.config: would be removed (contents redacted)"),
        "{diff}"
    );
    assert!(diff.contains("--- a/.gitignore\n+++ /dev/null\n"), "{diff}");
    out::write(&dir, &files, &RealFs).unwrap();
    assert!(!dir.join(".gitignore").exists());
    assert_eq!(check(&dir, &files).unwrap(), None);
}

fn base64_of(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn check_never_prints_the_jaas_contents_or_their_base64() {
    use std::os::unix::fs::PermissionsExt;
    let (_t, dir) = workdir();
    let old_jaas = jaas_text(MARKER);
    let old = render_spec(&kafka_spec("md", "rt"), Some(&old_jaas));
    out::write(&dir, &plan1(&old), &RealFs).unwrap();
    let new_marker = "MARKER-rotated-91ab";
    let new_jaas = jaas_text(new_marker);
    let new = render_spec(&kafka_spec("md", "rt"), Some(&new_jaas));
    let files = plan1(&new);
    // The JAAS file changed, and someone pasted the Secret object into a file gen owns.
    let secret_doc = &old
        .documents
        .iter()
        .find(|d| d.kind == "Secret")
        .unwrap()
        .text;
    std::fs::write(dir.join("serviceaccount-md.yaml"), secret_doc).unwrap();
    std::fs::set_permissions(
        dir.join("jaas.config"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let diff = check(&dir, &files).unwrap().expect("differs");
    assert!(
        diff.contains("jaas.config: contents differ (redacted)\n"),
        "{diff}"
    );
    assert!(
        diff.contains("jaas.config: mode 0644, gen writes 0600\n"),
        "{diff}"
    );
    assert!(
        diff.contains("serviceaccount-md.yaml: contents differ (redacted: holds a Secret)"),
        "{diff}"
    );
    // The workload's checksum of the JAAS file changed: shown as changed, value masked.
    assert!(diff.contains("+++ b/deployment-md.yaml"), "{diff}");
    assert!(diff.contains("checksum/jaas: (redacted"), "{diff}");
    for needle in [
        MARKER.to_string(),
        new_marker.to_string(),
        base64_of(&old_jaas),
        base64_of(&new_jaas),
        "ScramLoginModule".to_string(),
        sha256_hex(&old_jaas),
        sha256_hex(&new_jaas),
    ] {
        assert!(!diff.contains(&needle), "diff leaks {needle}:\n{diff}");
    }
    // Nor does a debug print of the plan or of a bundle.
    let debug = format!("{files:?} {:?}", bundle(&new));
    for needle in [new_marker.to_string(), base64_of(&new_jaas)] {
        assert!(!debug.contains(&needle), "{debug}");
    }
}

#[test]
fn directory_modes_survive_read_only_ones_included() {
    use std::os::unix::fs::PermissionsExt;
    let (_t, dir) = workdir();
    let r = render_spec(NATIVE, None);
    let files = plan1(&r);
    out::write(&dir, &files, &RealFs).unwrap();
    std::fs::create_dir_all(dir.join("locked/inner")).unwrap();
    std::fs::write(dir.join("locked/inner/f"), "x").unwrap();
    let set = |p: &str, m: u32| {
        std::fs::set_permissions(dir.join(p), std::fs::Permissions::from_mode(m)).unwrap()
    };
    set("locked/inner", 0o500);
    set("locked", 0o555);
    set(".", 0o750);
    let before = snapshot(&dir);
    let rw = render_spec(NATIVE_HPA, None);
    out::write(&dir, &plan1(&rw), &RealFs).unwrap();
    out::write(&dir, &files, &RealFs).unwrap();
    assert_eq!(snapshot(&dir), before);
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o750);
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
    set("locked", 0o755);
    set("locked/inner", 0o755);
}

fn sha256_hex(s: &str) -> String {
    let docs = render_spec(&kafka_spec("md", "rt"), Some(s)).documents;
    let w = &docs.iter().find(|d| d.kind == "Deployment").unwrap().text;
    let line = w.lines().find(|l| l.contains("checksum/jaas")).unwrap();
    line.rsplit(' ')
        .next()
        .unwrap()
        .trim_matches('"')
        .to_string()
}

#[test]
fn several_specs_go_to_namespace_and_name_subdirectories() {
    let (_t, dir) = workdir();
    let a = render_spec(NATIVE, None);
    let b = render_spec(&kafka_spec("md", "kafka-ns"), Some(&jaas_text(MARKER)));
    let c = render_spec(&kafka_spec("other", "kafka-ns"), Some(&jaas_text(MARKER)));
    let files = plan_many(&[&a, &b, &c]);
    out::write(&dir, &files, &RealFs).unwrap();
    for sub in ["rt/md", "kafka-ns/md", "kafka-ns/other"] {
        assert!(dir.join(sub).join("kustomization.yaml").is_file(), "{sub}");
    }
    assert!(dir.join("rt/md/statefulset-md.yaml").is_file());
    assert!(dir.join("kafka-ns/other/jaas.config").is_file());
    assert!(!dir.join("kustomization.yaml").exists());
    assert_eq!(
        read(dir.join(".gitignore")),
        "# BEGIN gen: credentials for kustomize's secretGenerator; never commit them\n/kafka-ns/md/jaas.config\n/kafka-ns/other/jaas.config\n# END gen\n"
    );
    assert_eq!(check(&dir, &files).unwrap(), None);
    // The user's file inside a bundle directory survives; a spec left out disappears whole.
    std::fs::write(dir.join("kafka-ns/md/patch.yaml"), "x: 1\n").unwrap();
    let files = plan_many(&[&a, &b]);
    out::write(&dir, &files, &RealFs).unwrap();
    assert!(!dir.join("kafka-ns/other").exists());
    assert_eq!(read(dir.join("kafka-ns/md/patch.yaml")), "x: 1\n");
    assert_eq!(check(&dir, &files).unwrap(), None);
    // Two specs for the same namespace and name cannot share a directory.
    let bundles = [bundle(&b), bundle(&b)];
    let e = out::plan(&bundles, true).unwrap_err();
    assert!(e.to_string().contains("kafka-ns"), "{e}");
    assert!(out::plan(&bundles, false).is_err());
}

#[test]
fn leftovers_of_an_interrupted_run_are_repaired() {
    let (_t, dir) = workdir();
    let r = render_spec(NATIVE, None);
    let files = plan1(&r);
    out::write(&dir, &files, &RealFs).unwrap();
    let before = snapshot(&dir);
    // Killed between the renames: DIR missing, the old tree beside it.
    let old = dir.with_file_name("base.gen-old");
    std::fs::rename(&dir, &old).unwrap();
    let report = out::write(&dir, &files, &RealFs).unwrap();
    assert!(report.notes[0].contains("restored"), "{report:?}");
    assert_eq!(snapshot(&dir), before);
    // Killed before removing the old tree, and a temporary tree of a dead process.
    std::fs::create_dir(&old).unwrap();
    std::fs::write(old.join("x"), "old").unwrap();
    let dead = dir.with_file_name("base.gen-tmp-4000000000");
    std::fs::create_dir(&dead).unwrap();
    let report = out::write(&dir, &files, &RealFs).unwrap();
    assert_eq!(report.notes.len(), 2, "{report:?}");
    assert!(leftovers(&dir).is_empty());
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn kubectl_kustomize_builds_the_base_and_wires_the_generated_secret() {
    if !common::tool("kubectl", &["version", "--client"]) {
        return;
    }
    let (_t, dir) = workdir();
    let jaas = jaas_text(MARKER);
    let r = render_spec(&kafka_spec("md", "rt"), Some(&jaas));
    out::write(&dir, &plan1(&r), &RealFs).unwrap();
    let built = Command::new("kubectl")
        .arg("kustomize")
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8(built.stdout).unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let docs: Vec<serde_json::Value> = serde_saphyr::from_str_multiple(&stdout).unwrap();
    let secret = docs
        .iter()
        .find(|d| d["kind"] == "Secret")
        .expect("a Secret");
    let name = secret["metadata"]["name"].as_str().unwrap();
    assert!(
        name.starts_with("md-jaas-") && name.len() > "md-jaas-".len(),
        "{name}"
    );
    assert_eq!(secret["metadata"]["namespace"], "rt");
    assert_eq!(
        secret["metadata"]["labels"]["app.kubernetes.io/managed-by"],
        "gen"
    );
    // kustomize folds long base64 lines.
    let data: String = secret["data"]["jaas.config"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(data, base64_of(&jaas));
    let deployment = docs.iter().find(|d| d["kind"] == "Deployment").unwrap();
    let volumes = deployment["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .unwrap();
    let jaas_volume = volumes.iter().find(|v| v["name"] == "jaas").unwrap();
    assert_eq!(
        jaas_volume["secret"]["secretName"], name,
        "nameReference rewrote it"
    );
    // Every rendered object is in the build (the Secret once, generated).
    let kinds = |d: &[Document]| {
        let mut v: Vec<String> = d.iter().map(|d| d.kind.to_string()).collect();
        v.sort();
        v
    };
    let mut built_kinds: Vec<String> = docs
        .iter()
        .map(|d| d["kind"].as_str().unwrap().to_string())
        .collect();
    built_kinds.sort();
    assert_eq!(built_kinds, kinds(&r.documents));
    // A native base builds too.
    let (_t2, dir2) = workdir();
    let n = render_spec(NATIVE_HPA, None);
    out::write(&dir2, &plan1(&n), &RealFs).unwrap();
    let built = Command::new("kubectl")
        .arg("kustomize")
        .arg(&dir2)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
}

/// `n` (namespace, name) pairs over `namespaces` namespaces.
fn fleet_names(n: usize, namespaces: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| (format!("ns-{}", i % namespaces), format!("md-{i}")))
        .collect()
}

/// One bundle per name, each with `r`'s documents.
fn fleet<'a>(names: &'a [(String, String)], r: &'a Rendered) -> Vec<Bundle<'a>> {
    names
        .iter()
        .map(|(ns, name)| Bundle {
            platform: "aks",
            namespace: ns,
            name,
            documents: &r.documents,
            jaas: None,
        })
        .collect()
}

#[test]
fn a_thousand_bundles_are_written_and_check_equal() {
    // In memory where there is a tmpfs: this measures gen, not a busy disk.
    let shm = Path::new("/dev/shm");
    let t = match shm.is_dir() {
        true => tempfile::tempdir_in(shm).unwrap_or_else(|_| tempfile::tempdir().unwrap()),
        false => tempfile::tempdir().unwrap(),
    };
    let dir = t.path().join("base");
    let native = render_spec(
        "name: md\nnamespace: rt\nplatform: openshift\nreplicas: 3\nautoscale: {min: 3, max: 5}\nmetrics: {}\n",
        None,
    );
    let names = fleet_names(1000, 50);
    let bundles = fleet(&names, &native);
    let start = Instant::now();
    let files = out::plan(&bundles, true).unwrap();
    let planned = start.elapsed();
    // What this disk costs: the same files written plainly, without the swap.
    let plain = dir.with_file_name("plain");
    let start = Instant::now();
    for f in &files {
        let p = plain.join(&f.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, &f.bytes).unwrap();
    }
    let baseline = start.elapsed();
    let start = Instant::now();
    out::write(&dir, &files, &RealFs).unwrap();
    let first = start.elapsed();
    let start = Instant::now();
    out::write(&dir, &files, &RealFs).unwrap();
    let again = start.elapsed();
    let start = Instant::now();
    assert_eq!(check(&dir, &files).unwrap(), None);
    let checked = start.elapsed();
    eprintln!(
        "1000 bundles, {} files: plan {planned:?}; plain writes {baseline:?}; --out first {first:?}, again {again:?}; --check {checked:?}",
        files.len()
    );
    assert!(files.len() >= 10_000);
    // Timing is the benchmark's job (scripts/bench.sh); here only correctness at scale.
    let _ = (planned, baseline, first, again, checked);
}

/// A fleet's files are written on several threads; a write failing on any of them still
/// leaves DIR byte-identical and nothing beside it.
#[test]
fn a_write_failing_on_any_thread_of_a_fleet_leaves_dir_byte_identical() {
    let (_t, dir) = workdir();
    let native = render_spec(NATIVE_HPA, None);
    let names = fleet_names(80, 7);
    let bundles = fleet(&names, &native);
    let old = out::plan(&bundles[..40], true).unwrap();
    out::write(&dir, &old, &RealFs).unwrap();
    add_user_files(&dir);
    let before = snapshot(&dir);
    let files = out::plan(&bundles, true).unwrap();
    assert!(
        files.len() >= 600,
        "enough files for several threads: {}",
        files.len()
    );
    for fail_at in [
        1,
        2,
        files.len() / 2,
        files.len() / 2 + 1,
        files.len() - 1,
        files.len(),
    ] {
        let fs = FaultyFs::file_at(fail_at);
        let e = out::write(&dir, &files, &fs).expect_err("a file write fails");
        assert!(
            e.to_string().contains("injected failure"),
            "#{fail_at}: {e}"
        );
        assert_eq!(
            snapshot(&dir),
            before,
            "DIR changed after failing file #{fail_at}"
        );
        assert!(
            leftovers(&dir).is_empty(),
            "#{fail_at}: {:?}",
            leftovers(&dir)
        );
    }
    out::write(&dir, &files, &RealFs).unwrap();
    assert_eq!(check(&dir, &files).unwrap(), None);
    let after = snapshot(&dir);
    assert_eq!(after["NOTES.md"], before["NOTES.md"]);
}
