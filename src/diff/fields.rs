//! Field-by-field differences of two objects, as paths with old and new values.
//!
//! Lists of named items (containers, env, volumes, ports) are matched by name
//! (`env[name=POD_NAME]`), so a reordering or an insertion does not shift every later item. A
//! string of server options (`-DName=value …`, as in `MIGRATORYDATA_EXTRA_OPTS`) is compared
//! option by option (`…value[-DClusterMembers]`), so a 600-character member list reads as the
//! one option that changed. A missing field equals an empty map, list or null, as the API
//! server treats them. Secret `data`/`stringData` values and `checksum/jaas` are redacted here,
//! before anything can print them.

use serde_json::Value;

use crate::server_options;

/// One changed field. `None`: absent on that side.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub path: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// What replaces a secret value in every format.
pub const REDACTED: &str = "(redacted)";

/// The changed fields of `old` → `new` (objects of kind `kind`), redacted.
pub fn diff(kind: &str, old: &Value, new: &Value) -> Vec<Field> {
    let mut out = Vec::new();
    walk("", old, new, &mut out);
    for f in &mut out {
        let secret_data =
            kind == "Secret" && (f.path.starts_with("data") || f.path.starts_with("stringData"));
        let applied = kind == "Secret" && f.path.contains("last-applied-configuration");
        if secret_data || applied || f.path.contains("[\"checksum/jaas\"]") {
            for v in [&mut f.old, &mut f.new].into_iter().flatten() {
                *v = Value::String(REDACTED.to_string());
            }
        }
    }
    out
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// `path.key`, or `path["key"]` when the key holds anything but letters, digits, `_` and `-`.
pub fn key_path(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    match (plain, path.is_empty()) {
        (true, true) => key.to_string(),
        (true, false) => format!("{path}.{key}"),
        (false, _) => format!("{path}[{}]", serde_json::to_string(key).unwrap_or_default()),
    }
}

fn walk(path: &str, old: &Value, new: &Value, out: &mut Vec<Field>) {
    if old == new || (is_empty(old) && is_empty(new)) {
        return;
    }
    // An absent map compares key by key with an empty one: each added label is its own field.
    let empty = Value::Object(serde_json::Map::new());
    let (old, new) = match (old, new) {
        (Value::Null, Value::Object(_)) => (&empty, new),
        (Value::Object(_), Value::Null) => (old, &empty),
        _ => (old, new),
    };
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                let (x, y) = (
                    a.get(k).unwrap_or(&Value::Null),
                    b.get(k).unwrap_or(&Value::Null),
                );
                walk(&key_path(path, k), x, y, out);
            }
        }
        (Value::Array(a), Value::Array(b)) => match (names(a), names(b)) {
            (Some(na), Some(nb)) => by_name(path, a, &na, b, &nb, out),
            _ => {
                for i in 0..a.len().max(b.len()) {
                    let (x, y) = (
                        a.get(i).unwrap_or(&Value::Null),
                        b.get(i).unwrap_or(&Value::Null),
                    );
                    item(&format!("{path}[{i}]"), x, y, out);
                }
            }
        },
        (Value::String(a), Value::String(b)) if is_options(a) && is_options(b) => {
            options(path, a, b, out)
        }
        _ => out.push(Field {
            path: path.to_string(),
            old: (!is_empty(old)).then(|| old.clone()),
            new: (!is_empty(new)).then(|| new.clone()),
        }),
    }
}

/// One list item: compared field by field when on both sides, whole when added or removed.
fn item(path: &str, old: &Value, new: &Value, out: &mut Vec<Field>) {
    if old.is_null() || new.is_null() {
        if old != new {
            out.push(Field {
                path: path.to_string(),
                old: (!old.is_null()).then(|| old.clone()),
                new: (!new.is_null()).then(|| new.clone()),
            });
        }
        return;
    }
    walk(path, old, new, out);
}

/// The `name` of every item, when every item is a mapping with a distinct one.
fn names(items: &[Value]) -> Option<Vec<&str>> {
    let names: Vec<&str> = items
        .iter()
        .map(|i| i.get("name").and_then(Value::as_str))
        .collect::<Option<_>>()?;
    let distinct: std::collections::BTreeSet<&&str> = names.iter().collect();
    (!names.is_empty() && distinct.len() == names.len()).then_some(names)
}

fn by_name(path: &str, a: &[Value], na: &[&str], b: &[Value], nb: &[&str], out: &mut Vec<Field>) {
    let find = |items: &[Value], names: &[&str], n: &str| {
        names.iter().position(|x| *x == n).map(|i| items[i].clone())
    };
    let mut order: Vec<&str> = nb.to_vec();
    order.extend(na.iter().filter(|n| !nb.contains(n)));
    for n in order {
        let x = find(a, na, n).unwrap_or(Value::Null);
        let y = find(b, nb, n).unwrap_or(Value::Null);
        item(&format!("{path}[name={n}]"), &x, &y, out);
    }
}

/// A string of `-D` server options (every word starts with `-`, at least one with `-D`).
fn is_options(s: &str) -> bool {
    let words: Vec<(&str, &str)> = server_options::words(s).collect();
    words.iter().any(|(w, _)| w.starts_with("-D")) && words.iter().all(|(w, _)| w.starts_with('-'))
}

/// Two option strings compared word by word (`-DName` or `-Xss1m`, the part before `=`).
fn options(path: &str, a: &str, b: &str, out: &mut Vec<Field>) {
    let (pa, pb): (Vec<_>, Vec<_>) = (
        server_options::words(a).collect(),
        server_options::words(b).collect(),
    );
    let get = |p: &[(&str, &str)], k: &str| {
        p.iter()
            .find(|(x, _)| *x == k)
            .map(|(_, v)| Value::String(v.to_string()))
    };
    let mut keys: Vec<&str> = pb.iter().map(|(k, _)| *k).collect();
    keys.extend(
        pa.iter()
            .map(|(k, _)| *k)
            .filter(|k| !pb.iter().any(|(x, _)| x == k)),
    );
    for k in keys {
        let (x, y) = (get(&pa, k), get(&pb, k));
        if x != y {
            out.push(Field {
                path: format!("{path}[{k}]"),
                old: x,
                new: y,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn named_items_match_by_name_and_options_by_option() {
        let old = json!({"env": [{"name": "A", "value": "-DX=1 -DY=2"}], "l": {}});
        let new =
            json!({"env": [{"name": "B", "value": "b"}, {"name": "A", "value": "-DX=1 -DY=3"}]});
        let f = diff("Pod", &old, &new);
        let paths: Vec<&str> = f.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["env[name=B]", "env[name=A].value[-DY]"]);
        assert_eq!(f[1].old, Some(json!("2")));
    }

    #[test]
    fn secret_data_and_jaas_checksums_are_redacted() {
        let f = diff(
            "Secret",
            &json!({"data": {"k": "c2VjcmV0"}}),
            &json!({"data": {"k": "bmV3"}}),
        );
        assert_eq!(f[0].old, Some(json!(REDACTED)));
        assert_eq!(f[0].new, Some(json!(REDACTED)));
        assert_eq!(key_path("a", "checksum/jaas"), "a[\"checksum/jaas\"]");
    }
}
