//! Typing: one parsed manifest document (`serde_json::Value`) into its k8s-openapi kind.
//!
//! Owns the table of kinds `gen` understands ([`Object`]), the serde types of the custom
//! resources it emits (OpenShift [`Route`], Prometheus-operator [`ServiceMonitor`], Gateway
//! API [`HttpRoute`]),
//! and every schema problem found on the way, each with the [`FieldPath`] it is about:
//! unknown or misspelled fields, wrong types, missing required fields, and an `apiVersion`
//! or `kind` that names nothing typed. [`validate_crd`] adds full JSON-Schema validation of
//! the two custom resources against the CRD catalog copies in `schemas/`.
//!
//! k8s-openapi ignores unknown fields and fills missing required ones with defaults, so
//! typing listens for the first with `serde_ignored` and checks the second against a table
//! generated from k8s-openapi's sources (`schemas/k8s_required.py`).
//!
//! One job a file: `kinds` types documents (the table of kinds, serde errors as issues, the
//! required-field walk); `crd` holds the custom-resource structs, generated from the CRDs'
//! JSON schemas by `schemas/crd_types.py`; `schema` validates those custom resources against
//! the same schemas.

use std::fmt;

use crate::path::FieldPath;

mod crd;
mod kinds;
mod schema;

pub use crd::*;
pub use kinds::{Object, type_object};
pub use schema::validate_crd;

/// One schema problem in a document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SchemaIssue {
    pub path: FieldPath,
    pub message: String,
}

impl SchemaIssue {
    fn new(path: FieldPath, message: impl Into<String>) -> SchemaIssue {
        SchemaIssue {
            path,
            message: message.into(),
        }
    }
}

impl fmt::Display for SchemaIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

#[cfg(test)]
mod tests;
