//! Criterion benches for each stage of `gen render`, on every example under `examples/`:
//!
//! - `parse`   spec text → [`gen_core::spec::Spec`] (serde-saphyr, with gen's budget)
//! - `resolve` spec → [`gen_core::model::Model`] (profile defaults, every rule)
//! - `render`  model → YAML documents (minijinja; the environment is built once per process,
//!   so this is the warm path; the one-time build is in the callgrind profile of bench.sh)
//! - `check`   what `gen render` runs on its own output before printing anything: the joined
//!   stream read back (gen's YAML 1.1 reader), typed as k8s-openapi objects, and put through
//!   every `gen lint` rule
//! - `emit`    documents → one multi-document stream
//! - `total`   parse, resolve, render, check and emit, as `gen render SPEC` runs them
//!   in-process
//!
//! `type-breakdown/native` splits typing into reading each document back with serde-saphyr
//! (what gen did before it had its own reader, `src/lint/yaml.rs`), typing the values, and
//! serde_json reading the same values as a yardstick for what a fast reader costs.
//!
//! Run: `cargo bench --bench stages` (add `-- --quick` on a noisy machine). Whole-process
//! timings, peers and memory are in `scripts/bench.sh`.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use gen_core::model::{Model, ResolveOptions};
use gen_core::render::Document;

/// The examples, by file stem, with their text.
fn examples() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("examples/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).expect("example reads");
            (name, text)
        })
        .collect();
    out.sort();
    out
}

fn options() -> ResolveOptions {
    ResolveOptions {
        base_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("examples"),
        max_file_bytes: 1 << 20,
        ..Default::default()
    }
}

fn model_of(text: &str, opts: &ResolveOptions) -> Model {
    let spec = gen_core::spec::parse(text).expect("example parses");
    match gen_core::model::resolve(&spec, opts).model {
        Ok(m) => m,
        Err(e) => panic!("example resolves: {e:?}"),
    }
}

/// What `gen render` does to each document before printing: read it back and type it.
fn type_documents(docs: &[Document]) -> usize {
    let mut issues = 0;
    for d in docs {
        let value: serde_json::Value = serde_saphyr::from_str(&d.text).expect("rendered YAML");
        let (object, found) = gen_core::typed::type_object(&value);
        black_box(&object);
        issues += found.len();
    }
    issues
}

fn stages(c: &mut Criterion) {
    let opts = options();
    for (name, text) in examples() {
        let spec = gen_core::spec::parse(&text).expect("example parses");
        let model = model_of(&text, &opts);
        let docs = gen_core::render::render(&model).expect("example renders");
        assert_eq!(type_documents(&docs), 0, "{name}: rendered output types");

        let mut g = c.benchmark_group(format!("stage/{name}"));
        g.bench_function("parse", |b| {
            b.iter(|| gen_core::spec::parse(black_box(&text)).unwrap())
        });
        g.bench_function("resolve", |b| {
            b.iter(|| gen_core::model::resolve(black_box(&spec), &opts))
        });
        g.bench_function("render", |b| {
            b.iter(|| gen_core::render::render(black_box(&model)).unwrap())
        });
        g.bench_function("check", |b| {
            b.iter(|| gen_core::pipeline::check_output("bench", black_box(&docs)))
        });
        g.bench_function("emit", |b| {
            b.iter(|| gen_core::render::join(black_box(&docs)))
        });
        g.bench_function("total", |b| {
            b.iter(|| {
                let spec = gen_core::spec::parse(black_box(&text)).unwrap();
                let model = gen_core::model::resolve(&spec, &opts).model.unwrap();
                let docs = gen_core::render::render(&model).unwrap();
                assert!(gen_core::pipeline::check_output("bench", &docs).is_empty());
                gen_core::render::join(&docs)
            })
        });
        g.finish();
    }
}

/// Where the `type` stage's time goes, on `examples/native.yaml`: reading each rendered document
/// back with serde-saphyr, typing the values, and (as a yardstick, not something gen does)
/// reading the same values from JSON text with serde_json.
fn type_breakdown(c: &mut Criterion) {
    let opts = options();
    let (name, text) = examples()
        .into_iter()
        .find(|(n, _)| n == "native")
        .expect("examples/native.yaml");
    let docs = gen_core::render::render(&model_of(&text, &opts)).expect("example renders");
    let values: Vec<serde_json::Value> = docs
        .iter()
        .map(|d| serde_saphyr::from_str(&d.text).expect("rendered YAML"))
        .collect();
    let jsons: Vec<String> = values
        .iter()
        .map(|v| serde_json::to_string(v).expect("JSON"))
        .collect();
    let mut g = c.benchmark_group(format!("type-breakdown/{name}"));
    g.bench_function("yaml-read-back", |b| {
        b.iter(|| {
            for d in &docs {
                let v: serde_json::Value = serde_saphyr::from_str(black_box(&d.text)).unwrap();
                black_box(v);
            }
        })
    });
    g.bench_function("type-object", |b| {
        b.iter(|| {
            for v in &values {
                black_box(gen_core::typed::type_object(black_box(v)));
            }
        })
    });
    g.bench_function("json-read-back-yardstick", |b| {
        b.iter(|| {
            for j in &jsons {
                let v: serde_json::Value = serde_json::from_str(black_box(j)).unwrap();
                black_box(v);
            }
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = stages, type_breakdown
}
criterion_main!(benches);
