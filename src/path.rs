//! Field paths: where in a YAML document a value lives (`spec.template.spec.containers[0].env`).
//!
//! Spec errors, schema issues and lint findings all name the field they are about with a
//! `FieldPath`; the locator turns one back into a line and column.

use std::fmt;

/// One step of a path: a mapping key or a sequence index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A path from a document's root to one of its values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldPath(pub Vec<Seg>);

impl FieldPath {
    pub fn root() -> FieldPath {
        FieldPath(Vec::new())
    }

    /// Parses the dotted form this type prints: `a.b[0].c`. Keys holding dots or brackets
    /// cannot be written this way, so paths are built, not parsed: with [`FieldPath::key`],
    /// [`FieldPath::index`] and [`FieldPath::keys`], or from an array of keys. Tests write
    /// fixed paths with it; nothing else may, so it exists only in test builds.
    #[cfg(test)]
    pub fn parse(dotted: &str) -> FieldPath {
        let mut segs = Vec::new();
        for part in dotted.split('.').filter(|p| !p.is_empty()) {
            let (key, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if !key.is_empty() {
                segs.push(Seg::Key(key.to_string()));
            }
            while let Some(end) = rest.find(']') {
                if let Ok(i) = rest[1..end].parse() {
                    segs.push(Seg::Index(i));
                }
                rest = &rest[end + 1..];
            }
        }
        FieldPath(segs)
    }

    pub fn key(&self, k: &str) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Seg::Key(k.to_string()));
        p
    }

    pub fn index(&self, i: usize) -> FieldPath {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }

    /// This path followed by `keys`, each one key as it stands: `base.keys(&["secret",
    /// "secretName"])`.
    pub fn keys(&self, keys: &[&str]) -> FieldPath {
        let mut p = self.clone();
        p.0.extend(keys.iter().map(|k| Seg::Key((*k).to_string())));
        p
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The path without its last step (the root stays the root).
    pub fn parent(&self) -> FieldPath {
        let mut p = self.clone();
        p.0.pop();
        p
    }
}

/// Nested keys from the root: `FieldPath::from(["autoscale", "min"])` is `autoscale.min`. Each
/// item is one key as it stands, dots and all.
impl<const N: usize> From<[&str; N]> for FieldPath {
    fn from(keys: [&str; N]) -> FieldPath {
        FieldPath::root().keys(&keys)
    }
}

/// Nested keys from the root, as [`FieldPath::keys`] appends them.
impl From<&[&str]> for FieldPath {
    fn from(keys: &[&str]) -> FieldPath {
        FieldPath::root().keys(keys)
    }
}

impl From<&FieldPath> for FieldPath {
    fn from(p: &FieldPath) -> FieldPath {
        p.clone()
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(document)");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if k.contains(['.', '[', ']']) || k.is_empty() => write!(f, "[{k:?}]")?,
                Seg::Key(k) if i == 0 => f.write_str(k)?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print_round_trip() {
        for s in [
            "autoscale.min",
            "spec.template.spec.containers[0].env[3].value",
            "a[1][2]",
        ] {
            assert_eq!(FieldPath::parse(s).to_string(), s);
        }
    }

    #[test]
    fn built_from_keys_as_they_stand() {
        assert_eq!(
            FieldPath::from(["autoscale", "min"]),
            FieldPath::root().key("autoscale").key("min")
        );
        let p = FieldPath::from(["extraOptions", "X.Bar"]);
        assert_eq!(p.0.len(), 2);
        assert_eq!(p.to_string(), r#"extraOptions["X.Bar"]"#);
        assert_eq!(FieldPath::from([]), FieldPath::root());
        let slice: &[&str] = &["spec", "template"];
        assert_eq!(
            FieldPath::from(slice)
                .index(0)
                .keys(&["a.b", "c"])
                .to_string(),
            r#"spec.template[0]["a.b"].c"#
        );
    }

    #[test]
    fn keys_with_dots_print_quoted() {
        let p = FieldPath::parse("metadata.annotations").key("gen.migratorydata.io/skip");
        assert_eq!(
            p.to_string(),
            r#"metadata.annotations["gen.migratorydata.io/skip"]"#
        );
    }
}
