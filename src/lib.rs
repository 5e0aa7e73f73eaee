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
