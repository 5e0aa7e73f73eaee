//! `gen schema`: the spec's JSON Schema, draft-07 (what yaml-language-server, the editors'
//! YAML engine, supports fully). The shape comes from [`Spec`]'s types and doc comments
//! (schemars); this module adds what the types cannot say: the `$id`, the required fields,
//! the fields that exclude each other, and the numeric bounds gen enforces. What is left for
//! gen alone is a rule between fields (README, "What the schema cannot say").

use schemars::generate::SchemaSettings;
use serde_json::{Value, json};

use crate::spec::{API_VERSION, Spec};

/// The schema's `$id`: one per spec format version.
pub fn id() -> String {
    let (group, version) = API_VERSION.split_once('/').unwrap_or((API_VERSION, ""));
    format!("https://{group}/schemas/{version}/cluster-spec.json")
}

/// Fields every spec must have (`platform` too, unless `--platform` is given, which a schema
/// cannot know).
pub const REQUIRED: [&str; 2] = ["namespace", "replicas"];

/// `(JSON pointer of a property, minimum, maximum)`: every number gen bounds on its own.
const BOUNDS: &[(&str, i64, Option<i64>)] = &[
    ("/properties/replicas", 1, Some(1000)),
    ("/properties/seedCount", 1, None),
    ("/properties/memoryPercent", 10, Some(95)),
    ("/definitions/Autoscale/properties/min", 1, Some(1000)),
    ("/definitions/Autoscale/properties/max", 1, Some(1000)),
    ("/definitions/Autoscale/properties/cpuPercent", 1, Some(100)),
    ("/definitions/ServiceSpec/properties/port", 1, Some(65535)),
    ("/definitions/Security/properties/runAsUser", 1, None),
    ("/definitions/Security/properties/runAsGroup", 1, None),
    ("/definitions/Security/properties/fsGroup", 1, None),
];

/// `(JSON pointer, pattern, maxLength)`: the string formats gen checks on a field alone.
const STRINGS: &[(&str, &str, usize)] = &[
    // A DNS label starting with a letter: it prefixes Service names.
    (
        "/properties/name",
        "^[a-z]([-a-z0-9]*[a-z0-9])?$",
        crate::model::MAX_NAME,
    ),
    (
        "/properties/namespace",
        "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
        63,
    ),
    (
        "/definitions/Backplane/properties/bootstrapServers/items",
        "^[A-Za-z0-9.-]+:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$",
        259,
    ),
];

/// A label value: empty, or up to 63 letters, digits, `-`, `_`, `.`, alphanumeric at both ends.
const LABEL_VALUE: &str = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";
/// A label or annotation key: `[DNS subdomain/]name`.
const QUALIFIED_NAME: &str = "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$";

/// Maps of labels: keys are qualified names, values label values.
const LABEL_MAPS: &[&str] = &[
    "/properties/labels",
    "/properties/podLabels",
    "/properties/nodeSelector",
];

/// Maps whose keys are qualified names (annotations).
const ANNOTATION_MAPS: &[&str] = &[
    "/properties/annotations",
    "/properties/podAnnotations",
    "/definitions/ServiceSpec/properties/annotations",
    "/definitions/ServiceAccountSpec/properties/annotations",
];

/// The schema, pretty-printed, ending in a newline.
pub fn schema() -> String {
    let mut s = serde_json::to_string_pretty(&value()).expect("a JSON value serializes");
    s.push('\n');
    s
}

/// The schema as a JSON value.
pub fn value() -> Value {
    let root = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<Spec>();
    let mut v = root.to_value();
    v["$id"] = json!(id());
    v["required"] = json!(REQUIRED);
    for field in REQUIRED {
        if let Some(p) = v.pointer_mut(&format!("/properties/{field}")) {
            not_null(p);
        }
    }
    for (pointer, min, max) in BOUNDS {
        if let Some(p) = v.pointer_mut(pointer) {
            p["minimum"] = json!(min);
            if let Some(max) = max {
                p["maximum"] = json!(max);
            }
        }
    }
    for (pointer, pattern, max) in STRINGS {
        if let Some(p) = v.pointer_mut(pointer) {
            p["pattern"] = json!(pattern);
            p["maxLength"] = json!(max);
        }
    }
    maps(&mut v);
    if let Some(jaas) = v.pointer_mut("/definitions/Jaas") {
        jaas["oneOf"] = json!([
            {"required": ["secretName"], "properties": {"secretName": {"type": "string"}}, "not": {"required": ["file"]}},
            {"required": ["file"], "properties": {"file": {"type": "string"}}, "not": {"required": ["secretName"]}},
        ]);
    }
    for (pointer, value) in [
        ("/properties/apiVersion", API_VERSION),
        ("/properties/kind", crate::spec::KIND),
    ] {
        if let Some(p) = v.pointer_mut(pointer) {
            p["enum"] = json!([value, null]);
        }
    }
    v
}

/// Keys and values of the string maps: labels, annotations, and `extraOptions` (an option
/// gen manages is refused, and the server splits its options on spaces).
fn maps(v: &mut Value) {
    for pointer in LABEL_MAPS {
        if let Some(p) = v.pointer_mut(pointer) {
            p["propertyNames"] = json!({"pattern": QUALIFIED_NAME, "maxLength": 317});
            p["additionalProperties"] =
                json!({"type": "string", "pattern": LABEL_VALUE, "maxLength": 63});
        }
    }
    for pointer in ANNOTATION_MAPS {
        if let Some(p) = v.pointer_mut(pointer) {
            p["propertyNames"] = json!({"pattern": QUALIFIED_NAME, "maxLength": 317});
        }
    }
    let managed: Vec<&str> = crate::model::MANAGED_OPTIONS.iter().map(|m| m.0).collect();
    if let Some(p) = v.pointer_mut("/properties/extraOptions") {
        p["propertyNames"] =
            json!({"pattern": "^[A-Za-z][A-Za-z0-9._]*$", "not": {"enum": managed}});
        p["additionalProperties"] = json!({"type": "string", "pattern": "^\\S+$"});
    }
    if let Some(p) = v.pointer_mut("/definitions/Metrics/properties/interval") {
        p["pattern"] = json!("^[0-9]+(ms|s|m|h)$");
    }
}

/// Drops `null` from a property's types: a required field must hold a value.
fn not_null(p: &mut Value) {
    if let Some(Value::Array(types)) = p.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            p["type"] = types[0].clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bound_and_rule_lands_on_a_property() {
        let v = value();
        assert_eq!(v["$schema"], "http://json-schema.org/draft-07/schema#");
        for (pointer, min, _) in BOUNDS {
            assert_eq!(
                v.pointer(pointer).unwrap()["minimum"],
                json!(min),
                "{pointer}"
            );
        }
        for (pointer, pattern, _) in STRINGS {
            assert_eq!(
                v.pointer(pointer).unwrap()["pattern"],
                json!(pattern),
                "{pointer}"
            );
        }
        assert!(v.pointer("/definitions/Jaas/oneOf").is_some());
        assert_eq!(v["properties"]["replicas"]["type"], "integer");
        assert_eq!(v["properties"]["namespace"]["type"], "string");
    }
}
