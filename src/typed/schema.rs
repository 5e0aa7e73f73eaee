//! JSON-Schema validation of the custom resources against the CRD catalog copies in
//! `schemas/`.

use std::sync::OnceLock;

use k8s_openapi::Resource;
use serde_json::Value;

use super::SchemaIssue;
use super::crd::{HttpRoute, Route, ServiceMonitor};
use super::kinds::unknown_field;
use crate::path::{FieldPath, Seg};

// ---------------------------------------------------------------------------------------
// JSON-Schema validation of the custom resources
// ---------------------------------------------------------------------------------------

/// A catalog schema and its compiled validator.
struct Catalog {
    schema: Value,
    validator: jsonschema::Validator,
}

static ROUTE_SCHEMA: &str = include_str!("../../schemas/route_route.openshift.io_v1.json");
static SERVICE_MONITOR_SCHEMA: &str =
    include_str!("../../schemas/servicemonitor_monitoring.coreos.com_v1.json");
static HTTP_ROUTE_SCHEMA: &str =
    include_str!("../../schemas/httproute_gateway.networking.k8s.io_v1.json");

/// Compiles a catalog schema the first time it is asked for.
fn catalog(cell: &'static OnceLock<Catalog>, text: &str) -> &'static Catalog {
    cell.get_or_init(|| {
        let schema: Value = serde_json::from_str(text).expect("embedded catalog schema is json");
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .build(&schema)
            .expect("embedded catalog schema compiles");
        Catalog { schema, validator }
    })
}

/// Validates a Route, ServiceMonitor or HTTPRoute against its CRD's full JSON schema (patterns,
/// bounds, enums, every nested field); `None` for any other document. The schema is
/// compiled once per process, on first use. CEL rules (`x-kubernetes-validations`) are
/// not checked, and a required field the CRD defaults is not demanded.
pub fn validate_crd(value: &Value) -> Option<Vec<SchemaIssue>> {
    static ROUTES: OnceLock<Catalog> = OnceLock::new();
    static SERVICE_MONITORS: OnceLock<Catalog> = OnceLock::new();
    static HTTP_ROUTES: OnceLock<Catalog> = OnceLock::new();
    let api_version = value.get("apiVersion")?.as_str()?;
    let kind = value.get("kind")?.as_str()?;
    let catalog = if (api_version, kind) == (Route::API_VERSION, Route::KIND) {
        catalog(&ROUTES, ROUTE_SCHEMA)
    } else if (api_version, kind) == (ServiceMonitor::API_VERSION, ServiceMonitor::KIND) {
        catalog(&SERVICE_MONITORS, SERVICE_MONITOR_SCHEMA)
    } else if (api_version, kind) == (HttpRoute::API_VERSION, HttpRoute::KIND) {
        catalog(&HTTP_ROUTES, HTTP_ROUTE_SCHEMA)
    } else {
        return None;
    };
    let mut issues = Vec::new();
    for error in catalog.validator.iter_errors(value) {
        schema_issues(&catalog.schema, value, &error, &mut issues);
    }
    Some(issues)
}

/// The issues one JSON-Schema error stands for (none for a defaulted required field).
fn schema_issues(
    schema: &Value,
    doc: &Value,
    error: &jsonschema::ValidationError<'_>,
    out: &mut Vec<SchemaIssue>,
) {
    use jsonschema::error::ValidationErrorKind as Kind;
    let at = pointer_path(doc, error.instance_path().as_str());
    match error.kind() {
        Kind::Required { property } => {
            let field = property.as_str().unwrap_or_default();
            if !defaulted(schema, error.schema_path().as_str(), field) {
                out.push(SchemaIssue::new(
                    at,
                    format!("missing required field `{field}`"),
                ));
            }
        }
        Kind::AdditionalProperties { unexpected } => {
            out.extend(unexpected.iter().map(|name| unknown_field(at.key(name))));
        }
        _ => out.push(SchemaIssue::new(at, lowercase_first(&error.to_string()))),
    }
}

/// Whether the schema object whose `required` keyword is at `required_at` gives `field` a
/// default: the API server fills those in before it validates.
fn defaulted(schema: &Value, required_at: &str, field: &str) -> bool {
    let object_at = required_at.strip_suffix("/required").unwrap_or(required_at);
    schema
        .pointer(object_at)
        .and_then(|o| o.get("properties")?.get(field)?.get("default"))
        .is_some()
}

/// A JSON pointer into `doc` as a field path; a segment is an index only where `doc` holds
/// a sequence, so a mapping key like "0" stays a key.
pub(super) fn pointer_path(doc: &Value, pointer: &str) -> FieldPath {
    let mut node = Some(doc);
    let mut segs = Vec::new();
    for raw in pointer.split('/').skip(1) {
        let key = raw.replace("~1", "/").replace("~0", "~");
        let index = match node {
            Some(Value::Array(_)) => key.parse::<usize>().ok(),
            _ => None,
        };
        node = match index {
            Some(i) => node.and_then(|n| n.get(i)),
            None => node.and_then(|n| n.get(key.as_str())),
        };
        segs.push(index.map_or(Seg::Key(key), Seg::Index));
    }
    FieldPath(segs)
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect())
}
