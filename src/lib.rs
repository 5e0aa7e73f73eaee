//! `gen_core`: everything behind the `gen` binary.
//!
//! Data flows one way, one module per stage:
//! spec file ─parse─▶ [`spec::Spec`] ─resolve(profile)─▶ [`model::Model`]
//! ─render(templates)─▶ YAML text ─type─▶ k8s-openapi objects ─check─▶ findings ─emit─▶ stdout | dir

pub mod app;
pub mod cli;
pub mod describe;
pub mod diag;
pub mod lint;
pub mod locate;
pub mod model;
pub mod out;
pub mod path;
pub mod profile;
pub mod quantity;
pub mod render;
pub mod source;
pub mod spec;
pub mod suggest;
pub mod typed;

/// The cores this process may use, asked once (the answer reads cgroup files, so it is asked
/// only when there is enough work to share).
pub(crate) fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}
