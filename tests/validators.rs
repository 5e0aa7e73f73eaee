//! A generated corpus for the spec validators (quantities, image references, tolerations):
//! inputs built from each grammar are accepted, inputs with one thing broken are refused,
//! arbitrary text never panics, and whatever gen accepts also matches the pattern `gen schema`
//! publishes for the field. Kept small enough to run in a few seconds.

use gen_core::validate::{self, image, quantity};
use proptest::prelude::*;
use serde_json::{Value, json};

/// The pattern `gen schema` gives the field at `pointer`, compiled.
fn schema_pattern(pointer: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&gen_core::schema::schema()).expect("schema is JSON");
    let node = schema
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{pointer} in the schema"));
    let pattern = node
        .get("pattern")
        .or_else(|| node.get("items").and_then(|i| i.get("pattern")))
        .or_else(|| {
            node.get("anyOf")
                .and_then(|a| a.as_array())
                .and_then(|a| a.iter().find_map(|s| s.get("pattern")))
        })
        .unwrap_or_else(|| panic!("a pattern at {pointer}: {node}"));
    jsonschema::validator_for(&json!({"type": "string", "pattern": pattern}))
        .expect("pattern compiles")
}

#[test]
fn the_schema_bounds_ids_as_the_api_server_does() {
    let schema: Value = serde_json::from_str(&gen_core::schema::schema()).expect("schema is JSON");
    for field in ["runAsUser", "runAsGroup", "fsGroup"] {
        let node = &schema["definitions"]["Security"]["properties"][field];
        assert_eq!(node["minimum"], json!(1), "{field}: {node}");
        assert_eq!(node["maximum"], json!(validate::MAX_ID), "{field}: {node}");
    }
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

const DECIMAL: [(&str, i32); 8] = [
    ("", 0),
    ("m", -3),
    ("k", 3),
    ("M", 6),
    ("G", 9),
    ("T", 12),
    ("P", 15),
    ("E", 18),
];
const BINARY: [&str; 6] = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn binary_memory_is_exact_bytes(n in 1u64..100_000, i in 0usize..4) {
        let s = format!("{n}{}", BINARY[i]);
        prop_assert_eq!(quantity::memory_bytes(&s), Ok(n << (10 * (i + 1))));
    }

    #[test]
    fn decimal_quantities_follow_their_suffix(n in 1u64..1_000_000, frac in "[0-9]{0,3}", i in 0usize..8) {
        let (suffix, exp) = DECIMAL[i];
        let s = if frac.is_empty() { format!("{n}{suffix}") } else { format!("{n}.{frac}{suffix}") };
        let value = format!("{n}.{frac}0").parse::<f64>().unwrap() * 10f64.powi(exp);
        let memory = quantity::memory_bytes(&s);
        if value <= i64::MAX as f64 / 2.0 {
            let bytes = memory.expect("in bounds") as f64;
            prop_assert!((bytes - value.ceil()).abs() <= bytes * 1e-12 + 1.0, "{s}: {bytes} vs {value}");
        }
        // Millicores, exactly: `n.frac` is `mantissa × 10^-len(frac)`.
        let mantissa: i128 = format!("{n}{frac}").parse().unwrap();
        let e = exp - frac.len() as i32 + 3;
        let millis = if e >= 0 {
            Some(mantissa * 10i128.pow(e as u32))
        } else {
            let p = 10i128.pow((-e) as u32);
            (mantissa % p == 0).then_some(mantissa / p)
        };
        let cpu = quantity::cpu_millis(&s);
        match millis {
            Some(m) if (1..=1_024_000).contains(&m) => prop_assert_eq!(cpu, Ok(m as u64), "{}", s),
            _ => prop_assert!(cpu.is_err(), "{s}"),
        }
    }

    #[test]
    fn cpu_in_bytes_or_negative_is_refused(n in 1u64..1000, i in 0usize..6) {
        let (bytes, negative) = (format!("{n}{}", BINARY[i]), format!("-{n}"));
        prop_assert!(quantity::cpu_millis(&bytes).is_err(), "{}", bytes);
        prop_assert!(quantity::cpu_millis(&negative).is_err(), "{}", negative);
        prop_assert!(quantity::memory_bytes(&negative).is_err(), "{}", negative);
    }

    #[test]
    fn any_quantity_text_is_answered_and_accepted_ones_match_the_schema(s in "[0-9.+eEkKmMGTPiI -]{0,14}") {
        let memory = schema_pattern("/definitions/Resources/properties/memory");
        let cpu = schema_pattern("/definitions/Resources/properties/cpu");
        if quantity::memory_bytes(&s).is_ok() {
            prop_assert!(memory.is_valid(&json!(s)), "{s}");
        }
        if quantity::cpu_millis(&s).is_ok() {
            prop_assert!(cpu.is_valid(&json!(s)), "{s}");
        }
    }

    #[test]
    fn references_from_the_grammar_are_accepted(
        registry in prop::sample::select(vec!["", "reg.io/", "localhost:5000/", "My.Registry:443/", "[::1]:80/"]),
        parts in prop::collection::vec("[a-z0-9]{1,4}(([._]|__|-{1,3})[a-z0-9]{1,4})?", 1..4),
        tag in prop::option::of("[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}"),
        digest in prop::option::of("[a-f0-9]{64}"),
    ) {
        let mut s = format!("{registry}{}", parts.join("/"));
        if let Some(t) = tag { s = format!("{s}:{t}"); }
        if let Some(d) = digest { s = format!("{s}@sha256:{d}"); }
        prop_assert_eq!(image::problem(&s), None, "{}", s);
        prop_assert!(schema_pattern("/properties/image").is_valid(&json!(s)), "{s}");
    }

    #[test]
    fn one_break_in_a_reference_is_refused(
        name in "[a-z0-9]{1,6}",
        breaker in prop::sample::select(vec!["-", ":", "::x", "@sha256:XYZ", "A", "//", " ", "@sha256:abc", ":.x"]),
        front in any::<bool>(),
    ) {
        let s = if front && breaker != ":" { format!("{breaker}{name}") } else { format!("{name}{breaker}") };
        prop_assert!(image::problem(&s).is_some(), "{s}");
    }

    #[test]
    fn any_reference_text_is_answered_and_accepted_ones_match_the_schema(s in "[a-zA-Z0-9:/@._ \\[\\]-]{0,30}") {
        if image::problem(&s).is_none() {
            prop_assert!(schema_pattern("/properties/image").is_valid(&json!(s)), "{s}");
        }
    }

    #[test]
    fn tolerations_from_the_grammar_are_accepted(
        prefix in prop::option::of("[a-z0-9]{1,5}(\\.[a-z0-9]{1,5}){0,2}"),
        name in "[A-Za-z0-9]([A-Za-z0-9_.-]{0,20}[A-Za-z0-9])?",
        value in "([A-Za-z0-9]([A-Za-z0-9_.-]{0,20}[A-Za-z0-9])?)?",
    ) {
        let key = match prefix { Some(p) => format!("{p}/{name}"), None => name };
        prop_assert!(validate::toleration(Some(&key), Some(&value)).is_empty(), "{key}={value}");
        prop_assert!(schema_pattern("/definitions/Toleration/properties/key").is_valid(&json!(key)));
        prop_assert!(schema_pattern("/definitions/Toleration/properties/value").is_valid(&json!(value)));
    }

    #[test]
    fn a_toleration_with_a_forbidden_character_is_refused(
        name in "[a-z0-9]{1,10}",
        at in 0usize..10,
        bad in prop::sample::select(vec![' ', '!', '@', ':', '*', '"', '\n']),
    ) {
        let mut broken = name.clone();
        broken.insert(at.min(name.len()), bad);
        let found = validate::toleration(Some(&broken), Some(&broken));
        prop_assert_eq!(found.len(), 2, "{:?}", broken);
        let too_long = "v".repeat(64);
        prop_assert_eq!(validate::toleration(None, Some(&too_long)).len(), 1);
    }
}
