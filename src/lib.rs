//! `gen_core`: everything behind the `gen` binary.
//!
//! Data flows one way, one module per stage:
//! spec file ─parse─▶ [`spec::Spec`] ─resolve(profile)─▶ [`model::Model`]
//! ─render(templates)─▶ YAML text ─type─▶ k8s-openapi objects ─check─▶ findings ─emit─▶ stdout | dir

pub mod budget;
pub mod cli;
pub mod cmd;
pub mod describe;
pub mod diag;
pub mod diff;
pub(crate) mod explain;
pub mod generator;
pub mod krm;
pub mod kustomize;
pub mod lint;
pub mod locate;
pub mod model;
pub mod out;
pub mod output;
pub mod path;
pub mod pipeline;
pub mod profile;
pub mod quantity;
pub mod redact;
pub mod render;
pub mod rules;
pub mod schema;
pub mod server_options;
pub mod source;
pub mod spec;
pub mod suggest;
pub mod syntax;
pub mod typed;
pub mod validate;
pub(crate) mod yaml11;

/// The cores this process may use, asked once (the answer reads cgroup files, so it is asked
/// only when there is enough work to share).
pub(crate) fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// `f` over `items`, results in input order: on every core when there are at least `from`
/// items (one contiguous slice per core), on this thread otherwise. `f` gets each item's index.
/// A panic in a worker is raised again here, never turned into missing results.
pub(crate) fn par_map<T, R, F>(items: &[T], from: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(usize, &T) -> R + Sync,
{
    if items.len() < from.max(2) || cores() < 2 {
        return items.iter().enumerate().map(|(i, t)| f(i, t)).collect();
    }
    let per = items.len().div_ceil(cores());
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(per)
            .enumerate()
            .map(|(n, slice)| {
                scope.spawn(move || {
                    slice
                        .iter()
                        .enumerate()
                        .map(|(i, t)| f(n * per + i, t))
                        .collect::<Vec<R>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn par_map_keeps_input_order_and_indices_on_any_path() {
        let items: Vec<usize> = (0..1000).collect();
        for from in [0, 10, 10_000] {
            let out = super::par_map(&items, from, |i, &t| (i, t * 2));
            assert_eq!(out, items.iter().map(|&t| (t, t * 2)).collect::<Vec<_>>());
        }
    }

    #[test]
    #[should_panic(expected = "boom")]
    fn par_map_raises_a_workers_panic_again() {
        let items: Vec<usize> = (0..100).collect();
        super::par_map(&items, 0, |_, &t| assert!(t != 99, "boom"));
    }
}
