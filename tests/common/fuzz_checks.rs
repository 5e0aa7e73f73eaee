//! What the fuzz targets check, in one place: `fuzz/fuzz_targets/*.rs` include this file (by
//! `#[path]`), and so does `tests/fuzz_regressions.rs`, so a kept crasher is checked exactly
//! as the fuzzer that found it checked it. Each includer uses part of it.

#![allow(dead_code)]

use std::path::Path;

use gen_core::diag::{Diagnostic, Severity, Style};
use gen_core::lint::{self, Format, Set};
use gen_core::locate::{Locator, Pos};
use gen_core::model::{self, Problem};
use gen_core::path::FieldPath;
use gen_core::{render, source, spec};

/// A valid JAAS file: a spec's `jaas.file: jaas.config` (or `sub/jaas.config`) resolves.
pub const JAAS: &str = "KafkaClient {\n  org.apache.kafka.common.security.scram.ScramLoginModule required\n  username=\"u\"\n  password=\"p\";\n};\n";

/// A spec directory holding `jaas.config` and `sub/jaas.config`.
pub fn jaas_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("jaas.config"), JAAS).expect("write jaas.config");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir sub");
    std::fs::write(dir.path().join("sub/jaas.config"), JAAS).expect("write sub/jaas.config");
    dir
}

const STYLES: [Style; 2] = [
    Style {
        color: false,
        snippets: true,
    },
    Style {
        color: true,
        snippets: false,
    },
];

/// Renders a diagnostic the way `gen` does (the text itself is not checked, only that
/// building it from any position and path does not panic).
fn show(text: &str, pos: Option<Pos>, path: Option<FieldPath>, label: String) {
    let d = Diagnostic {
        severity: Severity::Error,
        message: "invalid cluster spec `<stdin>`".to_string(),
        file: Some("<stdin>".to_string()),
        pos: Some(pos.unwrap_or(Pos { line: 1, column: 1 })),
        path,
        label,
        notes: vec![],
    };
    for style in STYLES {
        let _ = d.render(Some(text), style);
    }
}

fn problems(text: &str, list: &[Problem]) {
    if list.is_empty() {
        return;
    }
    let locator = Locator::new(text);
    for p in list {
        let pos = locator
            .value_pos(0, &p.path)
            .or_else(|| locator.key_pos(0, &p.path));
        show(text, pos, Some(p.path.clone()), p.message.clone());
    }
}

/// Bytes through what `gen render -` does, via the library, with relative `jaas.file` paths
/// starting in `base`. Panics on a broken promise:
/// - a refused spec names at least one error, each at a field (not the root), and its
///   diagnostic renders against the source;
/// - an accepted spec renders, every document reads back as YAML and types against the
///   Kubernetes API without issue, no plain scalar reads differently under YAML 1.1, and
///   `gen lint` finds no error in the bundle.
///
/// Returns whether gen accepted the spec.
pub fn spec_bytes(data: &[u8], base: &Path) -> bool {
    let Ok(text) = source::decode(data.to_vec(), "<stdin>") else {
        return false;
    };
    let spec = match spec::parse(&text) {
        Ok(s) => s,
        Err(e) => {
            let pos = e.location().map(|l| Pos {
                line: l.line() as usize,
                column: l.column() as usize,
            });
            let path = pos.and_then(|p| Locator::new(&text).path_at(0, p));
            show(&text, pos, path, e.to_string());
            return false;
        }
    };
    let opts = model::ResolveOptions {
        base_dir: base.to_path_buf(),
        max_file_bytes: source::DEFAULT_MAX_BYTES,
        ..model::ResolveOptions::default()
    };
    let resolved = model::resolve(&spec, &opts);
    problems(&text, &resolved.warnings);
    let model = match resolved.model {
        Ok(m) => m,
        Err(errors) => {
            assert!(!errors.is_empty(), "a refused spec names an error");
            for e in &errors {
                assert!(!e.path.is_root(), "error without a field: {e:?}");
            }
            problems(&text, &errors);
            return false;
        }
    };
    let docs = render::render(&model).expect("a resolved model renders");
    for d in &docs {
        let value: serde_json::Value = serde_saphyr::from_str(&d.text)
            .unwrap_or_else(|e| panic!("{} {} is not YAML: {e}\n{}", d.kind, d.name, d.text));
        let (_, issues) = gen_core::typed::type_object(&value);
        assert!(issues.is_empty(), "{} {}: {issues:?}", d.kind, d.name);
    }
    let joined = render::join(&docs);
    let unsafe_scalars = gen_core::locate::plain_scalars_yaml11_safe(&joined);
    assert!(
        unsafe_scalars.is_empty(),
        "YAML 1.1 reads these differently: {unsafe_scalars:?}"
    );
    let lint_opts = lint::LintOptions {
        platform_openshift: model.platform == "openshift",
        crd_schemas: false,
        ..Default::default()
    };
    let errors: Vec<String> = lint::lint_set(&Set::single("<render>", joined), &lint_opts)
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| {
            format!(
                "{} {} {}: {}: {}",
                f.rule, f.kind, f.name, f.path, f.message
            )
        })
        .collect();
    assert!(
        errors.is_empty(),
        "gen lint refuses gen's output: {errors:#?}"
    );
    true
}

/// Bytes as a manifest stream through `gen lint`'s library entry point: decode, lint one set
/// (the first byte picks the options), and report the findings in every format. Panics when
/// a finding is placed outside its input (a line past the end, column 0).
pub fn lint_bytes(data: &[u8]) {
    let (flags, bytes) = data.split_first().map_or((0, data), |(f, rest)| (*f, rest));
    let Ok(text) = source::decode(bytes.to_vec(), "<stdin>") else {
        return;
    };
    let opts = lint::LintOptions {
        platform_openshift: flags & 1 != 0,
        // Full CRD schemas are slow; one input in eight.
        crd_schemas: flags & 0b1110 == 0,
        ..Default::default()
    };
    let lines = text.lines().count().max(1);
    // `gen lint` weighs every input against its budget before linting it; a refusal is at a
    // line of the input.
    if let Err(b) = gen_core::budget::check(&text, &gen_core::budget::DEFAULT) {
        assert!(
            (1..=lines + 1).contains(&b.line),
            "budget line {}: {b:?}",
            b.line
        );
        assert!(b.message.contains("--max-"), "{b:?}");
        return;
    }
    let small = gen_core::budget::Budget {
        max_expanded_bytes: 4096,
        max_nodes: 512,
        max_aliases: 16,
        max_depth: 8,
        max_documents: 8,
    };
    if let Err(b) = gen_core::budget::check(&text, &small) {
        assert!(
            (1..=lines + 1).contains(&b.line),
            "budget line {}: {b:?}",
            b.line
        );
    }
    let set = Set::single("<stdin>", text);
    let findings = lint::lint_set(&set, &opts);
    for f in &findings {
        if let Some(line) = f.line {
            assert!(
                (1..=lines + 1).contains(&line),
                "line {line} of {lines}: {f:?}"
            );
        }
        assert!(f.column != Some(0), "column 0: {f:?}");
    }
    let sets = [set];
    for format in [Format::Text, Format::Json, Format::Github] {
        for style in STYLES {
            let _ = lint::report(&findings, &sets, format, style);
        }
    }
    let _ = lint::has_errors(&findings);
}
